"""Overview: what needs attention first, then the 5S scorecard (a compact table or cards) for the selected period
against plan, and one KPI's trend or burn-up."""

from __future__ import annotations

from collections import Counter
from datetime import date

import streamlit as st

from metrics.catalog import KPI_BY_ID, KPIS, S_MEANING, S_ORDER, kpi_option
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import partial_headline, unknown_headline
from ui import charts, data
from ui.cards import PARTIAL_ICON, kpi_card, kpi_links
from ui.kpi_table import attention_block, kpi_table, without_targets
from ui.safe_text import md
from ui.state import sidebar, url_segmented, url_selectbox, url_toggle

version = data.version()
selection = sidebar(version)
period = selection.period

st.title("5S KPI overview")
st.caption(f"{period.label} · {period.start:%d %b %Y} – {period.end:%d %b %Y} · {md(selection.scope)} · "
           f"change against the previous {period.grain}"
           + (" · in progress: values and comparisons cover the days so far" if selection.in_progress else ""))

items = data.scorecard_items(version, period, selection.channel)
planned = not without_targets(items)
if planned:
    counts = Counter(i.status for i in items)
    st.markdown(" · ".join(f"**{counts[s]}** {STATUS_LABELS[s].lower()}" for s in ("on_track", "at_risk", "off_track"))
                + (f" · {counts['no_target']} without a target" if counts["no_target"] else "")
                + (f" · {counts['no_data']} without data" if counts["no_data"] else ""))
else:
    with st.container(horizontal=True, vertical_alignment="center", key="no-targets"):
        st.markdown(f":material/flag: No targets are set for {period.label}"
                    + (f" for {md(selection.channel)}" if selection.channel else "") + ":")
        st.page_link("pages/targets.py", label="set them on the Targets page", query_params=selection.query())
if headline := partial_headline(items, f"in {period.label}"):
    st.warning(headline, icon=PARTIAL_ICON)
if unknown := unknown_headline(items, f"in {period.label}"):
    st.info(md(unknown), icon=":material/help:")

if planned:
    st.subheader("Needs attention", help="Off-track KPIs first, then the ones at risk; the links open their details.")
    attention_block(items, selection)

with st.container(horizontal=True, vertical_alignment="center"):
    st.subheader(f"All {len(items)} KPIs")
    view = url_segmented("View", {"table": "Scorecard", "cards": "Cards"}, "view", label_visibility="collapsed")
if view == "table":
    ids = [i.id for i in items]

    def chart_selected() -> None:
        """A selected row becomes the KPI charted below."""
        if rows := st.session_state["scorecard"].selection.rows:
            st.session_state["kpi"] = ids[rows[0]]

    event = kpi_table(items, "scorecard", period.grain, on_select=chart_selected, plan=planned)
    if event.selection.rows:
        chosen = items[event.selection.rows[0]]
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"**{chosen.label}** (charted below):")
            kpi_links(chosen.id, selection)
    else:
        st.caption("Select a row to chart that KPI below and open its details.")
else:
    for s in S_ORDER:
        st.subheader(s, help=S_MEANING[s])
        with st.container(horizontal=True):
            for item in (i for i in items if i.s == s):
                kpi_card(item, width="stretch", links=selection, status=planned)

st.divider()
left, right = st.columns([3, 1])
kpi_id = url_selectbox("Trend of KPI", [k.id for k in KPIS], "kpi", container=left,
                       format_func=kpi_option)
with_last_year = url_toggle("Overlay last year", "ly", container=right)
kpi = KPI_BY_ID[kpi_id]
frame = data.trend_with_plan(version, kpi_id, period, 26, selection.channel, with_last_year)
why = charts.why_no_trend(kpi, frame, selection.scope, f"the 26 {period.grain}s to {period.label}")
if why:
    st.info(why, icon=":material/info:")
else:
    figure = charts.add_plan_lines(
        charts.trend_chart(kpi, frame, f"{kpi.label} by {period.grain}, {selection.scope}"), kpi, frame)
    st.plotly_chart(figure, width="stretch")
if selection.in_progress and kpi.kind == "flow":
    burn = data.burn_up(version, kpi_id, period, selection.channel, date.today())
    why = charts.why_no_trend(kpi, burn, selection.scope, f"{period.label} so far")
    if why:
        st.info(f"{why} There is no burn-up to draw.", icon=":material/info:")
    else:
        st.plotly_chart(charts.burn_up_chart(kpi, burn, f"{kpi.label}: {period.label} so far against plan"),
                        width="stretch")
elif selection.in_progress:
    st.caption(f"{kpi.label} is a {kpi.kind}, not a running total: its burn-up is not drawn.")
