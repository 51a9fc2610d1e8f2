"""One snapshot per page or report: a load that commits between two of the scorecard's queries is not seen.

The hand-made shop's week 2026-W45 (tests/fixtures.py) before the load: revenue 280 (80 + 120 + 40 + 60 - 20
refunded), 4 orders, ad cost 120 (50 + 40 + 30), ROAS 280 / 120. The load adds two orders (100 + 20) and 80 of
ad cost in that week: revenue 400, 6 orders, ad cost 200, ROAS 2.0.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import event, text

from connectors.loader import load
from metrics.periods import parse_period
from metrics.scorecard import scorecard
from tests.fixtures import FRAMES, load_fixture
from warehouse.snapshot import SnapshotWriteError, read_snapshot

WEEK = parse_period("2026-W45")
TODAY = date(2026, 11, 20)
KPIS = ["sell.revenue", "sell.orders", "save.marketing_cost", "save.roas"]
BEFORE = {"sell.revenue": 280.0, "sell.orders": 4.0, "save.marketing_cost": 120.0, "save.roas": 280 / 120}
AFTER = {"sell.revenue": 400.0, "sell.orders": 6.0, "save.marketing_cost": 200.0, "save.roas": 2.0}
NEW_ORDERS = pd.DataFrame([("n1", datetime(2026, 11, 4, 15, 0), "c9", 100.0, 0.0, "Paid Search", "brand"),
                           ("n2", datetime(2026, 11, 6, 16, 0), "c8", 20.0, 0.0, "Direct", "(direct)")],
                          columns=FRAMES["orders"].columns)
NEW_ADS = pd.DataFrame([(date(2026, 11, 4), "google_ads", "brand", "Paid Search", 500, 20, 80.0)],
                       columns=FRAMES["ad_spend"].columns)
FACT_TABLES = ("orders", "ad_spend")


def _figures(items) -> dict[str, float]:
    return {i.id: pytest.approx(i.value) for i in items}


def _load_during_first_fact_query(engine) -> list[str]:
    """Once, right after the first query that reads figures from orders or ad spend, load new orders and ad
    spend in another thread (two committed loads through the real load path) and wait for them. Returns the
    log of statements seen, with a marker where the loads committed."""
    log: list[str] = []
    fired = threading.Event()
    loader_thread: list[threading.Thread] = []

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread() in loader_thread:
            return
        log.append(statement)
        reads_figures = any(f" {t}" in statement.lower() for t in FACT_TABLES) and "union" not in statement.lower()
        if fired.is_set() or not reads_figures:  # (the UNION is the complete-through look-up over every source)
            return
        fired.set()

        def run() -> None:
            load(engine, "orders", NEW_ORDERS, source="mid-render")
            load(engine, "ad_spend", NEW_ADS, source="mid-render")

        worker = threading.Thread(target=run)
        loader_thread.append(worker)
        worker.start()
        worker.join(timeout=60)
        assert not worker.is_alive()
        log.append("-- loads committed --")

    event.listen(engine, "after_cursor_execute", after_execute)
    return log


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    assert _figures(scorecard(engine, WEEK, kpi_ids=KPIS, today=TODAY)) == BEFORE
    return engine


def test_a_load_committing_mid_scorecard_is_not_seen(shop):
    log = _load_during_first_fact_query(shop)
    items = scorecard(shop, WEEK, kpi_ids=KPIS, today=TODAY)
    committed = log.index("-- loads committed --")
    assert sum(" orders" in s.lower() or " ad_spend" in s.lower() for s in log[committed:]) >= 2  # read after it
    assert _figures(items) == BEFORE  # revenue, orders, cost and ROAS all from before the load
    assert _figures(scorecard(shop, WEEK, kpi_ids=KPIS, today=TODAY)) == AFTER  # the next render sees it all


def test_without_the_snapshot_the_same_render_mixes_before_and_after(shop):
    """The control: the scorecard's body run without a snapshot reads the load half way through."""
    _load_during_first_fact_query(shop)
    items = scorecard.__wrapped__(shop, WEEK, kpi_ids=KPIS, today=TODAY)
    values = {i.id: i.value for i in items}
    assert _figures(items) != BEFORE and _figures(items) != AFTER
    # the ad cost was read after the load, the orders before it (or the other way round): a ROAS of neither
    assert values["save.roas"] not in (pytest.approx(BEFORE["save.roas"]), pytest.approx(AFTER["save.roas"]))


def test_a_snapshot_is_read_only_and_nested_use_shares_it(engine):
    with read_snapshot(engine) as db:
        with pytest.raises(SnapshotWriteError):
            db.begin()
        with db.connect() as conn, pytest.raises(SnapshotWriteError):
            conn.commit()
        with read_snapshot(engine) as inner, read_snapshot(db) as same:
            assert inner is db and same is db
        assert db.url == engine.url and db.dialect.name == engine.dialect.name
        with db.connect() as conn:  # leaving a `with db.connect()` block does not end the snapshot
            count = conn.execute(text("SELECT count(*) FROM orders")).scalar()
        load(engine, "orders", NEW_ORDERS, source="meanwhile")  # writes go through the engine
        with db.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == count == 0
    with read_snapshot(engine) as db, db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM orders")).scalar() == 2


def test_a_page_shows_one_state_of_the_warehouse_when_a_load_lands_mid_render(shop, monkeypatch):
    """The overview's run reads one snapshot: its data version (the cache key) and its figures are from
    before a load that commits after the page's first query of orders or ad spend; the next run shows after."""
    import streamlit as st

    from tests.conftest import page_app
    from warehouse.db import get_engine

    url = shop.url.render_as_string(hide_password=False)
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    # The app's engine is cached per URL in the process (get_engine, st.cache_resource) and so is its data
    # (st.cache_data, keyed by data version): on a shared PostgreSQL test server the URL, and the versions,
    # repeat across tests. Start from empty caches so the engine hooked here is the one the page uses.
    get_engine.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    _load_during_first_fact_query(get_engine(url))
    app = page_app("overview", grain="week", period="2026-W45", view="cards").run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert (shown["Revenue"], shown["Orders"], shown["Marketing cost"], shown["ROAS"]) == (
        "$280.00", "4", "$120.00", "2.33×")
    app.run()
    shown = {m.label: m.value for m in app.metric}
    assert (shown["Revenue"], shown["Orders"], shown["Marketing cost"], shown["ROAS"]) == (
        "$400.00", "6", "$200.00", "2.00×")
