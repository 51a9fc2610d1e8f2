"""Pacing and status on hand-worked cases."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.catalog import get_kpi
from metrics.engine import Filters
from metrics.pacing import pace, shortfall, status
from metrics.periods import Period, parse_period
from metrics.scorecard import scorecard
from tests.fixtures import load_fixture, set_targets

REVENUE, CPA, CVR = get_kpi("sell.revenue"), get_kpi("save.cpa"), get_kpi("sell.conversion_rate")


def test_a_flow_mid_period_is_paced_by_days_elapsed():
    week = parse_period("2026-W46")  # Mon 9 - Sun 15 Nov
    # Thursday 12th: Mon-Wed (3 of 7 days) have passed; target 7,000 -> 3,000 expected by now
    result = pace(REVENUE, 2900.0, week, date(2026, 11, 12), 7000.0)
    assert result.expected == pytest.approx(3000.0)
    assert result.elapsed_share == pytest.approx(3 / 7)
    assert result.forecast == pytest.approx(2900 / 3 * 7)  # run rate
    assert result.status == "on_track"  # 3.3 % short, within 5 %
    assert pace(REVENUE, 2700.0, week, date(2026, 11, 12), 7000.0).status == "at_risk"  # 10 % short
    assert pace(REVENUE, 2400.0, week, date(2026, 11, 12), 7000.0).status == "off_track"  # 20 % short


def test_a_period_that_has_not_started_expects_nothing_yet():
    week = parse_period("2026-W46")
    result = pace(REVENUE, None, week, date(2026, 11, 9), 7000.0)  # Monday the 9th: no day has passed
    assert (result.expected, result.elapsed_share, result.forecast, result.status) == (0.0, 0.0, None, "no_data")
    assert pace(REVENUE, 10.0, week, date(2026, 11, 1), 7000.0).forecast is None  # no run rate from 0 days
    done = pace(REVENUE, 6800.0, week, date(2026, 11, 30), 7000.0)  # ended: all 7 days count
    assert (done.expected, done.forecast, done.status) == (7000.0, 6800.0, "on_track")  # 2.9 % short


def test_a_partial_kpi_is_paced_on_the_days_its_data_covers():
    week = parse_period("2026-W46")  # Saturday 14th: Mon-Fri (5 days) have passed
    # the data ends on Wednesday 11th: 3 days count, so 3,000 of 7,000 are due; run rate over those 3 days
    result = pace(REVENUE, 2000.0, week, date(2026, 11, 14), 7000.0, through=date(2026, 11, 11))
    assert (result.expected, result.elapsed_share) == (pytest.approx(3000.0), pytest.approx(3 / 7))
    assert result.forecast == pytest.approx(2000 / 3 * 7) and result.status == "off_track"  # 33 % short
    # data running past today changes nothing: the 5 days passed count
    later = pace(REVENUE, 4900.0, week, date(2026, 11, 14), 7000.0, through=date(2026, 11, 20))
    assert later.expected == pytest.approx(5000.0) and later.status == "on_track"


def test_tolerances_are_inclusive_and_one_day_counts():
    from metrics.pacing import elapsed

    assert status(REVENUE, 95.0, 100.0) == "on_track"  # exactly 5 % short: still on track
    assert status(REVENUE, 85.0, 100.0) == "at_risk"  # exactly 15 % short: at risk, not off track
    week = parse_period("2026-W46")
    assert elapsed(week, date(2026, 11, 10)) == Period("custom", date(2026, 11, 9), date(2026, 11, 9))  # Monday
    assert elapsed(week, date(2026, 11, 9)) is None


def test_a_target_of_zero():
    # nothing planned: any non-negative revenue is on plan; for a cost, only nothing spent is
    assert shortfall(REVENUE, 0.0, 0.0) == 0.0 and shortfall(REVENUE, 0.5, 0.0) == 0.0
    assert shortfall(REVENUE, -5.0, 0.0) == float("inf")
    assert shortfall(CPA, 0.0, 0.0) == 0.0 and shortfall(CPA, 0.5, 0.0) == float("inf")
    assert status(REVENUE, 0.0, 0.0) == "on_track" and status(CPA, 0.5, 0.0) == "off_track"


def test_lower_is_better_flips_the_sense():
    week = parse_period("2026-W46")
    assert status(CPA, 28.0, 30.0) == "on_track"  # cheaper than planned is good
    assert status(CPA, 32.0, 30.0) == "at_risk"  # 6.7 % over
    assert status(CPA, 36.0, 30.0) == "off_track"  # 20 % over
    ratio = pace(CPA, 36.0, week, date(2026, 11, 12), 30.0)
    assert ratio.expected == 30.0 and ratio.forecast == 36.0  # ratios: the target itself, the current value


def test_no_target_and_no_data():
    assert status(CVR, 0.02, None) == "no_target"
    assert status(CVR, None, 0.02) == "no_data"


def test_tolerances_are_per_kpi():
    strict = get_kpi("sell.revenue").__class__(**{**get_kpi("sell.revenue").__dict__, "tolerance": (0.01, 0.02)})
    assert status(strict, 97.0, 100.0) == "off_track"
    assert status(REVENUE, 97.0, 100.0) == "on_track"


def test_scorecard_reports_plan_and_last_year(engine):
    load_fixture(engine)
    rows = [("sell.revenue", "week", date(2026, 11, 2), "", 400.0), ("save.cpa", "week", date(2026, 11, 2), "", 25.0),
            ("save.roas", "week", date(2026, 11, 2), "Paid Search", 2.0)]
    set_targets(engine, rows)
    week = parse_period("2026-W45")
    items = {i.id: i for i in scorecard(engine, week, today=date(2026, 11, 20))}
    assert items["sell.revenue"].status == "off_track"  # 280 vs 400: 30 % short
    assert items["save.cpa"].status == "off_track"  # 30 vs 25: 20 % over
    assert items["sell.orders"].status == "no_target"
    assert items["sell.revenue"].last_year is None and "no orders" not in (items["sell.revenue"].reason or "")
    # mid-week: Thursday 5 Nov, Mon-Wed done: revenue 80 + 100 + 40 = 220 against 400 * 3/7
    mid = {i.id: i for i in scorecard(engine, week, today=date(2026, 11, 5))}
    assert mid["sell.revenue"].value == pytest.approx(220.0)
    assert mid["sell.revenue"].expected == pytest.approx(400 * 3 / 7)
    assert mid["sell.revenue"].status == "on_track"  # 220 vs 171.4
    assert mid["sell.revenue"].forecast == pytest.approx(220 / 3 * 7)
    assert mid["sell.revenue"].in_progress
    paid = {i.id: i for i in scorecard(engine, week, Filters(channel="Paid Search"), today=date(2026, 11, 20))}
    assert paid["save.roas"].target == 2.0 and paid["save.roas"].status == "off_track"  # 140/90 = 1.56
    assert paid["sell.revenue"].status == "no_target"  # the all-channels target is not the channel's
