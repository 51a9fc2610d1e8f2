"""Complete-through dates and partial KPIs, on a small shop whose orders end on a Thursday (worked by hand).

Week 2026-W45 runs Mon 2 - Sun 8 November 2026; the week before, W44, Mon 26 October - Sun 1 November.
- orders: W44: 50 on Mon 26 Oct, 50 on Tue 27 Oct, 1000 on Sat 31 Oct; W45: 100 a day Mon 2 - Thu 5 Nov,
  then nothing: orders are complete through Thursday 5 November (3 of W45's 7 days missing).
- web: 100 sessions a day from 26 Oct to 8 Nov (complete).
- ad spend: cost 10 and 10 clicks a day from 26 Oct to 8 Nov (complete).
No other source holds data. "Today" is 20 November, so both weeks are over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from connectors.freshness import source_status
from connectors.loader import load
from metrics.campaigns import daily, performance
from metrics.completeness import complete_through
from metrics.engine import Filters, compute
from metrics.periods import parse_period
from metrics.scorecard import scorecard
from tests.conftest import ROOT, build_demo_warehouse, page_app
from tests.fixtures import set_targets

TODAY = date(2026, 11, 20)
W44, W45, W46 = (parse_period(p) for p in ("2026-W44", "2026-W45", "2026-W46"))
DAYS = [date(2026, 10, 26) + timedelta(days=i) for i in range(14)]
ORDERS = [(date(2026, 10, 26), 50.0), (date(2026, 10, 27), 50.0), (date(2026, 10, 31), 1000.0),
          *[(date(2026, 11, d), 100.0) for d in (2, 3, 4, 5)]]


@pytest.fixture
def shop(engine):
    orders = pd.DataFrame([(f"o{i}", datetime.combine(day, datetime.min.time()) + timedelta(hours=12), f"c{i}",
                            revenue, 0.0, "Paid Search", "brand") for i, (day, revenue) in enumerate(ORDERS)],
                          columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel",
                                   "campaign"])
    web = pd.DataFrame([(d, "Paid Search", "google / cpc", "brand", 100, 50, 40, 300, 6000.0, 5.0, 1, 100.0)
                        for d in DAYS],
                       columns=["date", "channel", "source_medium", "campaign", "sessions", "engaged_sessions",
                                "new_users", "page_views", "engagement_seconds", "key_events", "purchases",
                                "purchase_revenue"])
    ads = pd.DataFrame([(d, "google_ads", "brand", "Paid Search", 1000, 10, 10.0) for d in DAYS],
                       columns=["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"])
    for kind, frame in (("orders", orders), ("web", web), ("ad_spend", ads)):
        load(engine, kind, frame, source="test")
    return engine


def _by_id(items) -> dict:
    return {i.id: i for i in items}


def test_each_source_is_complete_through_its_last_day_of_data(shop):
    ends = complete_through(shop)
    assert ends["orders"] == date(2026, 11, 5)
    assert ends["web"] == ends["ads"] == date(2026, 11, 8)
    assert ends["email"] is None and ends["tickets"] is None  # no data at all: missing, not partial
    status = source_status(shop, TODAY)
    assert status["orders"]["complete_through"] == date(2026, 11, 5)
    assert status["ad_spend"]["complete_through"] == date(2026, 11, 8)
    assert status["email"]["complete_through"] is None


def test_a_sync_declares_the_days_it_covered_beyond_its_last_row(shop):
    """GA4: the last day synced counts even when that day had no rows."""
    row = pd.DataFrame([(date(2026, 11, 8), "Direct", "(direct) / (none)", "(direct)", 5, 2, 1, 9, 60.0, 0.0, 0, 0.0)],
                       columns=["date", "channel", "source_medium", "campaign", "sessions", "engaged_sessions",
                                "new_users", "page_views", "engagement_seconds", "key_events", "purchases",
                                "purchase_revenue"])
    load(shop, "web", row, source="ga4:123456", cursor="2026-11-10")
    assert complete_through(shop)["web"] == date(2026, 11, 10)
    assert complete_through(shop)["orders"] == date(2026, 11, 5)  # another kind's cursor does not count


def test_a_flow_with_4_of_7_days_is_judged_on_those_days(shop):
    set_targets(shop, [("sell.revenue", "week", W45.start, "", 700.0)])
    revenue = _by_id(scorecard(shop, W45, today=TODAY))["sell.revenue"]
    assert revenue.value == pytest.approx(400.0)  # 4 days x 100
    assert revenue.partial and revenue.complete_through == date(2026, 11, 5)
    assert revenue.reason == "orders data ends 2026-11-05 (3 of 7 days missing)"
    assert revenue.expected == pytest.approx(400.0)  # 700 x 4/7 (no last year to profile: by days)
    assert revenue.forecast == pytest.approx(700.0)  # 400 / 4 days x 7
    # Counted as zeros, 400 against 700 would be 43 % short: off track. On the days covered it is on plan.
    assert revenue.status == "on_track"
    # Like for like: the first 4 days of W44 (26-29 Oct: 50 + 50), not all of it (1,100).
    assert revenue.previous == pytest.approx(100.0)
    assert revenue.change_pct == pytest.approx(3.0)  # (400 - 100) / 100
    assert revenue.last_year is None  # nothing 52 weeks earlier


def test_a_ratio_whose_numerator_source_ends_early_uses_only_the_days_both_cover(shop):
    set_targets(shop, [("save.roas", "week", W45.start, "", 10.0)])
    items = _by_id(scorecard(shop, W45, today=TODAY))
    roas, rate = items["save.roas"], items["sell.conversion_rate"]
    assert roas.value == pytest.approx(10.0)  # revenue 400 / cost 40 over 2-5 Nov (all week: 400 / 70 = 5.7)
    assert roas.status == "on_track"  # 5.7 against 10 would be off track
    assert roas.previous == pytest.approx(2.5)  # 26-29 Oct: 100 / 40
    assert roas.partial and roas.reason == "orders data ends 2026-11-05 (3 of 7 days missing)"
    assert rate.value == pytest.approx(0.01)  # 4 orders / 400 sessions over 2-5 Nov (not 4 / 700)
    cost = items["save.marketing_cost"]  # ad spend is complete: not partial
    assert cost.value == pytest.approx(70.0) and not cost.partial and cost.reason is None
    assert cost.complete_through is None


def test_report_json_marks_partial_kpis(shop):
    env = {**os.environ, "KPI_DATABASE_URL": shop.url.render_as_string(hide_password=False)}
    out = subprocess.run([sys.executable, "cli.py", "report", "--period", "2026-W45", "--format", "json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    kpis = {k["id"]: k for k in json.loads(out.stdout)["kpis"]}
    assert kpis["sell.revenue"]["partial"] is True
    assert kpis["sell.revenue"]["complete_through"] == "2026-11-05"
    assert kpis["sell.revenue"]["reason"] == "orders data ends 2026-11-05 (3 of 7 days missing)"
    assert kpis["save.marketing_cost"]["partial"] is False and kpis["save.marketing_cost"]["complete_through"] is None
    assert kpis["serve.csat"]["partial"] is False and kpis["serve.csat"]["value"] is None  # no data: missing


def test_periods_after_the_data_ends_are_gaps_never_zeros(shop):
    weekly = compute(shop, ["sell.revenue"], W44.start, W46.end, "week").set_index("period_start")
    assert weekly.loc[W44.start, "value"] == pytest.approx(1100.0)
    assert pd.isna(weekly.loc[W44.start, "complete_through"])
    assert weekly.loc[W45.start, "value"] == pytest.approx(400.0)
    assert weekly.loc[W45.start, "complete_through"] == date(2026, 11, 5)
    assert pd.isna(weekly.loc[W46.start, "value"])
    assert weekly.loc[W46.start, "reason"] == "orders data ends 2026-11-05 (7 of 7 days missing)"
    days = compute(shop, ["sell.revenue", "save.marketing_cost"], W45.start, W45.end, "day")
    revenue = days[days.kpi_id == "sell.revenue"].set_index("period_start")["value"]
    assert revenue[date(2026, 11, 5)] == pytest.approx(100.0)
    assert revenue[[date(2026, 11, d) for d in (6, 7, 8)]].isna().all()
    cost = days[days.kpi_id == "save.marketing_cost"].set_index("period_start")["value"]
    assert cost[date(2026, 11, 8)] == pytest.approx(10.0)


def test_campaigns_daily_chart_leaves_days_after_the_data_empty_but_counts_quiet_days_as_zero(shop):
    w45 = daily(shop, W45, Filters(), today=TODAY).set_index("day")
    assert w45.loc[date(2026, 11, 5), "revenue"] == pytest.approx(100.0)
    assert w45.loc[[date(2026, 11, d) for d in (6, 7, 8)], "revenue"].isna().all()
    assert w45.loc[date(2026, 11, 8), "cost"] == pytest.approx(10.0)
    w44 = daily(shop, W44, Filters(), today=TODAY).set_index("day")
    assert w44.loc[date(2026, 10, 28), "revenue"] == 0.0  # no orders that day, inside the data: a real zero


def test_campaigns_table_is_computed_over_the_days_every_column_covers(shop):
    table = performance(shop, W45, "channel", today=TODAY, sparklines=False).set_index("member")
    assert table.attrs["partial"] == "orders data ends 2026-11-05 (3 of 7 days missing)"
    row = table.loc["Paid Search"]
    assert row["revenue"] == pytest.approx(400.0) and row["cost"] == pytest.approx(40.0)  # 2-5 Nov only
    assert row["roas"] == pytest.approx(10.0)
    assert row["revenue_previous"] == pytest.approx(100.0)  # 26-29 Oct
    assert row["cost_previous"] == pytest.approx(40.0)


THURSDAY_AS_OF = date(2026, 11, 20)  # a Friday: the demo's data ends on Thursday 19 November, inside 2026-W47


@pytest.fixture(scope="module")
def thursday_demo_url(tmp_path_factory) -> str:
    """The demo shop with data through Thursday 19 November 2026 (its own warehouse, built once)."""
    return build_demo_warehouse(tmp_path_factory, "thursday", THURSDAY_AS_OF)


def test_demo_ending_on_a_thursday_marks_that_week_partial_and_nothing_off_track_for_missing_days(
        thursday_demo_url):
    from warehouse.db import make_engine

    engine = make_engine(thursday_demo_url)
    week = parse_period("2026-W47")
    items = scorecard(engine, week, today=date(2026, 11, 29))
    assert all(i.partial and i.complete_through == date(2026, 11, 19) for i in items)
    assert all(i.reason.endswith("(3 of 7 days missing)") for i in items)
    for item in (i for i in items if i.id in ("sell.revenue", "sell.orders", "sell.new_customers",
                                              "sizzle.new_users")):
        # Four days of a week against a whole week's target would be about half: off track. Against the
        # target's share for those four days, these flows are on plan.
        assert item.status in ("on_track", "at_risk"), item
        assert item.value < 0.6 * item.target and item.expected < 0.6 * item.target, item
    engine.dispose()


def test_overview_and_weekly_review_say_which_kpis_are_partial(thursday_demo_url, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", thursday_demo_url)
    overview = page_app("overview", grain="week", period="2026-W47").run()
    assert not overview.exception
    assert any("24 KPIs have incomplete data in 2026-W47" in w.value for w in overview.warning)
    review = page_app("weekly_review", period="2026-W47").run()
    assert not review.exception
    assert any("24 KPIs have incomplete data this week" in w.value for w in review.warning)


def test_trend_chart_marks_partial_periods_and_leaves_gaps(shop):
    from metrics.catalog import KPI_BY_ID
    from ui.charts import trend_chart

    frame = compute(shop, ["sell.revenue"], W44.start, W46.end, "week").drop(columns="kpi_id")
    trace = trend_chart(KPI_BY_ID["sell.revenue"], frame).data[0]
    assert list(trace.marker.symbol) == ["circle", "circle-open", "circle"]
    assert "partial: orders data ends 2026-11-05 (3 of 7 days missing)" in trace.customdata[1]
    assert trace.y[0] == pytest.approx(1100.0) and pd.isna(trace.y[2])  # W46: a gap, not a zero
