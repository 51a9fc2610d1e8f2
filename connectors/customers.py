"""The customer table and the cohort activity rollup, kept by every orders load in its transaction.

``customers``: one row per customer, from its flagged first order (the loader keeps ``is_first_order``).
``calendar_days``: the period starts (per bucket) of every date the orders touch, computed in Python.
``cohort_activity``: per bucket, cohort, acquisition channel and period: active customers, orders, net revenue.

Kept incrementally and exactly (:func:`start_update` before a load changes the orders, :func:`finish_update`
after): every row of ``cohort_activity`` is a sum over customers (a customer belongs to one cohort and one
acquisition channel, and is active in a period or not), so the contribution of a set of customers can be taken
out and put back. The customers a load touches go to a temporary table; their contribution (from their current
orders and ``customers`` rows) is subtracted before the orders change; afterwards their ``customers`` rows are
rewritten from their flagged first orders and their new contribution is added. Rows left with no active customer
are deleted. A load touching a large share of the customers (a first load) rebuilds both tables whole instead.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    update,
)

from metrics.periods import bucket_starts
from warehouse import schema
from warehouse.temp_tables import analyze, drop, recreate, temp_table

# bucket name -> (grain, calendar); a cohort report of a grain in a calendar reads one bucket
BUCKETS: dict[str, tuple[str, str]] = {
    "gregorian_week": ("week", "gregorian"),
    "gregorian_month": ("month", "gregorian"),
    "jalali_week": ("week", "jalali"),
    "jalali_month": ("month", "jalali"),
}

# A load touching more customers than this, and at least a quarter of those in the warehouse, rebuilds whole.
INCREMENTAL_UP_TO = 50_000
ACT_KEY = ("bucket", "cohort_start", "acquisition_channel", "period_start")
CUSTOMER_COLUMNS = ("customer_id", "first_order_id", "first_ordered_at", "first_order_date", "acquisition_channel",
                    "acquisition_campaign", "returning_before")


def bucket_name(grain: str, calendar: str) -> str:
    """The cohort_activity bucket of a grain ('week' or 'month') in a calendar."""
    name = f"{calendar}_{grain}"
    if name not in BUCKETS:
        raise ValueError(f"No cohort bucket for grain {grain!r} in calendar {calendar!r}; use week or month.")
    return name


def _touched() -> Table:
    return temp_table("_cohort_customers", Column("customer_id", schema.customers.c.customer_id.type, primary_key=True))


def _delta() -> Table:
    act = schema.cohort_activity
    return temp_table("_cohort_delta", *[Column(k, act.c[k].type) for k in ACT_KEY],
                 Column("active_customers", Integer), Column("orders", Integer), Column("net_revenue", Float))


def fill_calendar(conn: Connection, dates: Select | None = None) -> None:
    """Add the period starts of every order date (or of ``dates``, a one-column select) not yet in
    ``calendar_days``."""
    o, cal = schema.orders, schema.calendar_days
    wanted = dates if dates is not None else select(o.c.order_date).distinct()
    days = pd.Series([d for (d,) in conn.execute(wanted.except_(select(cal.c.date)))], dtype=object)
    if days.empty:
        return
    frame = pd.DataFrame({"date": days})
    for name, (grain, calendar) in BUCKETS.items():
        frame[name] = bucket_starts(days, grain, calendar)
    conn.execute(insert(cal), frame.astype(object).to_dict("records"))


def _days() -> Table:
    """Per first-order date, acquisition channel and order date: orders, net revenue, and per bucket how many
    customers' first order of a period falls on that date (summed over a period's dates: its active customers)."""
    o = schema.orders
    return temp_table("_cohort_days", Column("first_date", o.c.order_date.type), Column("channel", o.c.channel.type),
                 Column("order_date", o.c.order_date.type), Column("orders", Integer), Column("net", Float),
                 *[Column(f"opens_{b}", Integer) for b in BUCKETS])


def _fill_days(conn: Connection, days: Table, customers: Table | None = None) -> None:
    """``days`` (:func:`_days`) from the orders of ``customers`` (a table with a ``customer_id`` column; None: every
    customer): one pass over each customer's orders in order (time, then id: the first-order ranking), the first
    one giving the cohort and channel; customers whose first order says they had ordered before left out."""
    o, cal = schema.orders, schema.calendar_days
    window = {"partition_by": o.c.customer_id, "order_by": (o.c.ordered_at, o.c.order_id)}
    rows = select(o.c.order_date, (o.c.revenue - o.c.refunded).label("net"),
                  func.first_value(o.c.order_date).over(**window).label("first_date"),
                  func.first_value(o.c.channel).over(**window).label("channel"),
                  func.first_value(o.c.returning_customer).over(**window).label("was_returning"),
                  *[case((func.lag(cal.c[b]).over(**window).is_distinct_from(cal.c[b]), 1), else_=0).label(b)
                    for b in BUCKETS]).select_from(o.join(cal, cal.c.date == o.c.order_date))
    if customers is not None:
        rows = rows.where(o.c.customer_id.in_(select(customers.c.customer_id)))
    rows = rows.subquery()
    conn.execute(insert(days).from_select(
        ["first_date", "channel", "order_date", "orders", "net", *[f"opens_{b}" for b in BUCKETS]],
        select(rows.c.first_date, rows.c.channel, rows.c.order_date, func.count(), func.sum(rows.c.net),
               *[func.sum(rows.c[b]) for b in BUCKETS])
        .where(rows.c.was_returning == literal(False))
        .group_by(rows.c.first_date, rows.c.channel, rows.c.order_date)))
    analyze(conn, days)


def _activity(days: Table, bucket: str, sign: int = 1) -> Select:
    """SQL: the cohort_activity rows of ``bucket`` (times ``sign``) from ``days`` (:func:`_days`)."""
    cal = schema.calendar_days
    first_day = cal.alias("first_day")
    return (select(literal(bucket), first_day.c[bucket], days.c.channel, cal.c[bucket],
                   literal(sign) * func.sum(days.c[f"opens_{bucket}"]), literal(sign) * func.sum(days.c.orders),
                   literal(sign) * func.sum(days.c.net))
            .select_from(days.join(cal, cal.c.date == days.c.order_date)
                         .join(first_day, first_day.c.date == days.c.first_date))
            .group_by(first_day.c[bucket], days.c.channel, cal.c[bucket]))


def _customer_rows(customers: Table | None = None) -> Select:
    """SQL: ``customers`` rows from the flagged first orders (of the customers in table ``customers``)."""
    o = schema.orders
    rows = select(o.c.customer_id, o.c.order_id, o.c.ordered_at, o.c.order_date, o.c.channel, o.c.campaign,
                  o.c.returning_customer).where(schema.FIRST_ORDER)
    if customers is not None:
        rows = rows.where(o.c.customer_id.in_(select(customers.c.customer_id)))
    return rows


def rebuild_customers(conn: Connection) -> None:
    """Rebuild ``customers`` and ``cohort_activity`` whole from the orders (and their first-order flags)."""
    c, act = schema.customers, schema.cohort_activity
    conn.execute(delete(act))
    conn.execute(delete(c))
    conn.execute(insert(c).from_select(list(CUSTOMER_COLUMNS), _customer_rows()))
    fill_calendar(conn)
    days = _days()
    recreate(conn, days)
    _fill_days(conn, days)
    for bucket in BUCKETS:
        conn.execute(insert(act).from_select([*ACT_KEY, "active_customers", "orders", "net_revenue"],
                                             _activity(days, bucket)))
    drop(conn, days)


def start_update(conn: Connection, customer_ids: Select) -> bool:
    """Before a load changes orders: note the customers it touches (``customer_ids``, a one-column select of the
    current orders and the incoming ones) and take their contribution out of ``cohort_activity``.

    Returns whether the update is incremental; False (no orders yet, or many customers touched) means
    :func:`finish_update` rebuilds whole. Every :func:`start_update` must be followed by :func:`finish_update` in
    the same transaction."""
    touched, delta = _touched(), _delta()
    recreate(conn, touched, delta)
    ids = customer_ids.subquery()
    conn.execute(insert(touched).from_select(["customer_id"], select(ids.c[0]).distinct()))
    if conn.execute(select(literal(1)).select_from(schema.orders).limit(1)).first() is None:
        return False  # a first load: one build (whatever the customer tables hold, e.g. orders emptied by hand)
    count = conn.execute(select(func.count()).select_from(touched)).scalar_one()
    if count > INCREMENTAL_UP_TO and 4 * count >= conn.execute(
            select(func.count()).select_from(schema.customers)).scalar_one():
        return False
    analyze(conn, touched)
    _add_contribution(conn, touched, delta, -1)
    return True


def finish_update(conn: Connection, incremental: bool) -> None:
    """After the load changed orders and first-order flags: rewrite the touched customers' rows, add their new
    contribution and apply the difference to ``cohort_activity`` (or rebuild whole if not ``incremental``)."""
    touched, delta = _touched(), _delta()
    if not incremental:
        rebuild_customers(conn)
        drop(conn, touched, delta)
        return
    o, c = schema.orders, schema.customers
    conn.execute(delete(c).where(c.c.customer_id.in_(select(touched.c.customer_id))))
    conn.execute(insert(c).from_select(list(CUSTOMER_COLUMNS), _customer_rows(touched)))
    fill_calendar(conn, select(o.c.order_date).where(o.c.customer_id.in_(select(touched.c.customer_id))).distinct())
    _add_contribution(conn, touched, delta, 1)
    _apply_delta(conn, delta)
    drop(conn, touched, delta)


def _add_contribution(conn: Connection, touched: Table, delta: Table, sign: int) -> None:
    """The cohort_activity rows of the ``touched`` customers' orders, times ``sign``, into ``delta``."""
    days = _days()
    recreate(conn, days)
    _fill_days(conn, days, touched)
    for bucket in BUCKETS:
        conn.execute(insert(delta).from_select([*ACT_KEY, "active_customers", "orders", "net_revenue"],
                                               _activity(days, bucket, sign)))
    drop(conn, days)


