"""The weekly review as ONE self-contained HTML file: opens offline in any browser (plotly.js inline,
no external scripts, fonts or images)."""

from __future__ import annotations

import html
from datetime import date

from sqlalchemy import Engine

from metrics.catalog import KPI_BY_ID, S_ORDER
from metrics.format import format_change, format_delta, format_value
from metrics.pacing import STATUS_LABELS
from metrics.periods import Period
from metrics.review import weekly_review
from metrics.scorecard import partial_headline
from metrics.trends import trend_with_plan
from ui import charts
from warehouse.snapshot import in_snapshot

STATUS_COLOURS = {"on_track": "#2e7d32", "at_risk": "#e08a00", "off_track": "#c62828", "no_target": "#666",
                  "no_data": "#666"}
STATUS_ICONS = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", "no_target": "–", "no_data": "?"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",Tahoma,sans-serif;
margin:2rem;background:#111;color:#eee} h1,h2,h3{font-weight:600} table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{padding:.35rem .7rem;border-bottom:1px solid #333;text-align:left} td.n{text-align:right;
font-variant-numeric:tabular-nums} .status{padding:.1rem .5rem;border-radius:.8rem;color:#fff;font-size:.85em;
white-space:nowrap} .muted{color:#aaa} .partial{color:#b48ead} .headline span{margin-right:1.5rem;font-size:1.2em}
"""


def _status(status: str) -> str:
    return (f'<span class="status" style="background:{STATUS_COLOURS[status]}">{STATUS_ICONS[status]} '
            f"{STATUS_LABELS[status]}</span>")


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@in_snapshot
def render(engine: Engine, week: Period, channel: str | None = None, today: date | None = None) -> str:
    """The review of ``week`` as an HTML document (text)."""
    review = weekly_review(engine, week, channel, today)
    esc = html.escape
    scope = channel or "All channels"
    parts = [f"<h1>Weekly KPI review · {esc(week.label)}</h1>",
             f'<p class="muted">{week.start:%d %b %Y} – {week.end:%d %b %Y} · {esc(scope)} · '
             f"generated {date.today():%d %b %Y}</p>",
             '<p class="headline">' + "".join(
                 f"<span>{_status(s)} <b>{review['counts'][s]}</b></span>"
                 for s in ("on_track", "at_risk", "off_track")) + "</p>",
             *([f'<p class="partial">&#9203; {esc(headline)}</p>']
               if (headline := partial_headline(review["items"], "this week")) else []),
             "<h2>Scorecard</h2>"]
    rows = []
    for s in S_ORDER:
        for item in (i for i in review["items"] if i.s == s):
            unit = KPI_BY_ID[item.id].unit
            rows.append([s, esc(item.label), format_value(item.value, unit), format_change(item.change_pct),
                         format_delta(item.change_abs, unit), format_value(item.target, unit),
                         _status(item.status) + (" &#9203; partial" if item.partial else ""),
                         format_change(item.change_pct_last_year), esc(item.reason or "")])
    parts.append(_table(["S", "KPI", "value", "change", "change (abs.)", "target", "status", "vs last year", "note"],
                        rows, numeric={2, 3, 4, 5, 7}))
    parts.append("<h2>Off track and at risk</h2>")
    if not review["attention"]:
        parts.append("<p>Every KPI with a target is on track.</p>")
    first_chart = True
    for item in review["attention"]:
        kpi = KPI_BY_ID[item.id]
        parts.append(f"<h3>{esc(item.label)} {_status(item.status)}</h3>")
        parts.append(f'<p class="muted">{format_value(item.value, kpi.unit)} against an expected '
                     f"{format_value(item.expected, kpi.unit)} ({esc(item.target_method or '')})</p>")
        movers = review["movers"].get(item.id)
        if movers is not None and not movers.empty:
            parts.append(_table(["channel", "last week", "this week", "change", "contribution to the change"], [
                [esc(str(r.member)), format_value(r.before, kpi.unit), format_value(r.after, kpi.unit),
                 format_delta(r.change, kpi.unit), format_delta(r.contribution, kpi.unit)]
                for r in movers.itertuples()], numeric={1, 2, 3, 4}))
        frame = trend_with_plan(engine, item.id, week, 13)
        figure = charts.add_plan_lines(charts.trend_chart(kpi, frame, f"{kpi.label}: 13 weeks"), kpi, frame)
        charts.add_notes(figure, review_notes(engine, item.id, frame), kpi)
        parts.append(figure.to_html(full_html=False, include_plotlyjs=first_chart, config={"displaylogo": False}))
        first_chart = False
    parts.append("<h2>Notes</h2>")
    notes = review["notes"]
    parts.append(_table(["KPI", "note", "by"], [[esc(KPI_BY_ID[n.kpi_id].label), esc(n.text), esc(n.author or "")]
                                                for n in notes.itertuples()]) if not notes.empty
                 else "<p class='muted'>No notes this week.</p>")
    for title, frame in (("Actions agreed this week", review["actions"]),
                         ("Open actions from earlier reviews", review["follow_up"])):
        parts.append(f"<h2>{title}</h2>")
        parts.append(_table(["action", "owner", "due", "status", "KPI"], [
            [esc(a.text), esc(a.owner), f"{a.due_date:%d %b %Y}" if a.due_date else "", esc(a.status),
             esc(KPI_BY_ID[a.kpi_id].label) if a.kpi_id else ""] for a in frame.itertuples()])
            if not frame.empty else "<p class='muted'>None.</p>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>KPI review {esc(week.label)}</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>")


@in_snapshot
def review_notes(engine: Engine, kpi_id: str, frame):
    """Notes on ``kpi_id`` for the weeks of a trend frame (for chart annotations)."""
    from metrics.review import notes

    if frame.empty:
        return notes(engine, kpi_id).iloc[0:0]
    return notes(engine, kpi_id, since=min(frame["period_start"]), until=max(frame["period_start"]))
