"""Per kind of data: what is loaded, how fresh it is, and how the last loads went (from the sync log).

``source_status(engine)`` is what the Data sources page shows and what the overview uses to flag KPIs
whose data is stale or empty. Keys are the dataset kinds (``orders``, ``web``, ``ad_spend``, …); each
entry also names its warehouse ``table`` (the metrics catalog's sources refer to tables).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, or_, select

from connectors.datasets import DATASETS, KINDS
from connectors.loader import covered_dates, run_kinds
from metrics.catalog import SOURCES
from metrics.completeness import complete_through
from warehouse import schema
from warehouse.snapshot import in_snapshot

# Days the newest data may lag today before it counts as stale (data through yesterday is a lag of 1).
MAX_AGE_DAYS = {"web": 2, "orders": 2, "ad_spend": 3, "email": 14, "social": 3, "feedback": 7, "tickets": 3}
LABELS = {"web": "Web traffic", "orders": "Orders", "ad_spend": "Ad spend", "email": "Email campaigns",
          "social": "Social media", "feedback": "Customer feedback", "tickets": "Support tickets"}
HOW_TO_LOAD = {"web": "sync GA4 (python cli.py sync ga4) or import a web export",
               **{k: f"import a file (python cli.py import {k} FILE)" for k in KINDS if k != "web"}}
RECENT_RUNS = 2000


def _runs(engine: Engine) -> list[dict]:
    """The recent sync-log rows, plus the latest success and failure of every source, newest first."""
    runs = schema.sync_runs
    with engine.connect() as conn:
        latest = select(func.max(runs.c.id)).group_by(runs.c.source, runs.c.status).scalar_subquery()
        recent = select(runs.c.id).order_by(runs.c.id.desc()).limit(RECENT_RUNS).scalar_subquery()
        query = (select(runs.c.id, runs.c.source, runs.c.status, runs.c.finished_at, runs.c.error, runs.c.detail)
                 .where(or_(runs.c.id.in_(latest), runs.c.id.in_(recent))).order_by(runs.c.id.desc()))
        return [dict(r) for r in conn.execute(query).mappings()]


@in_snapshot
def source_status(engine: Engine, today: date | None = None) -> dict[str, dict[str, Any]]:
    """{kind: {label, table, status ('ok' | 'stale' | 'empty'), first, last, complete_through, rows, lag_days,
    max_age_days, last_success, last_source, last_error, last_error_at, failing, message}}.

    ``complete_through`` is the last day the kind's data covers (metrics.completeness): its last day of rows,
    or a later day its loads declared complete (GA4: the last day synced). KPIs are partial after it.

    ``failing`` is true when the newest load of the kind failed; ``last_error`` is the newest failure's text.
    """
    today = today or date.today()
    runs = _runs(engine)
    through = {SOURCES[name].dataset: day for name, day in complete_through(engine).items()}
    status: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        first, last, rows = covered_dates(engine, kind)
        mine = [r for r in runs if kind in run_kinds(r["source"], r["error"] or r["detail"])]
        success = next((r for r in mine if r["status"] == "success"), None)
        failure = next((r for r in mine if r["status"] != "success"), None)
        covered = max(last, through[kind]) if last and through.get(kind) else last
        lag = (today - covered).days if covered else None
        state = "empty" if not rows else "stale" if lag is not None and lag > MAX_AGE_DAYS[kind] else "ok"
        status[kind] = {
            "kind": kind, "label": LABELS[kind], "table": DATASETS[kind].table, "status": state,
            "first": first, "last": last, "complete_through": through.get(kind), "rows": rows, "lag_days": lag,
            "max_age_days": MAX_AGE_DAYS[kind],
            "last_success": success["finished_at"] if success else None,
            "last_source": success["source"] if success else None,
            "last_error": failure["error"] if failure else None,
            "last_error_at": failure["finished_at"] if failure else None,
            "failing": bool(mine) and mine[0]["status"] != "success",
            "message": _message(kind, state, covered, lag),
        }
    return status


def _message(kind: str, state: str, last: date | None, lag: int | None) -> str:
    label = LABELS[kind]
    if state == "empty":
        return f"No {label.lower()} loaded yet: {HOW_TO_LOAD[kind]}."
    if state == "stale":
        return (f"{label} end on {last:%d %b %Y}, {lag} days ago (expected within {MAX_AGE_DAYS[kind]} days): "
                f"KPIs using them miss the latest days. To refresh: {HOW_TO_LOAD[kind]}.")
    return f"{label} up to date (through {last:%d %b %Y})."


def stale_or_empty(engine: Engine, today: date | None = None) -> dict[str, str]:
    """{table: message} of the tables whose data is stale or empty (for flagging KPIs)."""
    return {s["table"]: s["message"] for s in source_status(engine, today).values() if s["status"] != "ok"}


def age_text(moment: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago', 'yesterday', '5 days ago' or 'never'."""
    if moment is None:
        return "never"
    seconds = ((now or datetime.now()) - moment).total_seconds()
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86400:
        return f"{round(seconds / 3600)} hours ago"
    days = round(seconds / 86400)
    return "yesterday" if days == 1 else f"{days} days ago"
