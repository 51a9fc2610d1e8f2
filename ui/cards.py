"""The KPI card used on every page: value, change, sparkline, and the plan's status in colour AND words."""

from __future__ import annotations

import streamlit as st

from metrics.campaigns import column_set_of
from metrics.catalog import KPI_BY_ID
from metrics.format import format_change, format_delta, format_value
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import KpiResult
from ui.state import Selection

# Green always means good, also for lower-is-better KPIs: the status is already direction-aware.
STATUS_STYLE = {
    "on_track": (":material/check_circle:", "green"),
    "at_risk": (":material/warning:", "orange"),
    "off_track": (":material/error:", "red"),
    "no_target": (":material/remove:", "gray"),
    "no_data": (":material/help:", "gray"),
}


PARTIAL_ICON = ":material/hourglass_bottom:"


def status_badge(status: str) -> None:
    icon, colour = STATUS_STYLE[status]
    st.badge(STATUS_LABELS[status], icon=icon, color=colour)


def partial_badge(item: KpiResult) -> None:
    """'Partial data: through 19 Nov' in violet, with what is missing on hover (nothing for complete KPIs)."""
    if item.partial:
        st.badge(f"Partial data: through {item.complete_through:%d %b}", icon=PARTIAL_ICON, color="violet",
                 help=f"{item.reason}. Judged on the days covered.")


def expected_so_far(item: KpiResult) -> str | None:
    """'by now $800' ('for the days covered $800' when the data is partial) while the period runs or its data is
    partial and that differs from the target; None otherwise (also when the KPI has no value to compare)."""
    if item.value is None or item.target is None or not (item.in_progress or item.partial) \
            or item.expected in (None, item.target):
        return None
    when = "for the days covered" if item.partial else "by now"
    return f"{when} {format_value(item.expected, KPI_BY_ID[item.id].unit)}"


def plan_caption(item: KpiResult) -> str:
    """'Target $1,200 · expected by now $800 · forecast $1,150 · vs last year +4.0%'."""
    unit = KPI_BY_ID[item.id].unit
    parts = []
    if item.target is not None:
        parts.append(f"target {format_value(item.target, unit)}")
        if expected := expected_so_far(item):
            parts.append(f"expected {expected}")
            parts.append(f"forecast {format_value(item.forecast, unit)}")
    if item.change_pct_last_year is not None:
        parts.append(f"vs last year {format_change(item.change_pct_last_year)}")
    return " · ".join(parts)


def kpi_links(kpi_id: str, selection: Selection, details: bool = True) -> None:
    """Links from a KPI to its drill-downs: its S page and, where it is a campaigns column, the campaigns table."""
    kpi = KPI_BY_ID[kpi_id]
    column_set = column_set_of(kpi_id)
    with st.container(horizontal=True, gap="small"):
        if details:
            st.page_link(f"pages/{kpi.s.lower()}.py", label="Details", icon=":material/insights:",
                         query_params=selection.query(kpi=kpi_id), help=f"{kpi.label} on the {kpi.s} page")
        if column_set:
            st.page_link("pages/campaigns.py", label="By campaign", icon=":material/campaign:",
                         query_params=selection.query(kpi=kpi_id, set=column_set),
                         help=f"Channels and campaigns sorted by {kpi.label}")


def kpi_card(item: KpiResult, width: int | str = 240, links: Selection | None = None, details: bool = True,
             status: bool = True) -> None:
    """One KPI in a bordered card; with ``links``, links to its drill-downs for that selection; without ``status``,
    no status badge (a period without targets, said once for all cards)."""
    kpi = KPI_BY_ID[item.id]
    delta = None
    if item.change_pct is not None:
        delta = f"{format_change(item.change_pct)} ({format_delta(item.change_abs, kpi.unit)})"
    elif item.value is None:
        delta = f"n/a: {item.reason}" if item.reason else "n/a"
    with st.container(border=True, width=width):
        st.metric(
            item.label,
            format_value(item.value, kpi.unit),
            delta=delta,
            delta_color="off" if item.value is None else "normal" if kpi.better == "higher" else "inverse",
            delta_arrow="off" if item.value is None else "auto",
            help=f"{kpi.description} Formula: `{kpi.formula}`."
            + (" Lower is better." if kpi.better == "lower" else "")
            + (f" Target: {item.target_method}." if item.target_method else "")
            + (f" Partial: {item.reason}." if item.partial else f" Not available: {item.reason}." if item.reason
               else ""),
            chart_data=[v for v in item.sparkline if v is not None] or None,
        )
        with st.container(horizontal=True, gap="small"):
            if status:
                status_badge(item.status)
            partial_badge(item)
        caption = plan_caption(item)
        if caption:
            st.caption(caption)
        if links is not None:
            kpi_links(item.id, links, details)
