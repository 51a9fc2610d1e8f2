"""Unusual values (issue 15 §2): the robust z checks worked by hand, a planted spike flagged, ordinary weeks quiet."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import text

import cli
from metrics.catalog import KPIS
from metrics.engine import Filters
from metrics.unusual import THRESHOLD, check_unusual, expected_bands, history_needed
from tests.conftest import DEMO_AS_OF, build_demo_warehouse
from warehouse.db import make_engine

SIGMA = 1 / 0.6744897501960817  # MAD → σ: 1.4826…


def test_history_needed():
    # a season (52 weeks, 12 months, 4 quarters) plus the 13 recent periods; year: the 13 recent; none at day/custom
    assert (history_needed("week"), history_needed("month"), history_needed("quarter")) == (65, 25, 17)
    assert (history_needed("year"), history_needed("day"), history_needed("custom")) == (13, 0, 0)
    assert check_unusual([1.0] * 20, 5.0, "day") is None


DEVIATIONS = [0, 2, -2, 0, 1, -1, 0, 4, -4, 0, 0, -1, 1]  # |d| sorted: 0,0,0,0,0,1,1,1,1,2,2,4,4 → median 1


def _seasonal_history(first: list[float], change) -> list[float]:
    """65 weeks: weeks 0–12 are ``first``, weeks 13–51 are 200, week 52+k is week k changed by ``change(k)``."""
    return first + [200.0] * 39 + [change(k, first[k]) for k in range(13)]


def test_seasonal_path_relative_changes_by_hand():
    # Weeks 52–64 are weeks 0–12 × e^(0.10 + d/100): log ratios 0.10 + d/100 → median 0.10, MAD 0.01 → scale
    # 0.014826. The shown week is 65; a season ago is week 13 = 200 → expected 200·e^0.10 = 221.03;
    # range 200·e^(0.10 ± 3.5·0.014826) = 200·e^(0.10 ± 0.051891) = 200·[1.04929, 1.16403] = [209.86, 232.81]
    history = _seasonal_history([100.0 + k for k in range(13)], lambda k, a: a * math.exp(0.10 + DEVIATIONS[k] / 100))
    scale = 0.01 * SIGMA
    calm = check_unusual(history, 200 * math.exp(0.15), "week")  # log ratio 0.15: z = 0.05/0.014826 = 3.372
    assert calm.method.startswith("robust z (median/MAD) of the change on the same week last year")
    assert calm.score == pytest.approx(0.05 / scale, abs=1e-9) and not calm.unusual
    assert (calm.low, calm.high) == pytest.approx((200 * math.exp(0.10 - 3.5 * scale),
                                                   200 * math.exp(0.10 + 3.5 * scale)), abs=1e-9)
    assert (calm.low, calm.high) == pytest.approx((209.86, 232.81), abs=0.01)
    spike = check_unusual(history, 200 * math.exp(0.16), "week")  # z = 0.06/0.014826 = 4.047
    assert spike.score == pytest.approx(0.06 / scale, abs=1e-9) and spike.unusual
    drop = check_unusual(history, 200.0, "week")  # log ratio 0: z = −0.10/0.014826 = −6.745
    assert drop.score == pytest.approx(-0.10 / scale, abs=1e-9) and drop.unusual


def test_seasonal_path_differences_when_a_value_is_zero():
    # week 0 is 0 → no ratios: differences. Weeks 52–64 are weeks 0–12 + 10 + d → median change 10, MAD 1 →
    # scale 1.4826; expected = 200 + 10 = 210; range 210 ± 3.5·1.4826 = [204.811, 215.189]
    history = _seasonal_history([0.0] + [100.0 + k for k in range(1, 13)], lambda k, a: a + 10 + DEVIATIONS[k])
    calm = check_unusual(history, 214.0, "week")
    assert (calm.low, calm.high) == pytest.approx((210 - 3.5 * SIGMA, 210 + 3.5 * SIGMA), abs=1e-9)
    assert calm.score == pytest.approx(4 / SIGMA, abs=1e-9) and not calm.unusual  # 2.698 ≤ 3.5
    spike = check_unusual(history, 216.0, "week")
    assert spike.score == pytest.approx(6 / SIGMA, abs=1e-9) and spike.unusual  # 4.047 > 3.5


def test_seasonal_needs_the_value_a_season_ago():
    history = _seasonal_history([100.0 + k for k in range(13)], lambda k, a: a * 1.1)
    history[13] = None  # the shown week's week a season ago has no data → the recent weeks' median/MAD
    assert check_unusual(history, 220.0, "week").method == "robust z (median/MAD) over the last 13 weeks"


def test_fallback_path_by_hand():
    recent = [50, 52, 48, 50, 51, 49, 50, 54, 46, 50, 50, 49, 51]
    # less than a season + 13 weeks of history → the recent 13 weeks: median 50, |x − 50| sorted
    # 0,0,0,0,0,1,1,1,1,2,2,4,4 → MAD 1 → scale 1.4826; 60 → z = 10/1.4826 = 6.745
    history = [1000.0, None] + recent  # older periods beyond the last 13 with data are not used
    check = check_unusual(history, 60.0, "week")
    assert check.method == "robust z (median/MAD) over the last 13 weeks"
    assert check.score == pytest.approx(10 / SIGMA, abs=1e-9) and check.unusual
    assert (check.low, check.high) == pytest.approx((50 - 3.5 * SIGMA, 50 + 3.5 * SIGMA), abs=1e-9)
    assert not check_unusual(history, 53.0, "week").unusual  # 3/1.4826 = 2.02
    # at month grain too (no month a year ago in 15 months of history); gaps are skipped
    gappy = recent[:5] + [None, None] + recent[5:]
    assert check_unusual(gappy, 60.0, "month").score == pytest.approx(10 / SIGMA, abs=1e-9)
    assert check_unusual(gappy, 60.0, "month").method == "robust z (median/MAD) over the last 13 months"
    # year grain has no season: always this path
    assert check_unusual(recent, 60.0, "year").method == "robust z (median/MAD) over the last 13 years"


def test_too_little_history_or_no_value():
    assert check_unusual([50, 51, 49, 50, 52, 48, 50], 60.0, "week") is None  # 7 periods with data < 8
    assert check_unusual([50, None, 49, None, 52, 48, 50, None, 51], 60.0, "week") is None  # 6 with data
    assert check_unusual([50.0] * 13, None, "week") is None
    assert check_unusual([50.0] * 13, math.nan, "week") is None


def test_mad_zero():
    # 10 of 13 equal → MAD 0; the scale is the mean absolute deviation ·√(π/2): |x − 50| = 0×10, 1, 2, 1 →
    # mean 4/13 = 0.30769 → scale 0.38563; 52 → z = 2/0.38563 = 5.186
    history = [50.0] * 10 + [51.0, 52.0, 49.0]
    scale = 4 / 13 * math.sqrt(math.pi / 2)
    check = check_unusual(history, 52.0, "week")
    assert check.score == pytest.approx(2 / scale, abs=1e-9) and check.unusual
    # all equal: no finite score; that value is expected, any other is unusual
    same = check_unusual([50.0] * 13, 50.0, "week")
    assert (same.low, same.high, same.score, same.unusual) == (50.0, 50.0, None, False)
    other = check_unusual([50.0] * 13, 50.5, "week")
    assert other.score is None and other.unusual


def test_expected_bands_judge_each_period_from_the_ones_before():
    values = pd.Series([50, 52, 48, 50, 51, 49, 50, 54, 46, 50, 90, None],
                       index=pd.date_range("2026-01-05", periods=12, freq="7D").date)
    bands = expected_bands(values, "week")
    assert list(bands.columns) == ["expected_low", "expected_high"] and list(bands.index) == list(values.index)
    assert bands.iloc[:8].isna().all().all()  # fewer than 8 periods before
    # period 8 (46) against the 8 before: 50,52,48,50,51,49,50,54 → median 50; |x−50| 0,2,2,0,1,1,0,4 → MAD 1
    assert bands.iloc[8].tolist() == pytest.approx([50 - 3.5 * SIGMA, 50 + 3.5 * SIGMA], abs=1e-9)
    check = check_unusual(values.iloc[:10].tolist(), 90.0, "week")
    assert bands.iloc[10].tolist() == pytest.approx([check.low, check.high], abs=1e-9)
    assert bands.iloc[11].isna().all()  # no value: no band


@pytest.fixture(scope="module")
def spiked_url(tmp_path_factory) -> str:
    """A demo warehouse with new users × 4 in ISO week 2026-W42 (12–18 Oct 2026)."""
    url = build_demo_warehouse(tmp_path_factory, "stats_spike", DEMO_AS_OF)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE web_traffic SET new_users = new_users * 4 "
                          "WHERE date >= :start AND date <= :end"), {"start": "2026-10-12", "end": "2026-10-18"})
    engine.dispose()
    return url


def _kpis(url: str, period: str) -> dict[str, dict]:
    engine = make_engine(url)
    try:
        return {k["id"]: k for k in cli.report_data(engine, period, Filters())["kpis"]}
    finally:
        engine.dispose()


def test_planted_spike_is_flagged(spiked_url, demo_url):
    spiked = _kpis(spiked_url, "2026-W42")["sizzle.new_users"]
    low, high = spiked["expected_range"]
    assert spiked["unusual"] is True and spiked["unusual_score"] > THRESHOLD
    assert not low <= spiked["value"] <= high
    plain = _kpis(demo_url, "2026-W42")["sizzle.new_users"]
    assert plain["unusual"] is False and low <= plain["value"] <= high  # the same week unspiked is ordinary
    assert spiked["value"] == pytest.approx(4 * plain["value"])


def test_ordinary_demo_weeks_flag_few(demo_url):
    # Mid-September to October: no promotion in the demo (its year-end spike starts in late November, so weeks
    # from W47 on are compared with a season that moved; they are not "ordinary" here).
    for week in ("2026-W38", "2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"):
        kpis = _kpis(demo_url, week)
        flagged = [k for k, v in kpis.items() if v["unusual"]]
        assert len(flagged) <= 3, (week, flagged)


def test_report_carries_the_statistics_for_every_kpi(demo_url):
    kpis = _kpis(demo_url, "2026-W44")
    assert set(kpis) == {k.id for k in KPIS}
    for item in kpis.values():
        assert item["trend"]["direction"] in ("up", "down", "flat") and item["trend"]["periods"] == 13
        assert 0 <= item["trend"]["p_value"] <= 1
        low, high = item["expected_range"]
        assert low <= high and isinstance(item["unusual"], bool)
        assert item["unusual_score"] is None or math.isfinite(item["unusual_score"])


def test_demo_weeks_use_the_seasonal_check(demo_url):
    # W44 2026 (26 Oct – 1 Nov) has the demo's 2025 weeks a season back: the year-over-year check; the demo's first
    # weeks (data from 24 Nov 2024) have no week a year back yet: the recent-weeks check
    from metrics.periods import parse_period
    from metrics.scorecard import scorecard

    engine = make_engine(demo_url)
    try:
        seasonal = scorecard(engine, parse_period("2026-W44"), kpi_ids=["sizzle.new_users"], sparkline=False)[0]
        early = scorecard(engine, parse_period("2025-W10"), kpi_ids=["sizzle.new_users"], sparkline=False)[0]
    finally:
        engine.dispose()
    assert "same week last year" in seasonal.unusual_method
    assert early.unusual_method == "robust z (median/MAD) over the last 13 weeks"
