"""Plotly figures for the pages: one look everywhere (dark theme, a colour per channel, units on axes), in the
run's language (titles, axes and trace names translated; digits, dates and direction by :mod:`ui.chart_locale`)."""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from i18n import N_, _
from i18n.numerals import localize_digits
from metrics.catalog import KPI
from metrics.engine import is_unknown
from metrics.format import axis_suffix, format_range, format_value
from ui.chart_locale import localize, plain
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
PARTIAL = "rgba(154, 165, 177, 0.18)"
EXPECTED = "rgba(76, 155, 232, 0.22)"  # the expected range's band: the series' blue, light (reads on white paper too)
EXPECTED_HOVER = "#2F5F8F"  # its hover and edges (width 0): solid, the band itself is too faint to read a label on
EXPECTED_COLUMNS = ("expected_low", "expected_high")
BAND = "y9"  # an overlay axis fixed at 0..1 for markers above the plot (notes without a value, partial periods)
BAND_Y = 0.96  # notes without a value, and the hover of a partial period's label: along the top
SPREAD = 10.0  # channels whose typical values differ more than this factor get one panel each
BY_DIMENSION = {"channel": N_("{kpi} by channel"), "campaign": N_("{kpi} by campaign")}
SPREAD_NOTE = {"channel": N_("{high}'s {kpi} is {times}× {low}'s: one panel per channel, each on its own scale"),
               "campaign": N_("{high}'s {kpi} is {times}× {low}'s: one panel per campaign, each on its own scale")}


def channel_colour(channel: str) -> str:
    """The same colour for a channel on every page (stable for channels not listed)."""
    return CHANNEL_COLOURS.get(channel) or PALETTE[sum(map(ord, channel)) % len(PALETTE)]


def _layout(fig: go.Figure, kpi: KPI, height: int = 360) -> go.Figure:
    fig.update_layout(template=TEMPLATE, height=height, margin=dict(l=10, r=10, t=40, b=10),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15))
    fig.update_yaxes(title_text=_(kpi.label), **axis_suffix(kpi.unit))
    return localize(fig, {"yaxis": kpi.unit})


def _partial(value: str, reason: object) -> str:
    """A partial period's value and why it is partial, for a hover."""
    return _("{value} (partial: {reason})").format(value=value, reason=reason)


def trend_chart(kpi: KPI, frame: pd.DataFrame, title: str | None = None) -> go.Figure:
    """A KPI's value per period (``frame``: period_start, value[, reason, complete_through, starts_late]).

    Periods whose data ends early (partial) get an open marker and say so on hover; periods without data are
    gaps. A period that begins before the data does (``starts_late``, e.g. a first month holding its last two
    days) is not drawn as a value (its few days would read as a fall): it is shaded and labelled 'partial', and
    hovering the label gives its value over the days with data. The y axis is the series' own.
    """
    frame = frame.sort_values("period_start").reset_index(drop=True)
    partial = frame["value"].notna() & (frame["complete_through"].notna() if "complete_through" in frame else False)
    reasons = frame["reason"] if "reason" in frame else pd.Series(None, frame.index)
    late = _late_rows(frame)
    label = _(kpi.label)
    fig = go.Figure(go.Scatter(
        x=pd.to_datetime(frame["period_start"]), y=frame["value"].where(~late), mode="lines+markers",
        name=label, line=dict(color=ACTUAL, width=3),
        marker=dict(symbol=["circle-open" if p else "circle" for p in partial], size=[10 if p else 6 for p in partial]),
        customdata=[_partial(format_value(v, kpi.unit), r) if p else format_value(v, kpi.unit)
                    for v, p, r in zip(frame["value"], partial, reasons)],
        hovertemplate="%{customdata}<extra>" + label + "</extra>",
    ))
    fig.update_layout(title=chart_text(title or _("{kpi} by period").format(kpi=label)))
    add_expected_range(fig, kpi, frame.assign(**{c: frame[c].where(~late) for c in EXPECTED_COLUMNS if c in frame}))
    _mark_late_starts(fig, kpi, frame[late], frame["period_start"])
    _mark_unknown(fig, frame[reasons.map(is_unknown).astype(bool) & ~late])
    return _layout(fig, kpi)


