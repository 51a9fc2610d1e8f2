"""What the team's features (issue 17) cost: the review by e-mail, chat and alerts, and the audit trail.

    python bench/delivery.py [--out DIR] [--as-of 2026-11-24] [--week 2026-W47] [--audit-rows 100000]
                             [--orders 200000] [--baseline e3b75f5~1] [--repeat 5]

On a demo warehouse (``python cli.py demo --as-of …`` into a new SQLite file under ``--out``):

- ``send-review`` end to end (the CLI in a new process) for one week to 2 recipients through a real aiosmtpd server
  on 127.0.0.1, in English and in Persian; then the same again (already sent: nothing goes out); in this process the
  parts: the review, the attachment (the self-contained review HTML, plotly.js inlined), the whole message, the SMTP
  send, the never-twice check (``was_sent`` / ``claim``);
- ``notify`` (Slack, Teams) and ``alerts --period`` to a local HTTP server, first and second run;
- the audit trail on writes: a ~700-row targets plan imported (one audit row per target created or changed) against
  the same import by SYSTEM (one summary row) and against the commit before the audit trail (``--baseline``, its tree
  from ``git archive`` into ``--out``); a 200,000-order file import (one audit row) against the same baseline;
- the audit page's data (``access.audit.audit_frame`` and the page's table) over ``--audit-rows`` synthetic rows.

Wall times; peak RSS of each CLI process (``wait4``) and of this process after each part. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from access import audit  # noqa: E402
from access.roles import cli_actor  # noqa: E402
from metrics import cache  # noqa: E402
from metrics.catalog import KPIS  # noqa: E402
from metrics.periods import parse_period, period_containing  # noqa: E402
from warehouse import schema  # noqa: E402
from warehouse.db import get_engine, make_engine  # noqa: E402

PYTHON = sys.executable
SENDER = "KPI review <kpi@example.org>"
TO = "anna@example.org,omid@example.org"
SCRIPT = '<script type="text/javascript">'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb() -> float:
    """This process's peak resident set so far (Linux: ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed(fn, *args, **kwargs):
    """(fn's result, wall seconds)."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def median_s(fn, repeat: int) -> float:
    """Median wall seconds of ``fn()`` over ``repeat`` runs."""
    return statistics.median(timed(fn)[1] for _ in range(repeat))


# Runs a script and, at exit, writes its own peak RSS (VmHWM: the memory of this program since its exec; wait4's
# ru_maxrss would also count the pages of the large parent that forked it) to stderr's last line.
HWM = "import atexit, runpy, sys; atexit.register(lambda: sys.stderr.write('\\n' + next(line for line in open(" \
      "'/proc/self/status') if line.startswith('VmHWM')))); sys.argv = sys.argv[1:]; " \
      "runpy.run_path(sys.argv[0], run_name='__main__')"


def run_cli(args: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """``python cli.py ARGS`` in a new process: see :func:`run_python`."""
    return run_python(["-c", HWM, "cli.py", *args], env, cwd)


def run_python(args: list[str], env: dict, cwd: Path = ROOT) -> dict:
    """``python ARGS`` in a new process: wall time, exit code, the last line it printed and its peak RSS (the
    'VmHWM: … kB' line it writes last on stderr, see HWM)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.run([PYTHON, *args], cwd=cwd, env=env, stdout=out, stderr=err)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
        errors = err.read().decode("utf-8", "replace").strip().splitlines()
    hwm = [line.split()[1] for line in errors if line.startswith("VmHWM:")]
    return {"wall_s": round(wall, 3), "peak_rss_mb": round(int(hwm[-1]) / 1024, 1) if hwm else None,
            "rc": child.returncode, "said": (lines or [""])[-1][:2000],
            **({"stderr": "\n".join(errors[-5:])} if child.returncode else {})}


# --- local servers ----------------------------------------------------------------------------------------------

