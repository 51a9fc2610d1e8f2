"""The scorecard: every KPI for a period with its previous period, change and sparkline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd
from sqlalchemy import Engine

from metrics.catalog import KPIS, get_kpi
from metrics.engine import Filters, compute
from metrics.periods import Period, previous, shift

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

    def as_report(self) -> dict:
        """The public JSON shape of ``cli.py report``."""
        keys = ("id", "s", "label", "unit", "value", "previous", "change_pct", "reason")
        return {k: asdict(self)[k] for k in keys}


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def change_pct(value: float | None, before: float | None) -> float | None:
    """Relative change as a fraction; None when either side is unknown or the base is zero."""
    if value is None or before is None or before == 0:
        return None
    return (value - before) / abs(before)


def scorecard(engine: Engine, period: Period, filters: Filters = Filters(),
              kpi_ids: list[str] | None = None, sparkline: bool = True) -> list[KpiResult]:
    """All (or the given) KPIs for ``period`` against the previous period, with sparklines."""
    ids = kpi_ids or [k.id for k in KPIS]
    if period.grain in ("custom", "day") or not sparkline:
        current = compute(engine, ids, period.start, period.end, "custom", filters).set_index("kpi_id")
        before = previous(period)
        prior = compute(engine, ids, before.start, before.end, "custom", filters).set_index("kpi_id")
        history = None
    else:
        first = shift(period, -(SPARKLINE_PERIODS - 1))
        history = compute(engine, ids, first.start, period.end, period.grain, filters)
        by_period = {start: frame.set_index("kpi_id") for start, frame in history.groupby("period_start")}
        current = by_period[period.start]
        prior = by_period[previous(period).start]
    results = []
    for kpi_id in ids:
        kpi = get_kpi(kpi_id)
        value = _number(current.at[kpi_id, "value"])
        before_value = _number(prior.at[kpi_id, "value"])
        spark = []
        if history is not None:
            series = history[history["kpi_id"] == kpi_id].sort_values("period_start")["value"]
            spark = [_number(v) for v in series]
        results.append(KpiResult(
            id=kpi.id, s=kpi.s, label=kpi.label, unit=kpi.unit, value=value, previous=before_value,
            change_pct=change_pct(value, before_value), reason=current.at[kpi_id, "reason"],
            change_abs=None if value is None or before_value is None else value - before_value,
            better=kpi.better, sparkline=spark,
        ))
    return results


def trend(engine: Engine, kpi_id: str, last: Period, periods: int = 26, filters: Filters = Filters(),
          breakdown: str | None = None) -> pd.DataFrame:
    """One KPI over the ``periods`` periods ending with ``last``: period_start, [breakdown], value, reason."""
    first = shift(last, -(periods - 1))
    frame = compute(engine, [kpi_id], first.start, last.end, last.grain, filters, breakdown)
    return frame.drop(columns="kpi_id")
