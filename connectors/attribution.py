"""Orders take their channel and campaign from the GA4 purchase with their id (GA4 attribution).

An order with no channel of its own (loaded as ``(unattributed)``) whose ``order_id``, ignoring a leading
'#', equals a GA4 transaction's ``order_key`` takes that purchase's channel (session default channel group)
and campaign (session campaign; ``(not set)`` stays ``(not set)``) and is marked ``ga4_attributed``. An order
GA4 never saw stays ``(unattributed)``; an order with a channel of its own (from its file) is never changed.

When several GA4 rows share an order key (GA4 split the purchase over sessions, or it was sent again on
another day), the row with the largest purchase revenue wins, then the channel, campaign, source/medium,
date and transaction id that sort first: one row, whatever order the rows were read in.

It works both ways, always set-based in SQL (one statement per step, whatever the number of orders):

- :func:`attribute_staged`: an orders import, after its rows are staged and before they are compared
  with the table (``connectors.loader.load``), so a re-import of the same file compares equal;
- :func:`replace_transactions`: a GA4 sync stores a slice's purchases (replacing its dates) and
  re-attributes the orders whose key it touched, then rebuilds the daily rollup of their dates, in the
  sync's transaction. An order attributed earlier whose purchase GA4 no longer reports goes back to
  ``(unattributed)`` (campaign ``(not set)``).

Attribution moves orders between channels; the all-channel totals (orders, revenue, new customers) stay
as they were.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Select,
    Table,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)

from connectors import customers as customer_table
from connectors.datasets import NO_CAMPAIGN, UNATTRIBUTED
from warehouse import schema
from warehouse.temp_tables import analyze, temp_table

GA4 = schema.ga4_transactions


def order_key(order_id: ColumnElement) -> ColumnElement:
    """SQL: an order id without its leading '#' (the key GA4 transactions are matched on)."""
    return case((func.substr(order_id, 1, 1) == "#", func.substr(order_id, 2)), else_=order_id)


def _best(key: ColumnElement, column: str) -> Select:
    """SQL: ``column`` of the GA4 row chosen for order key ``key`` (see the module's tie rule), one index probe."""
    return (select(GA4.c[column]).where(GA4.c.order_key == key)
            .order_by(func.coalesce(GA4.c.purchase_revenue, 0.0).desc(), GA4.c.channel, GA4.c.campaign,
                      GA4.c.source_medium, GA4.c.date, GA4.c.transaction_id)
            .limit(1).scalar_subquery())


def _seen(key: ColumnElement) -> ColumnElement:
    return exists().where(GA4.c.order_key == key)


def attribute_staged(conn: Connection, stage: Table) -> None:
    """Staged orders without a channel take their GA4 purchase's channel and campaign (one UPDATE of the stage,
    each staged order probing the ``order_key`` index). Nothing to do (one cheap query) when GA4 holds no
    purchases."""
    if not conn.execute(select(exists().select_from(GA4))).scalar():
        return
    key = order_key(stage.c.order_id)
    conn.execute(update(stage).where(stage.c.channel == UNATTRIBUTED, _seen(key))
                 .values(channel=_best(key, "channel"), campaign=_best(key, "campaign"), ga4_attributed=True))


def replace_transactions(conn: Connection, frame: pd.DataFrame, start: date, end: date) -> int:
    """Store GA4's purchases for ``start..end`` (replacing what those dates held: GA4 restates recent days),
    re-attribute the orders whose key was or is among them, rebuild the daily rollup of the dates of the orders
    that changed. Runs in the caller's transaction; returns how many orders changed channel or campaign."""
    keys = temp_table("_ga4_keys", Column("order_key", GA4.c.order_key.type, primary_key=True))
    conn.execute(text(f"DROP TABLE IF EXISTS {keys.name}"))
    keys.create(conn)
    in_slice = GA4.c.date.between(start, end)
    conn.execute(insert(keys).from_select(["order_key"], select(GA4.c.order_key).where(in_slice).distinct()))
    conn.execute(delete(GA4).where(in_slice))
    if not frame.empty:
        columns = [c.name for c in GA4.columns]
        conn.execute(insert(GA4), frame[columns].astype(object).to_dict("records"))
        conn.execute(insert(keys).from_select(
            ["order_key"], select(GA4.c.order_key).where(in_slice).except_(select(keys.c.order_key))))
    analyze(conn, keys)
    changed = attribute_orders(conn, keys)
    conn.execute(text(f"DROP TABLE IF EXISTS {keys.name}"))
    return changed


def attribute_orders(conn: Connection, keys: Table) -> int:
    """(Re)attribute the warehouse's orders whose key is in table ``keys`` (column ``order_key``) and that have
    no channel of their own; rebuild the rollup of the touched dates. Returns how many orders changed.

    Driven by the keys: each key probes the orders' primary key twice ('1001' and '#1001'), never a scan."""
    from connectors.loader import _rebuild_rollup  # the loader's rollup (it imports this module)

    o = schema.orders
    changes = temp_table("_ga4_changes", Column("order_id", o.c.order_id.type, primary_key=True),
                    Column("order_date", o.c.order_date.type), Column("channel", o.c.channel.type),
                    Column("campaign", o.c.campaign.type), Column("ga4_attributed", o.c.ga4_attributed.type))
    conn.execute(text(f"DROP TABLE IF EXISTS {changes.name}"))
    changes.create(conn)
    key = keys.c.order_key
    # GA4 no longer reports an attributed order's purchase: back to no channel; else as it was.
    channel = func.coalesce(_best(key, "channel"), case((o.c.ga4_attributed, UNATTRIBUTED), else_=o.c.channel))
    campaign = func.coalesce(_best(key, "campaign"), case((o.c.ga4_attributed, NO_CAMPAIGN), else_=o.c.campaign))
    columns = (o.c.order_id, o.c.order_date, o.c.channel.label("old_channel"), o.c.campaign.label("old_campaign"),
               o.c.ga4_attributed.label("old_attributed"), channel.label("channel"), campaign.label("campaign"),
               case((_seen(key), True), else_=False).label("ga4_attributed"))
    open_to_ga4 = or_(o.c.channel == UNATTRIBUTED, o.c.ga4_attributed == true())
    plain = select(*columns).select_from(keys.join(o, o.c.order_id == key)) \
        .where(func.substr(o.c.order_id, 1, 1) != "#", open_to_ga4)  # '#...' orders are matched below
    hashed = select(*columns).select_from(keys.join(o, o.c.order_id == literal("#") + key)).where(open_to_ga4)
    candidates = union_all(plain, hashed).subquery()
    differs = or_(candidates.c.channel != candidates.c.old_channel, candidates.c.campaign != candidates.c.old_campaign,
                  candidates.c.ga4_attributed != candidates.c.old_attributed)
    conn.execute(insert(changes).from_select(
        ["order_id", "order_date", "channel", "campaign", "ga4_attributed"],
        select(candidates.c.order_id, candidates.c.order_date, candidates.c.channel, candidates.c.campaign,
               candidates.c.ga4_attributed).where(differs)))
    count = conn.execute(select(func.count()).select_from(changes)).scalar_one()
    if count:
        analyze(conn, changes)
        mine = changes.c.order_id == o.c.order_id
        # only first orders carry a customer's acquisition channel and campaign
        incremental = customer_table.start_update(conn, select(o.c.customer_id).where(
            o.c.order_id.in_(select(changes.c.order_id)), schema.FIRST_ORDER))
        conn.execute(update(o).where(o.c.order_id.in_(select(changes.c.order_id))).values(
            channel=select(changes.c.channel).where(mine).scalar_subquery(),
            campaign=select(changes.c.campaign).where(mine).scalar_subquery(),
            ga4_attributed=select(changes.c.ga4_attributed).where(mine).scalar_subquery()))
        _rebuild_rollup(conn, select(changes.c.order_date).distinct())
        customer_table.finish_update(conn, incremental)
    conn.execute(text(f"DROP TABLE IF EXISTS {changes.name}"))
    return int(count)

