"""The weekly review as ONE self-contained HTML file: opens offline in any browser (one copy of plotly.js inline,
no external scripts, fonts or images), reads on screen and prints on A4 or Letter (reports/review_style.py)."""

from __future__ import annotations

import html
from datetime import date

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from metrics.catalog import KPI_BY_ID, S_ORDER
from metrics.format import format_change, format_delta, format_value
from metrics.periods import Period
from metrics.review import weekly_review
from metrics.scorecard import KpiResult, partial_headline, unknown_headline
from metrics.trends import trend_with_plan
from reports.plotly_bundle import plotlyjs_for, script_tag
from reports.review_style import CHART_HEIGHT_PX, CHART_WIDTH_PX, CSS, status_badge
from ui import charts
from ui.movers import movers_caption, movers_frame
from warehouse.snapshot import in_snapshot

# the dashboard's dark-theme chart colours -> colours that read on white paper (also printed in grey)
PAPER_COLOURS = {charts.ACTUAL: "#1f5fa8", charts.TARGET: "#9a5b00", charts.NOTE: "#111111",
                 charts.LAST_YEAR: "#6b6b6b"}
COUNTED = ("off_track", "at_risk", "on_track", "no_target", "no_data")


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
    """'2.1% against a target of 2.6%' (and what was expected so far, when that differs)."""
    unit = item.unit
    text = f"{format_value(item.value, unit)} against a target of {format_value(item.target, unit)}"
    if item.expected is not None and item.expected != item.target:
        text += f" (expected so far: {format_value(item.expected, unit)})"
    return text


def _open_actions(review: dict) -> pd.DataFrame:
    """The open actions of this review and earlier ones, soonest due first (no due date last)."""
    frames = [f for f in (review["actions"], review["follow_up"]) if not f.empty]
    if not frames:
        return review["actions"].iloc[0:0]
    both = pd.concat(frames, ignore_index=True)
    both = both[both["status"] == "open"].drop_duplicates("id")
    return both.assign(_due=pd.to_datetime(both["due_date"])).sort_values("_due", na_position="last")


def _summary(review: dict, today: date) -> str:
    """The text summary at the top: counts, the KPIs off track and at risk with value vs target, actions due."""
    esc = html.escape
    counts = review["counts"]
    parts = ['<section class="summary"><h2>Summary</h2>', '<p class="counts">' + " ".join(
        f"{status_badge(s)} <b>{counts[s]}</b>" for s in COUNTED if counts[s] or s != "no_data") + "</p>"]
    if (headline := partial_headline(review["items"], "this week")):
        parts.append(f'<p class="partial">&#9203; {esc(headline)}</p>')
    if (unknown := unknown_headline(review["items"], "this week")):
        parts.append(f'<p class="unknown">{esc(unknown)}</p>')
    if review["attention"]:
        parts.append("<h3>Off track and at risk</h3><ul>" + "".join(
            f"<li>{status_badge(i.status)} <b>{esc(i.label)}</b>: {esc(_versus(i))}"
            f"{' · partial week' if i.partial else ''}</li>" for i in review["attention"]) + "</ul>")
    else:
        parts.append("<p>Every KPI with a target is on track.</p>")
    due = _open_actions(review)
    parts.append("<h3>Open actions, by due date</h3>")
    if due.empty:
        parts.append("<p class='muted'>None.</p>")
    else:
        items = []
        for a in due.itertuples():
            when = pd.Timestamp(a.due_date).date() if not pd.isna(a.due_date) else None
            late = " <b>overdue</b>" if when is not None and when < today else ""
            kpi = f" ({esc(KPI_BY_ID[a.kpi_id].label)})" if a.kpi_id else ""
            items.append(f"<li>{'due ' + format(when, '%d %b %Y') if when else 'no due date'}{late} · "
                         f"{esc(a.owner)}: {esc(a.text)}{kpi}</li>")
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def _scorecard(review: dict) -> str:
    esc = html.escape
    rows = []
    for s in S_ORDER:
        for item in (i for i in review["items"] if i.s == s):
            unit = KPI_BY_ID[item.id].unit
            rows.append([s, esc(item.label), format_value(item.value, unit), format_change(item.change_pct),
                         format_delta(item.change_abs, unit), format_value(item.target, unit),
                         status_badge(item.status) + (" &#9203; partial" if item.partial else ""),
                         format_change(item.change_pct_last_year), esc(item.reason or "")])
    return '<section class="break"><h2>Scorecard</h2>' + _table(
        ["S", "KPI", "value", "change", "change (abs.)", "target", "status", "vs last year", "note"],
        rows, numeric={2, 3, 4, 5, 7}) + "</section>"


