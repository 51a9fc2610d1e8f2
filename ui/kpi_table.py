"""The compact scorecard: one row per KPI (value, change, target, status in colour and word, sparkline)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from metrics.catalog import KPI_BY_ID
from metrics.format import format_change, format_value
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import KpiResult

STATUS_MARK = {"on_track": "🟢", "at_risk": "🟠", "off_track": "🔴", "no_target": "⚪", "no_data": "⚪"}
ATTENTION_ORDER = {"off_track": 0, "at_risk": 1}


def needing_attention(items: list[KpiResult]) -> list[KpiResult]:
    """The off-track KPIs, then the at-risk ones, each in the catalog's order."""
    flagged = [i for i in items if i.status in ATTENTION_ORDER]
    return sorted(flagged, key=lambda i: ATTENTION_ORDER[i.status])


def kpi_rows(items: list[KpiResult]) -> pd.DataFrame:
    """One formatted row per KPI, in the order given (the status both as colour mark and as word)."""
    rows = []
    for item in items:
        unit = KPI_BY_ID[item.id].unit
        status = STATUS_LABELS[item.status] + (" (partial data)" if item.partial else "")
        rows.append({
            "id": item.id,
            "S": item.s,
            "KPI": item.label,
            "Value": format_value(item.value, unit),
            "Change": format_change(item.change_pct),
            "Target": format_value(item.target, unit),
            "Status": f"{STATUS_MARK[item.status]} {status}",
            "Trend": [v for v in item.sparkline if v is not None],
        })
    return pd.DataFrame(rows, columns=["id", "S", "KPI", "Value", "Change", "Target", "Status", "Trend"])


def kpi_table(items: list[KpiResult], key: str, grain: str, on_select: Callable[[], None] | str = "ignore"):
    """Draw :func:`kpi_rows` as a compact table (select a row with ``on_select``); returns the widget's event."""
    frame = kpi_rows(items)
    return st.dataframe(
        frame, hide_index=True, width="stretch", key=key, on_select=on_select, selection_mode="single-row",
        height="content",
        column_config={
            "id": None,
            "S": st.column_config.TextColumn("S", width="small"),
            "KPI": st.column_config.TextColumn("KPI", width="medium", pinned=True),
            "Change": st.column_config.TextColumn(f"vs previous {grain}"),
            "Trend": st.column_config.LineChartColumn(f"Last 13 {grain}s", width="small"),
        },
    )
