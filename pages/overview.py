"""Overview: the 5S scorecard for the selected period, with a trend chart of one KPI."""

from __future__ import annotations

import streamlit as st

from metrics.catalog import KPI_BY_ID, KPIS, S_MEANING, S_ORDER
from metrics.format import format_change, format_delta, format_value
from ui import charts, data
from ui.state import sidebar

version = data.version()
selection = sidebar(version)
period = selection.period

st.title("5S KPI overview")
st.caption(f"{period.label} · {period.start:%d %b %Y} – {period.end:%d %b %Y} · {selection.scope} · "
           f"change against the previous {period.grain}" + (" · in progress" if selection.in_progress else ""))

items = data.scorecard_items(version, period, selection.channel)
by_s = {s: [i for i in items if i.s == s] for s in S_ORDER}

for s in S_ORDER:
    st.subheader(s, help=S_MEANING[s])
    st.caption(S_MEANING[s])
    with st.container(horizontal=True):
        for item in by_s[s]:
            kpi = KPI_BY_ID[item.id]
            delta = None
            if item.change_pct is not None:
                delta = f"{format_change(item.change_pct)} ({format_delta(item.change_abs, kpi.unit)})"
            elif item.value is None:
                delta = f"n/a: {item.reason}"
            st.metric(
                item.label,
                format_value(item.value, kpi.unit),
                delta=delta,
                delta_color="off" if item.value is None else "normal" if kpi.better == "higher" else "inverse",
                delta_arrow="off" if item.value is None else "auto",
                help=f"{kpi.description} Formula: `{kpi.formula}`."
                + (f" Not available: {item.reason}." if item.reason else ""),
                border=True,
                chart_data=[v for v in item.sparkline if v is not None] or None,
                width=220,
            )

st.divider()
kpi_id = st.selectbox("Trend of KPI", [k.id for k in KPIS], key="kpi", bind="query-params")
kpi = KPI_BY_ID[kpi_id]
frame = data.trend(version, kpi_id, period, 26, selection.channel)
st.plotly_chart(charts.trend_chart(kpi, frame, f"{kpi.label} by {period.grain}, {selection.scope}"),
                width="stretch")
