"""Channel contributions add up to the total change (hand-checked on the fixture shop)."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.catalog import KPIS
from metrics.contribution import contribution, ratio_parts
from metrics.engine import compute
from metrics.periods import Period, parse_period
from tests.fixtures import load_fixture

# Two custom "periods" inside the fixture week: Mon-Tue and Wed-Sun
FIRST, SECOND = Period("custom", date(2026, 11, 2), date(2026, 11, 3)), Period("custom", date(2026, 11, 4),
                                                                                date(2026, 11, 8))


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    return engine


def test_ratio_parts():
    assert ratio_parts("orders / sessions") == ("orders", "sessions", 1.0)
    assert ratio_parts("(nps_promoters - nps_detractors) / nps_responses * 100") == (
        "nps_promoters - nps_detractors", "nps_responses", 100.0)
    assert ratio_parts("revenue") == ("revenue", None, 1.0)


def test_additive_kpi_contributions_are_each_channels_change(shop):
    table = contribution(shop, "sell.revenue", SECOND, FIRST).set_index("member")
    # Mon-Tue: Organic 80, Paid Search 100; Wed-Sun: Organic 60, Paid Search 40
    assert table.loc["Paid Search", "contribution"] == pytest.approx(-60.0)
    assert table.loc["Organic Search", "contribution"] == pytest.approx(-20.0)
    assert table["contribution"].sum() == pytest.approx(100.0 - 180.0)
    assert table.index[0] == "Paid Search"  # the biggest mover first


@pytest.mark.parametrize("kpi", [k.id for k in KPIS if "channel" in k.breakdowns])
def test_contributions_sum_to_the_total_change(demo_engine, kpi):
    week = parse_period("2026-W47")
    before = parse_period("2026-W46")
    table = contribution(demo_engine, kpi, week, before)
    total = {p: compute(demo_engine, [kpi], p.start, p.end)["value"].iloc[0] for p in (week, before)}
    assert not table.empty
    assert table["contribution"].sum() == pytest.approx(total[week] - total[before], rel=1e-9, abs=1e-9)
