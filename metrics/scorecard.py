"""The scorecard: every KPI for a period with its previous period, change and sparkline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from metrics.catalog import KPIS, get_kpi
from metrics.engine import Filters, compute
from metrics.pacing import elapsed, pace
from metrics.periods import Period, last_year, previous, shift
from warehouse.snapshot import in_snapshot

SPARKLINE_PERIODS = 13


@dataclass
class KpiResult:
    """One KPI's figures for a period (the ``report`` JSON item)."""

    id: str
    s: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    change_pct: float | None
    reason: str | None
    change_abs: float | None = None
    better: str = "higher"
    sparkline: list[float | None] = field(default_factory=list)
    target: float | None = None
    expected: float | None = None
    forecast: float | None = None
    status: str = "no_target"
    target_method: str | None = None
    last_year: float | None = None
    change_pct_last_year: float | None = None
    in_progress: bool = False

    def as_report(self) -> dict:
        """The public JSON shape of ``cli.py report`` (keys are a contract: extend, never rename)."""
        keys = ("id", "s", "label", "unit", "value", "previous", "change_pct", "reason", "target", "expected",
                "forecast", "status", "last_year", "change_pct_last_year", "target_method")
        return {k: asdict(self)[k] for k in keys}


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def change_pct(value: float | None, before: float | None) -> float | None:
    """Relative change as a fraction; None when either side is unknown or the base is zero."""
    if value is None or before is None or before == 0:
        return None
    return (value - before) / abs(before)


def _to_date(period: Period, days: int) -> Period:
    """The first ``days`` days of ``period`` (comparisons of an unfinished period are like for like)."""
    return Period("custom", period.start, period.start + timedelta(days=days - 1))


def comparison_windows(period: Period, today: date) -> tuple[Period | None, Period, Period]:
    """The days of ``period`` before ``today`` (None when it has not started), and the previous period and the
    same period last year to compare them with: for an unfinished period, only as many days of each."""
    done = elapsed(period, today)
    before, ly = previous(period), last_year(period)
    if period.end >= today and done:
        return done, _to_date(before, done.days), _to_date(ly, done.days)
    return done, before, ly


def _values(engine: Engine, ids: list[str], window: Period | None, filters: Filters) -> pd.DataFrame:
    if window is None:
        return pd.DataFrame({"value": float("nan"), "reason": "the period has not started"}, index=ids)
    return compute(engine, ids, window.start, window.end, "custom", filters).set_index("kpi_id")


@in_snapshot
def scorecard(engine: Engine, period: Period, filters: Filters = Filters(), kpi_ids: list[str] | None = None,
              sparkline: bool = True, today: date | None = None) -> list[KpiResult]:
    """All (or the given) KPIs for ``period``: value, previous period, same period last year, sparkline,
    and the plan (target, expected to date, forecast, status).

    For an unfinished period, values cover the days before ``today`` and the comparisons cover the same
    number of days of the previous period and of last year.
    """
    from metrics.targets import load_targets, resolve_target, share_of

    today = today or date.today()
    ids = kpi_ids or [k.id for k in KPIS]
    in_progress = period.end >= today
    done, before, ly = comparison_windows(period, today)
    current = _values(engine, ids, done, filters)
    prior = _values(engine, ids, before, filters)
    a_year_ago = _values(engine, ids, ly, filters)
    history = None
    if sparkline and period.grain not in ("custom", "day"):
        first = shift(period, -(SPARKLINE_PERIODS - 1))
        history = compute(engine, ids, first.start, min(period.end, today - timedelta(days=1)), period.grain,
                          filters)
    targets, profiles = load_targets(engine), {}
    channel = filters.channel or ""
    results = []
    for kpi_id in ids:
        kpi = get_kpi(kpi_id)
        value = _number(current.at[kpi_id, "value"])
        before_value = _number(prior.at[kpi_id, "value"])
        ly_value = _number(a_year_ago.at[kpi_id, "value"])
        spark = []
        if history is not None:
            series = history[history["kpi_id"] == kpi_id].sort_values("period_start")["value"]
            spark = [_number(v) for v in series]
        target = None if filters.campaign else resolve_target(engine, kpi_id, period, channel, targets, profiles)
        share = None
        if target and in_progress and kpi.kind == "flow" and done:
            share, _ = share_of(engine, kpi_id, period, done, channel, profiles)
        plan = pace(kpi, value, period, today, target.value if target else None, share)
        results.append(KpiResult(
            id=kpi.id, s=kpi.s, label=kpi.label, unit=kpi.unit, value=value, previous=before_value,
            change_pct=change_pct(value, before_value), reason=current.at[kpi_id, "reason"],
            change_abs=None if value is None or before_value is None else value - before_value,
            better=kpi.better, sparkline=spark, target=plan.target, expected=plan.expected,
            forecast=plan.forecast, status=plan.status, target_method=target.description if target else None,
            last_year=ly_value, change_pct_last_year=change_pct(value, ly_value), in_progress=in_progress,
        ))
    return results


def trend(engine: Engine, kpi_id: str, last: Period, periods: int = 26, filters: Filters = Filters(),
          breakdown: str | None = None) -> pd.DataFrame:
    """One KPI over the ``periods`` periods ending with ``last``: period_start, [breakdown], value, reason."""
    first = shift(last, -(periods - 1))
    frame = compute(engine, [kpi_id], first.start, last.end, last.grain, filters, breakdown)
    return frame.drop(columns="kpi_id")
