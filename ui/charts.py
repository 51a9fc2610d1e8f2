"""Plotly figures for the pages: one look everywhere (dark theme, a colour per channel, units on axes)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from metrics.catalog import KPI
from metrics.format import axis_suffix, format_value
from ui.safe_text import chart_text

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
TARGET = "#F5D547"
NOTE = "#FFFFFF"
LAST_YEAR = "#9AA5B1"


def channel_colour(channel: str) -> str:
    """The same colour for a channel on every page (stable for channels not listed)."""
    return CHANNEL_COLOURS.get(channel) or PALETTE[sum(map(ord, channel)) % len(PALETTE)]


def _layout(fig: go.Figure, kpi: KPI, height: int = 360) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=10, r=10, t=40, b=10),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15))
    fig.update_yaxes(title_text=kpi.label, **axis_suffix(kpi.unit))
    return fig


def trend_chart(kpi: KPI, frame: pd.DataFrame, title: str | None = None) -> go.Figure:
    """A KPI's value per period (``frame``: period_start, value[, reason, complete_through]); periods whose data
    ends early (partial) get an open marker and say so on hover; periods without data are gaps."""
    frame = frame.sort_values("period_start")
    partial = frame["value"].notna() & (frame["complete_through"].notna() if "complete_through" in frame else False)
    reasons = frame["reason"] if "reason" in frame else pd.Series(None, frame.index)
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(frame["period_start"]), y=frame["value"], mode="lines+markers", name=kpi.label,
        line=dict(color=ACTUAL, width=3),
        marker=dict(symbol=["circle-open" if p else "circle" for p in partial], size=[10 if p else 6 for p in partial]),
        customdata=[format_value(v, kpi.unit) + (f" (partial: {r})" if p else "")
                    for v, p, r in zip(frame["value"], partial, reasons)],
        hovertemplate="%{customdata}<extra>" + kpi.label + "</extra>",
    ))
    fig.update_layout(title=chart_text(title or f"{kpi.label} by period"))
    return _layout(fig, kpi)


def add_plan_lines(fig: go.Figure, kpi: KPI, frame: pd.DataFrame) -> go.Figure:
    """Dashed target line and, when present, last year's series (weekday-aligned) on a trend chart."""
    x = pd.to_datetime(frame["period_start"])
    if "target" in frame and frame["target"].notna().any():
        fig.add_trace(go.Scatter(
            x=x, y=frame["target"], mode="lines", name="Target", line=dict(color=TARGET, dash="dash", width=2),
            customdata=[format_value(v, kpi.unit) for v in frame["target"]],
            hovertemplate="%{customdata}<extra>Target</extra>",
        ))
    if "last_year" in frame and frame["last_year"].notna().any():
        fig.add_trace(go.Scatter(
            x=x, y=frame["last_year"], mode="lines", name="Last year", line=dict(color=LAST_YEAR, dash="dot"),
            customdata=[format_value(v, kpi.unit) for v in frame["last_year"]],
            hovertemplate="%{customdata}<extra>Last year</extra>",
        ))
    return fig


def add_notes(fig: go.Figure, notes: pd.DataFrame, kpi: KPI) -> go.Figure:
    """Review notes as markers along the bottom of a trend chart, the note's text on hover."""
    if notes is None or notes.empty:
        return fig
    grouped = notes.groupby("week_start")["text"].apply(lambda texts: "<br>".join(map(chart_text, texts)))
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(grouped.index), y=[0] * len(grouped), mode="markers", name="Notes",
        marker=dict(symbol="star", size=14, color=NOTE), yaxis="y", customdata=list(grouped.values),
        hovertemplate="%{customdata}<extra>Note</extra>",
    ))
    return fig


