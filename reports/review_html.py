"""The weekly review as ONE self-contained HTML file: opens offline in any browser (one copy of plotly.js inline,
no external scripts, fonts or images), reads on screen and prints on A4 or Letter (reports/review_style.py).

Written in the reader's language (``lang``; the run's by default): every text through ``_()``, numbers and dates
from :mod:`metrics.format` and :mod:`metrics.date_text`, ``<html lang dir>`` of the language and, in Persian and
Arabic, right to left in Vazirmatn embedded in the file."""

from __future__ import annotations

import html
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from functools import partial

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from i18n import N_, _, current_locale, is_rtl, ngettext, using_locale
from i18n.numerals import localize_digits
from metrics.catalog import KPI, KPI_BY_ID, S_ORDER
from metrics.date_text import format_date, format_day_range, period_code
from metrics.format import format_change, format_delta, format_range, format_value
from metrics.periods import Period, calendar_for, current_calendar, using_calendar
from metrics.review import ACTION_STATUS_LABELS, weekly_review
from metrics.scorecard import KpiResult, partial_headline, unknown_headline
from metrics.trends import trend_with_plan
from metrics.unusual_text import format_score, unusual_explanation, unusual_methods, unusual_side
from reports.plotly_bundle import plotlyjs_for, script_tag
from reports.review_style import CHART_HEIGHT_PX, CHART_WIDTH_PX, page_css, status_badge
from reports.summary import open_actions
from ui import charts
from ui.movers import HEADERS, movers_caption, movers_frame
from warehouse.snapshot import in_snapshot

# the dashboard's dark-theme chart colours -> colours that read on white paper (also printed in grey)
PAPER_COLOURS = {charts.ACTUAL: "#1f5fa8", charts.TARGET: "#9a5b00", charts.NOTE: "#111111",
                 charts.LAST_YEAR: "#6b6b6b"}
COUNTED = ("off_track", "at_risk", "on_track", "no_target", "no_data")
TREND_WEEKS = 13


def _el(tag: str, text: str, css_class: str = "") -> str:
    """``<tag>text</tag>``, the text escaped."""
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<{tag}{attribute}>{html.escape(text)}</{tag}>"


