"""Orders attributed to channels through GA4 purchases (connectors.attribution), both ways: the real GA4 client
syncs from the fake server before or after the orders file is imported. Hand-made shop over W44-W45 2026.

Orders (the file): '998' (W44) and '#1001', '1002', '1004', '1005' (W45) have no channel; '1003' has its own
(Paid Social / prospecting). GA4's purchases: '998', '1001', '1002' twice (Email 30 / Organic Search 50: the larger
revenue wins), '1003' (Direct: ignored, the order has its own channel), '1005' twice with equal revenue
(Email as '#1005' / Paid Search as '1005': the channel first by name wins), '9999' (no such order), and two rows
without a transaction id (not stored). '1004' is an order GA4 never saw.
"""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from connectors.files import import_file
from connectors.ga4 import Ga4Error, Ga4Settings, make_client, sync
from connectors.ga4_api import canonical_transactions, run_pages
from metrics import campaigns
from metrics.attribution import attribution
from metrics.engine import Filters, compute
from metrics.periods import parse_period
from tests.actors import ADMIN
from tests.conftest import ROOT, content_hash
from tests.fake_ga4 import FakeGA4, sample_rows
from warehouse import schema

W44, W45 = parse_period("2026-W44"), parse_period("2026-W45")  # Mon 26 Oct - Sun 1 Nov, Mon 2 - Sun 8 Nov 2026
TODAY = date(2026, 11, 24)
ORDERS_CSV = """order_id,ordered_at,customer_id,revenue,refunded,channel,campaign
998,2026-10-30 15:00:00,c1,25.00,0,,
#1001,2026-11-02 10:00:00,c1,100.00,0,,
1002,2026-11-03 11:00:00,c2,50.00,10.00,,
1003,2026-11-04 12:00:00,c1,80.00,0,Paid Social,prospecting
1004,2026-11-05 09:00:00,c3,70.00,0,,
1005,2026-11-06 16:30:00,c4,60.00,0,,
"""


def _purchase(day: str, transaction: str, channel: str, source_medium: str, campaign: str, revenue: float) -> dict:
    return {"date": day, "transactionId": transaction, "sessionDefaultChannelGroup": channel,
            "sessionSourceMedium": source_medium, "sessionCampaignName": campaign, "ecommercePurchases": 1,
            "purchaseRevenue": revenue}


def _transactions() -> list[dict]:
    return [
        _purchase("20261030", "998", "Organic Search", "google / organic", "(organic)", 25.0),
        _purchase("20261102", "1001", "Paid Search", "google / cpc", "brand_search", 100.0),
        _purchase("20261103", "1002", "Email", "newsletter / email", "newsletter_weekly", 30.0),
        _purchase("20261103", "1002", "Organic Search", "google / organic", "(not set)", 50.0),
        _purchase("20261104", "1003", "Direct", "(direct) / (none)", "(direct)", 80.0),
        _purchase("20261105", "9999", "Paid Search", "google / cpc", "brand_search", 45.0),
        _purchase("20261105", "(not set)", "Direct", "(direct) / (none)", "(direct)", 20.0),
        _purchase("20261106", "", "Direct", "(direct) / (none)", "(direct)", 15.0),
        _purchase("20261106", "1005", "Paid Search", "google / cpc", "brand_search", 60.0),
        _purchase("20261106", "#1005", "Email", "newsletter / email", "newsletter_weekly", 60.0),
    ]