class Inbox:
    """An aiosmtpd handler keeping (recipients, size in bytes) of every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], int]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos), len(envelope.original_content or envelope.content)))
        return "250 OK"


class Hooks:
    """A local HTTP server recording (path, bytes) of each POST, answering 200 'ok' (Slack's answer)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, int]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.posts.append((self.path, len(raw)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


# --- the parts --------------------------------------------------------------------------------------------------

def demo_warehouse(out: Path, as_of: date) -> tuple[str, float]:
    """A new demo warehouse under ``out`` (``python cli.py demo``): its URL and the load's wall time."""
    path = out / "demo.db"
    for leftover in out.glob("demo.db*"):
        leftover.unlink()
    url = f"sqlite:///{path}"
    done = run_cli(["demo", "--as-of", as_of.isoformat()], {**os.environ, "KPI_DATABASE_URL": url})
    if done["rc"]:
        raise SystemExit(f"python cli.py demo failed: {done}")
    return url, done["wall_s"]


def mail_parts(engine: Engine, week, lang: str, settings, repeat: int) -> dict:
    """The send-review pipeline in this process (process cache cleared before each): the review, the attachment,
    the whole message, the SMTP send; sizes."""
    from email import message_from_bytes

    from i18n import using_locale
    from metrics.periods import calendar_for, using_calendar
    from metrics.review import weekly_review
    from reports.review_html import render
    from reports.review_mail import build_message, parse_recipients
    from reports.smtp import send
    from warehouse.snapshot import read_snapshot

    to = parse_recipients(TO)

    def review() -> dict:
        cache.clear()
        with using_locale(lang), using_calendar(calendar_for(lang)):
            return weekly_review(engine, week, None)

    def attachment() -> str:
        cache.clear()
        return render(engine, week, lang=lang)

    def message():
        cache.clear()
        with read_snapshot(engine) as db:
            return build_message(db, week, to, settings.sender, lang=lang)

    built = message()
    raw = bytes(built)
    parts = {p.get_content_type() + ("+attachment" if p.get_filename() else ""): len(p.get_payload(decode=True))
             for p in message_from_bytes(raw).walk() if not p.is_multipart()}
    html = attachment()
    begin = html.find(SCRIPT)  # reports.plotly_bundle.script_tag: the inlined plotly.js
    bundle = len(html[begin:html.find("</script>", begin)].encode("utf-8")) if begin >= 0 else 0
    return {"review_s": round(median_s(review, repeat), 3),
            "attachment_render_s": round(median_s(attachment, repeat), 3),
            "build_message_s": round(median_s(message, repeat), 3),
            "smtp_send_s": round(median_s(lambda: send(built, settings), repeat), 3),
            "message_bytes": len(raw), "parts_bytes_decoded": parts, "attachment_bytes": len(html.encode("utf-8")),
            "charts": html.count('class="plotly-graph-div"'), "plotly_js_inlined_bytes": bundle,
            "peak_rss_mb_so_far": peak_rss_mb()}


def bench_mail(url: str, out: Path, iso_week: str, repeat: int) -> dict:
    """send-review end to end (en, fa) to 2 recipients through a local aiosmtpd, then again; the parts in-process."""
    from reports.delivery import claim, was_sent
    from reports.review_mail import KIND, delivery_key, parse_recipients
    from reports.smtp import smtp_settings

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        smtp_url = f"smtp://127.0.0.1:{controller.port}"
        env = {**os.environ, "KPI_DATABASE_URL": url, "KPI_SMTP_URL": smtp_url, "KPI_MAIL_FROM": SENDER}
        week = parse_period(iso_week)
        jalali = period_containing(week.start + timedelta(days=2), "week", "jalali")
        results: dict = {"week": week.label, "jalali_week": jalali.label, "recipients": TO.split(",")}
        for lang, label in (("en", week.label), ("fa", jalali.label)):
            runs = {}
            for run in ("first", "second"):
                before = len(inbox.messages)
                runs[run] = run_cli(["send-review", "--week", label, "--to", TO, "--lang", lang], env)
                runs[run]["messages_received"] = len(inbox.messages) - before
                runs[run]["bytes_received"] = sum(size for _to, size in inbox.messages[before:])
            results[f"cli_{lang}"] = runs
        engine = make_engine(url)
        settings = smtp_settings(smtp_url, SENDER)
        for lang, label in (("en", week.label), ("fa", jalali.label)):
            results[f"parts_{lang}"] = mail_parts(engine, parse_period(label), lang, settings, repeat)
        key = delivery_key(week, parse_recipients(TO))
        n = 200
        results["never_twice_check_ms"] = {
            "was_sent": round(median_s(lambda: was_sent(engine, KIND, key), n) * 1000, 2),
            "claim_of_a_sent_key": round(median_s(lambda: claim(engine, KIND, key, actor="bench"), n) * 1000, 2),
            "runs": n}
        results["cli_help_wall_s"] = statistics.median(  # interpreter + cli.py's own imports
            run_cli(["--help"], env)["wall_s"] for _ in range(3))
        engine.dispose()
    finally:
        controller.stop()
    return results


def bench_chat(url: str, iso_week: str, repeat: int) -> dict:
    """notify (Slack, Teams) and alerts --period to a local HTTP server: first run, second run (posts nothing)."""
    from reports.alerts import find_alerts

    hooks = Hooks()
    env = {**os.environ, "KPI_DATABASE_URL": url}
    results: dict = {}
    for name, args in (("notify_slack", ["notify", "--week", iso_week, "--webhook", f"{hooks.url}/slack"]),
                       ("notify_teams", ["notify", "--week", iso_week, "--webhook", f"{hooks.url}/teams",
                                         "--format", "teams"]),
                       ("alerts", ["alerts", "--period", iso_week, "--webhook", f"{hooks.url}/alerts"])):
        runs = {}
        for run in ("first", "second"):
            before = len(hooks.posts)
            runs[run] = run_cli(args, env)
            runs[run]["posts"] = len(hooks.posts) - before
            runs[run]["bytes_posted"] = sum(size for _p, size in hooks.posts[before:])
        results[name] = runs
    engine = make_engine(url)
    week = parse_period(iso_week)

    def alerts():
        cache.clear()
        return find_alerts(engine, week)

    results["find_alerts_s"] = round(median_s(alerts, repeat), 3)
    results["alerts_found"] = len(alerts())
    engine.dispose()
    hooks.server.shutdown()
    return results


PLAN_WEEKS = 29  # 24 KPIs × 29 weeks = 696 rows


def plan_csv(path: Path, factor: float) -> int:
    """A plan of weekly targets for every KPI, 2026-W01…W29 (24 KPIs × 29 weeks = 696 rows); ``factor`` scales
    every value (another factor: every row changed)."""
    rows = ["kpi_id,grain,period,channel,target"]
    base = {"percent": 0.3, "score": 40.0}
    for kpi in KPIS:
        for week in range(1, PLAN_WEEKS + 1):
            value = base.get(kpi.unit, 100.0 + week) * factor
            rows.append(f"{kpi.id},week,2026-W{week:02d},,{value:.4f}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows) - 1


# The write side, run in a new process inside a code tree (this one, or the baseline's without the audit trail):
# the same calls with or without ``actor=`` (whichever the tree's functions take). Prints JSON.
WRITES_CHILD = r"""
import inspect, json, statistics, sys, time
from pathlib import Path
tree, plan_a, plan_b, orders, work, repeat, who = sys.argv[1:8]
sys.path.insert(0, tree)
from sqlalchemy import func, select
from connectors.files import import_file
from metrics.targets import import_csv
from warehouse import schema
from warehouse.db import get_engine
kwargs = {}
if "actor" in inspect.signature(import_csv).parameters:
    from access.roles import SYSTEM, cli_actor
    kwargs = {"actor": SYSTEM if who == "system" else cli_actor()}
def audit_rows(engine):
    if not hasattr(schema, "audit_log"):
        return None
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.audit_log)).scalar_one()
def fresh(name):
    path = Path(work) / name
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    return get_engine(f"sqlite:///{path}")
out = {"audited": bool(kwargs), "actor": kwargs["actor"].name if kwargs else None}
engine = fresh(f"targets-{who}.db")
t = time.perf_counter(); import_csv(engine, plan_a, **kwargs); out["plan_first_import_s"] = time.perf_counter() - t
out["audit_rows_after_first"] = audit_rows(engine)
times = []
for i in range(int(repeat)):  # every row changes each time (the plans alternate)
    t = time.perf_counter(); import_csv(engine, plan_b if i % 2 == 0 else plan_a, **kwargs)
    times.append(time.perf_counter() - t)
out["plan_all_changed_import_s_median"] = statistics.median(times)
out["audit_rows_after_changes"] = audit_rows(engine)
t = time.perf_counter(); import_csv(engine, plan_a if int(repeat) % 2 == 0 else plan_b, **kwargs)
out["plan_unchanged_import_s"] = time.perf_counter() - t
out["audit_rows_after_unchanged"] = audit_rows(engine)
if orders != "-":
    kw = {"actor": kwargs["actor"]} if kwargs else {}
    engine = fresh(f"orders-{who}.db")
    t = time.perf_counter(); result = import_file(engine, "orders", orders, **kw)
    out["orders_import_s"] = time.perf_counter() - t
    out["orders_inserted"] = result.inserted
    out["orders_audit_rows"] = audit_rows(engine)
print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}))
sys.stderr.write("\n" + next(line for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def run_writes(tree: Path, plan_a: Path, plan_b: Path, orders: Path | None, work: Path, repeat: int,
               who: str) -> dict:
    """WRITES_CHILD in a new process in ``tree``: wall times, audit rows, its peak RSS."""
    work.mkdir(parents=True, exist_ok=True)
    done = run_python(["-c", WRITES_CHILD, str(tree), str(plan_a), str(plan_b), str(orders) if orders else "-",
                       str(work), str(repeat), who], {**os.environ}, cwd=tree)
    if done["rc"]:
        raise SystemExit(f"writes benchmark failed in {tree}:\n{done.get('stderr')}")
    return {**json.loads(done["said"]), "process_wall_s": done["wall_s"], "process_peak_rss_mb": done["peak_rss_mb"]}


def baseline_tree(commit: str, out: Path) -> Path:
    """The code of ``commit`` (``git archive``) under ``out`` (no worktree, nothing in the repository changes)."""
    tree = out / f"baseline-{commit.replace('~', '_').replace('^', '_')}"
    if not (tree / "cli.py").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def orders_file(out: Path, n: int, as_of: date) -> Path:
    """``n`` synthetic orders (bench/generate.py, two years to ``as_of``) as one CSV."""
    from bench.generate import Size, generate

    return generate(Size(orders=n, customers=max(1, n // 4), campaigns=60, channels=10, years=2, as_of=as_of),
                    out / f"gen-{n}")["orders"]


def per_audit_row_ms(url: str, n: int = 2000) -> float:
    """What one ``audit.record`` costs inside a transaction (``n`` rows written, then rolled back)."""
    engine = make_engine(url)
    actor = cli_actor()
    with engine.connect() as conn:
        tx = conn.begin()
        start = time.perf_counter()
        for i in range(n):
            key = audit.target_key("sell.revenue", "week", f"2026-W{i % 52 + 1:02d}", "")
            audit.record(conn, actor, "targets", key, before=100.0 + i, after=110.0 + i,
                         detail="imported from plan.csv")
        seconds = time.perf_counter() - start
        tx.rollback()
    engine.dispose()
    return round(seconds / n * 1000, 3)


def bench_writes(out: Path, orders: int, as_of: date, baseline: str | None, repeat: int) -> dict:
    plan_a, plan_b = out / "plan-a.csv", out / "plan-b.csv"
    rows = plan_csv(plan_a, 1.0)
    plan_csv(plan_b, 1.1)
    orders_path = orders_file(out, orders, as_of) if orders else None
    results: dict = {"plan_rows": rows, "orders_rows": orders}
    results["now_cli_user"] = run_writes(ROOT, plan_a, plan_b, orders_path, out / "writes-now", repeat, "cli")
    results["now_system"] = run_writes(ROOT, plan_a, plan_b, None, out / "writes-now", repeat, "system")
    if baseline:
        tree = baseline_tree(baseline, out)
        results["baseline_commit"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", baseline],
                                                    capture_output=True, text=True, check=True).stdout.strip()
        results["baseline"] = run_writes(tree, plan_a, plan_b, orders_path, out / "writes-base", repeat, "base")
    results["one_audit_row_ms"] = per_audit_row_ms(f"sqlite:///{out / 'writes-now' / 'targets-cli.db'}")
    return results


ACTIONS = ("targets", "notes", "actions", "import", "sync", "remove_demo")


def synthetic_audit(n: int, today: date, seed: int = 17) -> list[dict]:
    """``n`` audit rows over the year before ``today``, the product's shapes: target values, note/action edits
    (changed fields), import results."""
    rng = random.Random(seed)
    actors = [f"user{i}@example.org" for i in range(12)] + ["ops (cli)"]
    kpis = [k.id for k in KPIS]
    start = datetime.combine(today - timedelta(days=365), datetime.min.time())
    rows = []
    for i in range(n):
        action = rng.choices(ACTIONS, weights=(60, 15, 15, 8, 1.5, 0.5))[0]
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        before = after = detail = None
        if action == "targets":
            key = audit.target_key(rng.choice(kpis), "week", f"2026-W{rng.randrange(1, 53):02d}", "")
            before, after = (None if rng.random() < 0.3 else round(rng.uniform(10, 5000), 2)), round(
                rng.uniform(10, 5000), 2)
            detail = "imported from plan.csv" if rng.random() < 0.5 else None
        elif action == "notes":
            key = audit.note_key(i, rng.choice(kpis), f"2026-W{rng.randrange(1, 53):02d}", "")
            before, after = {"text": "Revenue dipped: the newsletter went out late."}, {
                "text": "Revenue dipped: the newsletter went out a day late; resend on Tuesday."}
        elif action == "actions":
            key = audit.action_key(i, f"2026-W{rng.randrange(1, 53):02d}")
            before, after = {"status": "open"}, {"status": "done"}
        elif action == "import":
            key = audit.import_key("orders", "orders.csv")
            after = {"file": "orders.csv", "kind": "orders", "format": None, "rows": 5000, "inserted": 4980,
                     "updated": 20, "unchanged": 0, "rejected": 0}
        elif action == "sync":
            key, after, detail = "GA4 property 123456789", {"rows": 1200}, "2026-11-01 to 2026-11-29"
        else:
            key, after, detail = "demo data", {"orders": 93408}, "rows removed per table"
        rows.append({"at": at, "actor": rng.choice(actors), "role": "admin", "via": "sign-in", "action": action,
                     "object_key": key, "before_json": audit.to_json(before), "after_json": audit.to_json(after),
                     "detail": detail})
    return rows


def bench_audit_read(url: str, n: int, repeat: int) -> dict:
    """The audit page's data over ``n`` synthetic audit rows (inserted in bulk): the frame, the page's table,
    the CSV download, the 'who' list; all rows and the page's default (the last 30 days)."""
    from access.audit import audit_actors, audit_frame, audit_table, csv_text

    engine = get_engine(url)
    today = date.today()
    rows = synthetic_audit(n, today)
    start = time.perf_counter()
    with engine.begin() as conn:
        for i in range(0, len(rows), 10_000):
            conn.execute(insert(schema.audit_log), rows[i:i + 10_000])
    results: dict = {"rows_inserted": n, "bulk_insert_s": round(time.perf_counter() - start, 2)}
    with engine.connect() as conn:
        results["audit_rows_total"] = conn.execute(select(func.count()).select_from(schema.audit_log)).scalar_one()
    since = today - timedelta(days=30)
    for name, kwargs in (("all", {}), ("last_30_days", {"since": since}),
                         ("last_30_days_targets", {"since": since, "action": "targets"})):
        rss0 = peak_rss_mb()
        frame = audit_frame(engine, **kwargs)
        entry = {"rows": len(frame), "audit_frame_s": round(median_s(lambda k=kwargs: audit_frame(engine, **k),
                                                                        repeat), 3)}
        entry["audit_table_s"] = round(median_s(lambda f=frame: audit_table(f), repeat), 3)
        entry["csv_text_s"] = round(median_s(lambda f=frame: csv_text(f), max(1, repeat // 2)), 3)
        entry["peak_rss_mb"], entry["peak_rss_growth_mb"] = peak_rss_mb(), round(peak_rss_mb() - rss0, 1)
        results[name] = entry
    results["audit_actors_s"] = round(median_s(lambda: audit_actors(engine), repeat), 4)
    results["cli_audit_json_since_30_days"] = run_cli(["audit", "--since", since.isoformat(), "--format", "json"],
                                                      {**os.environ, "KPI_DATABASE_URL": url})
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a new temporary one)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24), help="the demo's --as-of")
    parser.add_argument("--week", default="2026-W47", help="the ISO week to send (its Jalali week for Persian)")
    parser.add_argument("--audit-rows", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=200_000, help="orders in the import file (0: skip)")
    parser.add_argument("--baseline", default="e3b75f5~1", help="the commit before the audit trail ('' to skip)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process timing (median)")
    parser.add_argument("--skip", nargs="*", default=(), choices=("mail", "chat", "writes", "audit"))
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    out.mkdir(parents=True, exist_ok=True)
    results: dict = {"load_average_start": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
                     "python": sys.version.split()[0], "started": datetime.now().isoformat(timespec="seconds")}
    url, results["demo_load_s"] = demo_warehouse(out, args.as_of)
    results["warehouse"] = url
    if "mail" not in args.skip:
        results["send_review"] = bench_mail(url, out, args.week, args.repeat)
    if "chat" not in args.skip:
        results["chat"] = bench_chat(url, args.week, args.repeat)
    if "writes" not in args.skip:
        results["audit_on_writes"] = bench_writes(out, args.orders, args.as_of, args.baseline or None, args.repeat)
    if "audit" not in args.skip:
        results["audit_page_data"] = bench_audit_read(url, args.audit_rows, args.repeat)
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["peak_rss_mb_this_process"] = peak_rss_mb()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
