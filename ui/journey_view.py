"""The Journey page's parts: cached funnels, the funnel chart, the step table and the channel × step heatmap.

Figures come from :mod:`metrics.funnel`; this module only formats them in the reader's language (digits, right to
left) and draws them.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from i18n import _, is_rtl
from metrics.catalog import FUNNEL_STEP_BY_ID, FUNNEL_STEPS
from metrics.format import format_delta, format_value
from metrics.funnel import (
    STEP_IDS,
    Funnel,
    StepChange,
    compute_funnel,
    funnel_by_campaign,
    funnel_by_channel,
    rate_table,
    weakest_steps,
)
from metrics.periods import Period
from ui import data
from ui.chart_locale import RTL_FONT, bidi
from ui.charts import ACTUAL, TEMPLATE
from ui.safe_text import chart_text

WEAK = "⚠"  # marks the weakest step of a channel in the heatmap
# The heatmap's colours, below the median to above it; white text reads on each (contrast at least 4.5:1).
LEAK_COLOURS = ("#C9463F", "#3A3F47", "#23804F")


@st.cache_data(show_spinner=False, max_entries=128)
def funnel(version: tuple, period: Period, channel: str | None, campaign: str | None) -> Funnel:
    return data._read(compute_funnel, period, channel, campaign)


@st.cache_data(show_spinner=False, max_entries=64)
def channel_funnels(version: tuple, period: Period) -> dict[str, Funnel]:
    return data._read(funnel_by_channel, period)


@st.cache_data(show_spinner=False, max_entries=64)
def campaign_funnels(version: tuple, period: Period, channel: str) -> dict[str, Funnel]:
    return data._read(funnel_by_campaign, period, channel)


def step_name(step_id: str) -> str:
    """A step's name in the reader's language ('Desire', 'تمایل')."""
    return _(FUNNEL_STEP_BY_ID[step_id].label)


def rate_text(rate: float | None) -> str:
    return format_value(rate, "percent")


def _rtl_layout(fig: go.Figure) -> None:
    """Right to left: the font, the title and the row names (steps, channels) on the right."""
    if is_rtl():
        fig.update_layout(font_family=RTL_FONT, title_x=1, title_xanchor="right", hoverlabel_align="right")
        fig.update_yaxes(side="right")


def funnel_chart(current: Funnel, changes: list[StepChange], title: str) -> go.Figure:
    """The five steps as a funnel: each bar's value and its rate from the previous step written on it; the hover
    adds the previous period's rate and the change. Bar widths follow the logarithm of the value (attention is
    often a hundred times interest: on a linear scale the later steps would be slivers)."""
    by_id = {c.id: c for c in changes}
    names, values, texts, hovers = [], [], [], []
    for step in current.steps:
        change = by_id[step.id]
        names.append(bidi(chart_text(step_name(step.id))))
        values.append(math.log10(step.value) + 1 if step.value and step.value >= 1 else 0)  # widths: log scale
        text = format_value(step.value, "count")
        if step.rate_from_previous is not None:
            text = _("{value} · {rate} of the previous step").format(value=text,
                                                                     rate=rate_text(step.rate_from_previous))
        texts.append(bidi(chart_text(text)))
        hover = _("{step}: {value}").format(step=step_name(step.id), value=format_value(step.value, "count"))
        if step.rate_from_previous is not None or change.previous_rate is not None:
            hover += "<br>" + chart_text(_("Rate from the previous step: {rate} (previous period {before}, "
                                           "change {change})").format(rate=rate_text(change.rate),
                                                                      before=rate_text(change.previous_rate),
                                                                      change=format_delta(change.change, "percent")))
        hover += "<br>" + chart_text(step.source or step.reason or "")
        hovers.append(bidi(hover))
    widest = max(values) if values else 0
    inside = ["inside" if widest and v > widest * 0.6 else "outside" for v in values]  # wide bars hold their text
    fig = go.Figure(go.Funnel(y=names, x=values, text=texts, textinfo="text", textposition=inside,
                              marker=dict(color=ACTUAL), connector=dict(line=dict(width=0)),
                              insidetextfont=dict(color="white"),
                              customdata=hovers, hovertemplate="%{customdata}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, height=360, margin=dict(l=10, r=10, t=40, b=10),
                      title=bidi(chart_text(title)))
    fig.update_xaxes(showticklabels=False)
    _rtl_layout(fig)
    return fig


def step_table(current: Funnel, changes: list[StepChange]) -> pd.DataFrame:
    """One row per step: its value, rate from the previous step, that rate in the previous period, the change and
    what was counted (or why it is missing), as text in the reader's language."""
    by_id = {c.id: c for c in changes}
    rows = []
    for step in current.steps:
        change = by_id[step.id]
        rows.append({
            _("Step"): step_name(step.id),
            _("Value"): format_value(step.value, "count"),
            _("Rate from the previous step"): rate_text(step.rate_from_previous),
            _("Previous period"): rate_text(change.previous_rate),
            _("Change"): format_delta(change.change, "percent"),
            _("Counted"): step.source or "—",
        })
    return pd.DataFrame(rows)


