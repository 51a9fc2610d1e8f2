"""``report --period`` with Jalali periods through the real command line (subprocesses on the demo warehouse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cli
from i18n import current_locale
from metrics.periods import current_calendar
from tests.conftest import ROOT


def run(args: list[str], url: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "KPI_DATABASE_URL": url, **env}
    for key in ("KPI_CALENDAR", "KPI_LOCALE"):
        if key not in env:
            environ.pop(key, None)
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=300)


def test_report_for_aban_1405_covers_23_october_to_21_november(demo_url):
    # 1 Aban 1405 = Nowruz (2026-03-21) + 186 + 30 days = 23 Oct 2026; Aban has 30 days -> 21 Nov 2026
    out = run(["report", "--period", "1405-08", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    period = json.loads(out.stdout)["period"]
    assert period == {"grain": "month", "start": "2026-10-23", "end": "2026-11-21", "label": "1405-08"}
    # Persian digits, and a Jalali run (KPI_LOCALE=fa) reading a Gregorian month: each keeps its own calendar
    fa = run(["report", "--period", "۱۴۰۵-۰۸", "--format", "json"], demo_url, KPI_LOCALE="fa")
    assert fa.returncode == 0, fa.stderr
    doc = json.loads(fa.stdout)
    assert doc["period"]["label"] == "1405-08" and doc["kpis"][0]["id"] == "sell.revenue"  # ids and keys English
    greg = run(["report", "--period", "2026-11", "--format", "json"], demo_url, KPI_CALENDAR="jalali")
    assert json.loads(greg.stdout)["period"] == {"grain": "month", "start": "2026-11-01", "end": "2026-11-30",
                                                 "label": "2026-11"}


def test_a_jalali_day_that_does_not_exist_is_a_clear_error_in_english(demo_url):
    out = run(["report", "--period", "1405-12-30"], demo_url, KPI_LOCALE="fa")
    assert out.returncode == 2
    assert "error: Period '1405-12-30': 1405-12-30 is not a Jalali date (Esfand has 29 days in a common year)" \
        in out.stderr


def test_main_leaves_the_callers_locale_and_calendar_alone(cli_url, monkeypatch, capsys):
    monkeypatch.setenv("KPI_LOCALE", "fa")  # a Persian server: the CLI speaks English but counts in Jalali
    assert cli.main(["targets", "export", "--period", "1405-08"]) == 0
    assert capsys.readouterr().out.startswith("kpi_id,grain,period,channel,target")
    assert (current_locale(), current_calendar()) == ("fa", "jalali")  # the caller's, as before main()
