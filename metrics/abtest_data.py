"""What an A/B test reads from the warehouse: each campaign's numerator and denominator, and orders' revenues.

Share KPIs are read through the KPI engine (ratios of sums over the period, the same days a scorecard counts),
the KPI's formula ``numerator / denominator`` split into its two measures. Average order value's Welch test needs
each order's revenue: it reads the order-level ``orders`` table, revenue net of refunds as the revenue KPI counts
it (the loader's ``orders_daily`` rollup sums ``revenue - refunded`` by ``order_date``).
"""

from __future__ import annotations

import ast
from datetime import date

import numpy as np
from sqlalchemy import Engine, select

from metrics import formula as formulas
from metrics.catalog import KPI, formula_sources
from metrics.completeness import complete_through, coverage
from metrics.engine import Filters, compute_expressions
from warehouse import schema


def ratio_parts(kpi: KPI) -> tuple[str, str]:
    """The numerator and denominator measures of a KPI whose formula is ``numerator / denominator``."""
    tree = formulas.parse(kpi.formula)
    if not (isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div) and isinstance(tree.left, ast.Name)
            and isinstance(tree.right, ast.Name)):
        raise ValueError(f"KPI {kpi.id} ({kpi.formula!r}) is not a ratio of two measures")
    return tree.left.id, tree.right.id


def campaign_sums(engine: Engine, kpi: KPI, start: date, end: date,
                  channel: str | None = None) -> dict[str, tuple[float, float]]:
    """{campaign: (numerator, denominator)} over ``start..end`` (within ``channel``), for every campaign with rows.

    Days after a source's last day of data are left out, as the engine leaves them out of every KPI.
    """
    numerator, denominator = ratio_parts(kpi)
    frame = compute_expressions(engine, {"numerator": numerator, "denominator": denominator}, start, end,
                                filters=Filters(channel=channel), breakdown="campaign")
    wide = frame.pivot_table(index="campaign", columns="kpi_id", values="value", aggfunc="sum", dropna=False)
    out = {}
    for campaign, row in wide.iterrows():
        num, den = row.get("numerator"), row.get("denominator")
        out[str(campaign)] = (float(num) if num == num else 0.0, float(den) if den == den else 0.0)
    return out


def covered_end(engine: Engine, kpi: KPI, start: date, end: date) -> date:
    """The last day of ``start..end`` the KPI's sources hold data for (``end`` when they are complete)."""
    cover = coverage([s.name for s in formula_sources(kpi.formula)], start, end, complete_through(engine))
    return cover.through if cover.partial and cover.through is not None else end


def order_revenues(engine: Engine, campaigns: list[str], start: date, end: date,
                   channel: str | None = None) -> np.ndarray:
    """Each order's revenue net of refunds, for orders of ``campaigns`` dated ``start..end`` (within ``channel``)."""
    orders = schema.orders
    query = select((orders.c.revenue - orders.c.refunded).label("revenue")).where(
        orders.c.order_date >= start, orders.c.order_date <= end, orders.c.campaign.in_(campaigns))
    if channel:
        query = query.where(orders.c.channel == channel)
    with engine.connect() as conn:
        return np.array([float(v) for v in conn.execute(query).scalars()], dtype=float)
