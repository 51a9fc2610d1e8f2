"""The KPI card used on every page: value, change, sparkline, and the plan's status in colour AND words."""

from __future__ import annotations

import streamlit as st

from i18n import _
from metrics.campaigns import column_set_of
from metrics.catalog import KPI_BY_ID
from metrics.date_text import format_date
from metrics.format import change_sign, format_change, format_delta, format_value
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import KpiResult
from ui.state import Selection
from ui.stats_badges import chance_method, chance_text, trend_badge, unusual_badge

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
    st.badge(_(STATUS_LABELS[status]), icon=icon, color=colour)


def partial_badge(item: KpiResult) -> None:
    """'Partial data: through 19 Nov' in violet, with what is missing on hover (nothing for complete KPIs)."""
    if item.partial:
        st.badge(_("Partial data: through {date}").format(date=format_date(item.complete_through)),
                 icon=PARTIAL_ICON, color="violet",
                 help=_("{reason}. Judged on the days covered.").format(reason=item.reason))


def expected_so_far(item: KpiResult) -> str | None:
    """'by now $800' ('for the days covered $800' when the data is partial) while the period runs or its data is
    partial and that differs from the target; None otherwise (also when the KPI has no value to compare)."""
    if item.value is None or item.target is None or not (item.in_progress or item.partial) \
            or item.expected in (None, item.target):
        return None
    value = format_value(item.expected, KPI_BY_ID[item.id].unit)
    return (_("for the days covered {value}") if item.partial else _("by now {value}")).format(value=value)


def plan_caption(item: KpiResult) -> str:
    """'Target $1,200 · expected by now $800 · forecast $1,150 · 72% chance to reach the target · vs last year
    +4.0%'."""

    unit = KPI_BY_ID[item.id].unit
    parts = []
    if item.target is not None:
        parts.append(_("target {value}").format(value=format_value(item.target, unit)))
        if expected := expected_so_far(item):
            parts.append(_("expected {expected}").format(expected=expected))
            parts.append(_("forecast {value}").format(value=format_value(item.forecast, unit)))
        if chance := chance_text(item):
            parts.append(chance)
    if item.change_pct_last_year is not None:
        parts.append(_("vs last year {change}").format(change=format_change(item.change_pct_last_year)))
    return " · ".join(parts)


def kpi_links(kpi_id: str, selection: Selection, details: bool = True) -> None:
    """Links from a KPI to its drill-downs: its S page and, where it is a campaigns column, the campaigns table."""
    kpi = KPI_BY_ID[kpi_id]
    column_set = column_set_of(kpi_id)
    with st.container(horizontal=True, gap="small"):
        if details:
            st.page_link(f"pages/{kpi.s.lower()}.py", label=_("Details"), icon=":material/insights:",
                         query_params=selection.query(kpi=kpi_id),
                         help=_("{kpi} on the {s} page").format(kpi=_(kpi.label), s=_(kpi.s)))
        if column_set:
            st.page_link("pages/campaigns.py", label=_("By campaign"), icon=":material/campaign:",
                         query_params=selection.query(kpi=kpi_id, set=column_set),
                         help=_("Channels and campaigns sorted by {kpi}").format(kpi=_(kpi.label)))


def delta_style(change: float | None, better: str) -> tuple[str, str]:
    """``st.metric``'s delta colour and arrow for a change as shown: green for a rise of a higher-is-better KPI or a
    fall of a lower-is-better one, red for the reverse, grey without an arrow when unknown or rounding to zero.
    Set here, not left to Streamlit: it reads the direction from a leading '-', and a Persian or Arabic minus
    starts with a direction mark (left-to-right mark, then '−')."""
    sign = change_sign(change)
    if not sign:
        return "gray", "off"
    good = sign > 0 if better == "higher" else sign < 0
    return ("green" if good else "red"), ("up" if sign > 0 else "down")


def kpi_card(item: KpiResult, width: int | str = 240, links: Selection | None = None, details: bool = True,
             status: bool = True, grain: str | None = None) -> None:
    """One KPI in a bordered card; with ``links``, links to its drill-downs for that selection; without ``status``,
    no status badge (a period without targets, said once for all cards). The trend and an 'unusual' badge show
    when the statistics could be worked out (``grain`` words the trend's slope: '+120 a week')."""

    kpi = KPI_BY_ID[item.id]
    delta, color, arrow = None, "off", "off"
    if item.change_pct is not None:
        color, arrow = delta_style(item.change_pct, kpi.better)  # not from the text: a localized minus is no '-'

        delta = _("{change} ({delta})").format(change=format_change(item.change_pct),
                                              delta=format_delta(item.change_abs, kpi.unit))
    elif item.value is None:
        delta = _("n/a: {reason}").format(reason=item.reason) if item.reason else _("n/a")
    with st.container(border=True, width=width):
        st.metric(
            _(item.label),
            format_value(item.value, kpi.unit),
            delta=delta,
            delta_color=color,
            delta_arrow=arrow,
            help=" ".join(part for part in (
                _(kpi.description), _("Formula: `{formula}`.").format(formula=kpi.formula),
                _("Lower is better.") if kpi.better == "lower" else "",
                _("Target: {method}.").format(method=item.target_method) if item.target_method else "",
                _("Partial: {reason}.").format(reason=item.reason) if item.partial
                else _("Not available: {reason}.").format(reason=item.reason) if item.reason else "") if part),
            chart_data=[v for v in item.sparkline if v is not None] or None,
        )
        with st.container(horizontal=True, gap="small"):
            if status:
                status_badge(item.status)
            partial_badge(item)
            unusual_badge(item)
            trend_badge(item, grain)
        caption = plan_caption(item)
        if caption:
            st.caption(caption, help=chance_method() if item.probability_on_target is not None else None)
        if links is not None:
            kpi_links(item.id, links, details)