def _runs(known: pd.Series) -> list[pd.Index]:
    """The index labels of each run of consecutive True values in ``known``."""
    runs: list[list] = []
    previous = False
    for label, flag in known.items():
        if flag:
            if not previous:
                runs.append([])
            runs[-1].append(label)
        previous = bool(flag)
    return [pd.Index(run) for run in runs]


def add_expected_range(fig: go.Figure, kpi: KPI, frame: pd.DataFrame) -> go.Figure:
    """Shade each period's expected range (``frame`` columns ``expected_low``, ``expected_high``, from
    :func:`metrics.unusual.expected_bands`) behind the series: a light band between two lines, 'Expected range' in
    the legend, the range in the KPI's unit on hover. Periods without a range are left unshaded (each run of
    periods with one is its own band); without the columns or any range, nothing is drawn."""
    if not all(c in frame for c in EXPECTED_COLUMNS):
        return fig
    frame = frame.sort_values("period_start")
    low, high = (pd.to_numeric(frame[c], errors="coerce") for c in EXPECTED_COLUMNS)
    name = _("Expected range")
    for number, run in enumerate(_runs(low.notna() & high.notna())):
        x = pd.to_datetime(frame.loc[run, "period_start"])
        common = dict(x=x, mode="lines", line=dict(width=0, color=EXPECTED_HOVER), legendgroup="expected", name=name,
                      zorder=-1)  # drawn under the series and the plan lines
        # the low edge has no hover of its own (a hovertemplate would override 'skip' in a unified hover): the
        # high edge's gives the whole range
        fig.add_trace(go.Scatter(y=low[run], showlegend=False, hoverinfo="skip", **common))
        fig.add_trace(go.Scatter(
            y=high[run], fill="tonexty", fillcolor=EXPECTED, showlegend=number == 0, hoveron="points",
            hoverlabel=dict(bgcolor=EXPECTED_HOVER),
            customdata=[format_range(a, b, kpi.unit) for a, b in zip(low[run], high[run])],
            hovertemplate="%{customdata}<extra>" + name + "</extra>", **common))
    return fig


def _mark_unknown(fig: go.Figure, rows: pd.DataFrame) -> None:
    """A gap in the series where rows lack a measure the KPI needs: an open marker on the band above the plot
    (the value axis untouched) says why on hover."""
    if rows.empty:
        return
    _band_axis(fig)
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(rows["period_start"]), y=[BAND_Y] * len(rows), yaxis=BAND, mode="markers",
        name=_("Unknown"), marker=dict(symbol="circle-open", size=9, color=LAST_YEAR), showlegend=False,
        customdata=[chart_text(r) for r in rows["reason"]],
        hovertemplate="%{customdata}<extra>" + _("Unknown") + "</extra>",
    ))


def _late_rows(frame: pd.DataFrame) -> pd.Series:
    """True for the rows of a period that begins before the data does (column ``starts_late`` set)."""
    if "starts_late" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["starts_late"].notna()


def _shade_partial(fig: go.Figure, shaded: Collection, starts: Collection, grid: bool = False) -> None:
    """Shade each period of ``shaded`` (period starts) up to the next of ``starts``, labelled 'partial'."""
    every = sorted(set(pd.to_datetime(pd.Series(list(starts), dtype=object))))
    where = dict(row="all", col="all") if grid else {}
    for start in sorted(set(pd.to_datetime(pd.Series(list(shaded), dtype=object)))):
        following = [s for s in every if s > start]
        fig.add_vrect(x0=start, x1=following[0] if following else start, fillcolor=PARTIAL, line_width=0,
                      layer="below", annotation_text=_("partial"), annotation_position="top left",
                      annotation_font_color=LAST_YEAR, **where)


def _band_axis(fig: go.Figure) -> None:
    """The overlay axis of markers above the plot: fixed 0..1, hidden, so it never changes the value axis."""
    fig.update_layout({"yaxis9": dict(overlaying="y", range=[0, 1], visible=False, fixedrange=True)})


