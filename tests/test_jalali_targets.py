"""Targets in the Jalali calendar: import and export keep a Jalali quarter Jalali, implied weekly and monthly
targets inside it by days, and pacing (all worked by hand on an empty warehouse: no last-year profile)."""

from __future__ import annotations

from datetime import date

import pytest

import cli
from metrics.catalog import KPI_BY_ID
from metrics.pacing import elapsed, pace
from metrics.periods import parse_period, using_calendar
from metrics.targets import TargetError, export_csv, import_csv, load_targets, resolve_target
from tests.actors import ADMIN
from tests.conftest import content_hash

PLAN = """kpi_id,grain,period,channel,target
sell.revenue,quarter,1405-Q3,,90000000
sell.revenue,quarter,1405-Q2,,93000000
sell.conversion_rate,month,۱۴۰۵-۰۸,,0.025
sell.orders,quarter,2026-Q4,,920
"""


def _write(tmp_path, text: str, name: str = "plan.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_imports_jalali_periods_and_exports_them_in_their_calendar(engine, cli_url, tmp_path, capsys):
    assert cli.main(["targets", "import", str(_write(tmp_path, PLAN))]) == 0
    stored = load_targets(engine).set_index(["kpi_id", "grain"])["period_start"]
    # 1 Mehr 1405 = 2026-03-21 + 186 = 23 Sep 2026; 1 Tir = + 93 = 22 Jun; 1 Aban = + 216 = 23 Oct
    assert sorted(stored.loc[("sell.revenue", "quarter")].tolist()) == [date(2026, 6, 22), date(2026, 9, 23)]
    assert stored.loc[("sell.conversion_rate", "month")] == date(2026, 10, 23)
    capsys.readouterr()
    assert cli.main(["targets", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "kpi_id,grain,period,channel,target"
    assert sorted(lines[1:]) == sorted([  # each period in the calendar it was planned in
        "sell.revenue,quarter,1405-Q2,,93000000", "sell.revenue,quarter,1405-Q3,,90000000",
        "sell.conversion_rate,month,1405-08,,0.025", "sell.orders,quarter,2026-Q4,,920"])
    # the same file again changes nothing
    assert import_csv(engine, _write(tmp_path, "\n".join(lines) + "\n", "again.csv"), actor=ADMIN) == (0, 0, 4)
    # only the targets overlapping Aban 1405 (23 Oct - 21 Nov): Q3 1405, Aban itself and Q4 2026
    assert len(export_csv(engine, parse_period("1405-08")).splitlines()) == 1 + 3


def test_implied_weekly_and_monthly_targets_inside_a_jalali_quarter_by_days(engine, tmp_path):
    import_csv(engine, _write(tmp_path, PLAN), actor=ADMIN)
    # Q3 1405 = Mehr + Aban + Azar = 90 days, 90,000,000 -> 1,000,000 a day
    # 1405-W30 = 2026-03-21 + 29 × 7 = +203 -> Sat 10 Oct .. Fri 16 Oct, inside Q3: 7 × 1,000,000
    week = resolve_target(engine, "sell.revenue", parse_period("1405-W30"))
    assert week.value == pytest.approx(7_000_000)
    assert week.description == "by days from the 1405-Q3 target"
    # Aban 1405 (30 days): 30,000,000
    assert resolve_target(engine, "sell.revenue", parse_period("1405-08")).value == pytest.approx(30_000_000)
    # 1405-W27 = +182 -> Sat 19 Sep .. Fri 25 Sep spans Q2 (19–22 Sep, 4 days) and Q3 (23–25 Sep, 3 days);
    # Q2 = Tir + Mordad + Shahrivar = 93 days, 93,000,000 -> 1,000,000 a day: 4,000,000 + 3,000,000
    spill = resolve_target(engine, "sell.revenue", parse_period("1405-W27"))
    assert spill.value == pytest.approx(7_000_000) and spill.source == "1405-Q2 and 1405-Q3"
    # a ratio carries over from the Jalali month to its weeks: 1405-W33 = +224 -> 31 Oct .. 6 Nov, inside Aban
    ratio = resolve_target(engine, "sell.conversion_rate", parse_period("1405-W33"))
    assert (ratio.value, ratio.method) == (0.025, "carried over")
    # a Gregorian week finds the Jalali quarter's plan when no Gregorian one is set: ISO 2026-W42 = 12–18 Oct
    with using_calendar("gregorian"):
        greg = resolve_target(engine, "sell.revenue", parse_period("2026-W42"))
    assert greg.value == pytest.approx(7_000_000) and greg.source == "1405-Q3"
    # and a Jalali week the Gregorian plan: orders 2026-Q4 (92 days) 920 -> 10 a day; 1405-W35 = 14–20 Nov
    assert resolve_target(engine, "sell.orders", parse_period("1405-W35")).value == pytest.approx(70)


def test_pacing_in_a_jalali_month():
    aban = parse_period("1405-08")  # 23 Oct .. 21 Nov 2026, 30 days
    done = elapsed(aban, date(2026, 11, 2))  # 23 Oct .. 1 Nov: 10 days
    assert (done.start, done.end, done.days, done.calendar) == (date(2026, 10, 23), date(2026, 11, 1), 10, "jalali")
    kpi = KPI_BY_ID["sell.revenue"]
    p = pace(kpi, 12_000_000, aban, date(2026, 11, 2), 30_000_000)
    # expected to date 30,000,000 × 10/30 = 10,000,000; forecast 12,000,000 / 10 × 30 = 36,000,000
    assert p.expected == pytest.approx(10_000_000) and p.forecast == pytest.approx(36_000_000)
    assert p.status == "on_track"


def test_a_jalali_date_that_does_not_exist_names_the_line(engine, tmp_path):
    before = content_hash(engine)
    bad = "kpi_id,grain,period,channel,target\nsell.revenue,month,1405-08,,1\nsell.revenue,week,1405-W53,,1\n" \
          "sell.orders,month,1405-13,,5\nsell.orders,quarter,1405-08,,5\n"
    with pytest.raises(TargetError) as err:
        import_csv(engine, _write(tmp_path, bad, "bad.csv"), actor=ADMIN)
    message = str(err.value)
    assert "line 3: period: Period '1405-W53': Jalali year 1405 has weeks 1 to 52, not 53" in message
    assert "line 4: period: Period '1405-13': 1405-13-01 is not a Jalali date" in message
    assert "line 5: period '1405-08' is a month, but grain says quarter" in message
    assert "line 2" not in message and content_hash(engine) == before