def _attention(engine: Engine, review: dict, week: Period) -> tuple[str, list[go.Figure]]:
    """Each KPI off track or at risk: its figures, the channels that moved it and a 13-week chart."""
    esc = html.escape
    parts, figures = ['<section class="break"><h2>Off track and at risk</h2>'], []
    if not review["attention"]:
        parts.append("<p>Every KPI with a target is on track.</p>")
    for item in review["attention"]:
        kpi = KPI_BY_ID[item.id]
        parts.append(f'<div class="kpi"><h3>{esc(item.label)} {status_badge(item.status)}</h3>')
        parts.append(f'<p class="muted">{format_value(item.value, kpi.unit)} against an expected '
                     f"{format_value(item.expected, kpi.unit)} ({esc(item.target_method or '')})</p>")
        movers = review["movers"].get(item.id)
        if movers is not None and not movers.empty:
            table = movers_frame(movers, kpi)
            parts.append(f'<p class="muted">{esc(movers_caption(kpi))}</p>')
            rows = [[esc(str(c)) for c in row] for row in table.itertuples(index=False)]
            parts.append(_table(list(table.columns), rows, numeric=set(range(1, len(table.columns)))))
        frame = trend_with_plan(engine, item.id, week, 13)
        figure = charts.add_plan_lines(charts.trend_chart(kpi, frame, f"{kpi.label}: 13 weeks"), kpi, frame)
        charts.add_notes(figure, review_notes(engine, item.id, frame), kpi)
        figures.append(_for_paper(figure))
        parts.append('<div class="chart">' + figure.to_html(
            full_html=False, include_plotlyjs=False, config={"displaylogo": False})
            + "</div></div>")
    parts.append("</section>")
    return "".join(parts), figures


def _notes_and_actions(review: dict) -> str:
    esc = html.escape
    notes = review["notes"]
    parts = ['<section class="break"><h2>Notes</h2>',
             _table(["KPI", "note", "by"], [[esc(KPI_BY_ID[n.kpi_id].label), esc(n.text), esc(n.author or "")]
                                           for n in notes.itertuples()]) if not notes.empty
             else "<p class='muted'>No notes this week.</p>"]
    for title, frame in (("Actions agreed this week", review["actions"]),
                         ("Open actions from earlier reviews", review["follow_up"])):
        parts.append(f"<h2>{title}</h2>")
        parts.append(_table(["action", "owner", "due", "status", "KPI"], [
            [esc(a.text), esc(a.owner), f"{a.due_date:%d %b %Y}" if a.due_date else "", esc(a.status),
             esc(KPI_BY_ID[a.kpi_id].label) if a.kpi_id else ""] for a in frame.itertuples()])
            if not frame.empty else "<p class='muted'>None.</p>")
    parts.append("</section>")
    return "".join(parts)


@in_snapshot
def render(engine: Engine, week: Period, channel: str | None = None, today: date | None = None) -> str:
    """The review of ``week`` as an HTML document (text)."""
    review = weekly_review(engine, week, channel, today)
    esc = html.escape
    scope = channel or "All channels"
    attention, figures = _attention(engine, review, week)
    body = [f"<header><h1>Weekly KPI review · {esc(week.label)}</h1>",
            f'<p class="muted">{week.start:%d %b %Y} – {week.end:%d %b %Y} · {esc(scope)} · '
            f"generated {date.today():%d %b %Y}</p></header>",
            _summary(review, today or date.today()), _scorecard(review), attention,
            _notes_and_actions(review)]
    plotly = ""
    if figures:  # one copy of plotly.js for every chart
        source, _ = plotlyjs_for(figures)
        plotly = "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>" + script_tag(source)
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>KPI review {esc(week.label)}</title><style>{CSS}</style>{plotly}</head><body>"
            + "\n".join(body) + "</body></html>")


@in_snapshot
def review_notes(engine: Engine, kpi_id: str, frame):
    """Notes on ``kpi_id`` for the weeks of a trend frame (for chart annotations)."""
    from metrics.review import notes

    if frame.empty:
        return notes(engine, kpi_id).iloc[0:0]
    return notes(engine, kpi_id, since=min(frame["period_start"]), until=max(frame["period_start"]))