def _mark_late_starts(fig: go.Figure, kpi: KPI, rows: pd.DataFrame, starts: pd.Series) -> None:
    """Shade and label each period that begins before the data does; an invisible marker on the label (on the
    overlay band, so the value axis is untouched) gives its value on hover."""
    if rows.empty:
        return
    _shade_partial(fig, rows["period_start"], starts)
    _band_axis(fig)
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(rows["period_start"]), y=[BAND_Y] * len(rows), yaxis=BAND, mode="markers",
        name=_("Partial period"), marker=dict(size=14, color=LAST_YEAR, opacity=0), showlegend=False,
        customdata=[_("{value} over the days with data (partial: {reason})").format(
            value=format_value(v, kpi.unit), reason=chart_text(r))
            for v, r in zip(rows["value"], rows["reason"] if "reason" in rows else [None] * len(rows))],
        hovertemplate="%{customdata}<extra>" + _("Partial period") + "</extra>",
    ))


def add_plan_lines(fig: go.Figure, kpi: KPI, frame: pd.DataFrame) -> go.Figure:
    """Dashed target line and, when present, last year's series (weekday-aligned) on a trend chart."""
    x = pd.to_datetime(frame["period_start"])
    for column, name, line in (("target", _("Target"), dict(color=TARGET, dash="dash", width=2)),
                               ("last_year", _("Last year"), dict(color=LAST_YEAR, dash="dot"))):
        if column in frame and frame[column].notna().any():
            fig.add_trace(go.Scatter(
                x=x, y=frame[column], mode="lines", name=name, line=line,
                customdata=[format_value(v, kpi.unit) for v in frame[column]],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    return localize(fig, {"yaxis": kpi.unit})


def add_notes(fig: go.Figure, notes: pd.DataFrame, kpi: KPI) -> go.Figure:
    """Review notes as stars on the KPI's series (the value of the period holding the note's week), the note's
    text on hover; a note whose period has no value sits on a band at the top. The y axis stays the series'."""
    if notes is None or notes.empty:
        return fig
    grouped = notes.groupby("week_start")["text"].apply(lambda texts: "<br>".join(map(chart_text, texts)))
    x = pd.to_datetime(pd.Series(grouped.index))
    on_series = _series_values(fig, kpi, x)
    style = dict(mode="markers", name=_("Notes"), marker=dict(symbol="star", size=14, color=NOTE, line=dict(
        color=ACTUAL, width=1)), hovertemplate="%{customdata}<extra>" + _("Note") + "</extra>")
    known = on_series.notna().to_numpy()
    if known.any():
        fig.add_trace(go.Scatter(x=x[known], y=on_series[known], customdata=list(grouped.values[known]), **style))
    if (~known).any():
        _band_axis(fig)
        fig.add_trace(go.Scatter(x=x[~known], y=[BAND_Y] * int((~known).sum()), yaxis=BAND,
                                 customdata=list(grouped.values[~known]), showlegend=bool(not known.any()), **style))
    return localize(fig, {"yaxis": kpi.unit})


def _series_values(fig: go.Figure, kpi: KPI, when: pd.Series) -> pd.Series:
    """The KPI series' value (the trace named after the KPI) at the last point on or before each of ``when``."""
    trace = next((t for t in fig.data if plain(t.name) == _(kpi.label)), fig.data[0] if fig.data else None)
    if trace is None or trace.x is None:
        return pd.Series(float("nan"), index=when.index)
    series = pd.Series(pd.to_numeric(pd.Series(trace.y), errors="coerce").to_numpy(),
                       index=pd.to_datetime(pd.Series(trace.x))).sort_index()
    series = series[~series.index.duplicated()]
    out = []
    for day in when:
        before = series[series.index <= day]
        out.append(before.iloc[-1] if not before.empty else float("nan"))
    return pd.Series(out, index=when.index, dtype=float)


def burn_up_chart(kpi: KPI, frame: pd.DataFrame, title: str) -> go.Figure:
    """Cumulative actual against cumulative target (and last year) across an unfinished period."""
    fig = go.Figure()
    x = pd.to_datetime(frame["day"])
    for column, name, style in (("target", _("Target (cumulative)"), dict(color=TARGET, dash="dash", width=2)),
                                ("last_year", _("Last year (cumulative)"), dict(color=LAST_YEAR, dash="dot")),
                                ("actual", _("Actual (cumulative)"), dict(color=ACTUAL, width=3))):
        if frame[column].notna().any():
            fig.add_trace(go.Scatter(
                x=x, y=frame[column], mode="lines", name=name, line=style,
                customdata=[format_value(v, kpi.unit) for v in frame[column]],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    fig.update_layout(title=chart_text(title))
    return _layout(fig, kpi)


def breakdown_chart(kpi: KPI, frame: pd.DataFrame, dimension: str, title: str | None = None,
                    late_starts: Collection[date] = ()) -> go.Figure:
    """A KPI per period and channel (or campaign): stacked bars for a flow (the parts add up), lines otherwise.

    A rate whose members' typical values differ more than ``SPREAD`` times (SMS's ROAS of 30-40 against others'
    1-10) is drawn as small multiples, one panel per member on its own scale, and the subtitle says so.
    Periods in ``late_starts`` begin before the data does: they are not drawn as values and are shaded partial.
    """
    late = {pd.Timestamp(d) for d in late_starts}
    frame = frame.assign(value=frame["value"].where(~pd.to_datetime(frame["period_start"]).isin(late)))
    totals = frame.groupby(dimension)["value"].sum().sort_values(ascending=False)
    spread = None if kpi.kind == "flow" else value_spread(frame, dimension)
    if spread is not None and spread[0] > SPREAD:
        drawn = [m for m in totals.index if frame.loc[frame[dimension] == m, "value"].notna().any()]
        fig = _small_multiples(kpi, frame, dimension, drawn)
        subtitle = _(SPREAD_NOTE.get(dimension, SPREAD_NOTE["channel"])).format(
            high=chart_text(spread[1]), kpi=_(kpi.label), times=localize_digits(f"{spread[0]:.0f}"),
            low=chart_text(spread[2]))
    else:
        fig, subtitle = go.Figure(), None
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
        _layout(fig, kpi)
    heading = chart_text(title or _(BY_DIMENSION.get(dimension, BY_DIMENSION["channel"])).format(kpi=_(kpi.label)))
    fig.update_layout(title=dict(text=heading, subtitle=dict(text=subtitle)) if subtitle else heading,
                      barmode="stack")
    shaded = [d for d in late if d in set(pd.to_datetime(frame["period_start"]))]
    _shade_partial(fig, shaded, frame["period_start"], grid=subtitle is not None)
    return localize(fig, {"yaxis": kpi.unit})


def value_spread(frame: pd.DataFrame, dimension: str) -> tuple[float, str, str] | None:
    """(how many times the highest member's median value is the lowest's, highest, lowest) over the members
    with a positive median; None when fewer than two have one or any value is negative (a signed score)."""
    values = pd.to_numeric(frame["value"], errors="coerce")
    if (values < 0).any():
        return None
    medians = values.groupby(frame[dimension]).median()
    medians = medians[medians > 0].sort_values()
    if len(medians) < 2:
        return None
    return float(medians.iloc[-1] / medians.iloc[0]), str(medians.index[-1]), str(medians.index[0])


def _small_multiples(kpi: KPI, frame: pd.DataFrame, dimension: str, members: list[str]) -> go.Figure:
    """One small panel per member (those with a value), each with its own y axis (ticks in the KPI's unit),
    sharing the time axis."""
    columns = 3 if len(members) >= 5 or len(members) == 3 else min(2, len(members))
    rows = math.ceil(len(members) / columns)
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, subplot_titles=[chart_text(m) for m in members],
                        vertical_spacing=0.5 / rows if rows > 1 else 0.1, horizontal_spacing=0.08)
    for i, member in enumerate(members):
        part = frame[frame[dimension] == member].sort_values("period_start")
        colour = channel_colour(member) if dimension == "channel" else PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(part["period_start"]), y=part["value"], mode="lines+markers", name=chart_text(member),
            line=dict(color=colour), showlegend=False,
            customdata=[format_value(v, kpi.unit) for v in part["value"]],
            hovertemplate="%{customdata}<extra>%{fullData.name}</extra>",
        ), row=i // columns + 1, col=i % columns + 1)
    for i in range(len(members)):
        if i + columns >= len(members):  # the lowest panel of its column shows the dates
            fig.update_xaxes(showticklabels=True, row=i // columns + 1, col=i % columns + 1)
    fig.update_layout(template=TEMPLATE, height=max(360, 160 * rows + 110), margin=dict(l=10, r=10, t=100, b=10),
                      hovermode="x unified")
    fig.update_yaxes(nticks=4, **axis_suffix(kpi.unit))
    fig.update_xaxes(nticks=4)
    fig.update_annotations(font_size=12)
    return localize(fig, {"yaxis": kpi.unit})


def has_values(frame: pd.DataFrame, *columns: str) -> bool:
    """True when ``frame`` has at least one known (non-null) value in any of ``columns``."""
    return any(c in frame and pd.to_numeric(frame[c], errors="coerce").notna().any() for c in columns)


def first_reason(frame: pd.DataFrame) -> str | None:
    """The first reason a frame from the metrics layer gives for an unknown value (None when it gives none)."""
    if "reason" not in frame:
        return None
    reasons = frame["reason"].dropna()
    unknown = reasons[reasons.map(is_unknown).astype(bool)]
    if not unknown.empty:  # rows lacking a measure say more than the periods before the data starts
        return str(unknown.iloc[-1])
    return str(reasons.iloc[0]) if not reasons.empty else None


def why_no_trend(kpi: KPI, frame: pd.DataFrame, scope: str, what: str) -> str | None:
    """Why a trend or burn-up of ``frame`` has nothing to draw (no value, target or last year in it), else None.

    ``what`` names the span, e.g. 'these 26 weeks'."""
    if has_values(frame, "value", "actual", "target", "last_year"):
        return None
    reason = first_reason(frame)
    if reason:
        return _("No {kpi} for {scope} in {span}: {reason}.").format(kpi=_(kpi.label), scope=scope, span=what,
                                                                     reason=reason)
    return _("No {kpi} for {scope} in {span}.").format(kpi=_(kpi.label), scope=scope, span=what)


def _tick_step(values: pd.Series, ticks: int = 5) -> int:
    """A whole-number axis step for about ``ticks`` ticks up to the largest known value (1 when none)."""
    top = pd.to_numeric(values, errors="coerce").max()
    return max(1, math.ceil(top / ticks)) if pd.notna(top) and top > 0 else 1


def daily_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Revenue and cost per day (currency axis) with orders as bars on a second axis; unknown days are gaps."""
    x = pd.to_datetime(frame["day"])
    fig = go.Figure()
    if has_values(frame, "orders"):
        fig.add_trace(go.Bar(x=x, y=frame["orders"], name=_("Orders"), marker_color="rgba(154, 165, 177, 0.45)",
                             yaxis="y2", customdata=[format_value(v, "count") for v in frame["orders"]],
                             hovertemplate="%{customdata}<extra>" + _("Orders") + "</extra>"))
    for column, name, colour in (("revenue", _("Revenue"), ACTUAL), ("cost", _("Cost"), "#E8615A")):
        if has_values(frame, column):
            fig.add_trace(go.Scatter(
                x=x, y=frame[column], mode="lines+markers", name=name, line=dict(color=colour, width=3),
                customdata=[format_value(v, "currency") for v in frame[column]],
                hovertemplate="%{customdata}<extra>" + name + "</extra>",
            ))
    fig.update_layout(template=TEMPLATE, height=340, margin=dict(l=10, r=10, t=40, b=10), title=chart_text(title),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15),
                      yaxis2=dict(title=_("Orders"), overlaying="y", side="right", showgrid=False,
                                  rangemode="tozero", tickformat=",d", dtick=_tick_step(frame["orders"])))
    fig.update_layout(yaxis=dict(title=_("Revenue and cost"), rangemode="tozero", **axis_suffix("currency")))
    return localize(fig, {"yaxis": "currency", "yaxis2": "count"})
