"""KPI values on the hand-made shop (tests/fixtures.py), each worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from metrics.catalog import KPIS
from metrics.engine import Filters, compute
from tests.fixtures import WEEK, load_fixture

EXPECTED_WEEK = {
    "sell.revenue": 280.0,  # 80 + 120 + 40 + 60 - 20 refunded
    "sell.orders": 4,
    "sell.conversion_rate": 4 / 500,  # orders / sessions (100 + 300 + 100)
    "sell.aov": 70.0,  # 280 / 4
    "sell.new_customers": 2,  # c2 and c3; c1 first ordered in October
    "serve.csat": 0.5,  # scores 5, 4, 3, 2 -> 2 of 4 score 4-5
    "serve.nps": 40.0,  # 10, 9, 9, 7, 2: 3 promoters, 1 detractor of 5 -> 60 % - 20 %
    "serve.repeat_order_rate": 0.5,  # o2 (c1 before) and o4 (c2 before) of 4
    "sell.new_customer_revenue": 160.0,  # first orders o3 (120 - 20 refunded) + o5 60; o1 (c1's) was in October
    "serve.returning_revenue_share": 120 / 280,  # (280 - 160) / 280 = o2 80 + o4 40 of 280 -> 42.9 %
    "serve.first_response_minutes": 60.0,  # median of 30, 60, 120; t4 unanswered
    "speak.engagement_rate": 0.6,  # 300 / 500 (the average of daily ratios would be 0.625)
    "speak.email_open_rate": 470 / 1400,
    "speak.email_click_rate": 50 / 1400,
    "speak.social_engagement_rate": 0.05,  # 100 / 2000
    "save.marketing_cost": 120.0,  # 50 + 40 + 30
    "save.cpa": 30.0,  # 120 / 4
    "save.cac": 60.0,  # 120 / 2
    "save.roas": 280 / 120,
    "save.cpc": 0.6,  # 120 / 200 clicks
    "sizzle.new_users": 200,
    "sizzle.earned_traffic_share": 0.8,  # organic 400 / 500
    "sizzle.engagement_time_per_session": 36.0,  # 18000 s / 500
    "sizzle.social_followers": 1500,  # instagram on the 8th (1100) + facebook's last, the 7th (400)
}


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    return engine


def _values(engine, start, end, **kwargs) -> dict:
    frame = compute(engine, [k.id for k in KPIS], start, end, **kwargs)
    return {row.kpi_id: (row.value, row.reason) for row in frame.itertuples()}


def test_every_kpi_for_the_week_matches_the_hand_computation(shop):
    values = _values(shop, *WEEK)
    assert set(values) == set(EXPECTED_WEEK)
    for kpi_id, expected in EXPECTED_WEEK.items():
        value, reason = values[kpi_id]
        assert reason is None, kpi_id
        assert value == pytest.approx(expected), kpi_id


def test_week_grain_buckets_days_into_iso_weeks(shop):
    frame = compute(shop, ["speak.engagement_rate", "sell.orders"], date(2026, 10, 19), WEEK[1], grain="week")
    by = {(r.period_start, r.kpi_id): r.value for r in frame.itertuples()}
    assert sorted({r.period_start for r in frame.itertuples()}) == [date(2026, 10, 19), date(2026, 10, 26),
                                                                     date(2026, 11, 2)]
    assert by[(date(2026, 11, 2), "speak.engagement_rate")] == pytest.approx(0.6)
    assert by[(date(2026, 10, 19), "sell.orders")] == 1


def test_channel_filter_uses_only_that_channels_rows(shop):
    values = _values(shop, *WEEK, filters=Filters(channel="Paid Search"))
    assert values["sell.revenue"][0] == pytest.approx(140.0)  # 120 - 20 + 40
    assert values["sell.conversion_rate"][0] == pytest.approx(2 / 100)
    assert values["sell.new_customers"][0] == 1
    assert values["serve.csat"][0] == pytest.approx(1.0)  # only r2 (score 4) is Paid Search
    assert values["save.marketing_cost"][0] == pytest.approx(90.0)  # meta (Paid Social) left out
    assert values["save.roas"][0] == pytest.approx(140 / 90)
    assert values["save.cpc"][0] == pytest.approx(90 / 160)
    assert values["sizzle.earned_traffic_share"][0] == 0.0
    # sources without that channel are null with a reason, never 0
    open_rate, reason = values["speak.email_open_rate"]
    assert open_rate != open_rate and reason == "no email campaigns data for channel Paid Search"
    assert "no channel" in values["serve.first_response_minutes"][1]
    assert values["serve.nps"][1] == "NPS responses is zero"


def test_zero_denominator_is_null_with_a_reason(shop):
    values = _values(shop, date(2026, 10, 19), date(2026, 10, 25))
    value, reason = values["sell.conversion_rate"]
    assert value != value and reason == "sessions is zero"
    assert values["sell.orders"][0] == 1
    assert values["serve.csat"][1] == "CSAT responses is zero"
    assert values["serve.nps"][0] == pytest.approx(100.0)


def test_days_after_the_data_ends_are_null_with_a_reason_never_zero(shop):
    values = _values(shop, date(2026, 11, 9), date(2026, 11, 15))
    for kpi_id, (value, reason) in values.items():
        assert value != value, kpi_id
        assert reason and "data ends 2026-11-08 (7 of 7 days missing)" in reason, (kpi_id, reason)
    assert values["sell.revenue"][1] == "orders data ends 2026-11-08 (7 of 7 days missing)"


def test_a_source_without_rows_in_scope_is_null_with_a_reason(shop):
    values = _values(shop, date(2026, 11, 6), date(2026, 11, 8), filters=Filters(campaign="brand"))
    value, reason = values["sell.revenue"]
    assert value != value and reason == "no orders data in scope for campaign brand"


def test_breakdown_by_channel_adds_up_to_the_total(shop):
    frame = compute(shop, ["sell.revenue", "sell.orders", "save.marketing_cost"], *WEEK, breakdown="channel")
    revenue = frame[frame.kpi_id == "sell.revenue"].set_index("channel")["value"]
    assert revenue["Organic Search"] == pytest.approx(140.0)
    assert revenue["Paid Search"] == pytest.approx(140.0)
    cost = frame[frame.kpi_id == "save.marketing_cost"].set_index("channel")["value"]
    assert cost["Paid Social"] == pytest.approx(30.0)
    assert cost.sum() == pytest.approx(120.0)


def test_campaign_filter(shop):
    values = _values(shop, *WEEK, filters=Filters(campaign="brand"))
    assert values["save.cpa"][0] == pytest.approx(90 / 2)
    assert "campaign" in values["sizzle.social_followers"][1]


def test_breakdown_by_channel_of_sources_with_one_channel_or_none(shop):
    frame = compute(shop, ["speak.email_open_rate", "sizzle.social_followers", "serve.csat"], *WEEK,
                    breakdown="channel")
    values = {(r.kpi_id, r.channel): r.value for r in frame.itertuples() if r.value == r.value}
    # e-mail is all "Email", social all "Organic Social"; feedback without a channel is "(not set)"
    assert values[("speak.email_open_rate", "Email")] == pytest.approx(470 / 1400)
    assert values[("sizzle.social_followers", "Organic Social")] == 1500
    assert {k: v for k, v in values.items() if k[0] == "serve.csat"} == {
        ("serve.csat", "Organic Search"): 1.0, ("serve.csat", "Paid Search"): 1.0, ("serve.csat", "(not set)"): 0.0}


def test_what_the_reasons_say_about_scope(shop):
    assert Filters("Email", "promo").describe() == "channel Email and campaign promo"
    assert Filters(channel="Email").describe() == "channel Email" and Filters().describe() == ""
    frame = compute(shop, ["sell.conversion_rate"], *WEEK, breakdown="source_medium")  # orders over sessions
    assert list(frame["source_medium"]) == ["google / cpc", "google / organic"]
    assert set(frame["reason"]) == {"orders cannot be broken down by source/medium"}
    values = _values(shop, date(2026, 10, 26), date(2026, 11, 1), filters=Filters(channel="Organic Search"))
    assert values["sell.revenue"][1] == "no orders data in scope for channel Organic Search"


def test_the_median_response_time_takes_only_the_periods_tickets(shop):
    frame = compute(shop, ["serve.first_response_minutes"], date(2026, 10, 26), date(2026, 11, 15), grain="week")
    by_week = dict(zip(frame["period_start"], frame["value"]))
    # all four tickets were opened in W45 (30, 60, 120 min; one unanswered): W44 and W46 have none
    assert by_week[date(2026, 11, 2)] == 60.0
    assert by_week[date(2026, 10, 26)] != by_week[date(2026, 10, 26)]
    assert by_week[date(2026, 11, 9)] != by_week[date(2026, 11, 9)]
