"""Series for charts: a KPI's trend with its target per period, last year's series, and the burn-up.

A trend's first period may start before the KPI's data does (a monthly trend whose first "month" holds the
data's first two days): that period is marked ``starts_late`` (the day its data starts) with a reason, so a
chart can show it as partial instead of drawing a two-day month as a fall.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from i18n import _
from metrics import formula as formulas
from metrics.catalog import MEASURES, get_kpi
from metrics.completeness import day_text, days_missing, first_days
from metrics.engine import Filters, compute, is_unknown
from metrics.pacing import elapsed
from metrics.periods import Period, last_year, period_containing, shift
from metrics.targets import load_targets, resolve_target, share_of
from metrics.unusual import expected_bands, history_needed
from warehouse.snapshot import in_snapshot


def data_start(engine: Engine, kpi_id: str) -> date | None:
    """The first day for which all of a KPI's sources (those holding data) hold data; None when none do."""
    sources = {MEASURES[m].source for m in formulas.measure_names(get_kpi(kpi_id).formula)}
    firsts = [day for name, day in first_days(engine).items() if name in sources and day is not None]
    return max(firsts) if firsts else None


def mark_late_start(frame: pd.DataFrame, grain: str, start: date | None) -> pd.DataFrame:
    """Mark in ``frame`` (period_start, value, reason) the period that begins before the data does (``start``) and
    holds its first day: ``starts_late`` is that day (NaT/None elsewhere) and ``reason`` says what is missing."""
    frame = frame.copy()
    frame["starts_late"] = None
    if start is None or grain in ("day", "custom"):
        return frame
    for row, period_start in frame["period_start"].items():
        period = period_containing(period_start, grain)
        if period.start < start <= period.end:
            days, missing = (period.end - period.start).days + 1, (start - period.start).days
            frame.at[row, "starts_late"] = start
            text = days_missing(_("data starts {day}").format(day=day_text(start)), missing, days)
            reason = frame.at[row, "reason"] if "reason" in frame else None
            frame.at[row, "reason"] = (_("{reason}; {more}").format(reason=reason, more=text)
                                       if isinstance(reason, str) and reason else text)
    return frame


@in_snapshot
def trend_with_plan(engine: Engine, kpi_id: str, last: Period, periods: int = 26, filters: Filters = Filters(),
                    with_last_year: bool = False) -> pd.DataFrame:
    """period_start, value, reason, complete_through, starts_late, target, expected_low, expected_high[, last_year]
    for the ``periods`` periods ending with ``last``.

    Last year's value is aligned to this year's period (weeks 52 weeks earlier, so weekdays align). A period that
    begins before the KPI's data does has ``starts_late`` set (see :func:`mark_late_start`). The expected range is
    each period's, judged against the periods before it (:func:`metrics.unusual.expected_bands`).
    """
    first = shift(last, -(periods - 1))
    before = history_needed(last.grain)
    start = shift(first, -before).start if before else first.start
    frame = compute(engine, [kpi_id], start, last.end, last.grain, filters).drop(columns="kpi_id")
    frame = with_expected_range(frame, kpi_id, last.grain, data_start(engine, kpi_id))
    frame = frame[frame["period_start"] >= first.start].reset_index(drop=True)
    frame = mark_late_start(frame, last.grain, data_start(engine, kpi_id))
    targets, cache = load_targets(engine), {}
    channel = filters.channel or ""
    frame["target"] = [
        getattr(resolve_target(engine, kpi_id, period_containing(start, last.grain), channel, targets, cache),
                "value", None)
        for start in frame["period_start"]
    ]
    if with_last_year:
        ly_first, ly_last = last_year(first), last_year(last)
        before = compute(engine, [kpi_id], ly_first.start, ly_last.end, last.grain, filters)
        mapping = {last_year(period_containing(s, last.grain)).start: s for s in frame["period_start"]}
        before["period_start"] = before["period_start"].map(mapping)
        frame = frame.merge(before[["period_start", "value"]].rename(columns={"value": "last_year"}),
                            on="period_start", how="left")
    return frame


