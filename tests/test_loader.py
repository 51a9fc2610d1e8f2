"""The common load path: idempotent, atomic, logged, and it keeps the orders rollup right."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import func, select

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


def test_a_failed_load_leaves_the_warehouse_as_it_was_and_is_logged(engine):
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


def test_every_load_is_in_the_sync_log(engine):
    load_fixture(engine)
    runs = _runs(engine)
    assert len(runs) == len(FRAMES)
    orders_run = next(r for r in runs if r["detail"].startswith("orders"))
    assert orders_run["rows_inserted"] == 5 and orders_run["finished_at"] >= orders_run["started_at"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.orders_daily)).scalar() == 5
