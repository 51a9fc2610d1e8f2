"""The command line, as cron jobs and scripts use it (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from metrics.catalog import KPIS
from metrics.periods import last_complete
from tests.conftest import DEMO_AS_OF, ROOT


def run(args: list[str], url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KPI_DATABASE_URL": url}
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_report_json_has_every_kpi_with_values(demo_url):
    week = last_complete("week", DEMO_AS_OF).label
    out = run(["report", "--period", week, "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["period"]["grain"] == "week" and doc["period"]["start"] == "2026-11-16"
    assert doc["filters"] == {"channel": None, "campaign": None}
    assert [k["id"] for k in doc["kpis"]] == [k.id for k in KPIS]
    for item in doc["kpis"]:
        assert {"id", "s", "label", "unit", "value", "previous", "change_pct", "reason", "target", "expected",
                "forecast", "status", "last_year", "change_pct_last_year"} <= set(item)
        assert item["status"] in ("on_track", "at_risk", "off_track")  # the demo plans every KPI for the quarter
        assert isinstance(item["value"], float) and item["reason"] is None, item
    rate = next(k for k in doc["kpis"] if k["id"] == "sell.conversion_rate")
    assert 0 < rate["value"] < 1  # a fraction, not a percentage


def test_report_csv_and_channel_filter(demo_url):
    out = run(["report", "--period", "2026-10", "--channel", "Email", "--format", "csv"], demo_url)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("id,s,label,unit,value,previous,change_pct,reason,target,expected,forecast,status")
    assert len(lines) == len(KPIS) + 1
    assert "cannot be filtered by channel" in out.stdout  # tickets have no channel


def test_bad_input_gives_a_clear_message_and_exit_2(demo_url, tmp_path):
    bad_period = run(["report", "--period", "2026-W60"], demo_url)
    assert bad_period.returncode == 2 and "2026-W46 (ISO week)" in bad_period.stderr
    unknown = run(["report", "--period", "2026-10", "--channel", "Telepathy"], demo_url)
    assert unknown.returncode == 2 and "Unknown channel 'Telepathy'" in unknown.stderr
    assert "Paid Search" in unknown.stderr  # the message lists the channels there are
    down = run(["report", "--period", "2026-10"], "postgresql+psycopg://kpi:secret@127.0.0.1:9/kpi")
    assert down.returncode == 2 and "Cannot" in down.stderr and "secret" not in down.stderr
    assert "Traceback" not in bad_period.stderr + unknown.stderr + down.stderr


def test_demo_command_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    first = run(["demo", "--as-of", "2026-06-01"], url)
    assert first.returncode == 0, first.stderr
    second = run(["demo", "--as-of", "2026-06-01"], url)
    assert second.returncode == 0
    assert "inserted       0" in second.stdout and "updated       0" in second.stdout


def test_targets_import_and_export(tmp_path):
    url = f"sqlite:///{tmp_path / 'targets.db'}"
    good = tmp_path / "plan.csv"
    header = "kpi_id,grain,period,channel,target"
    good.write_text(f"\ufeff{header}\nsell.revenue,quarter,2026-Q4,,130000\n", encoding="utf-8")  # with a BOM
    out = run(["targets", "import", str(good)], url)
    assert out.returncode == 0 and "1 new" in out.stdout, out.stderr
    exported = run(["targets", "export", "--period", "2026-W46"], url)
    assert exported.stdout.splitlines() == [header, "sell.revenue,quarter,2026-Q4,,130000"]
    bad = tmp_path / "bad.csv"
    bad.write_text("kpi_id,grain,period,channel,target\nsell.revenue,quarter,2026-Q4,,-5\n", encoding="utf-8")
    refused = run(["targets", "import", str(bad)], url)
    assert refused.returncode == 2 and "line 2:" in refused.stderr and "negative" in refused.stderr
    assert run(["targets", "export"], url).stdout == exported.stdout  # nothing changed


def test_review_export_is_self_contained(demo_url, tmp_path):
    import re

    out_file = tmp_path / "review.html"
    out = run(["review", "--week", "2026-W47", "--out", str(out_file)], demo_url)
    assert out.returncode == 0, out.stderr
    page = out_file.read_text(encoding="utf-8")
    for kpi in KPIS:
        assert f"<td>{kpi.label}</td>" in page, kpi.id
    assert "js-plotly-plot" in page or "Plotly.newPlot" in page
    # nothing is fetched from a network: no external scripts, stylesheets, fonts or images
    assert not re.search(r"<(script|img|iframe)[^>]+src=[\"']?https?:", page)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page)
    assert "url(http" not in page and "@import" not in page
    bad = run(["review", "--week", "2026-11", "--out", str(out_file)], demo_url)
    assert bad.returncode == 2 and "ISO week" in bad.stderr
