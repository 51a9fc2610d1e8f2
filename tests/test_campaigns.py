"""The campaigns drill-down (metrics/campaigns.py): hand-worked figures on the fixture week 2026-W45, and on the
demo shop: totals equal the scorecard, channel rows add up to the total, the poor-ROAS campaign comes first."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from connectors.demo import POOR_ROAS_CAMPAIGN
from metrics import campaigns
from metrics.campaigns import (
    FIGURE_KPIS,
    TOTAL,
    campaign_figures,
    column_for,
    column_set_of,
    daily,
    needs_attention,
    performance,
    sort_members,
    with_total_last,
)
from metrics.catalog import KPI_BY_ID, why_no_breakdown
from metrics.engine import Filters
from metrics.periods import parse_period
from metrics.scorecard import scorecard
from tests.conftest import DEMO_AS_OF
from tests.fixtures import load_fixture, set_targets
from tests.test_cli import run

W45 = parse_period("2026-W45")
TODAY = date(2026, 11, 24)


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    set_targets(engine, [("save.roas", "week", date(2026, 11, 2), "Paid Search", 2.0)])
    return engine


def _rows(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["member"]: row for row in frame.to_dict("records")}


def test_channel_rows_by_hand(shop):
    rows = _rows(performance(shop, W45, "channel", today=TODAY))
    assert list(rows) == ["Organic Search", "Paid Search", "Paid Social", TOTAL]  # by revenue, total last
    organic, paid, social, total = (rows[k] for k in ("Organic Search", "Paid Search", "Paid Social", TOTAL))
    # Organic Search: sessions 100 + 300; orders o2 (80) and o5 (60); c3's first order is o5; no ad rows
    assert (organic["sessions"], organic["orders"], organic["revenue"], organic["new_customers"]) == (400, 2, 140, 1)
    assert organic["conversion_rate"] == pytest.approx(2 / 400)
    assert pd.isna(organic["cost"]) and pd.isna(organic["roas"]) and pd.isna(organic["cpa"])
    # Paid Search: o3 120 - 20 refunded, o4 40; cost 50 + 40 over 100 + 60 clicks
    assert (paid["orders"], paid["revenue"], paid["cost"]) == (2, 140, 90)
    assert paid["cpa"] == pytest.approx(45.0)
    assert paid["roas"] == pytest.approx(140 / 90)
    assert paid["cpc"] == pytest.approx(90 / 160)
    # Paid Social: ad cost only (30 over 40 clicks), no orders: CPA and ROAS unknown, not 0
    assert social["cost"] == 30 and social["cpc"] == pytest.approx(0.75)
    assert pd.isna(social["orders"]) and pd.isna(social["cpa"]) and pd.isna(social["roas"])
    # Total: 500 sessions, 4 orders, 280 revenue, 120 cost over 200 clicks, 2 new customers (c2, c3)
    assert (total["sessions"], total["orders"], total["revenue"], total["cost"], total["new_customers"]) == (
        500, 4, 280, 120, 2)
    assert total["roas"] == pytest.approx(280 / 120) and total["cpa"] == pytest.approx(30.0)
    assert total["cpc"] == pytest.approx(0.6) and total["conversion_rate"] == pytest.approx(4 / 500)


def test_changes_sparklines_and_flags_by_hand(shop):
    rows = _rows(performance(shop, W45, "channel", today=TODAY))
    # W44 has no rows at all: no previous value, so no change (never a fake +100 %)
    assert pd.isna(rows[TOTAL]["revenue_previous"]) and rows[TOTAL]["revenue_change"] is None
    # Revenue over the 13 weeks W33..W45: only W43 (o1, 50) and W45 (280) have orders
    trend = rows[TOTAL]["revenue_trend"]
    assert [v for v in trend if v is not None] == [50, 280] and trend[-1] == 280
    # Paid Search ROAS 1.56 against its own target 2.00: 22 % short, off track -> flagged
    assert rows["Paid Search"]["roas_target"] == 2.0 and rows["Paid Search"]["roas_miss"]
    assert rows["Paid Search"]["flags"] == "ROAS 1.56× below target 2.00×"
    assert rows["Paid Search"]["shortfall"] == pytest.approx(1 - (140 / 90) / 2.0)
    # Paid Social: cost from 0 to 30 while revenue stayed at none
    assert rows["Paid Social"]["cost_without_revenue"]
    assert rows["Paid Social"]["flags"] == "cost new while revenue none"
    # No target for Organic Search and no cost: nothing to flag; the total row is never flagged
    assert rows["Organic Search"]["flags"] == "" and rows[TOTAL]["flags"] == ""


def test_campaigns_of_a_channel_and_their_source_medium_rows(shop):
    rows = _rows(performance(shop, W45, "campaign", Filters("Paid Search"), today=TODAY))
    assert list(rows) == ["brand", TOTAL]
    assert rows["brand"]["roas_miss"] and rows["brand"]["revenue"] == rows[TOTAL]["revenue"] == 140

    web = _rows(performance(shop, W45, "source_medium", Filters("Paid Search", "brand"), "sales", TODAY))
    assert list(web) == ["google / cpc", TOTAL]
    row = web["google / cpc"]
    assert "orders" not in row  # source/medium rows have web analytics figures only
    assert (row["sessions"], row["new_users"], row["web_purchases"], row["web_revenue"]) == (100, 60, 2, 160)
    assert row["engagement_rate"] == pytest.approx(0.9) and row["engagement_time"] == pytest.approx(30.0)


def test_needs_attention_lists_flagged_campaigns_furthest_from_target_first(shop):
    flagged = needs_attention(shop, W45, today=TODAY)
    assert list(flagged["member"]) == ["brand", "prospecting"]
    assert list(flagged["channel"]) == ["Paid Search", "Paid Social"]


def test_daily_rows_count_quiet_days_as_zero(shop):
    days = daily(shop, W45, Filters("Paid Search"), TODAY).set_index("day")
    assert list(days.index) == list(pd.date_range("2026-11-02", "2026-11-08").date)
    assert list(days["orders"]) == [0, 1, 1, 0, 0, 0, 0]
    assert list(days["revenue"]) == [0, 100, 40, 0, 0, 0, 0]
    assert list(days["cost"]) == [50, 40, 0, 0, 0, 0, 0]
    assert days["sessions"].sum() == 100
    social = daily(shop, W45, Filters("Paid Social"), TODAY)
    assert social["revenue"].isna().all()  # no orders in the whole week: unknown, not 0


def test_sorting_flows_biggest_first_and_ratios_worst_first(shop):
    members = performance(shop, W45, "channel", today=TODAY)
    members = members[members["member"] != TOTAL]
    assert list(sort_members(members, "sales", "save.roas")["member"])[:2] == ["Paid Search", "Organic Search"]
    assert list(sort_members(members, "sales", "save.cpc")["member"])[:2] == ["Paid Social", "Paid Search"]
    assert list(sort_members(members, "sales", "sell.orders")["member"])[-1] == "Paid Social"


def test_one_table_sorted_by_the_kpi_with_the_total_row_last(shop):
    frame = performance(shop, W45, "channel", today=TODAY)
    # ROAS worst first: Paid Search 1.56; Organic Search and Paid Social have none (last, in revenue order)
    assert list(with_total_last(frame, "sales", "save.roas")["member"]) == [
        "Paid Search", "Organic Search", "Paid Social", TOTAL]
    # CPC worst (highest) first: Paid Social 30 / 40 = 0.75, Paid Search 90 / 160 = 0.5625, Organic none
    table = with_total_last(frame, "sales", "save.cpc")
    assert list(table["member"]) == ["Paid Social", "Paid Search", "Organic Search", TOTAL]
    assert table["cpc"].iloc[-1] == pytest.approx(120 / 200)  # the total row keeps its own figures
    assert column_for("sales", "save.cpc") == "cpc" and column_for("traffic", "save.roas") is None
    with pytest.raises(ValueError, match="do not show"):
        sort_members(frame, "traffic", "save.roas")


def test_a_campaigns_sales_and_cost_figures_by_hand(shop):
    items = {i.id: i for i in campaign_figures(shop, W45, Filters("Paid Search", "brand"), TODAY)}
    assert list(items) == list(FIGURE_KPIS)
    value = {k: i.value for k, i in items.items()}
    # brand: o3 120 - 20 refunded and o4 40; cost 50 + 40 over 100 + 60 clicks; 100 sessions (google / cpc)
    assert (value["sell.revenue"], value["sell.orders"], value["save.marketing_cost"]) == (140, 2, 90)
    assert value["save.roas"] == pytest.approx(140 / 90) and value["save.cpa"] == pytest.approx(45.0)
    assert value["save.cpc"] == pytest.approx(90 / 160) and value["sell.conversion_rate"] == pytest.approx(0.02)
    # W44 has no brand rows at all: no previous figure and no change, never 0 or +100 %
    assert all(i.previous is None and i.change_pct is None for i in items.values())
    # another campaign's figures are its own: prospecting has cost (30 over 40 clicks) and no orders
    other = {i.id: i for i in campaign_figures(shop, W45, Filters("Paid Social", "prospecting"), TODAY)}
    assert other["save.marketing_cost"].value == 30 and other["save.cpc"].value == pytest.approx(0.75)
    assert other["save.roas"].value is None and other["save.cpa"].value is None


def test_drilled_campaign_figures_equal_the_cli_report(demo_url, demo_engine):
    """What the drilled campaign shows is what `cli.py report --campaign NAME` prints for the same period."""
    out = run(["report", "--period", "2026-W47", "--campaign", POOR_ROAS_CAMPAIGN, "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    report = {k["id"]: k for k in json.loads(out.stdout)["kpis"]}
    items = campaign_figures(demo_engine, parse_period("2026-W47"), Filters("Paid Social", POOR_ROAS_CAMPAIGN))
    assert [i.id for i in items] == list(FIGURE_KPIS)
    for item in items:
        expected = report[item.id]
        assert item.value == pytest.approx(expected["value"], rel=1e-12), item.id
        assert item.previous == pytest.approx(expected["previous"], rel=1e-12), item.id
        assert item.change_pct == pytest.approx(expected["change_pct"], rel=1e-12), item.id
    assert all(i.value and i.previous for i in items)  # a campaign with figures in both weeks


def test_which_kpis_the_table_shows_and_why_some_have_no_breakdown():
    assert column_set_of("save.roas") == "sales" and column_set_of("speak.engagement_rate") == "traffic"
    assert column_set_of("serve.csat") is None
    assert why_no_breakdown(KPI_BY_ID["serve.first_response_minutes"], "channel") == (
        "support tickets data is not tied to a channel")
    assert why_no_breakdown(KPI_BY_ID["sizzle.social_followers"], "channel") == (
        "all social data belongs to one channel, Organic Social")
    with pytest.raises(ValueError, match="Unknown level"):
        performance(None, W45, "platform")


@pytest.mark.parametrize("label", ["2026-W47", "2026-10", "2026-Q3"])
def test_demo_totals_equal_the_overview_kpis_and_channels_add_up(demo_engine, label):
    period = parse_period(label)
    frame = performance(demo_engine, period, "channel", today=DEMO_AS_OF)
    total = frame[frame["member"] == TOTAL].iloc[0]
    overview = {item.id: item.value for item in scorecard(demo_engine, period, today=DEMO_AS_OF)}
    for column in campaigns.COLUMN_SETS["sales"]:
        kpi_id = campaigns.COLUMNS[column].kpi_id
        if kpi_id:
            assert total[column] == pytest.approx(overview[kpi_id], rel=1e-9), column
    channels = frame[frame["member"] != TOTAL]
    for column in ("sessions", "orders", "revenue", "cost", "new_customers"):
        assert channels[column].sum() == pytest.approx(total[column], rel=1e-9), column


def test_demo_poor_roas_campaign_needs_attention_first(demo_engine):
    flagged = needs_attention(demo_engine, parse_period("2026-W47"), today=DEMO_AS_OF)
    assert flagged.iloc[0]["member"] == POOR_ROAS_CAMPAIGN
    assert flagged.iloc[0]["channel"] == "Paid Social" and flagged.iloc[0]["roas_miss"]
