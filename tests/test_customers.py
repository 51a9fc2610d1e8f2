"""The customer table and the cohort activity rollup equal a computation from the raw orders, whole and after
incremental loads of every kind; a failed load changes neither; new customers' revenue in the daily rollup."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Column, MetaData, Table, select

from connectors.attribution import replace_transactions
from connectors.customers import BUCKETS, rebuild_customers
from connectors.files import FileImportError, import_file
from connectors.loader import load
from metrics.periods import bucket_starts
from tests.actors import ADMIN
from warehouse import schema
from warehouse.db import make_engine

ACT_KEY = ["bucket", "cohort_start", "acquisition_channel", "period_start"]


def _raw_orders(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.orders)).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in schema.orders.columns])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    frame["order_date"] = frame["ordered_at"].dt.date
    frame["net"] = frame["revenue"] - frame["refunded"]
    return frame


def expected_customers(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per customer from its earliest order (by time, then order id), computed without the flags."""
    first = orders.sort_values(["customer_id", "ordered_at", "order_id"]).drop_duplicates("customer_id")
    return pd.DataFrame({
        "customer_id": first["customer_id"], "first_order_id": first["order_id"],
        "first_ordered_at": first["ordered_at"], "first_order_date": first["order_date"],
        "acquisition_channel": first["channel"], "acquisition_campaign": first["campaign"],
        "returning_before": first["returning_customer"].astype(bool),
    }).sort_values("customer_id").reset_index(drop=True)


def expected_activity(orders: pd.DataFrame) -> pd.DataFrame:
    """Per bucket, cohort (period of the first order), acquisition channel and period: distinct customers with an
    order, orders, net revenue; customers whose first order says they had ordered before are left out."""
    customers = expected_customers(orders)
    customers = customers[~customers["returning_before"]]
    joined = orders.merge(customers[["customer_id", "first_order_date", "acquisition_channel"]], on="customer_id")
    parts = []
    for bucket, (grain, calendar) in BUCKETS.items():
        frame = joined.assign(cohort_start=bucket_starts(joined["first_order_date"], grain, calendar),
                              period_start=bucket_starts(joined["order_date"], grain, calendar))
        grouped = frame.groupby(["cohort_start", "acquisition_channel", "period_start"]).agg(
            active_customers=("customer_id", "nunique"), orders=("order_id", "count"), net_revenue=("net", "sum"))
        parts.append(grouped.reset_index().assign(bucket=bucket))
    return _sorted(pd.concat(parts, ignore_index=True))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[[*ACT_KEY, "active_customers", "orders", "net_revenue"]].copy()
    for c in ("cohort_start", "period_start"):
        frame[c] = pd.to_datetime(frame[c]).dt.date
    frame[["active_customers", "orders"]] = frame[["active_customers", "orders"]].astype(int)
    return frame.sort_values(ACT_KEY).reset_index(drop=True)


def stored(conn) -> tuple[pd.DataFrame, pd.DataFrame]:
    c, act = schema.customers, schema.cohort_activity
    customers = pd.DataFrame(conn.execute(select(c)).mappings().all(), columns=[x.name for x in c.columns])
    customers["first_ordered_at"] = pd.to_datetime(customers["first_ordered_at"])
    customers["returning_before"] = customers["returning_before"].astype(bool)
    activity = pd.DataFrame(conn.execute(select(act)).mappings().all(), columns=[x.name for x in act.columns])
    return customers.sort_values("customer_id").reset_index(drop=True), _sorted(activity)


def assert_exact(engine) -> None:
    """customers and cohort_activity equal the pandas computation from the raw orders, and a full rebuild."""
    orders = _raw_orders(engine)
    with engine.connect() as conn:
        customers, activity = stored(conn)
        rebuild_customers(conn)  # in the read's transaction, rolled back
        rebuilt_customers, rebuilt_activity = stored(conn)
        conn.rollback()
    pd.testing.assert_frame_equal(customers, expected_customers(orders), check_dtype=False)
    pd.testing.assert_frame_equal(activity, expected_activity(orders), check_dtype=False, rtol=1e-9)
    pd.testing.assert_frame_equal(customers, rebuilt_customers, check_dtype=False)
    pd.testing.assert_frame_equal(activity, rebuilt_activity, check_dtype=False, rtol=1e-9)
    assert (activity["active_customers"] > 0).all()


def _snapshot(engine) -> tuple:
    with engine.connect() as conn:
        return tuple(tuple(conn.execute(select(t).order_by(*t.primary_key.columns)).all())
                     for t in (schema.customers, schema.cohort_activity, schema.calendar_days, schema.orders_daily))


def _orders(ids, customers, times, revenue, channel="Email", campaign="spring", refunded=0.0, types=None):
    frame = pd.DataFrame({"order_id": ids, "ordered_at": pd.to_datetime(times), "customer_id": customers,
                          "revenue": revenue, "refunded": refunded, "channel": channel, "campaign": campaign})
    if types is not None:
        frame["customer_type"] = types
    return frame


