"""A new user's Monday: the six tools' exports of 2026-W46 imported as downloaded (`python cli.py import *.csv`)
into a fresh warehouse; the week's KPIs equal values worked out by hand, and importing again changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import streamlit as st

import cli
from tests.conftest import page_app

EXPORTS = Path(__file__).resolve().parent.parent / "examples" / "exports"
FILES = sorted(EXPORTS.glob("*.csv"))  # what `import *.csv` in examples/exports gives
W46 = {"grain": "week", "period": "2026-W46"}

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