def burn_up_chart(kpi: KPI, frame: pd.DataFrame, title: str) -> go.Figure:
    """Cumulative actual against cumulative target (and last year) across an unfinished period."""
    fig = go.Figure()
    x = pd.to_datetime(frame["day"])
    for column, name, style in (("target", "Target (cumulative)", dict(color=TARGET, dash="dash", width=2)),
                                ("last_year", "Last year (cumulative)", dict(color=LAST_YEAR, dash="dot")),
                                ("actual", "Actual (cumulative)", dict(color=ACTUAL, width=3))):
        if frame[column].notna().any():
            fig.add_trace(go.Scatter(
                x=x, y=frame[column], mode="lines", name=name, line=style,
                customdata=[format_value(v, kpi.unit) for v in frame[column]],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    fig.update_layout(title=chart_text(title))
    return _layout(fig, kpi)


def breakdown_chart(kpi: KPI, frame: pd.DataFrame, dimension: str, title: str | None = None) -> go.Figure:
    """A KPI per period and channel (or campaign): stacked bars for a flow (the parts add up), lines otherwise."""
    fig = go.Figure()
    totals = frame.groupby(dimension)["value"].sum().sort_values(ascending=False)
    for member in totals.index:
        part = frame[frame[dimension] == member].sort_values("period_start")
        colour = channel_colour(member) if dimension == "channel" else None
        common = dict(x=pd.to_datetime(part["period_start"]), y=part["value"], name=chart_text(member),
                      customdata=[format_value(v, kpi.unit) for v in part["value"]],
                      hovertemplate="%{customdata}<extra>%{fullData.name}</extra>")
        if kpi.kind == "flow":
            fig.add_trace(go.Bar(marker_color=colour, **common))
        else:
            fig.add_trace(go.Scatter(mode="lines+markers", line=dict(color=colour), **common))
    fig.update_layout(title=chart_text(title or f"{kpi.label} by {dimension}"), barmode="stack")
    return _layout(fig, kpi)


def has_values(frame: pd.DataFrame, *columns: str) -> bool:
    """True when ``frame`` has at least one known (non-null) value in any of ``columns``."""
    return any(c in frame and pd.to_numeric(frame[c], errors="coerce").notna().any() for c in columns)


def first_reason(frame: pd.DataFrame) -> str | None:
    """The first reason a frame from the metrics layer gives for an unknown value (None when it gives none)."""
    if "reason" not in frame:
        return None
    reasons = frame["reason"].dropna()
    return str(reasons.iloc[0]) if not reasons.empty else None


def why_no_trend(kpi: KPI, frame: pd.DataFrame, scope: str, what: str) -> str | None:
    """Why a trend or burn-up of ``frame`` has nothing to draw (no value, target or last year in it), else None.

    ``what`` names the span, e.g. 'these 26 weeks'."""
    if has_values(frame, "value", "actual", "target", "last_year"):
        return None
    reason = first_reason(frame)
    return f"No {kpi.label} for {scope} in {what}" + (f": {reason}." if reason else ".")


def _tick_step(values: pd.Series, ticks: int = 5) -> int:
    """A whole-number axis step for about ``ticks`` ticks up to the largest known value (1 when none)."""
    top = pd.to_numeric(values, errors="coerce").max()
    return max(1, math.ceil(top / ticks)) if pd.notna(top) and top > 0 else 1


def daily_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Revenue and cost per day (currency axis) with orders as bars on a second axis; unknown days are gaps."""
    x = pd.to_datetime(frame["day"])
    fig = go.Figure()
    if has_values(frame, "orders"):
        fig.add_trace(go.Bar(x=x, y=frame["orders"], name="Orders", marker_color="rgba(154, 165, 177, 0.45)",
                             yaxis="y2", hovertemplate="%{y:,.0f}<extra>Orders</extra>"))
    for column, name, colour in (("revenue", "Revenue", ACTUAL), ("cost", "Cost", "#E8615A")):
        if has_values(frame, column):
            fig.add_trace(go.Scatter(
                x=x, y=frame[column], mode="lines+markers", name=name, line=dict(color=colour, width=3),
                customdata=[format_value(v, "currency") for v in frame[column]],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    fig.update_layout(template=TEMPLATE, height=340, margin=dict(l=10, r=10, t=40, b=10), title=chart_text(title),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15),
                      yaxis2=dict(title="Orders", overlaying="y", side="right", showgrid=False, rangemode="tozero",
                                  tickformat=",d", dtick=_tick_step(frame["orders"])))
    fig.update_layout(yaxis=dict(title="Revenue and cost", rangemode="tozero", **axis_suffix("currency")))
    return fig
