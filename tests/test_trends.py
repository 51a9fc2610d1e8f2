"""Chart series: target per period, last year's aligned series, and the burn-up (checked by hand)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.periods import parse_period
from metrics.trends import burn_up, data_start, first_days, mark_late_start, trend_with_plan
from tests.fixtures import load_fixture, set_targets


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), "", 350.0)])
    return engine


def test_trend_carries_the_target_of_each_period(shop):
    frame = trend_with_plan(shop, "sell.revenue", parse_period("2026-W45"), periods=3, with_last_year=True)
    assert list(frame["period_start"]) == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    assert frame["value"].iloc[0] == pytest.approx(50.0) and frame["value"].iloc[2] == pytest.approx(280.0)
    assert frame["target"].isna().tolist() == [True, True, False] and frame["target"].iloc[2] == 350.0
    assert frame["last_year"].isna().all()  # the fixture has no data a year earlier


def test_burn_up_mid_week_by_hand(shop):
    frame = burn_up(shop, "sell.revenue", parse_period("2026-W45"), today=date(2026, 11, 5))
    assert len(frame) == 7
    # Mon 80, Tue 100 (120 - 20 refunded), Wed 40; Thursday onwards is not known yet
    assert frame["actual"].tolist()[:3] == pytest.approx([80.0, 180.0, 220.0])
    assert frame["actual"].iloc[3:].isna().all()
    # 350 spread by days (no last year): 50 a day, cumulative
    assert frame["target"].tolist() == pytest.approx([50.0 * d for d in range(1, 8)])


def test_burn_up_is_only_for_flows(shop):
    with pytest.raises(ValueError, match="not a flow"):
        burn_up(shop, "sell.conversion_rate", parse_period("2026-W45"))


def test_the_period_the_data_starts_in_is_marked_partial(shop):
    """Orders (revenue's source) start Tuesday 20 October 2026 (order o1); web traffic on the 21st."""
    assert first_days(shop)["orders"] == date(2026, 10, 20) and first_days(shop)["web"] == date(2026, 10, 21)
    assert data_start(shop, "sell.revenue") == date(2026, 10, 20)
    assert data_start(shop, "sell.conversion_rate") == date(2026, 10, 21)  # orders / sessions: the later start
    months = trend_with_plan(shop, "sell.revenue", parse_period("2026-11"), periods=3)
    # September holds no data (a gap, not partial); October starts on the 20th: 19 of its 31 days have no data
    assert list(months["period_start"]) == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert months["starts_late"].tolist() == [None, date(2026, 10, 20), None]
    assert months["value"].iloc[1] == pytest.approx(50.0)  # the value is kept; the chart shows it as partial
    assert months["reason"].iloc[1] == "data starts 2026-10-20 (19 of 31 days missing)"
    weeks = trend_with_plan(shop, "sell.revenue", parse_period("2026-W45"), periods=3)
    assert weeks["starts_late"].tolist() == [date(2026, 10, 20), None, None]  # Monday 19th has no data


def test_no_late_start_when_the_data_starts_on_a_periods_first_day():
    frame = pd.DataFrame({"period_start": [date(2026, 10, 1), date(2026, 11, 1)], "value": [1.0, 2.0],
                          "reason": [None, None]})
    assert mark_late_start(frame, "month", date(2026, 10, 1))["starts_late"].tolist() == [None, None]
    assert mark_late_start(frame, "month", date(2026, 10, 2))["starts_late"].tolist() == [date(2026, 10, 2), None]
    assert mark_late_start(frame, "month", None)["starts_late"].tolist() == [None, None]
