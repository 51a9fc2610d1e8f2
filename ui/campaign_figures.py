"""A drilled campaign's sales and cost figures as compact metrics: value, change and the previous value."""

from __future__ import annotations

import streamlit as st

from i18n import N_, _
from metrics.catalog import KPI_BY_ID
from metrics.format import format_change, format_value
from metrics.scorecard import KpiResult
from ui.cards import delta_style

SHORT_LABELS = {"save.marketing_cost": N_("Cost"), "save.cpc": N_("CPC"), "save.cpa": N_("CPA")}
FIGURE_ROWS = (("sell.revenue", "sell.orders", "sell.conversion_rate"),
               ("save.marketing_cost", "save.roas", "save.cpa", "save.cpc"))


def figure_delta(item: KpiResult) -> tuple[str, str]:
    """The change ('+4.2%', '—' when unknown) and the previous period's value it compares with ('vs $1,234')."""
    unit = KPI_BY_ID[item.id].unit
    if item.value is None:
        return "—", _("n/a: {reason}").format(reason=item.reason) if item.reason else _("n/a")
    if item.previous is None:
        return "—", _("none before")
    return format_change(item.change_pct), _("vs {value}").format(value=format_value(item.previous, unit))


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
    colour, arrow = delta_style(item.change_pct, kpi.better)
    about = _("{label}: {description} Formula: `{formula}`.").format(
        label=_(kpi.label), description=_(kpi.description), formula=kpi.formula)
    st.metric(_(SHORT_LABELS[item.id]) if item.id in SHORT_LABELS else _(kpi.label),
              format_value(item.value, kpi.unit), delta=delta, delta_color=colour, delta_arrow=arrow,
              delta_description=description, border=True,
              help=about + (" " + _("Lower is better.") if kpi.better == "lower" else ""))
