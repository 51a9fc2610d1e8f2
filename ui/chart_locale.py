"""Charts in the reader's language. Plotly writes numbers with Latin digits and dates in the Gregorian calendar
(its own Jalali calendar gets some leap years wrong), so outside English every numeric axis gets ready-made tick
labels (:func:`metrics.chart_ticks.nice_ticks`, :func:`metrics.format.format_tick`), every date axis labels from
:mod:`metrics.date_text` (also in English with the Jalali calendar), and hovers show pre-formatted text
(``customdata``) with the date: nothing plotly formats itself is left on screen. Right-to-left languages get
their font, a legend and title read from the right, and every text line wrapped in a right-to-left embedding: the
SVG text plotly draws is laid out left to right whatever the page's direction, which would show '۱۶ شهریور' as
'شهریور ۱۶' and put 'تومان' before its amount. (The chart's container itself must stay ``direction: ltr``: under
``rtl`` the browser flips the SVG's text anchors, cutting off tick labels.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from i18n import current_locale, is_rtl
from metrics.chart_ticks import date_ticks, nice_ticks
from metrics.date_text import format_date
from metrics.format import format_tick
from metrics.periods import current_calendar

RTL_FONT = "Vazirmatn, sans-serif"  # served by the app and embedded in the exported review
# For the right-to-left page and the exported review: plotly places its SVG text with text-anchor, which a
# right-to-left container flips (tick labels cut off at the edge, the right axis's labels over its title), and
# measures text in a hidden SVG it appends to <body> (#js-plotly-tester), which must be left to right too (checked
# in chromium: without the tester rule the labels are still cut). The charts' own texts are embedded right to left
# (see _embed_texts), so their containers stay left to right.
CHART_CONTAINER_CSS = ".stPlotlyChart, .plotly-graph-div, .js-plotly-plot, #js-plotly-tester { direction: ltr; }"
ONE_ROW = 4  # legend entries that fit on one row
HIDDEN_AXES = ("yaxis9",)  # the overlay band of markers above the plot (ui.charts.BAND): fixed 0..1, not shown
PLOTLY_NUMBER_FORMATS = ("tickformat", "tickprefix", "ticksuffix", "dtick", "tick0")
RLE, PDF = "\u202b", "\u202c"  # right-to-left embedding, and its end
_EXTRA = re.compile(r"<extra>(.*?)</extra>", re.DOTALL)


def bidi(text: str | None) -> str | None:
    """Each line of ``text`` (lines split by plotly's '<br>') as a right-to-left embedding, when the run's
    language reads right to left; as it is otherwise, or when already embedded."""
    if not text or not is_rtl() or text.startswith(RLE):
        return text
    return "<br>".join(RLE + line + PDF for line in str(text).split("<br>"))


def plain(text: str | None) -> str | None:
    """``text`` without the embedding marks :func:`bidi` adds."""
    return text.replace(RLE, "").replace(PDF, "") if text else text


def own_numbers() -> bool:
    """Whether tick labels of numbers are written here (any language but English)."""
    return current_locale() != "en"


def own_dates() -> bool:
    """Whether date tick labels and hover dates are written here (any language but English, or a calendar plotly
    does not know)."""
    return own_numbers() or current_calendar() != "gregorian"


def localize(fig: go.Figure, units: Mapping[str, str]) -> go.Figure:
    """``fig`` as the run's language reads it. ``units`` maps a value axis ('yaxis', 'yaxis2') to its unit; axes
    not named there (small multiples' panels) take the unit of 'yaxis'. English Gregorian charts are left as
    they are."""
    if is_rtl():
        _right_to_left(fig)
    if own_numbers():
        _value_ticks(fig, units)
    if own_dates():
        _date_axes(fig)
        _dated_hover(fig)
    if is_rtl():
        _embed_texts(fig)
    return fig


def _right_to_left(fig: go.Figure) -> None:
    """Persian and Arabic: their font; the title, hover text and a horizontal legend from the right, the first
    trace rightmost. The time axis is NOT reversed: time runs left to right in Persian and Arabic charts too."""
    fig.update_layout(font_family=RTL_FONT, title_x=1, title_xanchor="right", hoverlabel_align="right")
    if not fig.layout.title.subtitle.text and "xaxis2" not in fig.layout:
        # at the top, with room under it for a legend above the plot (the exported review puts it there, on the
        # right too); plotly's tool bar, top right, covers it only while hovered
        fig.update_layout(title_yref="container", title_y=1, title_yanchor="top", title_pad_t=12,
                          margin_t=max(fig.layout.margin.t or 0, 64))
    if fig.layout.legend.orientation == "h":
        # on one row, the first entry rightmost; plotly fills several rows left to right whatever the order
        # (a breakdown's channels), so there the order stays as drawn
        shown = sum(1 for trace in fig.data if trace.showlegend is not False)
        fig.update_layout(legend=dict(x=1, xanchor="right", traceorder="reversed" if shown <= ONE_ROW else "normal"))


def _embed_texts(fig: go.Figure) -> None:
    """Every text plotly draws (title, legend and hover names, axis titles and tick labels, annotations, hover
    values) as right-to-left embeddings."""
    title = fig.layout.title
    fig.update_layout(title_text=bidi(title.text), title_subtitle_text=bidi(title.subtitle.text))
    for axis in [key for key in fig.layout.to_plotly_json() if re.fullmatch(r"[xy]axis\d*", key)]:
        settings = fig.layout[axis]
        if settings.title.text:
            settings.title.text = bidi(settings.title.text)
        if settings.ticktext:
            settings.ticktext = [bidi(text) for text in settings.ticktext]
    for note in fig.layout.annotations:
        note.text = bidi(note.text)
    for trace in fig.data:
        trace.name = bidi(trace.name)
        if trace.hovertemplate:
            trace.hovertemplate = _EXTRA.sub(lambda m: f"<extra>{bidi(m[1])}</extra>", trace.hovertemplate)
        if trace.customdata is not None and len(trace.customdata) and not isinstance(trace.customdata[0], str):
            trace.customdata = [[bidi(part) if isinstance(part, str) else part for part in row]
                                for row in trace.customdata]


def _axis_name(trace_axis: str | None, letter: str) -> str:
    """The layout key of a trace's axis: 'y' → 'yaxis', 'y2' → 'yaxis2'."""
    return f"{letter}axis{(trace_axis or letter)[1:]}"


def _numbers(values) -> pd.Series:
    return pd.to_numeric(pd.Series(list(values if values is not None else []), dtype=object), errors="coerce")


def _value_ranges(fig: go.Figure) -> dict[str, list[float]]:
    """The values each y axis shows: the traces' values, and for stacked bars each period's stack (from 0)."""
    ranges: dict[str, list[float]] = {}
    stacks: dict[str, list[pd.Series]] = {}
    stacked = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        axis = _axis_name(trace.yaxis, "y")
        values = _numbers(trace.y)
        if trace.type == "bar":
            ranges.setdefault(axis, []).append(0.0)  # a bar grows from zero
            if stacked:
                stacks.setdefault(axis, []).append(pd.Series(values.to_numpy(), index=list(trace.x)))
                continue
        ranges.setdefault(axis, []).extend(values.dropna().tolist())
    for axis, parts in stacks.items():
        frame = pd.concat(parts, axis=1)
        ranges[axis] += frame.clip(lower=0).sum(axis=1).tolist() + frame.clip(upper=0).sum(axis=1).tolist()
    return ranges


def _value_ticks(fig: go.Figure, units: Mapping[str, str]) -> None:
    """Every value axis labelled with round ticks in the reader's digits; plotly's own number formats removed."""
    for axis, values in _value_ranges(fig).items():
        if axis in HIDDEN_AXES:
            continue
        settings = {key: None for key in PLOTLY_NUMBER_FORMATS}
        if not values:  # nothing drawn on it: no ticks, rather than plotly's own
            fig.update_layout({axis: dict(tickmode="array", tickvals=[], ticktext=[], **settings)})
            continue
        layout_axis = fig.layout[axis]
        low, high = min(values), max(values)
        if layout_axis.rangemode == "tozero":
            low, high = min(low, 0.0), max(high, 0.0)
        ticks, step = nice_ticks(low, high, min(layout_axis.nticks or 5, 5))
        unit = units.get(axis, units.get("yaxis", "count"))
        fig.update_layout({axis: dict(tickmode="array", tickvals=ticks,
                                      ticktext=[format_tick(v, unit, step) for v in ticks], **settings)})


def _dates(fig: go.Figure) -> list:
    """Every x value of the figure's traces, as dates."""
    days = set()
    for trace in fig.data:
        if trace.x is not None:
            days |= set(pd.to_datetime(pd.Series(list(trace.x), dtype=object)).dropna().dt.date)
    return sorted(days)


def _date_axes(fig: go.Figure) -> None:
    """Every date axis labelled at some of the periods drawn, in the run's language and calendar."""
    days = _dates(fig)
    if not days:
        return
    for axis in [key for key in fig.layout.to_plotly_json() if key.startswith("xaxis")] or ["xaxis"]:
        chosen, labels = date_ticks(days, min(fig.layout[axis].nticks or 6, 6))
        fig.update_layout({axis: dict(tickmode="array", tickvals=[pd.Timestamp(d) for d in chosen], ticktext=labels,
                                      tickformat=None, dtick=None, tick0=None)})


def _dated_hover(fig: go.Figure) -> None:
    """Each point's hover: its date (as the axis writes dates) over its pre-formatted text. The unified hover's
    header is plotly's own date, so points are hovered one at a time."""
    for trace in fig.data:
        template = trace.hovertemplate or ""
        if trace.x is None or trace.customdata is None or "%{customdata}" not in template:
            continue
        days = pd.to_datetime(pd.Series(list(trace.x), dtype=object))
        trace.customdata = [[format_date(day.date()) if pd.notna(day) else "", text]
                            for day, text in zip(days, trace.customdata)]
        trace.hovertemplate = template.replace("%{customdata}", "%{customdata[0]}<br>%{customdata[1]}")
    fig.update_layout(hovermode="closest")
