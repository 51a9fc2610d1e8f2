"""Cohorts: customers by the period of their first order, their retention, cumulative revenue per customer, CAC,
LTV:CAC and payback, by acquisition channel. Reads ``customers`` / ``cohort_activity`` (and ad cost), never orders.

CONTRACT (issue 16 foundation; the cohorts' owner fills the body).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from metrics.periods import Period


@dataclass(frozen=True)
class Cohort:
    """One cohort (optionally of one acquisition channel). Arrays run from period 0 (the cohort's own) to the last
    period with data; ``retention[0]`` is 1. ``cac``/``ltv_cac``/``payback_period`` are None without ad cost."""

    cohort: str  # the period as written in the CLI (e.g. "2026-06", "2026-W23")
    start: date
    acquisition_channel: str | None
    customers: int
    retention: list[float]
    revenue_per_customer: list[float]
    cac: float | None
    ltv_cac: list[float] | None
    payback_period: int | None


def compute_cohorts(db, grain: str, first: Period, last: Period, channel: str | None = None,
                    by_channel: bool = False) -> list[Cohort]:
    """Cohorts of ``grain`` ('week' or 'month', in the periods' calendar) whose period lies in first..last."""
    raise NotImplementedError


def cohorts_json(grain: str, cohorts: list[Cohort]) -> dict:
    """``{"grain", "cohorts": [{"cohort", "acquisition_channel", "customers", "retention", "revenue_per_customer",
    "cac", "ltv_cac", "payback_period"}]}`` (the CLI's contract)."""
    raise NotImplementedError
