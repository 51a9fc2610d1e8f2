"""A drilled campaign's sales and cost figures as compact metrics: value, change and the previous value."""

from __future__ import annotations

import streamlit as st

from metrics.catalog import KPI_BY_ID
from metrics.format import format_change, format_value
from metrics.scorecard import KpiResult

SHORT_LABELS = {"save.marketing_cost": "Cost", "save.cpc": "CPC", "save.cpa": "CPA"}
FIGURE_ROWS = (("sell.revenue", "sell.orders", "sell.conversion_rate"),
               ("save.marketing_cost", "save.roas", "save.cpa", "save.cpc"))


def figure_delta(item: KpiResult) -> tuple[str, str]:
    """The change ('+4.2%', '—' when unknown) and the previous period's value it compares with ('vs $1,234')."""
    unit = KPI_BY_ID[item.id].unit
    if item.value is None:
        return "—", f"n/a: {item.reason}" if item.reason else "n/a"
    if item.previous is None:
        return "—", "none before"
    return format_change(item.change_pct), f"vs {format_value(item.previous, unit)}"


def figures_grid(items: list[KpiResult]) -> None:
    """The figures as bordered metrics on a 4-column grid, sales on one row and cost on the next (lower-is-better
    KPIs count a fall as good)."""
    by_id = {item.id: item for item in items}
    for row in FIGURE_ROWS:
        for column, kpi_id in zip(st.columns(4), row):
            if kpi_id in by_id:
                with column:
                    _metric(by_id[kpi_id])


def _metric(item: KpiResult) -> None:
    kpi = KPI_BY_ID[item.id]
    delta, description = figure_delta(item)
    known = item.change_pct is not None
    st.metric(SHORT_LABELS.get(item.id, item.label), format_value(item.value, kpi.unit), delta=delta,
              delta_color="off" if not known else "normal" if kpi.better == "higher" else "inverse",
              delta_arrow="auto" if known else "off", delta_description=description, border=True,
              help=f"{kpi.label}: {kpi.description} Formula: `{kpi.formula}`."
              + (" Lower is better." if kpi.better == "lower" else ""))
