"""The scale benchmark: generate a shop, load it through the real load path, time the pages' queries.

    python bench/run.py --small                      # CI size (about a minute)
    python bench/run.py --orders 10000000 --customers 2000000 --campaigns 300 --channels 10 --years 5
    python bench/run.py --small --url postgresql+psycopg://user@127.0.0.1:5432/kpi_bench

Prints a table and JSON (also written to bench/out/<size>/results.json); ``--write-md`` records the
run in BENCHMARKS.md. Generated files and the warehouse live under bench/out/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import event  # noqa: E402

from access.roles import cli_actor  # noqa: E402
from bench.generate import Size, generate  # noqa: E402
from connectors.datasets import DATASETS  # noqa: E402
from connectors.loader import load  # noqa: E402
from metrics import cache, campaigns  # noqa: E402
from metrics.catalog import KPIS  # noqa: E402
from metrics.engine import Filters, compute  # noqa: E402
from metrics.periods import period_containing, shift  # noqa: E402
from warehouse import schema  # noqa: E402
from warehouse.db import init_schema, make_engine, redacted  # noqa: E402

KINDS = ("orders", "web", "ad_spend", "email", "social", "feedback", "tickets")
SMALL = dict(orders=200_000, customers=40_000, campaigns=60, channels=10, years=2, chunk=50_000)
TARGETS = {"scorecard_cold_s": 1.0, "scorecard_warm_s": 0.1, "drilldown_s": 1.0, "campaigns_page_s": 2.0}


class PeakRSS:
    """Samples this process's resident memory every 20 ms while active."""

    def __init__(self) -> None:
        self.peak = self.base = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def typed(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """CSV text -> the canonical typed frame (what a file import hands to the loader)."""
    for f in DATASETS[kind].fields:
        if f.name not in frame:
            continue
        if f.type == "date":
            frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d").dt.date
        elif f.type == "datetime":
            frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d %H:%M:%S")
    return frame


def import_file(engine, kind: str, path: Path, chunk: int, via: str = "files") -> dict:
    """Import one CSV through the real path: ``files`` = connectors.files.import_file (what
    ``python cli.py import`` runs: checked, streamed in chunks, one transaction for the file), or
    ``loader`` = the CSV streamed in chunks of ``chunk`` rows, one connectors.loader.load per chunk."""
    text_cols = {f.name: str for f in DATASETS[kind].fields if f.type in ("text", "choice", "date", "datetime")}
    rows = inserted = 0
    chunk_seconds = []
    t0 = time.perf_counter()
    with PeakRSS() as mem:
        if via == "files":
            from connectors.files import import_file as files_import

            result = files_import(engine, kind, path, chunk_rows=chunk, actor=cli_actor())
            rows, inserted = result.rows, result.inserted
            chunk_seconds.append(time.perf_counter() - t0)
        else:
            for part in pd.read_csv(path, chunksize=chunk, dtype=text_cols, keep_default_na=False,
                                    na_values={"first_response_at": [""]}):
                t = time.perf_counter()
                result = load(engine, kind, typed(kind, part), source=f"bench:{path.name}")
                chunk_seconds.append(time.perf_counter() - t)
                rows += len(part)
                inserted += result.inserted
    seconds = time.perf_counter() - t0
    return {"kind": kind, "rows": rows, "inserted": inserted, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None,
            "via": via, "chunks": len(chunk_seconds) if via == "loader" else -(-rows // chunk),
            "first_chunk_s": round(chunk_seconds[0], 2),
            "last_chunk_s": round(chunk_seconds[-1], 2),
            "rss_before_mb": round(mem.base / 2**20), "rss_peak_mb": round(mem.peak / 2**20),
            "rss_growth_mb": round((mem.peak - mem.base) / 2**20)}


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


class Statements:
    """Records the SQL an engine runs, to check which tables a computation reads."""

    def __init__(self, engine) -> None:
        self.sql: list[str] = []
        event.listen(engine, "before_cursor_execute", self._record)
        self.engine = engine

    def _record(self, conn, cursor, statement, *args) -> None:
        self.sql.append(statement)

    def reading(self, table: str) -> list[str]:
        return [s for s in self.sql if re.search(rf"\bFROM\s+\"?{table}\"?(\s|$)", s, re.I)]

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    import sqlite3

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "pandas": pd.__version__}


def app_first_render(url: str, today: date) -> float:
    """Seconds to the first render of the overview page in a fresh process (AppTest), cold caches."""
    code = (
        "import time, sys; sys.path.insert(0, '.'); t = time.perf_counter()\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=600).run()\n"
        "assert not at.exception, at.exception\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, "KPI_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=1200)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def compare(scorecard_items, reference: pd.DataFrame) -> float:
    """Largest relative difference between the scorecard's sparklines and a reference (weeks x KPIs)."""
    worst = 0.0
    for item in scorecard_items:
        ref = reference[item.id].tolist()[-len(item.sparkline):] if item.sparkline else []
        for ours, theirs in zip(item.sparkline, ref):
            if ours is None or pd.isna(theirs):
                if not (ours is None and pd.isna(theirs)):
                    worst = max(worst, 1.0)
                continue
            worst = max(worst, abs(ours - theirs) / max(abs(theirs), 1e-9))
    return worst


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size: " + json.dumps(SMALL))
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=2_000_000)
    parser.add_argument("--campaigns", type=int, default=300)
    parser.add_argument("--channels", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24),
                        help="data ends the day before (default 2026-11-24)")
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per chunk read, checked and staged")
    parser.add_argument("--via", choices=("files", "loader"), default="files",
                        help="files: connectors.files.import_file, one transaction per file (default); "
                             "loader: connectors.loader.load per chunk")
    parser.add_argument("--url", help="warehouse URL (default: a SQLite file under bench/out/)")
    parser.add_argument("--out", type=Path, help="working directory (default bench/out/<size>)")
    parser.add_argument("--reuse", action="store_true", help="skip the imports: time queries on the loaded warehouse")
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--skip-cohorts", action="store_true",
                        help="skip the cohorts figures (customer build, a daily load of 5,000 orders, cohorts read)")
    parser.add_argument("--write-md", action="store_true", help="record the run in BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.small:
        for k, v in SMALL.items():
            setattr(args, k, v)
    size = Size(args.orders, args.customers, args.campaigns, args.channels, args.years, args.as_of)
    out = args.out or ROOT / "bench" / "out" / ("small" if args.small else f"o{args.orders}")
    results: dict = {"command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                     "started": datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                     "size": json.loads(size.key())}

    t = time.perf_counter()
    files = generate(size, out)
    results["generate_s"] = round(time.perf_counter() - t, 1)

    url = args.url or f"sqlite:///{out / 'warehouse.db'}"
    results["database"] = redacted(url)
    engine = make_engine(url)
    previous = out / "results.json"
    if args.reuse and previous.exists():  # keep the import figures of the run that loaded this warehouse
        earlier = json.loads(previous.read_text())
        results.update({k: earlier[k] for k in ("imports", "reimport_web_unchanged") if k in earlier})
        results["command"] = earlier["command"] + "  # then: " + results["command"]
    if not args.reuse:
        if url.startswith("sqlite:///"):
            engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(str(out / "warehouse.db") + suffix).unlink(missing_ok=True)
            engine = make_engine(url)
        else:
            schema.metadata.drop_all(engine)
        init_schema(engine)
        results["imports"] = []
        for kind in KINDS:
            r = import_file(engine, kind, files[kind], args.chunk, args.via)
            results["imports"].append(r)
            print(f"  imported {kind}: {r}", flush=True)
        again = import_file(engine, "web", files["web"], args.chunk, args.via)
        results["reimport_web_unchanged"] = again
        if url.startswith("sqlite"):
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")

    week = period_containing(args.as_of - timedelta(days=7), "week")
    quarter = period_containing(week.start, "quarter")
    channel = "Paid Search"
    ids = [k.id for k in KPIS]
    engine.dispose()
    engine = make_engine(url)  # cold: new connections, nothing cached in the process
    cache.clear()
    statements = Statements(engine)
    cold, items = timed(lambda: cache.scorecard(engine, week, today=args.as_of))
    orders_reads = statements.reading("orders")
    statements.close()
    warm, _ = timed(lambda: cache.scorecard(engine, week, today=args.as_of), repeat=5)
    recompute, _ = timed(lambda: cache.clear() or cache.scorecard(engine, week, today=args.as_of), repeat=3)
    campaign_ids = [k.id for k in KPIS if "campaign" in k.breakdowns]
    engine.dispose()
    engine = make_engine(url)
    drill_cold, drill = timed(lambda: compute(engine, campaign_ids, quarter.start, quarter.end, "custom",
                                              Filters(channel=channel), breakdown="campaign"))
    drill_warm, _ = timed(lambda: compute(engine, campaign_ids, quarter.start, quarter.end, "custom",
                                          Filters(channel=channel), breakdown="campaign"), repeat=3)
    engine.dispose()
    engine = make_engine(url)
    channels_s, channel_table = timed(lambda: campaigns.performance(engine, week, "channel", today=args.as_of))
    attention_s, attention = timed(lambda: campaigns.needs_attention(engine, week, today=args.as_of))
    campaign_table_s, campaign_table = timed(
        lambda: campaigns.performance(engine, week, "campaign", Filters(channel=channel), today=args.as_of))
    results["queries"] = {
        "week": week.label, "quarter": quarter.label, "drilldown_channel": channel,
        "scorecard_kpis": len(items), "sparkline_weeks": len(items[0].sparkline) if items else 0,
        "scorecard_cold_s": round(cold, 3), "scorecard_warm_s": round(warm, 4),
        "scorecard_recompute_s": round(recompute, 3),
        "drilldown_campaigns": int(drill["campaign"].nunique()), "drilldown_s": round(drill_cold, 3),
        "drilldown_warm_s": round(drill_warm, 3),
        "campaigns_channel_table_s": round(channels_s, 3), "campaigns_needs_attention_s": round(attention_s, 3),
        "campaigns_campaign_table_s": round(campaign_table_s, 3),
        "campaigns_page_s": round(channels_s + attention_s, 3), "campaigns_flagged": len(attention),
        "campaigns_channel_rows": len(channel_table) - 1, "campaigns_campaign_rows": len(campaign_table) - 1,
        "scorecard_queries_reading_orders_table": len(orders_reads),
    }
    print(f"  queries: {results['queries']}", flush=True)
    if not args.skip_app:
        results["queries"]["overview_first_render_s"] = round(app_first_render(url, args.as_of), 2)

    if not args.skip_reference:
        from bench.reference import duckdb_measures, kpis_from_measures, pandas_measures, read_raw

        first = shift(week, -12)
        refs = {}
        try:
            t = time.perf_counter()
            measures, rows = duckdb_measures(files, first.start, week.end)
            duck = kpis_from_measures(measures, rows, ids)
            refs["duckdb_csv"] = (time.perf_counter() - t, duck)
        except ImportError:
            print("  duckdb not installed (pip install -r bench/requirements.txt): skipped", flush=True)
        t = time.perf_counter()
        raw = read_raw(engine)
        measures, rows = pandas_measures(raw, first.start, week.end, "week")
        panda = kpis_from_measures(measures, rows, ids)
        refs["pandas_raw_tables"] = (time.perf_counter() - t, panda)
        del raw
        results["references"] = {
            name: {"seconds": round(s, 2), "ratio_vs_scorecard_cold": round(s / cold, 1),
                   "max_relative_difference": compare(items, frame)}
            for name, (s, frame) in refs.items()
        }
    # after the references: the daily load adds orders (dated the as-of day, outside the compared weeks)
    if not args.skip_cohorts:
        from bench.cohorts import measure

        engine.dispose()
        engine = make_engine(url)
        orders_s = next((r["seconds"] for r in results.get("imports", []) if r["kind"] == "orders"), None)
        results["cohorts"] = measure(engine, url, out, args.as_of, orders_s)
        print(f"  cohorts: {results['cohorts']}", flush=True)
    results["targets_met"] = {
        k: results["queries"][k] < v for k, v in TARGETS.items()
    } | {"no_order_table_reads": results["queries"]["scorecard_queries_reading_orders_table"] == 0}
    if "cohorts" in results:
        results["targets_met"]["cohorts_read_cold_s"] = results["cohorts"]["read_cold_s"] < 2.0
    results["finished"] = datetime.now().isoformat(timespec="seconds")
    report(results)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    if args.write_md:
        write_markdown(results)
    return results


def table(results: dict) -> str:
    q = results["queries"]
    lines = ["| measurement | result | target |", "|---|---|---|"]
    for r in results.get("imports", []):
        lines.append(f"| import {r['kind']} ({r['rows']:,} rows, {r['chunks']} chunks, via {r.get('via', 'loader')}) | "
                     f"{r['seconds']} s, **{r['rows_per_s']:,} rows/s**, peak RSS {r['rss_peak_mb']} MB "
                     f"(+{r['rss_growth_mb']} MB) | streamed |")
    if "reimport_web_unchanged" in results:
        r = results["reimport_web_unchanged"]
        lines.append(f"| re-import web, all unchanged ({r['rows']:,} rows) | {r['seconds']} s, "
                     f"{r['rows_per_s']:,} rows/s | idempotent |")
    lines += [
        f"| weekly scorecard {q['week']}: {q['scorecard_kpis']} KPIs, previous week, last year, "
        f"{q['sparkline_weeks']}-week sparklines, cold | **{q['scorecard_cold_s']} s** | < 1 s |",
        f"| same, warm (process cache keyed on data version) | **{q['scorecard_warm_s'] * 1000:.1f} ms** | < 100 ms |",
        f"| same, recomputed without cache (warm database) | {q['scorecard_recompute_s']} s | |",
        f"| campaigns drill-down, {q['drilldown_channel']}, {q['quarter']} ({q['drilldown_campaigns']} campaigns), "
        f"cold | **{q['drilldown_s']} s** (warm {q['drilldown_warm_s']} s) | < 1 s |",
        f"| campaigns page, week {q['week']}, cold: channel table ({q['campaigns_channel_rows']} channels, changes, "
        f"13-week sparklines, flags) + campaigns needing attention ({q['campaigns_flagged']} flagged of all "
        f"campaigns) | **{q['campaigns_page_s']} s** ({q['campaigns_channel_table_s']} s + "
        f"{q['campaigns_needs_attention_s']} s) | < 2 s |",
        f"| campaigns of {q['drilldown_channel']}, week {q['week']} ({q['campaigns_campaign_rows']} campaigns), "
        f"same columns | {q['campaigns_campaign_table_s']} s | |",
        f"| scorecard queries reading the order-level table | {q['scorecard_queries_reading_orders_table']} | 0 |",
    ]
    if "overview_first_render_s" in q:
        lines.append(f"| overview page first render (AppTest, new process, cold) | "
                     f"{q['overview_first_render_s']} s | |")
    if "cohorts" in results:
        c = results["cohorts"]
        if "orders_import_s" in c:
            lines.append(f"| first orders load with the customer and cohort build ({c['orders']:,} orders, "
                         f"{c['customers']:,} customers) | {c['orders_import_s']} s, of which the build "
                         f"≈ {c['build_s']} s (the build alone, timed after) | |")
        else:
            lines.append(f"| customer and cohort build alone ({c['customers']:,} customers) | {c['build_s']} s | |")
        lines += [
            f"| daily orders load, {c['daily_load_orders']:,} orders ({c['daily_load_inserted']:,} new) into "
            f"{c['orders']:,}, customers and cohorts kept incrementally | **{c['daily_load_s']} s** | |",
            f"| cohorts read, 12 monthly cohorts by acquisition channel ({c['read']}, {c['cohort_activity_rows']:,} "
            f"cohort_activity rows), new process, cold | **{c['read_cold_s']} s** (warm {c['read_warm_s']} s) "
            f"| < 2 s |",
        ]
    for name, r in results.get("references", {}).items():
        lines.append(f"| reference: same 13-week scorecard, {name.replace('_', ' ')} | {r['seconds']} s = "
                     f"**{r['ratio_vs_scorecard_cold']}× the cold scorecard**; max rel. difference "
                     f"{r['max_relative_difference']:.1e} | |")
    return "\n".join(lines)


def report(results: dict) -> None:
    print()
    print(table(results))
    print()
    print(json.dumps(results, indent=2, default=str))


def write_markdown(results: dict) -> None:
    """Add (or replace) this size's section in BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    size = results["size"]
    title = (f"## {size['orders']:,} orders, {size['customers']:,} customers, {size['campaigns']} campaigns, "
             f"{size['channels']} channels, {size['years']} years — {results['database'].split(':')[0]}")
    m = results["machine"]
    body = (f"{title}\n\nRun {results['started']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, "
            f"{m['os']}, Python {m['python']}, SQLite {m['sqlite']}, pandas {m['pandas']}. Database: "
            f"`{results['database']}`.\n\n```bash\n{results['command']}\n```\n\n{table(results)}\n")
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    sections = re.split(r"(?m)^(?=## )", text)
    sections = [s for s in sections if not s.startswith(title)]
    path.write_text("".join(sections).rstrip() + "\n\n" + body)


if __name__ == "__main__":
    main()
