"""The customer table and the cohort activity rollup, kept by every orders load in its transaction.

``customers``: one row per customer, from its flagged first order (the loader keeps ``is_first_order``).
``calendar_days``: the period starts (per bucket) of every date the orders touch, computed in Python.
``cohort_activity``: per bucket, cohort, acquisition channel and period: active customers, orders, net revenue.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, and_, delete, func, insert, literal, select

from metrics.periods import bucket_starts
from warehouse import schema

# bucket name -> (grain, calendar); a cohort report of a grain in a calendar reads one bucket
BUCKETS: dict[str, tuple[str, str]] = {
    "gregorian_week": ("week", "gregorian"),
    "gregorian_month": ("month", "gregorian"),
    "jalali_week": ("week", "jalali"),
    "jalali_month": ("month", "jalali"),
}


def bucket_name(grain: str, calendar: str) -> str:
    """The cohort_activity bucket of a grain ('week' or 'month') in a calendar."""
    name = f"{calendar}_{grain}"
    if name not in BUCKETS:
        raise ValueError(f"No cohort bucket for grain {grain!r} in calendar {calendar!r}; use week or month.")
    return name


def fill_calendar(conn: Connection) -> None:
    """Add the period starts of every order date not yet in ``calendar_days``."""
    o, cal = schema.orders, schema.calendar_days
    missing = select(o.c.order_date).distinct().except_(select(cal.c.date))
    days = pd.Series([d for (d,) in conn.execute(missing)], dtype=object)
    if days.empty:
        return
    frame = pd.DataFrame({"date": days})
    for name, (grain, calendar) in BUCKETS.items():
        frame[name] = bucket_starts(days, grain, calendar)
    conn.execute(insert(cal), frame.astype(object).to_dict("records"))


def rebuild_customers(conn: Connection) -> None:
    """Rebuild ``customers`` and ``cohort_activity`` whole from the orders (and their first-order flags)."""
    o, c, act, cal = schema.orders, schema.customers, schema.cohort_activity, schema.calendar_days
    conn.execute(delete(act))
    conn.execute(delete(c))
    conn.execute(insert(c).from_select(
        ["customer_id", "first_order_id", "first_ordered_at", "first_order_date", "acquisition_channel",
         "acquisition_campaign", "returning_before"],
        select(o.c.customer_id, o.c.order_id, o.c.ordered_at, o.c.order_date, o.c.channel, o.c.campaign,
               o.c.returning_customer).where(o.c.is_first_order == literal(True))))
    fill_calendar(conn)
    first_day = cal.alias("first_day")
    for bucket in BUCKETS:
        conn.execute(insert(act).from_select(
            ["bucket", "cohort_start", "acquisition_channel", "period_start", "active_customers", "orders",
             "net_revenue"],
            select(literal(bucket), first_day.c[bucket], c.c.acquisition_channel, cal.c[bucket],
                   func.count(o.c.customer_id.distinct()), func.count(), func.sum(o.c.revenue - o.c.refunded))
            .select_from(o.join(c, c.c.customer_id == o.c.customer_id)
                         .join(cal, cal.c.date == o.c.order_date)
                         .join(first_day, first_day.c.date == c.c.first_order_date))
            .where(and_(c.c.returning_before == literal(False)))
            .group_by(first_day.c[bucket], c.c.acquisition_channel, cal.c[bucket])))
