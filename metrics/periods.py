"""Periods: parsing ``2026-W46`` / ``2026-11`` / ``2026-Q4`` / ``a..b``, bucketing dates, comparisons."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from i18n import default_locale

GRAINS = ("day", "week", "month", "quarter", "year")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


CALENDARS = ("gregorian", "jalali")


class PeriodError(ValueError):
    """A period text that cannot be understood; the message shows the accepted forms."""


_calendar: ContextVar[str | None] = ContextVar("kpi_calendar", default=None)


def calendar_for(locale: str) -> str:
    """The calendar of a language: ``KPI_CALENDAR`` when set, otherwise Jalali for ``fa`` and Gregorian else."""
    name = os.environ.get("KPI_CALENDAR", "").strip().lower()
    if name and name not in CALENDARS:
        raise PeriodError(f"KPI_CALENDAR={name!r} is not a calendar; use one of {', '.join(CALENDARS)}.")
    return name or ("jalali" if locale == "fa" else "gregorian")


def current_calendar() -> str:
    """The calendar of this run: set by the app for the user's language, else the server's default."""
    return _calendar.get() or calendar_for(default_locale())


def set_calendar(name: str) -> None:
    """Use calendar ``name`` for the rest of this run (thread/context)."""
    if name not in CALENDARS:
        raise PeriodError(f"Unknown calendar {name!r}; use one of {', '.join(CALENDARS)}.")
    _calendar.set(name)


@contextmanager
def using_calendar(name: str) -> Iterator[None]:
    """Use calendar ``name`` inside the block only."""
    if name not in CALENDARS:
        raise PeriodError(f"Unknown calendar {name!r}; use one of {', '.join(CALENDARS)}.")
    token = _calendar.set(name)
    try:
        yield
    finally:
        _calendar.reset(token)


def week_start_day() -> int:
    """First day of the week (0 = Monday, ISO default; 6 = Sunday) from ``KPI_WEEK_START``."""
    name = os.environ.get("KPI_WEEK_START", "monday").strip().lower()
    if name not in WEEKDAYS:
        raise PeriodError(f"KPI_WEEK_START={name!r} is not a weekday name; use e.g. 'monday' or 'sunday'.")
    return WEEKDAYS.index(name)


@dataclass(frozen=True)
class Period:
    """A closed date range ``start..end`` at a grain ('custom' for free ranges), in a calendar: the calendar
    decides where weeks, months, quarters and years begin and how the period is written."""

    grain: str
    start: date
    end: date
    calendar: str = "gregorian"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        return format_period(self)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() - week_start_day()) % 7)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_containing(day: date, grain: str) -> Period:
    """The period of ``grain`` that contains ``day``."""
    if grain == "day":
        return Period("day", day, day)
    if grain == "week":
        start = _week_start(day)
        return Period("week", start, start + timedelta(days=6))
    if grain == "month":
        start = date(day.year, day.month, 1)
        return Period("month", start, _add_months(start, 1) - timedelta(days=1))
    if grain == "quarter":
        start = _quarter_start(day)
        return Period("quarter", start, _add_months(start, 3) - timedelta(days=1))
    if grain == "year":
        return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))
    raise PeriodError(f"Unknown grain {grain!r}; use one of {', '.join(GRAINS)}.")


def shift(period: Period, steps: int) -> Period:
    """The period ``steps`` periods away (negative = earlier), same grain."""
    if period.grain == "day":
        return Period("day", period.start + timedelta(days=steps), period.start + timedelta(days=steps))
    if period.grain == "week":
        return period_containing(period.start + timedelta(weeks=steps), "week")
    if period.grain in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[period.grain]
        return period_containing(_add_months(period.start, steps * months), period.grain)
    delta = timedelta(days=period.days * steps)
    return Period("custom", period.start + delta, period.end + delta)


def previous(period: Period) -> Period:
    """The period just before (a custom range: the same number of days before)."""
    return shift(period, -1)


def last_year(period: Period) -> Period:
    """Same period last year: weeks and custom ranges 52 weeks earlier (weekdays align)."""
    if period.grain in ("day", "week", "custom"):
        delta = timedelta(weeks=52)
        return Period(period.grain, period.start - delta, period.end - delta)
    return period_containing(_add_months(period.start, -12), period.grain)


def last_complete(grain: str, today: date | None = None) -> Period:
    """The latest period of ``grain`` that ended before ``today``."""
    today = today or date.today()
    current = period_containing(today, grain)
    return previous(current)


def format_period(period: Period) -> str:
    """The period written as the CLI accepts it."""
    s = period.start
    if period.grain == "week" and week_start_day() == 0:
        year, week, _ = s.isocalendar()
        return f"{year}-W{week:02d}"
    if period.grain == "week":
        year, week, _ = (s + timedelta(days=(7 - week_start_day()) % 7)).isocalendar()
        return f"{year}-W{week:02d}"
    if period.grain == "month":
        return f"{s.year}-{s.month:02d}"
    if period.grain == "quarter":
        return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
    if period.grain == "year":
        return f"{s.year}"
    if period.grain == "day":
        return s.isoformat()
    return f"{s.isoformat()}..{period.end.isoformat()}"


_FORMS = "2026-W46 (ISO week), 2026-11 (month), 2026-Q4 (quarter), 2026 (year) or 2026-11-01..2026-11-20"


def parse_period(text: str) -> Period:
    """Parse a period as written by :func:`format_period`."""
    raw = (text or "").strip()
    try:
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", raw, re.IGNORECASE):
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            start = monday - timedelta(days=(7 - week_start_day()) % 7)
            return Period("week", start, start + timedelta(days=6))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", raw, re.IGNORECASE):
            return period_containing(date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
            return period_containing(date(int(m[1]), int(m[2]), 1), "month")
        if re.fullmatch(r"\d{4}", raw):
            return period_containing(date(int(raw), 1, 1), "year")
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", raw):
            start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
            if end < start:
                raise PeriodError(f"Period {raw!r} ends before it starts.")
            return Period("custom", start, end)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return period_containing(date.fromisoformat(raw), "day")
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"Period {raw!r} is not a real date or week: {exc}. Use {_FORMS}.") from exc
    raise PeriodError(f"Cannot read period {raw!r}. Use {_FORMS}.")


def bucket_starts(days: pd.Series, grain: str) -> pd.Series:
    """Vectorised: the start date of the ``grain`` period containing each date."""
    ts = pd.to_datetime(days)
    if grain == "day":
        out = ts
    elif grain == "week":
        out = ts - pd.to_timedelta((ts.dt.day_of_week - week_start_day()) % 7, unit="D")
    elif grain == "month":
        out = ts.dt.to_period("M").dt.start_time
    elif grain == "quarter":
        out = ts.dt.to_period("Q").dt.start_time
    elif grain == "year":
        out = ts.dt.to_period("Y").dt.start_time
    else:
        raise PeriodError(f"Unknown grain {grain!r}; use one of {', '.join(GRAINS)}.")
    return out.dt.date


def periods_between(first: Period, last: Period) -> list[Period]:
    """All periods of ``first``'s grain from ``first`` to ``last`` inclusive."""
    out, current = [], first
    while current.start <= last.start:
        out.append(current)
        current = shift(current, 1)
    return out