# (order_id, channel, campaign, ga4_attributed) once attributed, whichever came first
ATTRIBUTED = {
    ("998", "Organic Search", "(organic)", True),
    ("#1001", "Paid Search", "brand_search", True),  # '#1001' matched by transaction '1001'
    ("1002", "Organic Search", "(not set)", True),  # revenue 50 > 30; GA4's "(not set)" campaign stays
    ("1003", "Paid Social", "prospecting", False),  # its own channel: GA4's Direct never overwrites it
    ("1004", "(unattributed)", "(not set)", False),  # GA4 never saw it
    ("1005", "Email", "newsletter_weekly", True),  # 60 = 60: Email before Paid Search
}
# orders_daily: (date, channel, campaign, orders, revenue net of refunds)
ROLLUP = {
    (date(2026, 10, 30), "Organic Search", "(organic)", 1, 25.0),
    (date(2026, 11, 2), "Paid Search", "brand_search", 1, 100.0),
    (date(2026, 11, 3), "Organic Search", "(not set)", 1, 40.0),  # 50 - 10 refunded
    (date(2026, 11, 4), "Paid Social", "prospecting", 1, 80.0),
    (date(2026, 11, 5), "(unattributed)", "(not set)", 1, 70.0),
    (date(2026, 11, 6), "Email", "newsletter_weekly", 1, 60.0),
}
TOTALS = {  # all channels: W44 = order 998 (c1's first); W45 = 100 + 40 + 80 + 70 + 60, new: c2, c3, c4
    (W44.start, "sell.orders"): 1, (W44.start, "sell.revenue"): 25.0, (W44.start, "sell.new_customers"): 1,
    (W45.start, "sell.orders"): 5, (W45.start, "sell.revenue"): 350.0, (W45.start, "sell.new_customers"): 3,
}


@pytest.fixture
def fake():
    with FakeGA4(sample_rows(W44.start, W45.end), transactions=_transactions()) as server:
        yield server


@pytest.fixture
def orders_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return path


def _config(fake: FakeGA4) -> Ga4Settings:
    return Ga4Settings(property_id="123", endpoint=fake.url, retry_initial=0.01, retry_deadline=5)


def _sync(engine, fake: FakeGA4):
    return sync(engine, _config(fake), W44.start, W45.end, actor=ADMIN)


def _orders(engine) -> set[tuple]:
    o = schema.orders
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(o.c.order_id, o.c.channel, o.c.campaign, o.c.ga4_attributed))}


def _rollup(engine) -> set[tuple]:
    d = schema.orders_daily
    with engine.connect() as conn:
        return {(r.date, r.channel, r.campaign, r.orders, r.revenue) for r in conn.execute(select(d))}


def _totals(engine) -> dict:
    frame = compute(engine, ["sell.orders", "sell.revenue", "sell.new_customers"], W44.start, W45.end, "week")
    return {(r.period_start, r.kpi_id): r.value for r in frame.itertuples()}


def test_purchases_by_transaction_id_are_stored_without_empty_ids_keyed_without_the_hash(engine, fake):
    result = _sync(engine, fake)
    t = schema.ga4_transactions
    with engine.connect() as conn:
        stored = {(r.date, r.transaction_id, r.order_key, r.channel, r.campaign, r.purchases, r.purchase_revenue)
                  for r in conn.execute(select(t))}
    assert len(stored) == 8 and result.transactions == 8  # 10 rows, minus '(not set)' and ''
    assert (date(2026, 11, 6), "#1005", "1005", "Email", "newsletter_weekly", 1, 60.0) in stored
    assert not {s for s in stored if s[1] in ("", "(not set)")}
    purchases = [r for r in fake.requests if {"name": "transactionId"} in r["dimensions"]]
    assert len(purchases) == 1
    assert [d["name"] for d in purchases[0]["dimensions"]] == [
        "date", "transactionId", "sessionDefaultChannelGroup", "sessionSourceMedium", "sessionCampaignName"]
    assert [m["name"] for m in purchases[0]["metrics"]] == ["ecommercePurchases", "purchaseRevenue"]
    assert purchases[0]["dateRanges"] == [{"startDate": "2026-10-26", "endDate": "2026-11-08"}]
    assert "8 purchases by transaction id, 0 orders given their channel; 2 API requests" in result.summary()


