"""A new user's Monday: the six tools' exports of 2026-W46 imported as downloaded (`python cli.py import *.csv`)
into a fresh warehouse; the week's KPIs equal values worked out by hand, and importing again changes nothing."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import select

import cli
from connectors.ga4 import Ga4Settings, sync
from metrics import campaigns
from metrics.engine import Filters
from metrics.periods import parse_period
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fake_ga4 import FakeGA4, read_transactions
from warehouse import schema

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXPORTS = EXAMPLES / "exports"
FILES = sorted(EXPORTS.glob("*.csv"))  # what `import *.csv` in examples/exports gives
W46 = {"grain": "week", "period": "2026-W46"}
WEEK = parse_period("2026-W46")

# Worked by hand from the six files (each file's own test details its part):
REVENUE = 365.50 + 413.50  # Shopify: Subtotals of #1001-#1009 less skipped and refunds; WooCommerce: Net sales
ORDERS = 6 + 7  # Shopify 9 orders less 1 test, 1 cancelled, 1 voided; WooCommerce 10 less cancelled/failed/refunded
NEW_CUSTOMERS = 4 + 3  # WooCommerce's "returning" customers are never new
SESSIONS = 8050  # GA4: Direct 1,610 + Email 630 + Organic Search 3,010 + Paid Search 1,260 + Paid Social 1,050
# + Referral 490
AD_COST = 1353.30 + 526.75  # Google Ads (Brand 900.80 + Generic 452.50) + Meta (two campaigns)
AD_CLICKS = 2400 + 786  # Google Ads clicks + Meta link clicks
EXPECTED = {
    "sell.revenue": REVENUE,  # 779.00
    "sell.orders": ORDERS,
    "sell.conversion_rate": ORDERS / SESSIONS,
    "sell.aov": REVENUE / ORDERS,  # 59.92
    "sell.new_customers": NEW_CUSTOMERS,
    "serve.repeat_order_rate": (ORDERS - NEW_CUSTOMERS) / ORDERS,  # 6 of 13
    "speak.engagement_rate": 4900 / SESSIONS,  # GA4 engaged sessions
    "speak.email_open_rate": (784 + 518) / (1960 + 1480),  # Mailchimp unique opens / successful deliveries
    "speak.email_click_rate": (98 + 74) / (1960 + 1480),
    "save.marketing_cost": AD_COST,  # 1,880.05
    "save.cpa": AD_COST / ORDERS,
    "save.cac": AD_COST / NEW_CUSTOMERS,
    "save.roas": REVENUE / AD_COST,
    "save.cpc": AD_COST / AD_CLICKS,
    "sizzle.new_users": 3087,
    "sizzle.earned_traffic_share": (1610 + 3010) / SESSIONS,  # Direct + Organic Search (no Organic Social)
    "sizzle.engagement_time_per_session": 341075 / SESSIONS,  # GA4 average time per session x sessions, summed
}
NO_SOURCE = {"serve.csat", "serve.nps", "serve.first_response_minutes", "speak.social_engagement_rate",
             "sizzle.social_followers"}  # no feedback, tickets or social exports among the six


@pytest.fixture
def imported(engine, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    assert [f.name for f in FILES] == ["ga4_traffic_acquisition.csv", "google_ads_campaigns.csv",
                                       "mailchimp_campaigns.csv", "meta_ads_manager.csv", "shopify_orders.csv",
                                       "woocommerce_orders.csv"]
    assert cli.main(["import", *map(str, FILES)]) == 0
    return engine, capsys.readouterr().out.splitlines()


def _report(capsys) -> dict:
    assert cli.main(["report", "--period", "2026-W46", "--format", "json"]) == 0
    return {k["id"]: k for k in json.loads(capsys.readouterr().out)["kpis"]}


def test_each_export_is_recognised_and_summarised(imported):
    _, lines = imported
    assert lines == [
        "ga4_traffic_acquisition.csv: GA4 report download → web: 42 channel days; 42 new, 0 updated, 0 unchanged",
        "google_ads_campaigns.csv: Google Ads campaign report → ad_spend: 14 campaign days; 14 new, 0 updated, "
        "0 unchanged",
        "mailchimp_campaigns.csv: Mailchimp campaigns export → email: 2 campaigns; 2 new, 0 updated, 0 unchanged",
        "meta_ads_manager.csv: Meta Ads Manager export → ad_spend: 14 campaign days; 14 new, 0 updated, 0 unchanged",
        "shopify_orders.csv: Shopify orders export → orders: 6 orders (1 test orders, 1 cancelled, 1 voided "
        "skipped); 6 new, 0 updated, 0 unchanged",
        "woocommerce_orders.csv: WooCommerce Analytics orders report → orders: 7 orders (1 cancelled, 1 failed, "
        "1 refunded skipped); 7 new, 0 updated, 0 unchanged",
    ]


def test_the_weeks_kpis_equal_the_hand_worked_values_and_a_second_import_changes_nothing(imported, capsys):
    report = _report(capsys)
    for kpi_id, expected in EXPECTED.items():
        assert report[kpi_id]["value"] == pytest.approx(expected), kpi_id
        assert (report[kpi_id]["partial"], report[kpi_id]["reason"]) == (False, None), kpi_id
    for kpi_id in NO_SOURCE:
        assert report[kpi_id]["value"] is None and report[kpi_id]["reason"].startswith("no "), kpi_id
    assert cli.main(["import", *map(str, FILES)]) == 0
    again = capsys.readouterr().out.splitlines()
    first = imported[1]
    assert again == [re.sub(r"(\d+) new, 0 updated, 0 unchanged$", r"0 new, 0 updated, \1 unchanged", line)
                     for line in first]
    assert _report(capsys) == report


def test_the_overview_shows_the_hand_worked_values(imported, monkeypatch):
    engine, _ = imported
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    app = page_app("overview", **W46, view="cards").run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert shown["Revenue"] == "$779.00"
    assert shown["Orders"] == "13"
    assert shown["Marketing cost"] == "$1,880"  # cards round amounts of 1,000 and more to whole units
    assert shown["ROAS"] == f"{REVENUE / AD_COST:.2f}×"  # 0.41×
    assert shown["New users"] == "3,087"


def _web_as_ga4_rows(engine) -> list[dict]:
    """The imported GA4 download's rows as the GA4 API would answer them (so a sync keeps the traffic as it is)."""
    w = schema.web_traffic
    with engine.connect() as conn:
        rows = conn.execute(select(w)).mappings().all()
    return [{"date": r["date"].strftime("%Y%m%d"), "sessionDefaultChannelGroup": r["channel"],
             "sessionSourceMedium": r["source_medium"], "sessionCampaignName": r["campaign"],
             "sessions": r["sessions"], "engagedSessions": r["engaged_sessions"], "newUsers": r["new_users"],
             "screenPageViews": r["page_views"], "userEngagementDuration": r["engagement_seconds"],
             "keyEvents": r["key_events"] or 0, "ecommercePurchases": r["purchases"] or 0,
             "purchaseRevenue": r["purchase_revenue"] or 0} for r in rows]