def _apply_delta(conn: Connection, delta: Table) -> None:
    """Add the summed signed rows of ``delta`` to ``cohort_activity``; delete rows left with no active customer."""
    act = schema.cohort_activity
    net = temp_table("_cohort_net", *[Column(k, act.c[k].type, primary_key=True) for k in ACT_KEY],
                Column("active_customers", Integer), Column("orders", Integer), Column("net_revenue", Float))
    recreate(conn, net)
    active, orders, revenue = (func.sum(delta.c[k]) for k in ("active_customers", "orders", "net_revenue"))
    conn.execute(insert(net).from_select(
        [*ACT_KEY, "active_customers", "orders", "net_revenue"],
        select(*[delta.c[k] for k in ACT_KEY], active, orders, revenue).group_by(*[delta.c[k] for k in ACT_KEY])
        .having(or_(active != 0, orders != 0, func.abs(revenue) > 1e-9))))
    analyze(conn, net)
    mine = and_(*[net.c[k] == act.c[k] for k in ACT_KEY])
    keys = tuple_(*[act.c[k] for k in ACT_KEY]).in_(select(*[net.c[k] for k in ACT_KEY]))
    conn.execute(update(act).where(keys).values(
        {k: act.c[k] + select(net.c[k]).where(mine).scalar_subquery()
         for k in ("active_customers", "orders", "net_revenue")}))
    exists = select(literal(1)).select_from(act).where(mine).exists()
    conn.execute(insert(act).from_select(
        [*ACT_KEY, "active_customers", "orders", "net_revenue"],
        select(*[net.c[k] for k in ACT_KEY], net.c.active_customers, net.c.orders, net.c.net_revenue)
        .where(~exists)))
    conn.execute(delete(act).where(keys, act.c.active_customers <= 0))
    drop(conn, net)
