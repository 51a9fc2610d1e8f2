"""One page per S: what the S means, its KPIs as cards, and per KPI a trend with its target and a breakdown.

The KPI picked in the URL (``?kpi=``, e.g. from a card's "Details" link) is drawn first.
Filtered to a channel, the breakdown is by campaign; otherwise by channel. A KPI
whose data cannot be split that way says why instead of drawing an empty chart. A rate whose
channels differ more than 10x is drawn one small panel per channel (the chart's subtitle says so),
and the period the data starts in is shaded partial, not drawn as a value, on both charts.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from i18n import _
from metrics.catalog import KPI, S_MEANING, kpis_for, why_no_breakdown
from metrics.date_text import format_day_range
from ui import charts, data
from ui.bidi import isolate, shown_period
from ui.cards import kpi_card
from ui.grains import grain_count, grain_name
from ui.safe_text import md
from ui.state import Selection, sidebar, url_selectbox

TREND_PERIODS = 26
BREAKDOWN_PERIODS = 13


def render(s: str, after_cards: Callable[[tuple, Selection], None] | None = None) -> None:
    """Draw the page of S ``s`` (Sell, Serve, Speak, Save or Sizzle); ``after_cards(version, selection)`` draws
    a section of the page's own under its KPI cards."""
    version = data.version()
    selection = sidebar(version)
    period = selection.period
    kpis = kpis_for(s)

    st.title(_(s))
    st.markdown(f"**{_(S_MEANING[s])}**")
    st.caption(period_caption(selection))

    items = [i for i in data.scorecard_items(version, period, selection.channel) if i.s == s]
    with st.container(horizontal=True):
        for item in items:
            kpi_card(item, links=selection, details=False)
    if after_cards is not None:
        st.divider()
        after_cards(version, selection)

    st.divider()
    labels = {k.id: _(k.label) for k in kpis}
    focus = url_selectbox(_("KPI first"), list(labels), "kpi", format_func=labels.get,
                          help=_("The KPI drawn first; the others follow in catalog order."))
    for kpi in sorted(kpis, key=lambda k: k.id != focus):
        _kpi_section(version, kpi, selection)


def _kpi_section(version: tuple, kpi: KPI, selection: Selection) -> None:
    """A KPI's heading (formula on hover), its trend against target and its breakdown."""
    period, channel = selection.period, selection.channel
    st.subheader(_(kpi.label), anchor=kpi.id.replace(".", "-"),
                 help=_(kpi.description) + "\n\n" + _("Formula: `{formula}`").format(formula=kpi.formula)
                 + ("\n\n" + _("Lower is better.") if kpi.better == "lower" else ""))
    trend_column, breakdown_column = st.columns(2)
    frame = data.trend_with_plan(version, kpi.id, period, TREND_PERIODS, channel, False)
    title = _("{kpi} by {grain}, {scope}").format(kpi=_(kpi.label), grain=grain_name(period.grain),
                                                  scope=isolate(selection.scope))
    why = charts.why_no_trend(kpi, frame, selection.scope, _("the {count} to {period}").format(
        count=grain_count(period.grain, TREND_PERIODS), period=shown_period(period)))
    if why:
        trend_column.info(why, icon=":material/info:")
    else:
        trend_column.plotly_chart(charts.add_plan_lines(charts.trend_chart(kpi, frame, title), kpi, frame),
                                  width="stretch", key=f"trend-{kpi.id}")
    dimension = "campaign" if channel else "channel"
    label = _(kpi.label)
    with breakdown_column:
        if dimension not in kpi.breakdowns:
            text = (_("**{kpi}** is not broken down by campaign: {why}.") if dimension == "campaign"
                    else _("**{kpi}** is not broken down by channel: {why}."))
            st.info(text.format(kpi=label, why=why_no_breakdown(kpi, dimension)), icon=":material/info:")
            return
        parts = data.trend(version, kpi.id, period, BREAKDOWN_PERIODS, channel, None, dimension)
        if parts.empty or parts["value"].isna().all():
            text = (_("No {kpi} by campaign for {scope} in the last {count}.") if dimension == "campaign"
                    else _("No {kpi} by channel for {scope} in the last {count}."))
            st.info(text.format(kpi=label, scope=isolate(md(selection.scope)),
                                count=grain_count(period.grain, BREAKDOWN_PERIODS)), icon=":material/info:")
            return
        late = frame.loc[frame["starts_late"].notna(), "period_start"] if "starts_late" in frame else []
        title = (_("{kpi} by campaign, last {count}") if dimension == "campaign"
                 else _("{kpi} by channel, last {count}")).format(kpi=label,
                                                                  count=grain_count(period.grain, BREAKDOWN_PERIODS))
        st.plotly_chart(charts.breakdown_chart(kpi, parts, dimension, title, late_starts=list(late)),
                        width="stretch", key=f"breakdown-{kpi.id}")


def period_caption(selection: Selection, progress: str | None = None) -> str:
    """'2026-W45 · 2–8 Nov 2026 · All channels · change against the previous week' (and, while the period runs,
    what its figures cover), in the reader's language, dates and digits."""
    period = selection.period
    text = _("{period} · {days} · {scope} · change against the previous {grain}").format(
        period=shown_period(period), days=format_day_range(period.start, period.end),
        scope=isolate(md(selection.scope)), grain=grain_name(period.grain))
    if selection.in_progress:
        text += " · " + (progress or _("in progress: values and comparisons cover the days so far"))
    return text
