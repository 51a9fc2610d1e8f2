"""The demo shop: deterministic, realistic in the ways the issue asks, idempotent to load."""

from __future__ import annotations

from datetime import date, timedelta

from connectors.demo import POOR_ROAS_CAMPAIGN, generate, load_demo
from metrics.catalog import KPIS
from metrics.engine import Filters, compute
from metrics.periods import last_complete, period_containing
from metrics.targets import load_targets
from tests.conftest import DEMO_AS_OF, content_hash


def test_generator_is_deterministic():
    first, second = generate(DEMO_AS_OF, seed=3, days=60), generate(DEMO_AS_OF, seed=3, days=60)
    for kind in first:
        assert first[kind].equals(second[kind]), kind
    other = generate(DEMO_AS_OF, seed=4, days=60)
    assert not first["orders"].equals(other["orders"])


def test_demo_covers_two_years_up_to_yesterday_with_channels_and_campaigns():
    data = generate(DEMO_AS_OF)
    web = data["web"]
    assert web["date"].max() == DEMO_AS_OF - timedelta(days=1)
    assert web["date"].min() == DEMO_AS_OF - timedelta(days=730)
    channels = set(web["channel"])
    assert {"Organic Search", "Paid Search", "Paid Social", "Organic Social", "Email", "Direct", "Referral"} <= channels
    assert {"SMS", "Affiliates"} & channels
    campaigns = set(web["campaign"]) - {"(organic)", "(direct)", "(referral)"}
    assert 25 <= len(campaigns) <= 40
    assert data["orders"]["customer_id"].duplicated().any()  # customers come back


def test_demo_has_weekly_seasonality_and_a_year_end_spike(demo_engine):
    orders = compute(demo_engine, ["sell.orders"], date(2025, 1, 6), date(2025, 12, 28), grain="week")
    by_week = orders.set_index("period_start")["value"]
    black_friday_week = by_week[date(2025, 11, 24)]
    assert black_friday_week > 1.6 * by_week.median()
    daily = compute(demo_engine, ["sizzle.new_users"], date(2025, 3, 3), date(2025, 6, 29), grain="day")
    weekday = daily.assign(d=[d.weekday() for d in daily["period_start"]]).groupby("d")["value"].mean()
    assert weekday[1] > weekday[5]  # Tuesdays busier than Saturdays


def test_the_planted_poor_roas_campaign_is_poor(demo_engine):
    quarter = period_containing(DEMO_AS_OF, "quarter")
    bad = compute(demo_engine, ["save.roas"], quarter.start, DEMO_AS_OF, filters=Filters(campaign=POOR_ROAS_CAMPAIGN))
    total = compute(demo_engine, ["save.roas"], quarter.start, DEMO_AS_OF)
    assert bad["value"].iloc[0] < 0.5 < 2 < total["value"].iloc[0]


def test_all_kpis_have_values_for_the_last_complete_week(demo_engine):
    week = last_complete("week", DEMO_AS_OF)
    frame = compute(demo_engine, [k.id for k in KPIS], week.start, week.end)
    assert frame["value"].notna().all(), frame[frame["value"].isna()]


def test_demo_has_plan_targets_for_the_current_quarter(demo_engine):
    targets = load_targets(demo_engine)
    quarter = period_containing(DEMO_AS_OF - timedelta(days=1), "quarter")
    assert set(targets["period_start"]) == {quarter.start}
    overall = targets[targets["channel"] == ""]
    assert sorted(overall["kpi_id"]) == sorted(k.id for k in KPIS)
    # the channels with ad cost also get their own ROAS and CPA targets (a campaign is judged against its channel)
    per_channel = targets[targets["channel"] != ""]
    assert set(per_channel["kpi_id"]) == {"save.roas", "save.cpa"}
    assert set(per_channel["channel"]) == {"Paid Search", "Paid Social", "Affiliates", "SMS"}
    assert len(per_channel) == 8


def test_loading_the_demo_twice_changes_nothing(engine):
    load_demo(engine, as_of=DEMO_AS_OF)
    before = content_hash(engine)
    results = load_demo(engine, as_of=DEMO_AS_OF)
    assert all(r.inserted == 0 and r.updated == 0 for r in results.values())
    assert content_hash(engine) == before
