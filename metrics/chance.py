"""The chance of hitting the plan: P(a flow KPI's final value for an unfinished period meets its target).

STUB (issue 15 foundation): the signature is the contract; the body is filled in by the statistics work.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from metrics.catalog import KPI
from metrics.engine import Filters
from metrics.periods import Period


def probability_on_target(engine: Engine, kpi: KPI, period: Period, filters: Filters, target: float,
                          value: float, through: date) -> float | None:
    """P(final value meets ``target``) for flow ``kpi`` in unfinished ``period``, whose value through ``through``
    (the last day counted) is ``value``: the remaining days simulated from the recent daily values, weekday by
    weekday. "Meets" is direction-aware (lower-is-better: at or under the budget). None when it cannot be said."""
    return None
