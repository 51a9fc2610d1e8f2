"""Chart series: target per period, last year's aligned series, and the burn-up (checked by hand)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.periods import parse_period
from metrics.trends import burn_up, trend_with_plan
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