def test_orders_imported_after_the_sync_take_their_channel_and_a_reimport_changes_nothing(engine, fake, orders_file):
    _sync(engine, fake)
    first = import_file(engine, "orders", orders_file, actor=ADMIN)
    assert (first.inserted, first.updated, first.unchanged) == (6, 0, 0)
    assert _orders(engine) == ATTRIBUTED
    assert _rollup(engine) == ROLLUP
    assert _totals(engine) == TOTALS
    before = content_hash(engine)
    again = import_file(engine, "orders", orders_file, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    assert content_hash(engine) == before


def test_a_sync_after_the_orders_attributes_them_keeps_totals_and_twice_changes_nothing(engine, fake, orders_file):
    import_file(engine, "orders", orders_file, actor=ADMIN)
    totals = _totals(engine)
    assert totals == TOTALS
    assert ("1002", "(unattributed)", "(not set)", False) in _orders(engine)
    result = _sync(engine, fake)
    assert result.attributed == 4  # 998, #1001, 1002, 1005
    assert _orders(engine) == ATTRIBUTED
    assert _rollup(engine) == ROLLUP
    assert _totals(engine) == totals  # attribution moves orders between channels, never changes the totals
    before = content_hash(engine)
    assert _sync(engine, fake).attributed == 0
    assert content_hash(engine) == before
    again = import_file(engine, "orders", orders_file, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)


def test_restated_purchases_move_the_orders_and_a_purchase_gone_leaves_its_order_unattributed(engine, fake,
                                                                                               orders_file):
    import_file(engine, "orders", orders_file, actor=ADMIN)
    _sync(engine, fake)
    fake.transactions = [r for r in fake.transactions if r["transactionId"] != "1002"]
    fake.transactions[1] = _purchase("20261102", "1001", "Email", "newsletter / email", "winback", 100.0)
    fake.transactions[2] = _purchase("20261104", "1003", "Paid Search", "google / cpc", "brand_search", 999.0)
    result = sync(engine, _config(fake), date(2026, 11, 2), date(2026, 11, 8), actor=ADMIN)
    assert result.attributed == 2
    orders = {r[0]: r[1:] for r in _orders(engine)}
    assert orders["#1001"] == ("Email", "winback", True)  # GA4 restated its channel
    assert orders["1002"] == ("(unattributed)", "(not set)", False)  # GA4 no longer reports it
    assert orders["1003"] == ("Paid Social", "prospecting", False)  # its own channel, whatever GA4 says
    rollup = _rollup(engine)
    assert (date(2026, 11, 2), "Email", "winback", 1, 100.0) in rollup
    assert (date(2026, 11, 3), "(unattributed)", "(not set)", 1, 40.0) in rollup
    assert _totals(engine) == TOTALS


def test_the_campaigns_drill_down_shows_the_orders_under_their_ga4_channel_and_campaign(engine, fake, orders_file):
    _sync(engine, fake)
    import_file(engine, "orders", orders_file, actor=ADMIN)
    rows = {r["member"]: r for r in campaigns.performance(engine, W45, "channel", today=TODAY).to_dict("records")}
    # W45: Paid Search #1001 100; Paid Social 1003 80; (unattributed) 1004 70; Email 1005 60; Organic 1002 50 - 10
    expected = {"Paid Search": (1, 100.0), "Paid Social": (1, 80.0), "(unattributed)": (1, 70.0), "Email": (1, 60.0),
                "Organic Search": (1, 40.0), campaigns.TOTAL: (5, 350.0)}
    assert {m: (rows[m]["orders"], rows[m]["revenue"]) for m in expected} == expected
    paid = campaigns.performance(engine, W45, "campaign", Filters("Paid Search"), today=TODAY)
    assert paid.set_index("member").at["brand_search", "revenue"] == 100.0
    email = campaigns.performance(engine, W45, "campaign", Filters("Email"), today=TODAY)
    assert email.set_index("member").at["newsletter_weekly", "revenue"] == 60.0


def test_the_attribution_figures_by_hand(engine, fake, orders_file):
    import_file(engine, "orders", orders_file, actor=ADMIN)
    assert attribution(engine).start is None  # no GA4 purchases yet
    _sync(engine, fake)
    found = attribution(engine)
    assert (found.start, found.end) == (date(2026, 10, 30), date(2026, 11, 6))  # the days of GA4's purchases
    # 6 orders, 375 revenue (25 + 100 + 40 + 80 + 70 + 60); from GA4: 998, #1001, 1002, 1005 = 25 + 100 + 40 + 60
    assert (found.orders, found.revenue, found.attributed_orders, found.attributed_revenue) == (6, 375.0, 4, 225.0)
    assert found.order_share == pytest.approx(4 / 6) and found.revenue_share == pytest.approx(225 / 375)
    assert (found.own_orders, found.unattributed_orders) == (1, 1)  # 1003; 1004
    assert (found.ga4_purchases, found.ga4_unmatched) == (6, 1)  # 998 1001 1002 1003 1005 9999; 9999
    table = found.channels.set_index("channel")
    # GA4: Paid Search 1001 100 + 9999 45 + 1005 60; Email 1002 30 + #1005 60; Organic 998 25 + 1002 50; Direct 80
    assert table.loc[:, ["orders", "ga4_orders", "revenue", "ga4_purchases", "ga4_revenue"]].fillna(-1).to_dict(
        "index") == {
        "Paid Search": dict(orders=1, ga4_orders=1, revenue=100.0, ga4_purchases=3, ga4_revenue=205.0),
        "Paid Social": dict(orders=1, ga4_orders=0, revenue=80.0, ga4_purchases=0, ga4_revenue=-1),
        "(unattributed)": dict(orders=1, ga4_orders=0, revenue=70.0, ga4_purchases=0, ga4_revenue=-1),
        "Organic Search": dict(orders=2, ga4_orders=2, revenue=65.0, ga4_purchases=2, ga4_revenue=75.0),
        "Email": dict(orders=1, ga4_orders=1, revenue=60.0, ga4_purchases=2, ga4_revenue=90.0),
        "Direct": dict(orders=0, ga4_orders=0, revenue=-1, ga4_purchases=1, ga4_revenue=80.0),
    }
    assert list(table.index) == ["Paid Search", "Paid Social", "(unattributed)", "Organic Search", "Email", "Direct"]


def test_the_fake_server_refuses_an_unknown_dimension_like_ga4(engine, fake):
    config = _config(fake)
    with pytest.raises(Ga4Error, match=r"HTTP 400: Field transactionID is not a valid dimension"):
        run_pages(make_client(config), config, W45.start, W45.end, {"transactionID": "x"}, {"purchaseRevenue": "y"})
    with pytest.raises(Ga4Error, match=r"HTTP 400: Field purchases is not a valid metric"):
        run_pages(make_client(config), config, W45.start, W45.end, {"date": "x"}, {"purchases": "y"})


def test_no_purchase_rows_make_an_empty_frame_of_the_table_columns():
    frame = canonical_transactions([["20261102", "(not set)", "Direct", "(direct) / (none)", "(direct)", "1", "5"]])
    assert frame.empty and list(frame.columns) == [c.name for c in schema.ga4_transactions.columns]


def test_the_data_sources_page_shows_the_attribution_section(engine, fake, orders_file, monkeypatch, tmp_path):
    for name in ("GA4_PROPERTY_ID", "GA4_API_ENDPOINT", "GOOGLE_APPLICATION_CREDENTIALS", "GA4_INITIAL_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "data_sources.py"), default_timeout=60).run()
    assert not app.exception
    assert any(i.value.startswith("No GA4 purchases by transaction id synced yet") for i in app.info)
    import_file(engine, "orders", orders_file, actor=ADMIN)
    _sync(engine, fake)
    app = AppTest.from_file(str(ROOT / "pages" / "data_sources.py"), default_timeout=60).run()
    assert not app.exception
    assert "Orders attributed through GA4" in [h.value for h in app.header]
    shares = {m.label: m.value for m in app.metric}
    assert shares == {"Orders attributed by GA4": "66.7%", "Revenue attributed by GA4": "60.0%"}  # 4/6, 225/375
    assert any(c.value == "1 order had a channel of its own (never changed); 1 that GA4 never saw stays "
               "(unattributed). 1 of GA4's 6 purchases matches no order in the warehouse." for c in app.caption)
    table = app.dataframe[-1].value.set_index("Channel")
    assert table.at["Paid Search", "Order revenue (net of refunds)"] == "$100.00"
    assert table.at["Paid Search", "GA4 purchase revenue"] == "$205.00"
    assert table.at["Direct", "Order revenue (net of refunds)"] == "—"



def test_a_refused_purchases_report_loads_nothing_of_its_slice(engine, fake, orders_file):
    import_file(engine, "orders", orders_file, actor=ADMIN)
    before = content_hash(engine)
    fake.fail = [None, 429]  # the traffic report is read, the purchases report of the same slice is refused
    with pytest.raises(Ga4Error, match="Nothing was loaded"):
        _sync(engine, fake)
    assert content_hash(engine) == before  # no traffic rows, no purchases, no order moved