def test_after_a_ga4_sync_the_shop_orders_revenue_is_under_its_channels(imported, monkeypatch, capsys):
    engine, _ = imported
    report = _report(capsys)
    purchases = read_transactions(EXAMPLES / "fake_ga4" / "purchases_w46.csv")
    with FakeGA4(_web_as_ga4_rows(engine), transactions=purchases) as fake:
        config = Ga4Settings(property_id="123", endpoint=fake.url, retry_initial=0.01, retry_deadline=5)
        result = sync(engine, config, date(2026, 11, 9), date(2026, 11, 15), actor=ADMIN)
    assert result.transactions == 7
    rows = {r["member"]: (r["orders"], r["revenue"])
            for r in campaigns.performance(engine, WEEK, "channel", today=date(2026, 11, 30)).to_dict("records")}
    # GA4 saw Shopify #1001 (Paid Search), #1002 (Organic Search), #1003 and #1009 (Paid Social), #1008 (Email)
    # and WooCommerce 5108 (Paid Search); it never saw #1004 nor 5110; transaction 9999 matches no order.
    # WooCommerce's own attribution (5101 Organic, 5102 Organic Social, 5104 Email, 5105 Direct, 5109 Referral)
    # is never overwritten. Revenue is net of refunds (#1003: 120 - 30).
    assert rows == {
        "Paid Search": (2, 60 + 40.0),
        "Organic Search": (2, 45 + 48.0),
        "Paid Social": (2, 90 + 55.5),
        "Email": (2, 90 + 64.0),
        "Organic Social": (1, 72.5),
        "Direct": (1, 36.0),
        "Referral": (1, 95.0),
        "(unattributed)": (2, 25 + 58.0),
        campaigns.TOTAL: (13, 779.0),
    } | {m: rows[m] for m in rows if rows[m][0] in (0, None)}  # channels with traffic but no orders
    social = campaigns.performance(engine, WEEK, "campaign", Filters("Paid Social"), today=date(2026, 11, 30))
    social = social.set_index("member")
    assert social.at["Autumn Sale - Retargeting", "revenue"] == 90.0
    assert social.at["Autumn Sale - Prospecting", "revenue"] == 55.5
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    app = page_app("campaigns", **W46, kpi="sell.revenue").run()  # what the meeting sees
    assert not app.exception
    table = app.dataframe[-1].value.set_index("member")
    assert table.at["Paid Social", "revenue"] == pytest.approx(145.5)
    assert table.at["(unattributed)", "revenue"] == pytest.approx(83.0)
    after = _report(capsys)
    for kpi_id in ("sell.revenue", "sell.orders", "sell.new_customers", "save.marketing_cost", "save.roas"):
        assert after[kpi_id]["value"] == pytest.approx(report[kpi_id]["value"]), kpi_id  # totals never change
    assert after["speak.engagement_rate"]["value"] == pytest.approx(4900 / SESSIONS)  # the traffic is as it was
