"""Plotly figures for the pages: one look everywhere (dark theme, a colour per channel, units on axes)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.catalog import KPI
from metrics.format import axis_suffix, format_value

TEMPLATE = "plotly_dark"
CHANNEL_COLOURS = {
    "Organic Search": "#4C9BE8",
    "Paid Search": "#F2A541",
    "Paid Social": "#E8615A",
    "Organic Social": "#B07CD8",
    "Email": "#4CC38A",
    "Direct": "#9AA5B1",
    "Referral": "#F5D547",
    "Affiliates": "#5FD3D0",
    "SMS": "#F28FB1",
}
PALETTE = ["#4C9BE8", "#F2A541", "#E8615A", "#4CC38A", "#B07CD8", "#F5D547", "#5FD3D0", "#F28FB1", "#9AA5B1"]
ACTUAL = "#4C9BE8"


def channel_colour(channel: str) -> str:
    """The same colour for a channel on every page (stable for channels not listed)."""
    return CHANNEL_COLOURS.get(channel) or PALETTE[sum(map(ord, channel)) % len(PALETTE)]


def _layout(fig: go.Figure, kpi: KPI, height: int = 360) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=10, r=10, t=40, b=10),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15))
    fig.update_yaxes(title_text=kpi.label, **axis_suffix(kpi.unit))
    return fig


def trend_chart(kpi: KPI, frame: pd.DataFrame, title: str | None = None) -> go.Figure:
    """A KPI's value per period (``frame``: period_start, value[, reason])."""
    frame = frame.sort_values("period_start")
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(frame["period_start"]), y=frame["value"], mode="lines+markers", name=kpi.label,
        line=dict(color=ACTUAL, width=3),
        customdata=[format_value(v, kpi.unit) for v in frame["value"]],
        hovertemplate="%{customdata}<extra>" + kpi.label + "</extra>",
    ))
    fig.update_layout(title=title or f"{kpi.label} by period")
    return _layout(fig, kpi)


def breakdown_chart(kpi: KPI, frame: pd.DataFrame, dimension: str) -> go.Figure:
    """A KPI per period, one line per channel or campaign."""
    fig = go.Figure()
    for member, part in frame.sort_values("period_start").groupby(dimension):
        colour = channel_colour(member) if dimension == "channel" else None
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(part["period_start"]), y=part["value"], mode="lines", name=str(member),
            line=dict(color=colour), customdata=[format_value(v, kpi.unit) for v in part["value"]],
            hovertemplate="%{customdata}<extra>" + str(member) + "</extra>",
        ))
    fig.update_layout(title=f"{kpi.label} by {dimension}")
    return _layout(fig, kpi)
