"""The Cohorts page's figures and table (pages/cohorts.py draws them): a retention heatmap (cohort × periods since
the first order), cumulative revenue per customer by acquisition channel with each channel's CAC, and an LTV:CAC
table with the payback period. The figures come from metrics.cohorts; here they are only shown, in the reader's
language (numbers through metrics.format, right to left through ui.chart_locale)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from i18n import _, is_rtl, ngettext
from i18n.numerals import localize_digits
from metrics.cohorts import ChannelSummary, Cohort, channel_summaries, compute_cohorts
from metrics.date_text import period_title
from metrics.format import format_value
from metrics.periods import Period, parse_period, period_containing, shift
from ui import data
from ui.chart_locale import _embed_texts, _right_to_left, _value_ticks
from ui.charts import TEMPLATE, channel_colour
from ui.safe_text import chart_text
from warehouse.snapshot import read_snapshot

GRAINS = ("month", "week")  # the page's period types; the sidebar's period is the last cohort shown
SPANS = ("6", "12", "24")  # how many cohorts the page shows (?cohorts=), ending with the sidebar's period
DEFAULT_SPAN = "12"
HEATMAP_TEXT_COLUMNS = 13  # up to this many periods the cells also show their value (more: on hover only)
IN_PROGRESS = "#F5D547"
DARK_CELL = 0.5  # a cell darker than half the colour scale gets light text
LIGHT_TEXT, DARK_TEXT = "#FFFFFF", "#1F2937"


@st.cache_data(show_spinner=False, max_entries=64)
def cohorts(version: tuple, grain: str, first: Period, last: Period, channel: str | None,
            by_channel: bool) -> list[Cohort]:
    """Cached :func:`metrics.cohorts.compute_cohorts` on the page's read snapshot."""
    with read_snapshot(data.engine()) as db:
        return compute_cohorts(db, grain, first, last, channel, by_channel)


def first_cohort(last: Period, span: str) -> Period:
    """The first of ``span`` cohorts ending with ``last``."""
    return shift(last, 1 - int(span))


def span_label(span: str, grain: str) -> str:
    """'12 months' / '12 weeks' in the reader's language and digits."""
    count = int(span)
    text = (ngettext("{count} month", "{count} months", count) if grain == "month"
            else ngettext("{count} week", "{count} weeks", count))
    return text.format(count=localize_digits(str(count)))


def since_label(k: int, grain: str) -> str:
    """Period k after the first order, as an axis label: 'first month', '3 months later'."""
    if k == 0:
        return _("first month") if grain == "month" else _("first week")
    text = (ngettext("{count} month later", "{count} months later", k) if grain == "month"
            else ngettext("{count} week later", "{count} weeks later", k))
    return text.format(count=localize_digits(str(k)))


def since_axis(grain: str) -> str:
    return _("Months since the first order") if grain == "month" else _("Weeks since the first order")


def payback_text(summary: ChannelSummary | Cohort, grain: str) -> str:
    """The payback period in words: 'in the first month', 'after 4 months', 'not yet', or '—' without ad cost."""
    if summary.cac is None:
        return "—"
    k = summary.payback_period
    if k is None:
        return _("not yet")
    if k == 0:
        return _("in the first month") if grain == "month" else _("in the first week")
    text = (ngettext("after {count} month", "after {count} months", k) if grain == "month"
            else ngettext("after {count} week", "after {count} weeks", k))
    return text.format(count=localize_digits(str(k)))


def _rtl(fig: go.Figure) -> go.Figure:
    if is_rtl():
        _embed_texts(fig)
    return fig


def cohort_title(item: Cohort) -> str:
    return period_title(parse_period(item.cohort))


