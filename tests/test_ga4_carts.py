"""GA4 sync of the funnel's cart steps: ``addToCarts`` and ``checkouts`` into web_traffic.add_to_carts/checkouts,
with the real google-analytics-data client against the fake GA4 server. A property that never sends the
add_to_cart / begin_checkout events (GA4 then answers 0 on every row) keeps them unknown (NULL), not 0."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select

from connectors.ga4 import Ga4Settings, sync
from connectors.ga4_api import MAX_METRICS
from tests.actors import ADMIN
from tests.fake_ga4 import FakeGA4, sample_rows
from warehouse import schema

WEEK = (date(2026, 1, 5), date(2026, 1, 11))


def _config(fake: FakeGA4) -> Ga4Settings:
    return replace(Ga4Settings(property_id="123", endpoint=fake.url, retry_initial=0.01, retry_deadline=5))


def _carts(engine) -> dict[tuple, tuple]:
    w = schema.web_traffic
    with engine.connect() as conn:
        return {(r.date, r.campaign): (r.sessions, r.add_to_carts, r.checkouts)
                for r in conn.execute(select(w.c.date, w.c.campaign, w.c.sessions, w.c.add_to_carts, w.c.checkouts))}


def _day(row: dict) -> date:
    return datetime.strptime(row["date"], "%Y%m%d").date()


def test_add_to_carts_and_checkouts_arrive_in_the_ten_metric_traffic_report(engine):
    with FakeGA4(sample_rows(*WEEK)) as fake:
        sync(engine, _config(fake), *WEEK, actor=ADMIN)
    traffic = [r for r in fake.requests if {"name": "transactionId"} not in r.get("dimensions", [])]
    metrics = [m["name"] for m in traffic[0]["metrics"]]
    assert {"addToCarts", "checkouts"} <= set(metrics) and len(metrics) == MAX_METRICS == 10  # GA4's limit
    held = _carts(engine)
    assert len(held) == 7 * 4
    for row in fake.rows:
        # sample_rows: add-to-carts = sessions * 8 // 100, checkouts = sessions * 3 // 100
        sessions = row["sessions"]
        assert held[(_day(row), row["sessionCampaignName"])] == (sessions, sessions * 8 // 100, sessions * 3 // 100)
    # e.g. 6 Jan (d = 1) Organic Search: sessions 100 + 37 * 0 + 13 % 50 = 113 -> 113 * 8 // 100 = 9, 113 * 3 // 100 = 3
    assert held[(date(2026, 1, 6), "(organic)")] == (113, 9, 3)


def test_a_property_that_sends_no_cart_events_keeps_them_unknown_not_zero(engine):
    rows = sample_rows(*WEEK)
    for row in rows:  # no add_to_cart nor begin_checkout events: GA4 answers 0 for both on every row
        del row["addToCarts"], row["checkouts"]
    with FakeGA4(rows) as fake:
        result = sync(engine, _config(fake), *WEEK, actor=ADMIN)
    assert result.inserted == 28
    held = _carts(engine)
    assert {(carts, checkouts) for _, carts, checkouts in held.values()} == {(None, None)}
    assert all(sessions > 0 for sessions, _, _ in held.values())  # the other metrics loaded as usual


def test_a_property_with_add_to_carts_but_no_checkouts_keeps_its_real_zeros(engine):
    rows = sample_rows(*WEEK)
    for row in rows:
        del row["checkouts"]  # begin_checkout is not sent
        if row["sessionDefaultChannelGroup"] == "Direct":
            row["addToCarts"] = 0  # sent, but none on Direct: a real 0 (other rows have add-to-carts)
    with FakeGA4(rows) as fake:
        sync(engine, _config(fake), *WEEK, actor=ADMIN)
    held = _carts(engine)
    assert {checkouts for _, _, checkouts in held.values()} == {None}
    assert {carts for (_, campaign), (_, carts, _) in held.items() if campaign == "(direct)"} == {0}
    assert held[(date(2026, 1, 6), "(organic)")][1] == 9  # 113 sessions * 8 // 100


def test_the_fake_refuses_more_than_ten_metrics_like_ga4(engine):
    import requests

    with FakeGA4(sample_rows(*WEEK)) as fake:
        body = {"metrics": [{"name": "sessions"}] * 11, "dateRanges": [{"startDate": "2026-01-05",
                                                                        "endDate": "2026-01-11"}]}
        answer = requests.post(f"{fake.url}/v1beta/properties/123:runReport", json=body, timeout=10)
    assert answer.status_code == 400 and "at most 10" in answer.json()["error"]["message"]