def _history(n: int = 400, customers: int = 90, seed: int = 7) -> pd.DataFrame:
    """Random orders over 2025-2026: some customers order in several weeks and months, some skip periods."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1)
    times = [start + timedelta(minutes=int(m)) for m in rng.integers(0, 600 * 24 * 60, n)]
    return _orders([f"H{i:04d}" for i in range(n)], [f"c{int(k):03d}" for k in rng.integers(0, customers, n)],
                   times, rng.integers(10, 200, n).astype(float) + 0.25,
                   channel=rng.choice(["Email", "Paid Search", "Organic Social", ""], n),
                   campaign=rng.choice(["spring", "brand", ""], n),
                   refunded=np.where(rng.random(n) < 0.1, 5.5, 0.0),
                   types=rng.choice(["", "", "", "", "returning"], n))


def test_the_tables_equal_the_raw_orders_on_demo_data(demo_url):
    engine = make_engine(demo_url)
    try:
        assert_exact(engine)
        with engine.connect() as conn:
            assert conn.execute(select(schema.cohort_activity.c.bucket).distinct()).scalars().all() != []
            buckets = set(conn.execute(select(schema.cohort_activity.c.bucket).distinct()).scalars())
        assert buckets == set(BUCKETS)
    finally:
        engine.dispose()


def _new_customer_revenue(engine) -> tuple[pd.Series, pd.Series]:
    """(stored orders_daily.new_customer_revenue, the raw sum) by date, channel and campaign: net revenue of the
    earliest order of each customer whose first order is not marked as returning."""
    orders = _raw_orders(engine)
    first = orders.sort_values(["customer_id", "ordered_at", "order_id"]).drop_duplicates("customer_id")
    first = first[~first["returning_customer"].astype(bool)]
    raw = orders[["order_date", "channel", "campaign"]].drop_duplicates().merge(
        first.groupby(["order_date", "channel", "campaign"])["net"].sum().reset_index(), how="left").fillna(0.0)
    with engine.connect() as conn:
        daily = pd.DataFrame(conn.execute(select(schema.orders_daily.c.date, schema.orders_daily.c.channel,
                                                 schema.orders_daily.c.campaign,
                                                 schema.orders_daily.c.new_customer_revenue)).all(),
                             columns=["order_date", "channel", "campaign", "net"])
    daily["order_date"] = pd.to_datetime(daily["order_date"]).dt.date
    key = ["order_date", "channel", "campaign"]
    return daily.set_index(key)["net"].sort_index(), raw.set_index(key)["net"].sort_index()


def test_new_customer_revenue_equals_the_raw_sum_through_a_load_and_a_file_import(engine, tmp_path):
    history = _history()
    load(engine, "orders", history, source="test")  # into an empty table: loader._first_orders_load, _rebuild_rollup
    stored_sums, raw = _new_customer_revenue(engine)
    pd.testing.assert_series_equal(stored_sums, raw, check_dtype=False, rtol=1e-9)
    assert raw.sum() > 0
    # the same orders from a file into an empty warehouse: the first load's rollup from the staged sums
    with engine.begin() as conn:
        for t in (schema.orders_daily, schema.customers, schema.cohort_activity, schema.orders):
            conn.execute(t.delete())
    path = tmp_path / "orders.csv"
    history.assign(ordered_at=history["ordered_at"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(path, index=False)
    import_file(engine, "orders", path, actor=ADMIN)
    again, raw_again = _new_customer_revenue(engine)
    pd.testing.assert_series_equal(again, raw_again, check_dtype=False, rtol=1e-9)
    pd.testing.assert_series_equal(again, stored_sums, check_dtype=False, rtol=1e-9)
    assert_exact(engine)


def test_incremental_loads_keep_the_tables_equal_to_a_full_rebuild(engine, tmp_path):
    load(engine, "orders", _history(), source="test")
    assert_exact(engine)
    # new orders of new customers and of existing ones (inserts only: the new first orders are flagged alone)
    load(engine, "orders", _orders(["N1", "N2", "N3", "N4"], ["new1", "new1", "c001", "c002"],
                                   ["2026-09-01 10:00", "2026-10-15 09:00", "2026-10-20 12:00", "2026-11-02 08:00"],
                                   [50.0, 70.0, 30.0, 40.0], channel="Referral"), source="test")
    assert_exact(engine)
    with engine.connect() as conn:
        row = conn.execute(select(schema.customers).where(schema.customers.c.customer_id == "new1")).one()
    assert (row.first_order_id, row.acquisition_channel, row.first_order_date) == ("N1", "Referral", date(2026, 9, 1))
    # a changed order: another revenue, and moved to another customer
    load(engine, "orders", _orders(["N3"], ["new1"], ["2026-10-20 12:00"], [99.0], channel="Referral"),
         source="test")
    assert_exact(engine)
    # an order earlier than new1's first, through another channel: new1's acquisition channel and cohort move
    load(engine, "orders", _orders(["E1"], ["new1"], ["2024-12-30 08:00"], [12.0], channel="Display",
                                   campaign="winter"), source="test")
    assert_exact(engine)
    with engine.connect() as conn:
        row = conn.execute(select(schema.customers).where(schema.customers.c.customer_id == "new1")).one()
    assert (row.first_order_id, row.acquisition_channel, row.first_order_date) == ("E1", "Display",
                                                                                    date(2024, 12, 30))
    # a file load (connectors.files.import_file -> loader.load_staged): new, changed and unchanged rows
    path = tmp_path / "more.csv"
    path.write_text("order_id,ordered_at,customer_id,revenue,channel,campaign\n"
                    "F1,2026-11-20 10:00:00,file1,80,Email,autumn\n"
                    "F2,2026-11-21 11:00:00,c003,25,Email,autumn\n"
                    "E1,2024-12-30 08:00:00,new1,13,Display,winter\n"
                    "N1,2026-09-01 10:00:00,new1,50,Referral,spring\n")
    result = import_file(engine, "orders", path, actor=ADMIN)
    assert (result.inserted, result.updated) == (2, 1)
    assert_exact(engine)


def test_ga4_attribution_moves_a_first_orders_acquisition_channel(engine):
    load(engine, "orders", _history(), source="test")
    # g1's first order has no channel of its own; GA4 then reports its purchase under Paid Social
    load(engine, "orders", _orders(["G1", "G2"], ["g1", "g1"], ["2026-03-03 10:00", "2026-05-05 10:00"],
                                   [60.0, 45.0], channel=["", "Email"], campaign=""), source="test")
    assert_exact(engine)
    frame = pd.DataFrame([{"date": date(2026, 3, 3), "transaction_id": "G1", "order_key": "G1",
                           "channel": "Paid Social", "source_medium": "facebook / cpc", "campaign": "launch",
                           "purchases": 1, "purchase_revenue": 60.0}])
    with engine.begin() as conn:
        assert replace_transactions(conn, frame, date(2026, 3, 3), date(2026, 3, 3)) == 1
    with engine.connect() as conn:
        row = conn.execute(select(schema.customers).where(schema.customers.c.customer_id == "g1")).one()
        march = conn.execute(select(schema.cohort_activity.c.active_customers).where(
            schema.cohort_activity.c.bucket == "gregorian_month",
            schema.cohort_activity.c.acquisition_channel == "Paid Social")).scalars().all()
    assert (row.acquisition_channel, row.acquisition_campaign) == ("Paid Social", "launch")
    assert march == [1, 1]  # g1 active in its cohort month (March) and in May
    assert_exact(engine)
    # GA4 no longer reports the purchase: back to (unattributed)
    with engine.begin() as conn:
        assert replace_transactions(conn, frame.iloc[:0], date(2026, 3, 3), date(2026, 3, 3)) == 1
    assert_exact(engine)


def test_a_failed_orders_load_leaves_the_customer_tables_as_they_were(engine, tmp_path):
    load(engine, "orders", _history(), source="test")
    before = _snapshot(engine)

    def fail(conn):  # the load's last step fails after the orders and customer tables were written
        raise RuntimeError("the GA4 purchases could not be stored")

    with pytest.raises(RuntimeError):
        load(engine, "orders", _orders(["X1", "H0001"], ["x1", "x1"], ["2024-06-01 10:00", "2024-06-02 10:00"],
                                       [10.0, 20.0]), source="test", also=fail)
    assert _snapshot(engine) == before
    path = tmp_path / "bad.csv"  # a file with a bad value on its last line is refused whole
    path.write_text("order_id,ordered_at,customer_id,revenue\nY1,2024-06-01 10:00:00,y1,10\n"
                    "H0002,2024-06-01 10:00:00,y1,twelve\n")
    with pytest.raises(FileImportError):
        import_file(engine, "orders", path, actor=ADMIN)
    assert _snapshot(engine) == before
    assert_exact(engine)


def test_a_warehouse_upgraded_from_0003_with_orders_gets_the_same_tables_as_a_fresh_load(engine):
    from tests.test_migrations import _reset, _upgrade

    history = _history()
    load(engine, "orders", history, source="test")
    fresh = _snapshot(engine)
    customers, activity, _, rollup = fresh
    assert len(customers) == history["customer_id"].nunique() and activity and sum(r[-1] for r in rollup) > 0
    old_daily = [c for c in schema.orders_daily.columns if c.name != "new_customer_revenue"]
    with engine.connect() as conn:
        orders = [dict(r) for r in conn.execute(select(schema.orders)).mappings()]
        daily = [dict(r) for r in conn.execute(select(*old_daily)).mappings()]
    _reset(engine)
    _upgrade(engine, "0003")  # the orders and their rollup as 0003 kept them (no new customers' revenue)
    with engine.begin() as conn:
        conn.execute(schema.orders.insert(), orders)
        conn.execute(Table("orders_daily", MetaData(), *[Column(c.name, c.type) for c in old_daily]).insert(), daily)
    _upgrade(engine, "head")
    assert _snapshot(engine) == fresh
    assert_exact(engine)