def _bdi(text: str) -> str:
    """``text`` escaped in a bidi isolate: a value ('$280.00', '2026-W45', a campaign) keeps its own direction
    inside Persian or Arabic text (and English text around a Persian name)."""
    return f"<bdi>{html.escape(text)}</bdi>"


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _for_paper(figure: go.Figure) -> go.Figure:
    """A dashboard chart restyled for a light page and the printable width of A4 and Letter."""
    figure.update_layout(template="plotly_white", width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX, paper_bgcolor="#ffffff",
                         plot_bgcolor="#ffffff", font_color="#111111",
                         # the legend top right: below the plot it hid the x axis's year line at this height
                         legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    for trace in figure.data:
        for part in (trace.line, trace.marker):
            if part is not None and isinstance(part.color, str) and part.color in PAPER_COLOURS:
                part.color = PAPER_COLOURS[part.color]
    return figure


def _versus(item: KpiResult) -> str:
    """'2.1% against a target of 2.6%' (and what was expected so far, when that differs), as HTML."""
    unit = item.unit
    value, target = _bdi(format_value(item.value, unit)), _bdi(format_value(item.target, unit))
    if item.expected is not None and item.expected != item.target:
        return html.escape(_("{value} against a target of {target} (expected so far: {expected})")).format(
            value=value, target=target, expected=_bdi(format_value(item.expected, unit)))
    return html.escape(_("{value} against a target of {target}")).format(value=value, target=target)


def _summary(review: dict, today: date) -> str:
    """The text summary at the top: counts, the KPIs off track and at risk with value vs target, actions due."""
    esc = html.escape
    counts = review["counts"]
    this_week = _("this week")
    parts = ['<section class="summary">' + _el("h2", _("Summary")), '<p class="counts">' + " ".join(
        f"{status_badge(s)} <b>{localize_digits(str(counts[s]))}</b>" for s in COUNTED
        if counts[s] or s != "no_data") + "</p>"]
    if (headline := partial_headline(review["items"], this_week)):
        parts.append(f'<p class="partial">&#9203; {esc(headline)}</p>')
    if (unknown := unknown_headline(review["items"], this_week)):
        parts.append(f'<p class="unknown">{esc(unknown)}</p>')
    if review["attention"]:
        partial_week = esc(_("partial week"))
        parts.append(_el("h3", _("Off track and at risk")) + "<ul>" + "".join(
            f"<li>{status_badge(i.status)} {_el('b', _(i.label))}: {_versus(i)}"
            f"{' · ' + partial_week if i.partial else ''}</li>" for i in review["attention"]) + "</ul>")
    else:
        parts.append(_el("p", _("Every KPI with a target is on track.")))
    parts.append(_unusual(review))
    due = open_actions(review)
    parts.append(_el("h3", _("Open actions, by due date")))
    if due.empty:
        parts.append(_el("p", _("None."), "muted"))
    else:
        items = []
        for a in due.itertuples():
            when = pd.Timestamp(a.due_date).date() if not pd.isna(a.due_date) else None
            late = " " + _el("b", _("overdue")) if when is not None and when < today else ""
            kpi = " (" + esc(_(KPI_BY_ID[a.kpi_id].label)) + ")" if isinstance(a.kpi_id, str) else ""
            due_text = _("due {date}").format(date=format_date(when)) if when else _("no due date")
            items.append(f"<li>{esc(due_text)}{late} · <bdi>{esc(a.owner)}</bdi>: <bdi>{esc(a.text)}</bdi>{kpi}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


UNUSUAL_LINES = {"above": N_("{value}, above its expected range of {range} (score {score})"),
                 "below": N_("{value}, below its expected range of {range} (score {score})"),
                 None: N_("{value}, expected range {range} (score {score})")}


def _unusual_line(item: KpiResult) -> str:
    """'Revenue ✔ On track: $900.00, above its expected range of $190.00 to $270.00 (score +6.1)', as HTML."""
    low_high = item.expected_range or (None, None)
    return (f"<li>{status_badge(item.status)} {_el('b', _(item.label))}: "
            + html.escape(_(UNUSUAL_LINES[unusual_side(item)])).format(
                value=_bdi(format_value(item.value, item.unit)), range=_bdi(format_range(*low_high, item.unit)),
                score=_bdi(format_score(item.unusual_score))) + "</li>")


def _unusual(review: dict) -> str:
    """The KPIs beyond their usual variation this week, on track or not, with the method that judged them."""
    unusual = review.get("unusual") or []
    if not unusual:
        if review.get("unusual_waits"):
            return _el("h3", _("Unusual this week")) + _el(
                "p", _("The unusual check runs once half the week is counted."), "muted")
        if not any(i.unusual is not None for i in review["items"]):
            return ""  # too little history to judge any KPI: nothing to say in print
        return _el("h3", _("Unusual this week")) + _el("p", _("No KPI moved beyond its usual variation this week."),
                                                        "muted")
    methods = unusual_methods(review["items"])
    return (_el("h3", _("Unusual this week")) + "<ul>" + "".join(_unusual_line(i) for i in unusual) + "</ul>"
            + (_el("p", unusual_explanation(methods), "muted") if methods else ""))


def _scorecard(review: dict) -> str:
    esc = html.escape
    rows = []
    for s in S_ORDER:
        for item in (i for i in review["items"] if i.s == s):
            unit = KPI_BY_ID[item.id].unit
            rows.append([esc(_(s)), esc(_(item.label)), format_value(item.value, unit), format_change(item.change_pct),
                         format_delta(item.change_abs, unit), format_value(item.target, unit),
                         status_badge(item.status) + (" &#9203; " + esc(_("partial")) if item.partial else ""),
                         format_change(item.change_pct_last_year), esc(item.reason or "")])
    return '<section class="break">' + _el("h2", _("Scorecard")) + _table(
        ["S", _("KPI"), _("value"), _("change"), _("change (abs.)"), _("target"), _("status"), _("vs last year"),
         _("note")], rows, numeric={2, 3, 4, 5, 7}) + "</section>"


def _attention(engine: Engine, review: dict, week: Period) -> tuple[str, list[go.Figure]]:
    """Each KPI off track or at risk: its figures, the channels that moved it and a 13-week chart."""
    esc = html.escape
    parts, figures = ['<section class="break">' + _el("h2", _("Off track and at risk"))], []
    if not review["attention"]:
        parts.append(_el("p", _("Every KPI with a target is on track.")))
    for item in review["attention"]:
        kpi = KPI_BY_ID[item.id]
        parts.append('<div class="kpi"><h3>' + esc(_(item.label)) + f" {status_badge(item.status)}</h3>")
        parts.append('<p class="muted">' + esc(_("{value} against an expected {expected} ({method})")).format(
            value=_bdi(format_value(item.value, kpi.unit)), expected=_bdi(format_value(item.expected, kpi.unit)),
            method=esc(_(item.target_method) if item.target_method else "")) + "</p>")
        movers = review["movers"].get(item.id)
        if movers is not None and not movers.empty:
            table = movers_frame(movers, kpi)
            parts.append(f'<p class="muted">{esc(movers_caption(kpi))}</p>')
            rows = [[esc(str(c)) for c in row] for row in table.itertuples(index=False)]
            headers = [_(HEADERS.get(column, column)) for column in table.columns]  # ids -> the reader's words
            parts.append(_table(headers, rows, numeric=set(range(1, len(table.columns)))))
        frame = trend_with_plan(engine, item.id, week, TREND_WEEKS)
        figure = review_trend_figure(engine, kpi, frame)
        figures.append(_for_paper(figure))
        parts.append('<div class="chart">' + figure.to_html(
            full_html=False, include_plotlyjs=False, config={"displaylogo": False})
            + "</div></div>")
    parts.append("</section>")
    return "".join(parts), figures


def _notes_and_actions(review: dict) -> str:
    esc = html.escape
    notes = review["notes"]
    parts = ['<section class="break">' + _el("h2", _("Notes")),
             _table([_("KPI"), _("note"), _("by")], [[esc(_(KPI_BY_ID[n.kpi_id].label)), esc(n.text),
                                                   esc(n.author or "")] for n in notes.itertuples()])
             if not notes.empty else _el("p", _("No notes this week."), "muted")]
    for title, frame in ((_("Actions agreed this week"), review["actions"]),
                         (_("Open actions from earlier reviews"), review["follow_up"])):
        parts.append(f"<h2>{esc(title)}</h2>")
        parts.append(_table([_("action"), _("owner"), _("due"), _("status"), _("KPI")], [
            [esc(a.text), esc(a.owner), format_date(a.due_date) if a.due_date else "",
             esc(_(ACTION_STATUS_LABELS.get(a.status, a.status))),
             esc(_(KPI_BY_ID[a.kpi_id].label)) if isinstance(a.kpi_id, str) else ""] for a in frame.itertuples()])
            if not frame.empty else _el("p", _("None."), "muted"))
    parts.append("</section>")
    return "".join(parts)


def render(engine: Engine, week: Period, channel: str | None = None, today: date | None = None,
           lang: str | None = None, calendar: str | None = None) -> str:
    """The review of ``week`` as an HTML document (text), in ``lang`` (default: the run's language) and
    ``calendar`` (default: the run's when ``lang`` is not given, else ``lang``'s, see ``calendar_for``)."""
    with ExitStack() as stack:
        if lang is not None:
            stack.enter_context(using_locale(lang))
        if calendar is not None or lang is not None:
            stack.enter_context(using_calendar(calendar or calendar_for(current_locale())))
        return _render(engine, week, channel, today)


def renderer(engine: Engine, week: Period, channel: str | None = None) -> Callable[[], str]:
    """:func:`render` bound to this run's language and calendar, for a download button whose data is made later,
    outside the run (Streamlit calls it in another thread, where the run's locale is not set)."""
    return partial(render, engine, week, channel, lang=current_locale(), calendar=current_calendar())


@in_snapshot
def _render(engine: Engine, week: Period, channel: str | None, today: date | None) -> str:
    review = weekly_review(engine, week, channel, today)
    esc = html.escape
    scope = channel or _("All channels")
    attention, figures = _attention(engine, review, week)
    label = period_code(week)
    body = ["<header><h1>" + esc(_("Weekly KPI review · {week}")).format(week=_bdi(label)) + "</h1>",
            '<p class="muted">' + esc(_("{days} · {scope} · generated {date}")).format(
                days=_bdi(format_day_range(week.start, week.end)), scope=_bdi(scope),
                date=esc(format_date(date.today()))) + "</p></header>",
            _summary(review, today or date.today()), _scorecard(review), attention,
            _notes_and_actions(review)]
    plotly = ""
    if figures:  # one copy of plotly.js for every chart
        source, _bundle = plotlyjs_for(figures)
        plotly = "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>" + script_tag(source)
    lang = current_locale()
    direction = "rtl" if is_rtl(lang) else "ltr"
    return (f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            + _el("title", _("KPI review {week}").format(week=label)) + f"<style>{page_css(lang)}</style>"
            f"{plotly}</head><body>" + "\n".join(body) + "</body></html>")


@in_snapshot
def review_trend_figure(engine: Engine, kpi: KPI, frame: pd.DataFrame) -> go.Figure:
    """A KPI's weeks up to the review's (``frame`` from trend_with_plan) with its plan lines and notes: the same
    chart on the review page and in the export."""
    title = ngettext("{kpi}: {count} week", "{kpi}: {count} weeks", TREND_WEEKS).format(
        kpi=_(kpi.label), count=localize_digits(str(TREND_WEEKS)))
    figure = charts.add_plan_lines(charts.trend_chart(kpi, frame, title), kpi, frame)
    charts.add_notes(figure, review_notes(engine, kpi.id, frame), kpi)
    return figure


def review_notes(engine: Engine, kpi_id: str, frame):
    """Notes on ``kpi_id`` for the weeks of a trend frame (for chart annotations)."""
    from metrics.review import notes

    if frame.empty:
        return notes(engine, kpi_id).iloc[0:0]
    return notes(engine, kpi_id, since=min(frame["period_start"]), until=max(frame["period_start"]))
