"""The chance of hitting the plan: P(a flow KPI's final value for an unfinished period meets its target).

Method: a weekday-aware bootstrap (Efron 1979). The days still to come in the period are simulated
:data:`DRAWS` times, each day's value drawn with replacement from the same weekday's daily values over the last
:data:`WEEKS` weeks; the chance is the share of simulated finals that meet the target.
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


def recent_days(engine: Engine, kpi: KPI, filters: Filters, through: date, weeks: int = WEEKS) -> pd.Series:
    """The KPI's daily values over the ``weeks`` weeks ending on ``through`` (index: day), from the first day with
    data on. A day without rows after that counts as 0 (nothing happened: a flow is a sum); a day whose rows do not
    know the measure is left out, as are days after the data ends."""
    start = through - timedelta(days=7 * weeks - 1)
    frame = compute(engine, [kpi.id], start, through, "day", filters)
    frame = frame[frame["kpi_id"] == kpi.id]
    days = pd.to_datetime(frame["period_start"]).dt.date
    values = pd.Series(frame["value"].to_numpy(dtype=float), index=days.to_numpy())
    reasons = pd.Series(frame["reason"].to_numpy(dtype=object), index=days.to_numpy())
    known = values.notna()
    if not known.any():
        return pd.Series(dtype=float)
    first = values.index[known.to_numpy()].min()
    ends = pd.to_datetime(frame["complete_through"]).dt.date.dropna()
    last = min(ends) if len(ends) else through  # complete_through set: the data ends before ``through``
    keep = (values.index >= first) & (values.index <= last)
    unknown = reasons.map(lambda r: r is not None and not pd.isna(r) and is_unknown(r)).to_numpy()
    values = values[keep & ~unknown]
    return values.fillna(0.0)


def simulate_remaining(history: pd.Series, days: list[date], draws: int = DRAWS, seed: int = SEED) -> np.ndarray:
    """``draws`` simulated sums of ``days``: each day drawn with replacement from ``history``'s values on the same
    weekday (all of them when that weekday has fewer than :data:`MIN_PER_WEEKDAY`). Vectorised: one draw per
    weekday present in ``days``."""
    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    if not days:
        return total
    values = history.to_numpy(dtype=float)
    weekdays = np.array([d.weekday() for d in history.index])
    wanted = pd.Series([d.weekday() for d in days]).value_counts().sort_index()
    for weekday, count in wanted.items():
        pool = values[weekdays == weekday]
        if len(pool) < MIN_PER_WEEKDAY:
            pool = values
        total += rng.choice(pool, size=(draws, int(count)), replace=True).sum(axis=1)
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

    The draws are not rescaled to this period's run rate: the sampled weeks already include the days of this
    period elapsed so far, and a ratio taken from a few days would add more noise than it removes. So the
    chance assumes the coming days look like the last eight weeks: a peak the recent weeks did not have (a
    planned sale) is not foreseen.
    """
    if through >= period.end:
        remaining: list[date] = []
    else:
        start = max(through, period.start - timedelta(days=1)) + timedelta(days=1)
        remaining = [start + timedelta(days=i) for i in range((period.end - start).days + 1)]
    history = recent_days(engine, kpi, filters, through)
    if len(history) < MIN_DAYS:
        return None
    finals = value + simulate_remaining(history, remaining)
    met = finals <= target if kpi.better == "lower" else finals >= target
    return float(met.mean())
