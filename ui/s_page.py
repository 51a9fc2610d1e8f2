"""One page per S: what the S means, its KPIs as cards, and per KPI a trend with its target and a breakdown.

The KPI picked in the URL (``?kpi=``, e.g. from a card's "Details" link) is drawn first.
Filtered to a channel, the breakdown is by campaign; otherwise by channel. A KPI
whose data cannot be split that way says why instead of drawing an empty chart. A rate whose
channels differ more than 10x is drawn one small panel per channel (the chart's subtitle says so),
and the period the data starts in is shaded partial, not drawn as a value, on both charts.
"""

from __future__ import annotations

import streamlit as st

from metrics.catalog import KPI, S_MEANING, kpis_for, why_no_breakdown
from ui import charts, data
from ui.cards import kpi_card
from ui.safe_text import md
from ui.state import Selection, sidebar, url_selectbox

TREND_PERIODS = 26
BREAKDOWN_PERIODS = 13


def render(s: str) -> None:
    """Draw the page of S ``s`` (Sell, Serve, Speak, Save or Sizzle)."""
    version = data.version()
    selection = sidebar(version)
    period = selection.period
    kpis = kpis_for(s)

    st.title(s)
    st.markdown(f"**{S_MEANING[s]}**")
    st.caption(f"{period.label} · {period.start:%d %b %Y} – {period.end:%d %b %Y} · {md(selection.scope)} · "
               f"change against the previous {period.grain}"
               + (" · in progress: values and comparisons cover the days so far" if selection.in_progress else ""))

    items = [i for i in data.scorecard_items(version, period, selection.channel) if i.s == s]
    with st.container(horizontal=True):
        for item in items:
            kpi_card(item, links=selection, details=False)

    st.divider()
    labels = {k.id: k.label for k in kpis}
    focus = url_selectbox("KPI first", list(labels), "kpi", format_func=labels.get,
                          help="The KPI drawn first; the others follow in catalog order.")
    for kpi in sorted(kpis, key=lambda k: k.id != focus):
        _kpi_section(version, kpi, selection)


def _kpi_section(version: tuple, kpi: KPI, selection: Selection) -> None:
    """A KPI's heading (formula on hover), its trend against target and its breakdown."""
    period, channel = selection.period, selection.channel
    st.subheader(kpi.label, anchor=kpi.id.replace(".", "-"),
                 help=f"{kpi.description}\n\nFormula: `{kpi.formula}`"
                 + ("\n\nLower is better." if kpi.better == "lower" else ""))
    trend_column, breakdown_column = st.columns(2)
    frame = data.trend_with_plan(version, kpi.id, period, TREND_PERIODS, channel, False)
    title = f"{kpi.label} by {period.grain}, {selection.scope}"
    why = charts.why_no_trend(kpi, frame, selection.scope, f"the {TREND_PERIODS} {period.grain}s to {period.label}")
    if why:
        trend_column.info(why, icon=":material/info:")
    else:
        trend_column.plotly_chart(charts.add_plan_lines(charts.trend_chart(kpi, frame, title), kpi, frame),
                                  width="stretch", key=f"trend-{kpi.id}")
    dimension = "campaign" if channel else "channel"
    with breakdown_column:
        if dimension not in kpi.breakdowns:
            st.info(f"**{kpi.label}** is not broken down by {dimension}: {why_no_breakdown(kpi, dimension)}.",
                    icon=":material/info:")
            return
        parts = data.trend(version, kpi.id, period, BREAKDOWN_PERIODS, channel, None, dimension)
        if parts.empty or parts["value"].isna().all():
            st.info(f"No {kpi.label} by {dimension} for {md(selection.scope)} in these {period.grain}s.",
                    icon=":material/info:")
            return
        late = frame.loc[frame["starts_late"].notna(), "period_start"] if "starts_late" in frame else []
        st.plotly_chart(charts.breakdown_chart(kpi, parts, dimension, f"{kpi.label} by {dimension}, "
                                               f"last {BREAKDOWN_PERIODS} {period.grain}s", late_starts=list(late)),
                        width="stretch", key=f"breakdown-{kpi.id}")