def retention_heatmap(items: list[Cohort], grain: str) -> go.Figure:
    """Cohorts (oldest on top) × periods since their first order; a cell is the share of the cohort that ordered
    in that period (hover: the share, the customers, the period). Each row's last cell is outlined when that
    period is still in progress. The colour scale tops out at the highest repeat share (the first period is
    always 100%), so differences between later periods show."""
    width = max(len(c.retention) for c in items)
    rows = [cohort_title(c) for c in items]
    columns = [localize_digits(str(k)) for k in range(width)]
    z, hover, text = [], [], []
    for item in items:
        values = item.retention + [None] * (width - len(item.retention))
        z.append(values)
        text.append([format_value(v, "percent") if v is not None else "" for v in values])
        row_hover = []
        for k, v in enumerate(values):
            if v is None:
                row_hover.append("")
                continue
            line = _("{cohort} · {since}: {share} ordered ({count} of {customers} customers)").format(
                cohort=cohort_title(item), since=since_label(k, grain), share=format_value(v, "percent"),
                count=format_value(round(v * item.customers), "count"),
                customers=format_value(item.customers, "count"))
            if item.partial_last and k == len(item.retention) - 1:
                line += "<br>" + _("still in progress: the days so far")
            row_hover.append(line)
        hover.append(row_hover)
    later = [v for row in z for v in row[1:] if v is not None]
    top = max(later, default=0.0) or 1.0
    ticks = [0.0, top / 2, top]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=rows, zmin=0, zmax=top, colorscale="Blues", customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", xgap=1, ygap=1,
        colorbar=dict(title=dict(text=_("Ordered"), side="top"), tickmode="array", tickvals=ticks,
                      ticktext=[format_value(v, "percent") for v in ticks], thickness=12)))
    if width <= HEATMAP_TEXT_COLUMNS:
        # the values as a text trace of their own, light on dark cells and dark on light ones (a heatmap's own text
        # loses its contrast colouring once a right-to-left font is set)
        cells = [(columns[k], rows[i], text[i][k], v / top > DARK_CELL)
                 for i, row in enumerate(z) for k, v in enumerate(row) if v is not None]
        fig.add_trace(go.Scatter(
            x=[c[0] for c in cells], y=[c[1] for c in cells], text=[c[2] for c in cells], mode="text",
            textfont=dict(size=10, color=[LIGHT_TEXT if c[3] else DARK_TEXT for c in cells]),
            hoverinfo="skip", showlegend=False))
    partial = [(len(c.retention) - 1, i) for i, c in enumerate(items) if c.partial_last]
    for k, i in partial:  # an outline around the cell, not a marker over its value
        fig.add_shape(type="rect", x0=k - 0.5, x1=k + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line=dict(color=IN_PROGRESS, width=2))
    if partial:  # the outline's legend entry
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=_("In progress"), hoverinfo="skip",
                                 marker=dict(symbol="square-open", size=12, color=IN_PROGRESS, line=dict(width=2))))
    fig.update_layout(template=TEMPLATE, height=max(260, 110 + 28 * len(items)), margin=dict(l=10, r=10, t=30, b=10),
                      showlegend=bool(partial), legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      xaxis=dict(title=since_axis(grain), side="bottom", type="category"),
                      yaxis=dict(autorange="reversed", type="category"))
    if is_rtl():
        _right_to_left(fig)
    return _rtl(fig)


