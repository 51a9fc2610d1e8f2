"""Cohorts (metrics.cohorts) on the hand-made shop of tests/cohort_shop.py, every figure worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from metrics.cohorts import CohortError, channel_summaries, cohorts_json, compute_cohorts
from metrics.periods import parse_period
from tests.cohort_shop import load_cohort_shop

JAN, FEB, MAR = (parse_period(p) for p in ("2026-01", "2026-02", "2026-03"))


@pytest.fixture
def shop(engine):
    load_cohort_shop(engine)
    return engine


def _by(cohorts):
    return {(c.cohort, c.acquisition_channel): c for c in cohorts}


def test_all_channels_retention_and_revenue_per_customer_by_hand(shop):
    cohorts = compute_cohorts(shop, "month", JAN, MAR)
    assert [c.cohort for c in cohorts] == ["2026-01", "2026-02", "2026-03"]
    jan, feb, mar = cohorts
    # January: c1, c2 (2 customers). Jan: both order, 100 + 60 = 160. Feb: c2 only (40 - 10 refunded = 30).
    # Mar: c1 only, after skipping February (50). Retention [2/2, 1/2, 1/2]; cumulative revenue per customer
    # [160/2 = 80, (160 + 30)/2 = 95, (190 + 50)/2 = 120].
    assert (jan.customers, jan.acquisition_channel) == (2, None)
    assert jan.retention == [1.0, 0.5, 0.5]
    assert jan.revenue_per_customer == pytest.approx([80.0, 95.0, 120.0])
    # February: c3, c4 (2). Feb: c3 80 + 20, c4 50 = 150, both active. Mar: c3 30. Arrays end in March, the last
    # period with data: retention [1, 1/2]; revenue per customer [150/2 = 75, 180/2 = 90].
    assert feb.customers == 2 and feb.retention == [1.0, 0.5]
    assert feb.revenue_per_customer == pytest.approx([75.0, 90.0])
    # March: c5 (40): one period, still in progress (the data ends on 10 March).
    assert (mar.customers, mar.retention, mar.revenue_per_customer) == (1, [1.0], [40.0])
    assert all(c.partial_last for c in cohorts)
    # all channels together have no CAC
    assert all(c.cac is None and c.ltv_cac is None and c.payback_period is None for c in cohorts)


def test_a_cohort_without_orders_in_a_period_has_zero_there_not_a_shorter_array(shop):
    (jan,) = compute_cohorts(shop, "month", JAN, JAN, channel="Organic Search")
    # c2 orders in January and February, not in March: the array still runs to March, the last period with data
    assert jan.retention == [1.0, 1.0, 0.0]
    assert jan.revenue_per_customer == pytest.approx([60.0, 90.0, 90.0])  # 60, 60 + 30, nothing more


def test_by_channel_cac_ltv_cac_and_payback_by_hand(shop):
    cohorts = _by(compute_cohorts(shop, "month", JAN, MAR, by_channel=True))
    assert list(cohorts) == [("2026-01", "Organic Search"), ("2026-01", "Paid Social"), ("2026-02", "Paid Search"),
                             ("2026-02", "Paid Social"), ("2026-03", "Email")]
    social_jan = cohorts[("2026-01", "Paid Social")]
    # c1: 100 in January, none in February, 50 in March -> retention [1, 0, 1], revenue per customer
    # [100, 100, 150]. CAC: January's Paid Social cost 70 + 50 = 120 for 1 customer = 120. LTV:CAC
    # [100/120 = 0.833, 0.833, 150/120 = 1.25]: pays back in period 2.
    assert social_jan.retention == [1.0, 0.0, 1.0]
    assert social_jan.revenue_per_customer == pytest.approx([100.0, 100.0, 150.0])
    assert social_jan.cac == pytest.approx(120.0) and social_jan.cost == pytest.approx(120.0)
    assert social_jan.ltv_cac == pytest.approx([100 / 120, 100 / 120, 1.25])
    assert social_jan.payback_period == 2
    social_feb = cohorts[("2026-02", "Paid Social")]
    # c3: 80 + 20 = 100 in February, 30 in March. CAC 110 (February's cost; March's 999 acquired nobody).
    # LTV:CAC [100/110 = 0.909, 130/110 = 1.18]: payback in period 1.
    assert social_feb.revenue_per_customer == pytest.approx([100.0, 130.0])
    assert social_feb.cac == pytest.approx(110.0)
    assert social_feb.ltv_cac == pytest.approx([100 / 110, 130 / 110]) and social_feb.payback_period == 1
    search = cohorts[("2026-02", "Paid Search")]
    # c4: 50 in February, nothing in March; CAC 25 -> LTV:CAC [2, 2], paid back in its own month
    assert (search.retention, search.cac, search.ltv_cac, search.payback_period) == ([1.0, 0.0], 25.0, [2.0, 2.0], 0)
    organic = cohorts[("2026-01", "Organic Search")]
    assert organic.cac is None and organic.ltv_cac is None and organic.payback_period is None  # no ad cost


def test_channel_keeps_one_acquisition_channel(shop):
    cohorts = compute_cohorts(shop, "month", JAN, MAR, channel="Paid Social")
    # acquisition channel = the first order's: c1's and c3's later Direct orders stay in Paid Social's cohorts
    assert [(c.cohort, c.acquisition_channel, c.customers) for c in cohorts] == [
        ("2026-01", "Paid Social", 1), ("2026-02", "Paid Social", 1)]
    assert [c.payback_period for c in cohorts] == [2, 1]


def test_channel_summaries_weight_by_customers(shop):
    summaries = {s.acquisition_channel: s for s in channel_summaries(
        compute_cohorts(shop, "month", JAN, MAR, by_channel=True))}
    social = summaries["Paid Social"]
    # January [100, 100, 150] and February [100, 130], one customer each: period 0 (100 + 100)/2 = 100,
    # period 1 adds the average increase (0 + 30)/2 = 15 -> 115, period 2 only January has reached it and gained
    # 50 there -> 165 (one average per period would say 150 and fall below the younger cohorts' figure).
    # CAC (120 + 110) / 2 = 115. LTV:CAC chains the increases per unit of the reaching cohorts' own cost:
    # period 0 200/230, period 1 + 30/230 -> 230/230 = 1, period 2 + January's 50/120 -> 1 + 0.41667: payback 1.
    assert (social.cohorts, social.customers) == (2, 2)
    assert social.revenue_per_customer == pytest.approx([100.0, 115.0, 165.0])
    assert social.cac == pytest.approx(115.0) and social.payback_period == 1
    assert social.ltv_cac == pytest.approx([200 / 230, 1.0, 1 + 50 / 120])
    assert summaries["Email"].cac is None and summaries["Email"].payback_period is None


def test_channel_summary_leaves_cohorts_without_ad_cost_out_of_cac_and_ltv_cac(engine):
    # The shop with Paid Social's January cost missing (its ad data starts in February): January's Paid Social
    # cohort (c1: 100, 0, 50) cost nothing recorded, February's (c3: 100 then 30) cost 110.
    from connectors.loader import load
    from tests.cohort_shop import AD_COLUMNS, ADS, ORDER_COLUMNS, ORDERS

    load(engine, "orders", pd.DataFrame(ORDERS, columns=ORDER_COLUMNS), source="test")
    load(engine, "ad_spend", pd.DataFrame([a for a in ADS if a[0].month > 1], columns=AD_COLUMNS), source="test")
    (social,) = [s for s in channel_summaries(compute_cohorts(engine, "month", JAN, MAR, by_channel=True))
                 if s.acquisition_channel == "Paid Social"]
    # The curve still counts both customers: [(100 + 100)/2, 100 + (0 + 30)/2 = 115, 115 + January's 50 = 165]. CAC
    # and LTV:CAC count February's cohort alone: CAC 110 / 1 = 110, LTV:CAC [100/110 = 0.91, 130/110 = 1.18, none
    # (February has not reached period 2)], payback in period 1. (Counting c1 as free would give CAC 55 and
    # LTV:CAC 200/110 = 1.82 at once; setting period 2 against no cost used to leave no LTV:CAC at all, and the
    # page said "not yet".)
    assert social.revenue_per_customer == pytest.approx([100.0, 115.0, 165.0])
    assert social.cac == pytest.approx(110.0)
    assert social.ltv_cac[:2] == pytest.approx([100 / 110, 130 / 110]) and social.ltv_cac[2] is None
    assert social.payback_period == 1


def test_unattributed_customers_have_no_cac(engine):
    # An order without a channel is "(unattributed)", and so is ad cost from a platform of no known channel: their
    # ratio is no channel's CAC. c9's cohort (January, 70 then 30) keeps its revenue and retention, without CAC.
    from connectors.loader import load
    from tests.cohort_shop import AD_COLUMNS, ORDER_COLUMNS

    orders = [("u1", datetime(2026, 1, 10, 9), "c9", 70.0, 0.0, None, None),
              ("u2", datetime(2026, 2, 10, 9), "c9", 30.0, 0.0, None, None)]
    load(engine, "orders", pd.DataFrame(orders, columns=ORDER_COLUMNS), source="test")
    load(engine, "ad_spend", pd.DataFrame([(date(2026, 1, 5), "mystery_ads", "x", None, 1000, 10, 80.0)],
                                          columns=AD_COLUMNS), source="test")
    (cohort,) = compute_cohorts(engine, "month", JAN, FEB, by_channel=True)
    assert (cohort.acquisition_channel, cohort.customers) == ("(unattributed)", 1)
    assert cohort.revenue_per_customer == pytest.approx([70.0, 100.0])
    assert (cohort.cac, cohort.ltv_cac, cohort.payback_period) == (None, None, None)
    assert channel_summaries([cohort])[0].cac is None


def test_jalali_month_buckets(shop):
    # Dey 1404 = 22 Dec 2025 - 20 Jan 2026, Bahman = 21 Jan - 19 Feb, Esfand = 20 Feb - 20 Mar 2026.
    cohorts = compute_cohorts(shop, "month", parse_period("1404-10"), parse_period("1404-12"))
    assert [(c.cohort, c.customers) for c in cohorts] == [("1404-10", 2), ("1404-11", 1), ("1404-12", 2)]
    dey, bahman, esfand = cohorts
    # Dey: c1 (10 Jan), c2 (20 Jan = 30 Dey): 160. Bahman: c2's 30 (3 Feb). Esfand: c1's 50 (5 Mar).
    assert dey.retention == [1.0, 0.5, 0.5] and dey.revenue_per_customer == pytest.approx([80.0, 95.0, 120.0])
    # Bahman: c3 only (15 Feb): 80; its 20 Feb order (1 Esfand) and 30 on 10 Mar fall in Esfand: 80 + 50 = 130
    assert bahman.retention == [1.0, 1.0] and bahman.revenue_per_customer == pytest.approx([80.0, 130.0])
    # Esfand: c4 (50) and c5 (40): 90 / 2 = 45; Esfand ends on 20 March, the data on the 10th
    assert esfand.revenue_per_customer == pytest.approx([45.0]) and esfand.partial_last


def test_weeks_and_a_complete_last_period(shop):
    cohorts = compute_cohorts(shop, "week", parse_period("2026-W09"), parse_period("2026-W10"))
    # W09 = 23 Feb - 1 Mar: c4 (25 Feb). W10 = 2 - 8 Mar: c5 (8 Mar). The last order (10 Mar) is in W11, so
    # the arrays run to W11, still in progress.
    assert [(c.cohort, c.customers, c.retention) for c in cohorts] == [
        ("2026-W09", 1, [1.0, 0.0, 0.0]), ("2026-W10", 1, [1.0, 0.0])]
    assert all(c.partial_last for c in cohorts)


def test_nothing_before_the_data_and_bad_ranges(shop):
    assert compute_cohorts(shop, "month", parse_period("2026-04"), parse_period("2026-06")) == []
    with pytest.raises(CohortError, match="after"):
        compute_cohorts(shop, "month", MAR, JAN)
    with pytest.raises(CohortError, match="is a week, not a month"):
        compute_cohorts(shop, "month", parse_period("2026-W02"), MAR)


def test_json_shape(shop):
    doc = cohorts_json("month", compute_cohorts(shop, "month", JAN, JAN, channel="Paid Social"))
    assert doc == {"grain": "month", "last_period_partial": True, "cohorts": [{
        "cohort": "2026-01", "acquisition_channel": "Paid Social", "customers": 1, "retention": [1.0, 0.0, 1.0],
        "revenue_per_customer": [100.0, 100.0, 150.0], "cac": 120.0,
        "ltv_cac": [round(100 / 120, 6), round(100 / 120, 6), 1.25], "payback_period": 2}]}
