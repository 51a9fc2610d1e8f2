"""The chance of hitting the plan: P(a flow KPI's final value for an unfinished period meets its target).

Method: a weekday-aware bootstrap (Efron 1979). The days still to come in the period are simulated
:data:`DRAWS` times, each day's value drawn with replacement from the same weekday's daily values over the last
:data:`WEEKS` weeks, scaled by last year's seasonality of those days when the warehouse holds it; the chance is
the share of simulated finals that meet the target.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics.catalog import KPI
from metrics.engine import Filters, compute, is_unknown
from metrics.periods import Period

WEEKS = 8  # history sampled: 8 weeks = 8 values per weekday, recent enough to follow the current level
MIN_DAYS = 14  # fewer days with data in those weeks (two weeks): too little to say (None)
MIN_PER_WEEKDAY = 3  # a weekday seen fewer times than this draws from all the recent days instead
DRAWS = 10_000  # simulated finals: the chance is a share of them, precise to about ±1 percentage point
SEED = 15  # fixed: the same warehouse always gives the same chance (reproducible reports and tests)


def daily_values(engine: Engine, kpi: KPI, filters: Filters, start: date, end: date) -> pd.Series:
    """The KPI's daily values over ``start..end`` (index: day), from the first day with data on. A day without
    rows after that counts as 0 (nothing happened: a flow is a sum); a day whose rows do not know the measure is
    left out, as are days after the data ends."""
    frame = compute(engine, [kpi.id], start, end, "day", filters)
    frame = frame[frame["kpi_id"] == kpi.id]
    days = pd.to_datetime(frame["period_start"]).dt.date.to_numpy()
    values = pd.Series(frame["value"].to_numpy(dtype=float), index=days)
    reasons = pd.Series(frame["reason"].to_numpy(dtype=object), index=days)
    known = values.notna()
    if not known.any():
        return pd.Series(dtype=float)
    first = values.index[known.to_numpy()].min()
    ends = pd.to_datetime(frame["complete_through"]).dt.date.dropna()
    last = min(ends) if len(ends) else end  # complete_through set: the data ends before ``end``
    keep = (values.index >= first) & (values.index <= last)
    unknown = reasons.map(lambda r: r is not None and not pd.isna(r) and is_unknown(r)).to_numpy()
    return values[keep & ~unknown].fillna(0.0)


def recent_days(engine: Engine, kpi: KPI, filters: Filters, through: date, weeks: int = WEEKS) -> pd.Series:
    """The KPI's daily values over the ``weeks`` weeks ending on ``through`` (see :func:`daily_values`)."""
    return daily_values(engine, kpi, filters, through - timedelta(days=7 * weeks - 1), through)


def _weekday_pools(history: pd.Series) -> dict[int, np.ndarray]:
    """{weekday: the values to draw from}: that weekday's, or all of them when it has fewer than
    :data:`MIN_PER_WEEKDAY`."""
    values = history.to_numpy(dtype=float)
    weekdays = np.array([d.weekday() for d in history.index], dtype=int)
    pools = {w: values[weekdays == w] for w in range(7)}
    return {w: pool if len(pool) >= MIN_PER_WEEKDAY else values for w, pool in pools.items()}


def seasonal_factor(engine: Engine, kpi: KPI, filters: Filters, through: date, remaining: list[date]) -> float:
    """How much busier (> 1) or quieter the remaining days were a year ago (52 weeks back: same weekdays) than
    the weekday-matched level of the :data:`WEEKS` weeks before them: last year's sum of those days ÷ the sum of
    its same-weekday means. 1.0 when last year's data does not cover them, or when they sum to zero there (read as
    data missing then, not as nothing happening: a factor of 0 would say nothing more can happen now)."""
    if not remaining:
        return 1.0
    year = timedelta(weeks=52)
    window_end = through - year
    values = daily_values(engine, kpi, filters, window_end - timedelta(days=7 * WEEKS - 1), remaining[-1] - year)
    window = values[values.index <= window_end]
    if len(window) < MIN_DAYS or any(day - year not in values.index for day in remaining):
        return 1.0
    pools = _weekday_pools(window)
    expected = sum(float(pools[day.weekday()].mean()) for day in remaining)
    actual = sum(float(values[day - year]) for day in remaining)
    return actual / expected if expected > 0 and actual > 0 else 1.0


def simulate_remaining(history: pd.Series, days: list[date], draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """``draws`` simulated sums of ``days``: each day drawn with replacement from ``history``'s values on the same
    weekday (all of them when that weekday has fewer than :data:`MIN_PER_WEEKDAY`). Vectorised: one draw per
    weekday present in ``days``."""
    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    if not days:
        return total
    pools = _weekday_pools(history)
    wanted = pd.Series([d.weekday() for d in days]).value_counts().sort_index()
    for weekday, count in wanted.items():
        total += rng.choice(pools[int(weekday)], size=(draws, int(count)), replace=True).sum(axis=1)
    return total


def probability_on_target(engine: Engine, kpi: KPI, period: Period, filters: Filters, target: float,
                          value: float, through: date) -> float | None:
    """P(final value meets ``target``) for flow ``kpi`` in unfinished ``period``, whose value through ``through``
    (the last day counted) is ``value``: the remaining days simulated from the recent daily values, weekday by
    weekday. "Meets" is direction-aware (lower-is-better: at or under the budget). None when it cannot be said.

    The final is ``value`` plus the sum of the days ``through``+1 .. ``period.end``, each drawn from the same
    weekday's values over the :data:`WEEKS` weeks ending on ``through`` (a weekday seen fewer than
    :data:`MIN_PER_WEEKDAY` times draws from all those days). P = the share of :data:`DRAWS` simulated finals
    with final ≥ target (higher is better) or final ≤ target (lower is better), seeded with :data:`SEED`.
    None with fewer than :data:`MIN_DAYS` days of data in those weeks.

    Seasonality: the simulated days are multiplied by :func:`seasonal_factor`, how much busier those days were a
    year ago than the weeks before them (Black Friday week: about twice the autumn weeks); 1 without last year's
    data, and then a peak the recent weeks did not have is not foreseen. The draws are not rescaled to this
    period's run rate so far: the sampled weeks already include its elapsed days, and a ratio taken from a few
    days would add more noise than it removes.
    """
    if through >= period.end:
        remaining: list[date] = []
    else:
        start = max(through, period.start - timedelta(days=1)) + timedelta(days=1)
        remaining = [start + timedelta(days=i) for i in range((period.end - start).days + 1)]
    history = recent_days(engine, kpi, filters, through)
    if len(history) < MIN_DAYS:
        return None
    season = seasonal_factor(engine, kpi, filters, through, remaining)
    finals = value + season * simulate_remaining(history, remaining)
    met = finals <= target if kpi.better == "lower" else finals >= target
    return float(met.mean())
