"""Channel contributions add up to the total change, and split into rate and mix (worked by hand)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from connectors.loader import load
from metrics.catalog import KPI_BY_ID, KPIS
from metrics.contribution import COLUMNS, contribution, is_ratio, rate_and_mix, ratio_parts, volume_label
from metrics.engine import compute
from metrics.periods import Period, parse_period
from tests.fixtures import load_fixture

# Two custom "periods" inside the fixture week: Mon-Tue and Wed-Sun
FIRST, SECOND = Period("custom", date(2026, 11, 2), date(2026, 11, 3)), Period("custom", date(2026, 11, 4),
                                                                                date(2026, 11, 8))
W45, W46 = parse_period("2026-W45"), parse_period("2026-W46")


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    return engine


def test_ratio_parts():
    assert ratio_parts("orders / sessions") == ("orders", "sessions", 1.0)
    assert ratio_parts("(nps_promoters - nps_detractors) / nps_responses * 100") == (
        "nps_promoters - nps_detractors", "nps_responses", 100.0)
    assert ratio_parts("revenue") == ("revenue", None, 1.0)
    assert is_ratio(KPI_BY_ID["save.cac"]) and not is_ratio(KPI_BY_ID["sell.revenue"])
    assert volume_label(KPI_BY_ID["save.cac"]) == "new customers"
    assert volume_label(KPI_BY_ID["serve.nps"]) == "NPS responses"


def test_additive_kpi_contributions_are_each_channels_change(shop):
    table = contribution(shop, "sell.revenue", SECOND, FIRST).set_index("member")
    # Mon-Tue: Organic 80, Paid Search 100; Wed-Sun: Organic 60, Paid Search 40
    assert table.loc["Paid Search", "contribution"] == pytest.approx(-60.0)
    assert table.loc["Organic Search", "contribution"] == pytest.approx(-20.0)
    assert table["contribution"].sum() == pytest.approx(100.0 - 180.0)
    assert table.index[0] == "Paid Search"  # the biggest mover first
    # a sum has no mix: all of a channel's contribution is its own change
    assert table["rate_effect"].tolist() == pytest.approx(table["contribution"].tolist())
    assert (table["mix_effect"] == 0).all()


def test_rate_and_mix_by_hand():
    """Conversion rate (orders / sessions) of three channels, previous -> current period:

    A: 10 / 100 (10%) -> 12 / 100 (12%); B: 2 / 100 (2%) -> 6 / 300 (2%); C: 4 / 0 and 5 / 0 (no rate).
    Overall R0 = 16 / 200 = 8%, R1 = 23 / 400 = 5.75%: change -2.25 pp. D_1 = 400.
    A: rate (100/400)(12% - 10%) = +0.5 pp; mix (10% - 8%)(100 - 100)/400 = 0; contribution 0.5 pp
       (check: ((12 - 0.08*100) - (10 - 0.08*100)) / 400 = 2/400 = 0.5 pp).
    B: rate (300/400)(2% - 2%) = 0; mix (2% - 8%)(300 - 100)/400 = -3 pp; contribution -3 pp
       (check: ((6 - 24) - (2 - 8)) / 400 = -12/400).
    C: no rate of its own: all mix, ((5 - 0) - (4 - 0)) / 400 = +0.25 pp.
    Sum 0.5 - 3 + 0.25 = -2.25 pp, the total change.
    """
    index = ["A", "B", "C"]
    n0, d0 = pd.Series([10.0, 2, 4], index), pd.Series([100.0, 100, 0], index)
    n1, d1 = pd.Series([12.0, 6, 5], index), pd.Series([100.0, 300, 0], index)
    before, after = pd.Series([0.10, 0.02, None], index), pd.Series([0.12, 0.02, None], index)
    parts = rate_and_mix(n0, d0, n1, d1, before, after)
    assert parts["rate_effect"].tolist() == pytest.approx([0.005, 0.0, 0.0])
    assert parts["mix_effect"].tolist() == pytest.approx([0.0, -0.03, 0.0025])
    assert parts["contribution"].tolist() == pytest.approx([0.005, -0.03, 0.0025])
    assert parts["own_value"].tolist() == [True, True, False]
    assert (parts["rate_effect"] + parts["mix_effect"]).sum() == pytest.approx(23 / 400 - 16 / 200)


@pytest.fixture
def cpa_shop(engine):
    """Cost per acquisition (ad cost / orders), W45 -> W46:

    Paid Search: $100 / 4 orders ($25) -> $150 / 5 orders ($30)
    Email: no ad cost (no CPA of its own, "—"): 1 order -> 5 orders
    Paid Social: $40 -> $50 of ad cost, no orders (no CPA of its own)
    Overall: $140 / 5 = $28 -> $200 / 10 = $20, a change of -$8.
    """
    def order(n, day, channel):
        return (f"{channel[:2]}{day}-{n}", datetime(2026, 11, day, 10, n), f"c-{channel[:2]}{day}-{n}", 30.0, 0.0,
                channel, "x")
    orders = ([order(n, 3, "Paid Search") for n in range(4)] + [order(0, 4, "Email")]
              + [order(n, 10, "Paid Search") for n in range(5)] + [order(n, 11, "Email") for n in range(5)])
    load(engine, "orders", pd.DataFrame(orders, columns=["order_id", "ordered_at", "customer_id", "revenue",
                                                         "refunded", "channel", "campaign"]),
         source="test", cursor="2026-11-15")
    ads = [(date(2026, 11, 3), "google_ads", "brand", "Paid Search", 1000, 50, 100.0),
           (date(2026, 11, 3), "meta", "reach", "Paid Social", 1000, 20, 40.0),
           (date(2026, 11, 10), "google_ads", "brand", "Paid Search", 1000, 50, 150.0),
           (date(2026, 11, 10), "meta", "reach", "Paid Social", 1000, 20, 50.0)]
    load(engine, "ad_spend", pd.DataFrame(ads, columns=["date", "platform", "campaign", "channel", "impressions",
                                                        "clicks", "cost"]), source="test", cursor="2026-11-15")
    return engine


def test_cpa_contributions_split_into_own_rate_and_mix(cpa_shop):
    """R0 = $28, D_1 = 10 orders.

    Paid Search: contribution ((150 - 28*5) - (100 - 28*4)) / 10 = (10 + 12) / 10 = +$2.20
                 = rate (5/10)($30 - $25) = +$2.50 plus mix ($25 - $28)(5 - 4)/10 = -$0.30
    Email: mix only, ((0 - 28*5) - (0 - 28*1)) / 10 = -$11.20 (more orders that cost no ad money)
    Paid Social: mix only, ((50 - 0) - (40 - 0)) / 10 = +$1.00 (more spend that brought no order)
    Total 2.20 - 11.20 + 1.00 = -$8.00.
    """
    table = contribution(cpa_shop, "save.cpa", W46, W45)
    assert list(table.columns) == COLUMNS
    assert table["member"].tolist() == ["Email", "Paid Search", "Paid Social"]  # by size of contribution
    rows = table.set_index("member")
    assert rows["before"].iloc[0] != rows["before"].iloc[0]  # Email has no CPA of its own: unknown, not $0
    assert rows["contribution"].tolist() == pytest.approx([-11.2, 2.2, 1.0])
    assert rows["rate_effect"].tolist() == pytest.approx([0.0, 2.5, 0.0])
    assert rows["mix_effect"].tolist() == pytest.approx([-11.2, -0.3, 1.0])
    assert rows["own_value"].tolist() == [False, True, False]
    assert (rows["rate_effect"] + rows["mix_effect"]).sum() == pytest.approx(20.0 - 28.0)


@pytest.mark.parametrize("kpi", [k.id for k in KPIS if "channel" in k.breakdowns])
def test_contributions_sum_to_the_total_change(demo_engine, kpi):
    week = parse_period("2026-W47")
    before = parse_period("2026-W46")
    table = contribution(demo_engine, kpi, week, before)
    total = {p: compute(demo_engine, [kpi], p.start, p.end)["value"].iloc[0] for p in (week, before)}
    assert not table.empty
    change = total[week] - total[before]
    assert table["contribution"].sum() == pytest.approx(change, rel=1e-9, abs=1e-9)
    assert table["rate_effect"].sum() + table["mix_effect"].sum() == pytest.approx(change, rel=1e-9, abs=1e-9)
    assert (table["rate_effect"] + table["mix_effect"]).tolist() == pytest.approx(table["contribution"].tolist())


def test_earned_share_moves_by_mix_alone(demo_engine):
    """Each channel's earned share is 0% or 100% in both weeks: no channel's own rate moves, all is mix."""
    table = contribution(demo_engine, "sizzle.earned_traffic_share", parse_period("2026-W47"),
                         parse_period("2026-W46"))
    assert set(table["before"]) <= {0.0, 1.0} and (table["before"] == table["after"]).all()
    assert table["rate_effect"].abs().max() == pytest.approx(0.0, abs=1e-12)
    assert table["mix_effect"].abs().max() > 0.001
