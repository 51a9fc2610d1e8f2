"""Shopify, WooCommerce (two shapes) and Mailchimp exports, as the tools write them (examples/exports/).

Every expected number is worked out by hand from the example files (the comments give the arithmetic). The week
is 2026-W46, Mon 9 – Sun 15 November 2026.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import main
from connectors.files import FileImportError, import_file
from connectors.formats import open_source
from connectors.formats.woocommerce import channel_of
from metrics.engine import compute
from tests.actors import ADMIN
from tests.conftest import ROOT
from warehouse import schema

EXPORTS = ROOT / "examples" / "exports"
WEEK = (date(2026, 11, 9), date(2026, 11, 15))
ORDER_KPIS = ["sell.revenue", "sell.orders", "sell.aov", "sell.new_customers", "serve.repeat_order_rate",
              "sell.new_customer_revenue", "serve.returning_revenue_share"]
EMAIL_KPIS = ["speak.email_open_rate", "speak.email_click_rate"]

SUMMARIES = {
    "shopify_orders.csv": "shopify_orders.csv: Shopify orders export → orders: 6 orders "
                          "(1 test orders, 1 cancelled, 1 voided skipped); 6 new, 0 updated, 0 unchanged",
    "woocommerce_orders.csv": "woocommerce_orders.csv: WooCommerce Analytics orders report → orders: 7 orders "
                              "(1 cancelled, 1 failed, 1 refunded skipped); 7 new, 0 updated, 0 unchanged",
    "woocommerce_order_export.csv": "woocommerce_order_export.csv: WooCommerce Customer/Order/Coupon Export (default "
                                    "orders format) → orders: 5 orders (1 cancelled, 1 pending skipped); 5 new, "
                                    "0 updated, 0 unchanged",
    "mailchimp_campaigns.csv": "mailchimp_campaigns.csv: Mailchimp campaigns export → email: 2 campaigns; 2 new, "
                               "0 updated, 0 unchanged",
}


def _kpis(engine, ids: list[str]) -> dict[str, tuple[float, str | None]]:
    frame = compute(engine, ids, *WEEK)
    return {row.kpi_id: (row.value, row.reason) for row in frame.itertuples()}


def _orders(engine) -> dict[str, dict]:
    o = schema.orders
    with engine.connect() as conn:
        return {r.order_id: r._asdict() for r in conn.execute(select(o))}


def _everything(engine) -> dict[str, list]:
    """Every row of the tables an import writes (to check that a refusal changed nothing)."""
    out = {}
    with engine.connect() as conn:
        for table in (schema.orders, schema.orders_daily, schema.email_campaigns):
            out[table.name] = sorted(tuple(map(str, r)) for r in conn.execute(select(table)))
    return out


def _example(name: str) -> Path:
    return EXPORTS / name if (EXPORTS / name).is_file() else EXPORTS / "variants" / name


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copy(_example(name), tmp_path / name))


# --- every example: recognised, imported with its summary, and again with nothing changed --------------------------

@pytest.mark.parametrize("name", list(SUMMARIES))
def test_each_example_imports_with_its_summary_and_reimporting_changes_nothing(engine, tmp_path, name):
    path = _copy(name, tmp_path)
    assert import_file(engine, None, path, actor=ADMIN).summary() == SUMMARIES[name]
    before = _everything(engine)
    again = import_file(engine, None, path, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, again.rows)
    assert _everything(engine) == before


@pytest.mark.parametrize("name", list(SUMMARIES))
def test_each_example_imports_through_the_cli(engine, tmp_path, cli_url, capsys, name):
    path = _copy(name, tmp_path)
    assert main(["import", str(path)]) == 0
    assert capsys.readouterr().out.strip() == SUMMARIES[name]
    assert main(["import", str(path)]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out


def test_each_example_is_recognised_as_its_tool_and_kind():
    found = {name: (open_source(_example(name)).format.name, open_source(_example(name)).kind) for name in SUMMARIES}
    assert found == {
        "shopify_orders.csv": ("Shopify orders export", "orders"),
        "woocommerce_orders.csv": ("WooCommerce Analytics orders report", "orders"),
        "woocommerce_order_export.csv": ("WooCommerce Customer/Order/Coupon Export (default orders format)", "orders"),
        "mailchimp_campaigns.csv": ("Mailchimp campaigns export", "email"),
    }


# --- Shopify -------------------------------------------------------------------------------------------------------

def test_shopify_week_kpis_by_hand(engine, tmp_path):
    import_file(engine, None, _copy("shopify_orders.csv", tmp_path), actor=ADMIN)
    values = _kpis(engine, ORDER_KPIS)
    expected = {
        # kept: #1001 60 + #1002 45 + #1003 (120 - 30 refunded) + #1004 25 + #1008 90 + #1009 55.50 = 365.50;
        # #1005 (cancelled), #1006 (voided), #1007 (Bogus Gateway test) are not sales
        "sell.revenue": 365.50,
        "sell.orders": 6,
        "sell.aov": 365.50 / 6,
        # ada (#1001), ben (#1002), order:#1004 (no e-mail), eve (#1009); #1003 is ada's and #1008 ben's second
        "sell.new_customers": 4,
        "serve.repeat_order_rate": 2 / 6,
        # the four first orders: #1001 60 + #1002 45 + #1004 25 + #1009 55.50 = 185.50; the refund is on a repeat
        "sell.new_customer_revenue": 185.50,
        "serve.returning_revenue_share": (365.50 - 185.50) / 365.50,  # #1003 90 + #1008 90 = 180 of 365.50
    }
    for kpi, value in expected.items():
        assert values[kpi] == (pytest.approx(value), None), kpi


def test_shopify_line_item_rows_merge_into_their_order(engine, tmp_path):
    import_file(engine, None, _copy("shopify_orders.csv", tmp_path), actor=ADMIN)
    orders = _orders(engine)
    assert sorted(orders) == ["#1001", "#1002", "#1003", "#1004", "#1008", "#1009"]  # 14 rows, 9 orders, 6 kept
    # #1003 spans three rows; its totals are on the first: Subtotal 120.00 (not a line item's price), refund 30.00
    assert (orders["#1003"]["revenue"], orders["#1003"]["refunded"]) == (120.0, 30.0)
    assert orders["#1001"]["revenue"] == 60.0  # 2 × 20.00 + 20.00 on two rows, before shipping 5.00 and taxes 12.60
    assert orders["#1001"]["ordered_at"] == datetime(2026, 11, 9, 10, 15)  # "+0100" dropped, local time kept
    assert orders["#1004"]["customer_id"] == "order:#1004"  # no e-mail: its own customer
    assert orders["#1008"]["customer_id"] == "ben@example.com"
    assert {o["channel"] for o in orders.values()} == {"(unattributed)"}  # GA4 attribution fills it later


def test_shopify_skips_test_cancelled_and_voided_orders_however_they_are_written(engine, tmp_path):
    text = (EXPORTS / "shopify_orders.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    # #1009 also becomes a test order, paid with two methods; #1002 is also voided (and stays counted once, as voided)
    lines = [line.replace("Shopify Payments", "manual + (for testing) Bogus Gateway") if line.startswith("#1009,")
             else line.replace(",paid,", ",voided,") if line.startswith("#1002,") else line for line in lines]
    path = tmp_path / "orders_export_1.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.skipped == {"test orders": 2, "cancelled": 1, "voided": 2}
    assert result.rows == 4 and sorted(_orders(engine)) == ["#1001", "#1003", "#1004", "#1008"]


def test_a_shopify_row_continuing_no_order_refuses_the_whole_file(engine, tmp_path):
    good = _copy("shopify_orders.csv", tmp_path)
    import_file(engine, None, good, actor=ADMIN)
    before = _everything(engine)
    lines = good.read_text(encoding="utf-8").splitlines()
    # line 16 (header + 14 rows above): a line-item row (no Financial Status, Subtotal, Total) of "#1010",
    # which no row above starts
    stray = lines[2].replace("#1001,", "#1010,", 1)
    bad = tmp_path / "orders_export.csv"
    bad.write_text("\n".join([*lines, stray]) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError) as refused:
        import_file(engine, None, bad, actor=ADMIN)
    message = str(refused.value)
    assert message.startswith("orders_export.csv (read as a Shopify orders export) was not imported (nothing was "
                              "loaded):")
    assert "line 16, column “Name”: “#1010”, expected the Name of an order on a line above" in message
    assert _everything(engine) == before


# --- WooCommerce ---------------------------------------------------------------------------------------------------

def test_woocommerce_analytics_week_kpis_by_hand_returning_customers_never_new(engine, tmp_path):
    result = import_file(engine, None, _copy("woocommerce_orders.csv", tmp_path), actor=ADMIN)  # an empty warehouse
    assert result.skipped == {"cancelled": 1, "failed": 1, "refunded": 1}  # 5107, 5103, 5106
    values = _kpis(engine, ORDER_KPIS)
    expected = {
        # completed, processing, on-hold: 5101 48 + 5102 72.5 + 5104 64 + 5105 36 + 5108 40 + 5109 95 + 5110 58
        "sell.revenue": 413.5,
        "sell.orders": 7,
        "sell.aov": 413.5 / 7,
        # Grace (5101), order:5108 (no customer name), Mia (5109). Henry (5102), Jack (5104) and Noah (5110) are
        # "returning": never new, though the warehouse holds none of their earlier orders; 5105 is Grace's second
        "sell.new_customers": 3,
        "serve.repeat_order_rate": 4 / 7,
        # new customers' first orders: 5101 48 + 5108 40 + 5109 95 = 183; the "returning" first orders of Henry,
        # Jack and Noah are returning revenue: 5102 72.5 + 5104 64 + 5110 58 + Grace's second 5105 36 = 230.5
        "sell.new_customer_revenue": 183.0,
        "serve.returning_revenue_share": 230.5 / 413.5,
    }
    for kpi, value in expected.items():
        assert values[kpi] == (pytest.approx(value), None), kpi
    orders = _orders(engine)
    assert orders["5102"]["returning_customer"] and orders["5102"]["is_first_order"]  # first here, yet not new
    assert not orders["5101"]["returning_customer"] and orders["5108"]["customer_id"] == "order:5108"


def test_woocommerce_attribution_becomes_the_orders_channel(engine, tmp_path):
    import_file(engine, None, _copy("woocommerce_orders.csv", tmp_path), actor=ADMIN)
    channels = {k: o["channel"] for k, o in _orders(engine).items()}
    assert channels == {
        "5101": "Organic Search",  # Organic: Google
        "5102": "Organic Social",  # Referral: Instagram.com
        "5104": "Email",  # Source: newsletter
        "5105": "Direct",  # Direct
        "5108": "(unattributed)",  # Web admin: left for GA4 attribution
        "5109": "Referral",  # Referral: Blog.example.org
        "5110": "(unattributed)",  # Unknown
    }
    frame = compute(engine, ["sell.revenue"], *WEEK, breakdown="channel")
    revenue = frame.set_index("channel")["value"]
    assert revenue["(unattributed)"] == pytest.approx(98.0)  # 40 + 58
    assert revenue.sum() == pytest.approx(413.5)  # channels add up to the total


@pytest.mark.parametrize("origin, channel", [
    ("Direct", "Direct"), ("Organic: Google", "Organic Search"), ("Organic: Duckduckgo", "Organic Search"),
    ("Referral: Instagram.com", "Organic Social"), ("Referral: L.facebook.com", "Organic Social"),
    ("Referral: t.co", "Organic Social"), ("Referral: Gist.com", "Referral"), ("Referral: Example.org", "Referral"),
    ("Source: newsletter", "Email"), ("Source: Mailchimp", "Email"), ("Source: e-mail", "Email"),
    ("Source: facebook", "Organic Social"), ("Source: sms", "SMS"), ("Source: partner", ""),
    ("Paid: Google", "Paid Search"), ("Paid: Facebook", "Paid Social"),
    ("Web admin", ""), ("Mobile app", ""), ("Unknown", ""), ("", ""),
])
def test_woocommerce_attribution_mapping_table(origin, channel):
    assert channel_of(origin) == channel  # "" is stored as (unattributed)


def test_woocommerce_refund_rows_and_status_spellings(engine, tmp_path):
    text = (EXPORTS / "woocommerce_orders.csv").read_text(encoding="utf-8")
    text = text.replace(",on-hold,", ",On hold,").replace(",5109,completed,", ",5109,wc-completed,")
    text += "2026-11-15 20:00:00,5111,completed,Mia Example,returning,,,0,,-25,Unknown\n"  # a refund's own row
    path = tmp_path / "wc-orders-report.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.skipped == {"cancelled": 1, "failed": 1, "refunded": 1, "refunds": 1}
    assert result.rows == 7 and "5105" in _orders(engine) and "5109" in _orders(engine)
    assert "5111" not in _orders(engine)


def test_woocommerce_without_net_sales_is_refused_naming_format_line_and_column(engine, tmp_path):
    import_file(engine, None, _copy("mailchimp_campaigns.csv", tmp_path), actor=ADMIN)
    before = _everything(engine)
    lines = (EXPORTS / "woocommerce_orders.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "orders-report.csv"
    path.write_text("\n".join(line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1] for line in lines) + "\n",
                    encoding="utf-8")  # the Net sales column removed
    with pytest.raises(FileImportError) as refused:
        import_file(engine, None, path, actor=ADMIN)
    message = str(refused.value)
    assert "orders-report.csv looks like a WooCommerce Analytics orders report but has no column “Net sales” " \
           "(needed for orders)" in message
    assert "Its header is line 1." in message
    assert _everything(engine) == before


def test_woocommerce_plugin_export_week_kpis_by_hand(engine, tmp_path):
    import_file(engine, None, _copy("woocommerce_order_export.csv", tmp_path), actor=ADMIN)
    values = _kpis(engine, ORDER_KPIS)
    expected = {
        # 7301 54.90 + 7302 (120.00 - 20.00 refunded) + 7304 75.50 + 7306 60.00 + 7307 25.00 = 315.40;
        # 7303 (pending) and 7305 (cancelled) are not sales
        "sell.revenue": 315.40,
        "sell.orders": 5,
        "sell.aov": 315.40 / 5,
        # olivia@ (7301), paul@ (7302, a guest: customer_id 0), "15" (7304, no e-mail), order:7307 (neither);
        # 7306 is olivia's second
        "sell.new_customers": 4,
        "serve.repeat_order_rate": 1 / 5,
    }
    for kpi, value in expected.items():
        assert values[kpi] == (pytest.approx(value), None), kpi
    customers = {k: o["customer_id"] for k, o in _orders(engine).items()}
    assert customers == {"7301": "olivia@example.com", "7302": "paul@example.com", "7304": "15",
                         "7306": "olivia@example.com", "7307": "order:7307"}


# --- Mailchimp -----------------------------------------------------------------------------------------------------

def test_mailchimp_campaigns_dated_on_their_send_day_with_the_weeks_rates(engine, tmp_path):
    import_file(engine, None, _copy("mailchimp_campaigns.csv", tmp_path), actor=ADMIN)
    e = schema.email_campaigns
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(
            select(e.c.date, e.c.campaign, e.c.sent, e.c.delivered, e.c.bounces, e.c.unique_opens, e.c.unique_clicks,
                   e.c.unsubscribes).order_by(e.c.date))]
    assert rows == [
        # "Nov 10, 2026 09:30 am"; "2,000" read as 2000; Total Bounces 40 = 25 soft + 15 hard (= 2000 - 1960)
        (date(2026, 11, 10), "Autumn newsletter", 2000, 1960, 40, 784, 98, 6),
        # "Nov 13, 2026 05:00 pm": the afternoon stays on the 13th; its n/a cells (Total Orders …) are not read
        (date(2026, 11, 13), "Weekend sale", 1500, 1480, 20, 518, 74, 4),
    ]
    values = _kpis(engine, EMAIL_KPIS)
    # unique opens / delivered = (784 + 518) / (1960 + 1480) = 1302 / 3440; clicks (98 + 74) / 3440 = 172 / 3440
    assert values["speak.email_open_rate"][0] == pytest.approx(1302 / 3440)
    assert values["speak.email_click_rate"][0] == pytest.approx(172 / 3440)
    # the export lists every campaign sent until it was downloaded: complete through the day before the file was
    # saved (this checkout, after W46), so the week is whole although its last send was on the 13th
    assert values["speak.email_open_rate"][1] is None


def test_a_mailchimp_export_is_complete_through_the_day_before_it_was_downloaded(engine, tmp_path):
    import os
    from datetime import datetime

    path = _copy("mailchimp_campaigns.csv", tmp_path)
    saved = datetime(2026, 11, 14, 9, 0).timestamp()  # downloaded on Saturday morning
    os.utime(path, (saved, saved))
    import_file(engine, None, path, actor=ADMIN)
    values = _kpis(engine, EMAIL_KPIS)
    # complete through Friday 13th: Saturday and Sunday are unknown, not "no e-mails"
    assert values["speak.email_open_rate"][1] == "email campaigns data ends 2026-11-13 (2 of 7 days missing)"


def test_a_mailchimp_send_date_that_cannot_be_read_is_refused_naming_line_and_column(engine, tmp_path):
    import_file(engine, None, _copy("mailchimp_campaigns.csv", tmp_path), actor=ADMIN)
    before = _everything(engine)
    text = (EXPORTS / "mailchimp_campaigns.csv").read_text(encoding="utf-8")
    path = tmp_path / "campaigns.csv"
    path.write_text(text.replace('"Nov 13, 2026 05:00 pm"', "13/11/2026 17:00").replace("Autumn", "Late autumn"),
                    encoding="utf-8")
    with pytest.raises(FileImportError) as refused:
        import_file(engine, None, path, actor=ADMIN)
    message = str(refused.value)
    assert message.startswith("campaigns.csv (read as a Mailchimp campaigns export) was not imported")
    assert "line 3, column “Send Date”: “13/11/2026 17:00”, expected a send date such as Nov 10, 2026 09:30 am" \
        in message
    assert _everything(engine) == before  # the first row's new title was not loaded either


def test_an_untitled_mailchimp_campaign_is_named_by_its_subject(engine, tmp_path):
    text = (EXPORTS / "mailchimp_campaigns.csv").read_text(encoding="utf-8").replace("Weekend sale,", ",", 1)
    path = tmp_path / "campaigns.csv"
    path.write_text(text, encoding="utf-8")
    import_file(engine, None, path, actor=ADMIN)
    with engine.connect() as conn:
        names = sorted(conn.execute(select(schema.email_campaigns.c.campaign)).scalars())
    assert names == ["48 hours: 15% off everything", "Autumn newsletter"]


def test_the_woocommerce_analytics_emailed_export_is_read_too(engine, tmp_path):
    """A large Analytics report is e-mailed: its columns add "N. Revenue (formatted)" and spell "Net Sales"."""
    path = tmp_path / "wc-orders-report-export.csv"
    path.write_text(
        "Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales,"
        "Attribution\n"
        '2026-11-09T08:12:45,5101,"€48,00",completed,Grace Example,new,1× Linen Apron,1,,48,Organic: Google\n'
        '2026-11-10T09:00:00,5102,"€10,00",pending,Henry Example,returning,1× Tea Towel Set,1,,10,Direct\n',
        encoding="utf-8")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.summary() == ("wc-orders-report-export.csv: WooCommerce Analytics orders report → orders: 1 orders "
                                "(1 pending skipped); 1 new, 0 updated, 0 unchanged")
    order = _orders(engine)["5101"]
    assert (order["revenue"], order["channel"], order["ordered_at"]) == (48.0, "Organic Search",
                                                                        datetime(2026, 11, 9, 8, 12, 45))