def step_definitions() -> list[str]:
    """What each step counts, from its declaration in the catalog ('**Desire**: add-to-carts where …')."""
    return [_("**{step}**: {counts}").format(step=_(step.label), counts=_(step.description)) for step in FUNNEL_STEPS]


def notes(current: Funnel) -> tuple[list[str], list[str]]:
    """(what the reader should know about what was counted, why figures are missing): desire counting engaged
    sessions, sources without data."""
    counted = [_("{step} counts {what}.").format(step=step_name(step.id), what=step.source)
               for step in current.steps if step.fallback]
    missing = [_("{step}: {reason}").format(step=step_name(step.id), reason=step.reason)
               for step in current.steps if step.reason]
    return counted, missing


def leak_heatmap(funnels: dict[str, Funnel], title: str) -> go.Figure:
    """Members (channels or campaigns) × steps: each cell is the step's rate from the previous step, coloured by
    how it compares with the median of all members for that step (red below, green above); each member's weakest
    step is marked."""
    table = rate_table(funnels)
    weakest = weakest_steps(funnels)
    steps = list(STEP_IDS[1:])
    medians = {s: table[s].median() for s in steps}
    z, texts, hovers = [], [], []
    for member, rates in table.iterrows():
        z_row, text_row, hover_row = [], [], []
        for s in steps:
            rate, median = rates[s], medians[s]
            ratio = None
            if pd.notna(rate) and pd.notna(median) and median:
                ratio = math.log2(rate / median) if rate > 0 else -2.0  # none at all: as red as it gets
            z_row.append(None if ratio is None else max(-2.0, min(2.0, ratio)))
            mark = f"{WEAK} " if weakest.get(member) == s else ""
            text_row.append(bidi(mark + rate_text(rate if pd.notna(rate) else None)))
            hover_row.append(bidi(chart_text(_("{member} · {step}: {rate} of the previous step (median {median})")
                                             .format(member=member, step=step_name(s),
                                                     rate=rate_text(rate if pd.notna(rate) else None),
                                                     median=rate_text(median if pd.notna(median) else None)))))
        z.append(z_row)
        texts.append(text_row)
        hovers.append(hover_row)
    fig = go.Figure(go.Heatmap(
        z=z, x=[bidi(chart_text(step_name(s))) for s in steps], y=[chart_text(m) for m in table.index],
        text=texts, texttemplate="%{text}", customdata=hovers, hovertemplate="%{customdata}<extra></extra>",
        colorscale=[[0, LEAK_COLOURS[0]], [0.5, LEAK_COLOURS[1]], [1, LEAK_COLOURS[2]]], zmin=-2, zmax=2,
        showscale=False, textfont=dict(color="white"), xgap=2, ygap=2))
    fig.update_layout(template=TEMPLATE, height=max(220, 90 + 34 * len(table)),
                      margin=dict(l=10, r=10, t=80, b=10), title=bidi(chart_text(title)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", autorange="reversed" if is_rtl() else True)
    _rtl_layout(fig)
    return fig


def values_table(funnels: dict[str, Funnel], member_title: str) -> pd.DataFrame:
    """Members × steps: each step's value, as text in the reader's language."""
    return pd.DataFrame([{member_title: member, **{step_name(s.id): format_value(s.value, "count")
                                                   for s in f.steps}} for member, f in funnels.items()])