def revenue_curves(summaries: list[ChannelSummary], grain: str) -> go.Figure:
    """Per acquisition channel, cumulative revenue per customer by periods since the first order (a solid line),
    and its CAC (a dotted line in the same colour) where it has ad cost: the line crossing its CAC is payback.
    Channels without ad cost are drawn thinner and fainter (nothing to pay back)."""
    fig = go.Figure()
    for s in summaries:
        name, colour = chart_text(s.acquisition_channel), channel_colour(s.acquisition_channel)
        ks = list(range(len(s.revenue_per_customer)))
        hover = [_("{channel} · {since}: {value} per customer").format(
            channel=name, since=since_label(k, grain), value=format_value(v, "currency"))
            + ("" if s.ltv_cac is None or s.ltv_cac[k] is None else "<br>" + _("LTV:CAC {ratio}").format(
                ratio=format_value(s.ltv_cac[k], "ratio")))
            for k, v in zip(ks, s.revenue_per_customer)]
        fig.add_trace(go.Scatter(x=ks, y=s.revenue_per_customer, mode="lines+markers", name=name,
                                 line=dict(color=colour, width=3 if s.cac is not None else 1.5),
                                 opacity=1.0 if s.cac is not None else 0.55, customdata=hover,
                                 hovertemplate="%{customdata}<extra></extra>", legendgroup=name))
        if s.cac is not None:
            label = _("{channel}: CAC {cac}").format(channel=name, cac=format_value(s.cac, "currency"))
            fig.add_trace(go.Scatter(x=[ks[0], ks[-1]], y=[s.cac, s.cac], mode="lines", name=label,
                                     line=dict(color=colour, width=1.5, dash="dot"), showlegend=False,
                                     legendgroup=name, customdata=[label, label],
                                     hovertemplate="%{customdata}<extra></extra>"))
    longest = max((len(s.revenue_per_customer) for s in summaries), default=1)
    step = max(1, (longest + 11) // 12)
    ticks = list(range(0, longest, step))
    fig.update_layout(template=TEMPLATE, height=380, margin=dict(l=10, r=10, t=30, b=10), hovermode="closest",
                      legend=dict(orientation="h", y=-0.2),
                      xaxis=dict(title=since_axis(grain), tickmode="array", tickvals=ticks,
                                 ticktext=[localize_digits(str(k)) for k in ticks]),
                      yaxis=dict(title=_("Revenue per customer, added up"), rangemode="tozero"))
    if is_rtl():
        _right_to_left(fig)
    _value_ticks(fig, {"yaxis": "currency"})
    return _rtl(fig)


def ltv_cac_table(summaries: list[ChannelSummary], grain: str) -> pd.DataFrame:
    """One row per acquisition channel: customers, CAC, revenue per customer in the first period and at the latest
    period reached, LTV:CAC there, and the payback period (all as text in the reader's language)."""
    rows = []
    for s in summaries:
        last = len(s.revenue_per_customer) - 1
        rows.append({
            _("Acquisition channel"): s.acquisition_channel,
            _("New customers"): format_value(s.customers, "count"),
            _("CAC"): format_value(s.cac, "currency") if s.cac is not None else _("no ad cost"),
            _("Revenue per customer, first order's period"): format_value(s.revenue_per_customer[0], "currency"),
            _("Revenue per customer so far"): _("{value} ({since})").format(
                value=format_value(s.revenue_per_customer[last], "currency"), since=since_label(last, grain)),
            _("LTV:CAC so far"): ltv_cac_so_far(s, grain),
            _("Payback"): payback_text(s, grain),
        })
    return pd.DataFrame(rows)


def ltv_cac_so_far(summary: ChannelSummary, grain: str) -> str:
    """The latest LTV:CAC known ('1.25x'), with its period when the cohorts with ad cost have not reached the
    latest period ('1.25x (3 months later)'); '—' without ad cost."""
    known = [(k, ratio) for k, ratio in enumerate(summary.ltv_cac or []) if ratio is not None]
    if not known:
        return "—"
    k, ratio = known[-1]
    text = format_value(ratio, "ratio")
    if k == len(summary.revenue_per_customer) - 1:
        return text
    return _("{value} ({since})").format(value=text, since=since_label(k, grain))


def no_cost_channels(summaries: list[ChannelSummary]) -> list[str]:
    return [s.acquisition_channel for s in summaries if s.cac is None]


def summaries(version: tuple, grain: str, first: Period, last: Period, channel: str | None) -> list[ChannelSummary]:
    """The acquisition channels' summaries of the cohorts first..last (only ``channel``'s when given)."""
    return channel_summaries(cohorts(version, grain, first, last, channel, True))


def last_period(item: Cohort, grain: str) -> Period:
    """The last period the cohort's arrays reach."""
    start = parse_period(item.cohort)
    return shift(period_containing(start.start, grain, start.calendar), len(item.retention) - 1)