def with_expected_range(frame: pd.DataFrame, kpi_id: str, grain: str, first: date | None = None) -> pd.DataFrame:
    """``frame`` (period_start, value, complete_through; oldest first) with ``expected_low``/``expected_high``, each
    period judged against the periods before it as the scorecard judges a complete period. A period counted in
    part (its data ends inside it) has no band: the scorecard compares it with last year's same days, which a
    chart of whole periods does not hold. The period that begins before the KPI's data does (``first``) is left
    out of the history, as in the scorecard."""
    frame = frame.copy()
    if grain in ("day", "custom"):
        frame["expected_low"] = frame["expected_high"] = float("nan")
        return frame
    values = pd.to_numeric(frame["value"], errors="coerce")
    if first is not None:
        values = values.where(frame["period_start"] >= first)
    bands = expected_bands(pd.Series(values.to_numpy(), index=frame["period_start"]), grain, get_kpi(kpi_id).unit)
    counted_in_part = pd.Series(False, index=frame.index)
    if "complete_through" in frame:
        for row, (period_start, through) in frame[["period_start", "complete_through"]].iterrows():
            counted_in_part[row] = isinstance(through, date) and through < period_containing(period_start, grain).end
    frame["expected_low"] = bands["expected_low"].where(~counted_in_part.to_numpy()).to_numpy()
    frame["expected_high"] = bands["expected_high"].where(~counted_in_part.to_numpy()).to_numpy()
    return frame


def _unknown_onwards(cumulative: pd.Series, days: pd.Series, reasons: pd.Series) -> pd.Series:
    """A running total is unknown from the first day whose value is unknown (its rows lack the measure: see
    :func:`metrics.engine.is_unknown`) on: adding a later day to it would be a wrong number, not a smaller one."""
    unknown_days = [day for day, reason in reasons.items() if is_unknown(reason)]
    if not unknown_days:
        return cumulative
    return cumulative.where(days < min(unknown_days))


@in_snapshot
def burn_up(engine: Engine, kpi_id: str, period: Period, filters: Filters = Filters(),
            today: date | None = None) -> pd.DataFrame:
    """Cumulative actual, target and last year's values by day across ``period`` (a flow KPI).

    Columns: day, actual (cumulative, up to yesterday or the last day its data covers), target (cumulative
    share of the period's target, by last year's daily profile or by days), last_year (cumulative, weekday-aligned).
    """
    if get_kpi(kpi_id).kind != "flow":
        raise ValueError(f"{kpi_id} is not a flow KPI: a burn-up adds values up over time")
    today = today or date.today()
    days = pd.date_range(period.start, period.end).date
    frame = pd.DataFrame({"day": days})
    done = elapsed(period, today)
    actual = pd.Series(dtype=float)
    if done:
        daily = compute(engine, [kpi_id], done.start, done.end, "day", filters).set_index("period_start")
        actual = daily["value"]
        ends = daily["complete_through"].dropna()
        last = min(ends) if not ends.empty else done.end  # days after the data ends are a gap, not zeros
    if actual.notna().any():
        frame["actual"] = frame["day"].map(actual.fillna(0)).cumsum().where(frame["day"] <= last)
        frame["actual"] = _unknown_onwards(frame["actual"], frame["day"], daily["reason"])
    else:  # no day with data so far: unknown, not a running total of zeros
        frame["actual"] = float("nan")
    channel = filters.channel or ""
    target = resolve_target(engine, kpi_id, period, channel)
    if target:
        cache: dict = {}
        frame["target"] = [target.value * share_of(engine, kpi_id, period, Period("custom", period.start, d),
                                                   channel, cache)[0] for d in days]
    else:
        frame["target"] = float("nan")
    ly = last_year(period)
    last_year_daily = compute(engine, [kpi_id], ly.start, ly.end, "day", filters).set_index("period_start")
    before, before_reasons = last_year_daily["value"], last_year_daily["reason"]
    shift_days = period.start - ly.start
    before.index = before_reasons.index = [d + shift_days for d in before.index]
    frame["last_year"] = frame["day"].map(before).cumsum() if before.notna().any() else float("nan")
    frame["last_year"] = _unknown_onwards(frame["last_year"], frame["day"], before_reasons)
    frame.loc[frame["day"] > period.start + timedelta(days=len(before) - 1), "last_year"] = float("nan")
    return frame
