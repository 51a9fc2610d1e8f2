"""The common load path: idempotent, atomic, logged, and it keeps the orders rollup right."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

import connectors.loader as loader
from connectors.loader import load
from metrics.engine import compute
from tests.conftest import content_hash
from tests.fixtures import FRAMES, WEEK, load_fixture
from warehouse import schema


def _runs(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(schema.sync_runs).order_by(schema.sync_runs.c.id)).mappings().all()


def test_loading_the_same_data_twice_changes_nothing(engine):
    load_fixture(engine)
    before = content_hash(engine)
    for kind, frame in FRAMES.items():
        result = load(engine, kind, frame, source="test")
        assert (result.inserted, result.updated, result.unchanged) == (0, 0, len(frame)), kind
    assert content_hash(engine) == before
    assert all(run["status"] == "success" for run in _runs(engine))


def test_a_corrected_row_is_updated_and_the_rollup_follows(engine):
    load_fixture(engine)
    corrected = FRAMES["orders"].copy()
    corrected.loc[corrected.order_id == "o5", "revenue"] = 100.0
    result = load(engine, "orders", corrected, source="test")
    assert (result.inserted, result.updated) == (0, 1)
    revenue = compute(engine, ["sell.revenue"], *WEEK)["value"].iloc[0]
    assert revenue == pytest.approx(320.0)  # 280 + 40


def test_an_earlier_order_makes_a_later_first_order_a_repeat(engine):
    load_fixture(engine)
    earlier = pd.DataFrame([("o0", datetime(2026, 9, 1, 8, 0), "c3", 10.0, 0.0, "Direct", "(direct)")],
                           columns=FRAMES["orders"].columns)
    load(engine, "orders", earlier, source="test")
    frame = compute(engine, ["sell.new_customers", "serve.repeat_order_rate"], *WEEK).set_index("kpi_id")
    assert frame.at["sell.new_customers", "value"] == 1  # only c2 now
    assert frame.at["serve.repeat_order_rate", "value"] == pytest.approx(3 / 4)


def test_a_load_refused_by_the_database_leaves_the_warehouse_as_it_was_and_is_logged(engine):
    load_fixture(engine)
    before = content_hash(engine)
    bad = FRAMES["orders"].copy()
    bad.loc[len(bad)] = ["o9", datetime(2026, 11, 6), None, 10.0, 0.0, "Direct", "(direct)"]  # no customer
    bad.loc[bad.order_id == "o2", "revenue"] = 999.0  # a valid change in the same load must not land
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        load(engine, "orders", bad, source="test")
    assert content_hash(engine) == before
    last = _runs(engine)[-1]
    assert last["status"] == "failed" and "orders" in last["error"]


def _orders(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FRAMES["orders"].columns)


def test_a_load_failing_after_it_wrote_rows_changes_nothing(engine, monkeypatch):
    """A multi-chunk load whose LAST chunk holds a row the orders table refuses (revenue NOT NULL): by then the
    load has replaced a changed order and re-flagged a customer's first order inside its transaction."""
    load_fixture(engine)
    before, revenue_before = content_hash(engine), compute(engine, ["sell.revenue"], *WEEK)["value"].iloc[0]
    chunks = [
        _orders([("o2", datetime(2026, 11, 2, 10, 0), "c1", 999.0, 0.0, "Organic Search", "(organic)"),  # changed
                 ("o6", datetime(2026, 10, 1, 9, 0), "c3", 25.0, 0.0, "Direct", "(direct)")]),  # c3's new first order
        _orders([("o7", datetime(2026, 11, 7, 9, 0), "c4", 30.0, 0.0, "Direct", "(direct)")]),
        _orders([("o8", datetime(2026, 11, 8, 9, 0), "c5", None, 0.0, "Direct", "(direct)")]),  # refused: no revenue
    ]
    seen_in_transaction = {}
    apply = loader.apply_stage

    def watched_apply(conn, *args, **kwargs):
        def after_delete(conn_, cursor, statement, *_):  # what the transaction has written before the refusal
            if statement.lstrip().upper().startswith("DELETE FROM ORDERS") and "o2" not in seen_in_transaction:
                raw = conn_.connection.dbapi_connection.cursor()  # same transaction (PostgreSQL aborts it later)
                raw.execute("SELECT count(*) FROM orders WHERE order_id = 'o2'")
                seen_in_transaction["o2"] = raw.fetchone()[0]
                raw.close()

        event.listen(conn, "after_cursor_execute", after_delete)
        try:
            apply(conn, *args, **kwargs)
        finally:
            event.remove(conn, "after_cursor_execute", after_delete)

    monkeypatch.setattr(loader, "apply_stage", watched_apply)
    with pytest.raises(IntegrityError, match="revenue"):
        load(engine, "orders", iter(chunks), source="test")
    assert seen_in_transaction == {"o2": 0}  # the changed o2 had already been deleted for its replacement
    assert content_hash(engine) == before
    assert compute(engine, ["sell.revenue"], *WEEK)["value"].iloc[0] == revenue_before == 280.0
    last = _runs(engine)[-1]
    assert last["status"] == "failed" and last["error"].startswith("orders: ") and "revenue" in last["error"]
    # the same chunks without the refused row load, and change what they should: o2 80 -> 999, o7 30 in the week
    result = load(engine, "orders", iter(chunks[:2]), source="test")
    assert (result.inserted, result.updated) == (2, 1)
    assert compute(engine, ["sell.revenue"], *WEEK)["value"].iloc[0] == pytest.approx(280 - 80 + 999 + 30)


def test_every_load_is_in_the_sync_log(engine):
    load_fixture(engine)
    runs = _runs(engine)
    assert len(runs) == len(FRAMES)
    orders_run = next(r for r in runs if r["detail"].startswith("orders"))
    assert orders_run["rows_inserted"] == 5 and orders_run["finished_at"] >= orders_run["started_at"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.orders_daily)).scalar() == 5
