"""How much of the shop's orders GA4 attributed to channels, and the shop's and GA4's revenue per channel.

Figures cover the first to the last day of the GA4 purchases in ``ga4_transactions`` unless dates are given
(orders before GA4 was synced could not be matched, and would only dilute the shares). Revenue is order
revenue net of refunds, as the Revenue KPI counts it; GA4's purchase revenue is what GA4 recorded (its own
definition: before refunds, and taxes or shipping as the site's tagging sends them), so the two are shown
side by side, not made equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import Engine, case, func, literal, or_, select

from connectors.datasets import UNATTRIBUTED
from i18n import N_, _, ngettext
from i18n.numerals import localize_digits
from metrics.format import format_value
from warehouse import schema

CHANNEL_COLUMNS = ("channel", "orders", "ga4_orders", "revenue", "ga4_purchases", "ga4_revenue")


@dataclass
class Attribution:
    """Orders and revenue by where their channel came from, over ``start..end`` (None: no GA4 purchases)."""

    start: date | None = None
    end: date | None = None
    orders: int = 0
    revenue: float = 0.0
    attributed_orders: int = 0  # channel from GA4
    attributed_revenue: float = 0.0
    own_orders: int = 0  # channel from the shop's file
    unattributed_orders: int = 0  # neither
    ga4_purchases: int = 0  # GA4 transaction ids in the window
    ga4_unmatched: int = 0  # ... that match no order
    channels: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANNEL_COLUMNS))

    @property
    def order_share(self) -> float | None:
        """Share of the orders whose channel came from GA4 (None without orders)."""
        return self.attributed_orders / self.orders if self.orders else None

    @property
    def revenue_share(self) -> float | None:
        """Share of the revenue of orders whose channel came from GA4 (None without revenue)."""
        return self.attributed_revenue / self.revenue if self.revenue else None


def ga4_window(engine: Engine) -> tuple[date | None, date | None]:
    """The first and last day of GA4 purchases by transaction id in the warehouse."""
    t = schema.ga4_transactions
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(t.c.date), func.max(t.c.date))).one()
    return first, last


def attribution(engine: Engine, start: date | None = None, end: date | None = None) -> Attribution:
    """Attributed shares and the per-channel comparison over ``start..end`` (default: :func:`ga4_window`)."""
    if start is None or end is None:
        first, last = ga4_window(engine)
        start, end = start or first, end or last
    if start is None or end is None:
        return Attribution()
    o, t = schema.orders, schema.ga4_transactions
    net = o.c.revenue - o.c.refunded
    attributed = o.c.ga4_attributed
    in_window = o.c.order_date.between(start, end)
    with engine.connect() as conn:
        totals = conn.execute(select(
            func.count(), func.coalesce(func.sum(net), 0.0),
            func.coalesce(func.sum(case((attributed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((attributed, net), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((o.c.channel == UNATTRIBUTED, 1), else_=0)), 0),
        ).where(in_window)).one()
        shop = pd.DataFrame(conn.execute(
            select(o.c.channel, func.count(), func.sum(case((attributed, 1), else_=0)), func.sum(net))
            .where(in_window).group_by(o.c.channel)).all(), columns=["channel", "orders", "ga4_orders", "revenue"])
        keys = select(t.c.order_key).where(t.c.date.between(start, end)).distinct().subquery()
        matched = or_(o.c.order_id == keys.c.order_key, o.c.order_id == literal("#") + keys.c.order_key)
        seen = select(o.c.order_id).where(matched).exists()
        purchases, unmatched = conn.execute(select(
            func.count(), func.coalesce(func.sum(case((seen, 0), else_=1)), 0)).select_from(keys)).one()
        ga4 = pd.DataFrame(conn.execute(
            select(t.c.channel, func.count(t.c.order_key.distinct()), func.sum(t.c.purchase_revenue))
            .where(t.c.date.between(start, end)).group_by(t.c.channel)).all(),
            columns=["channel", "ga4_purchases", "ga4_revenue"])
    channels = shop.merge(ga4, on="channel", how="outer")
    for column in ("orders", "ga4_orders", "ga4_purchases"):
        channels[column] = channels[column].fillna(0).astype(int)
    channels = channels.sort_values(["revenue", "ga4_revenue", "channel"], ascending=[False, False, True],
                                    na_position="last").reset_index(drop=True)[list(CHANNEL_COLUMNS)]
    orders, revenue, n_attributed, attributed_revenue, unattributed = totals
    return Attribution(start=start, end=end, orders=int(orders), revenue=float(revenue),
                       attributed_orders=int(n_attributed), attributed_revenue=float(attributed_revenue),
                       own_orders=int(orders) - int(n_attributed) - int(unattributed),
                       unattributed_orders=int(unattributed), ga4_purchases=int(purchases),
                       ga4_unmatched=int(unmatched), channels=channels)


LABELS = {"channel": N_("Channel"), "orders": N_("Orders"), "ga4_orders": N_("of which attributed by GA4"),
          "revenue": N_("Order revenue (net of refunds)"), "ga4_purchases": N_("GA4 purchases"),
          "ga4_revenue": N_("GA4 purchase revenue")}


def channel_table(result: Attribution) -> pd.DataFrame:
    """The per-channel comparison as shown: labelled columns (in the reader's language), amounts formatted ('—'
    where a side has none)."""
    table = result.channels.copy()
    for column in ("revenue", "ga4_revenue"):
        table[column] = [format_value(None if pd.isna(v) else float(v), "currency") for v in table[column]]
    return table.rename(columns={column: _(label) for column, label in LABELS.items()})


def summary_text(result: Attribution) -> str:
    """One sentence on the orders GA4 did not attribute and the purchases that match no order."""
    own, never, unmatched = result.own_orders, result.unattributed_orders, result.ga4_unmatched
    owned = ngettext("{count} order had a channel of its own (never changed)",
                     "{count} orders had channels of their own (never changed)", own).format(count=_count(own))
    unseen = ngettext("{count} that GA4 never saw stays (unattributed)",
                      "{count} that GA4 never saw stay (unattributed)", never).format(count=_count(never))
    matched = ngettext("{count} of GA4's {purchases} purchases matches no order in the warehouse.",
                       "{count} of GA4's {purchases} purchases match no order in the warehouse.", unmatched).format(
        count=_count(unmatched), purchases=_count(result.ga4_purchases))
    return _("{owned}; {unseen}. {matched}").format(owned=owned, unseen=unseen, matched=matched)


def _count(n: int) -> str:
    return localize_digits(format_value(n, "count"))
