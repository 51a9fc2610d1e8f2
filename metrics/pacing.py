"""Pacing and status: where a KPI should be by now, where it is heading, and whether that is on plan.

Direction-aware: for lower-is-better KPIs (CPA, marketing cost) a value above
the expected one is the shortfall. Status words: on_track, at_risk, off_track,
no_target, no_data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from i18n import N_
from metrics.catalog import KPI
from metrics.periods import Period

STATUSES = ("on_track", "at_risk", "off_track", "no_target", "no_data")
STATUS_LABELS = {"on_track": N_("On track"), "at_risk": N_("At risk"), "off_track": N_("Off track"),
                 "no_target": N_("No target"), "no_data": N_("No data")}  # shown through _(); keys are the statuses


def elapsed(period: Period, today: date) -> Period | None:
    """The part of ``period`` before ``today`` (None when none of it has passed)."""
    end = min(period.end, today - timedelta(days=1))
    if end < period.start:
        return None
    return Period("custom", period.start, end, period.calendar)


def expected_to_date(kpi: KPI, target: float | None, elapsed_share: float) -> float | None:
    """Flows: the target times the share of the period elapsed; ratios and stocks: the target itself."""
    if target is None:
        return None
    return target * elapsed_share if kpi.kind == "flow" else target


def forecast(kpi: KPI, value: float | None, elapsed_days: int, period_days: int) -> float | None:
    """Flows: run rate to the period's end; ratios and stocks: the current value."""
    if value is None:
        return None
    if kpi.kind == "flow":
        return value / elapsed_days * period_days if elapsed_days else None
    return value


def shortfall(kpi: KPI, value: float, expected: float) -> float:
    """How far ``value`` falls short of ``expected`` as a fraction of it (negative = ahead of plan)."""
    if expected == 0:
        ahead = value >= 0 if kpi.better == "higher" else value <= 0
        return 0.0 if ahead else float("inf")
    gap = (expected - value) if kpi.better == "higher" else (value - expected)
    return gap / abs(expected)


def status(kpi: KPI, value: float | None, expected: float | None) -> str:
    """on_track within the KPI's first tolerance, at_risk within the second, else off_track."""
    if value is None:
        return "no_data"
    if expected is None:
        return "no_target"
    short = shortfall(kpi, value, expected)
    at_risk, off_track = kpi.tolerance
    if short <= at_risk:
        return "on_track"
    return "at_risk" if short <= off_track else "off_track"


@dataclass
class Pace:
    target: float | None
    expected: float | None
    forecast: float | None
    status: str
    elapsed_share: float


def pace(kpi: KPI, value: float | None, period: Period, today: date, target: float | None,
         elapsed_share: float | None = None, through: date | None = None) -> Pace:
    """Pacing for ``value`` (the KPI over the elapsed part of ``period``) against ``target`` for the period.

    ``through``: the last day the KPI's data covers, when it ends before today (a partial KPI is judged on
    the days it covers). ``elapsed_share`` is the share of the period's target due for the days judged (by
    last year's profile when the caller has one); by default the share of those days.
    """
    done = elapsed(period, today if through is None else min(today, through + timedelta(days=1)))
    days = done.days if done else 0
    share = elapsed_share if elapsed_share is not None else days / period.days
    expected = expected_to_date(kpi, target, share)
    return Pace(target, expected, forecast(kpi, value, days, period.days), status(kpi, value, expected), share)
