"""Periods: parsing ``2026-W46`` / ``2026-11`` / ``2026-Q4`` / ``a..b``, bucketing dates, comparisons.

Two calendars (``CALENDARS``). Gregorian: ISO weeks (starting on ``KPI_WEEK_START``), months, quarters, years.
Jalali (Solar Hijri, through jdatetime, which follows the official leap-year table): a month ``1405-08`` (Aban), a
quarter by season ``1405-Q1`` (Farvardin–Khordad) … ``1405-Q4`` (Dey–Esfand), a year ``1405`` (from 1 Farvardin),
days ``1405-08-18`` and ranges ``1405-08-18..1405-08-24``, and weeks ``1405-W35`` from Saturday to Friday.
The Jalali week rule: week 1 of year Y is the Saturday–Friday week that holds 1 Farvardin Y, and a week belongs to
the year of its Friday; so the last days of Esfand that share a week with Nowruz belong to week 1 of the next
year, and a year has 52 or 53 weeks (``1405-W01`` = 2026-03-21..2026-03-27; ``1404-W01`` = 2025-03-15..21).

Functions taking a grain use :func:`current_calendar` unless given one; functions taking a Period keep its calendar.
A written period says its own calendar: a year below 1700 is Jalali, above it Gregorian.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import jdatetime
import pandas as pd

from i18n import default_locale
from i18n.numerals import delocalize_digits

GRAINS = ("day", "week", "month", "quarter", "year")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


CALENDARS = ("gregorian", "jalali")
JALALI_BELOW = 1700  # a written year below this is Jalali, otherwise Gregorian
JALALI_SATURDAY = 5  # date.weekday() of Saturday: Jalali weeks run Saturday to Friday


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


def _checked(name: str) -> str:
    """``name`` if it is one of :data:`CALENDARS`, else a clear error."""
    if name not in CALENDARS:
        raise PeriodError(f"Unknown calendar {name!r}; use one of {', '.join(CALENDARS)}.")
    return name


def set_calendar(name: str) -> None:
    """Use calendar ``name`` for the rest of this run (thread/context)."""
    _calendar.set(_checked(name))


@contextmanager
def using_calendar(name: str) -> Iterator[None]:
    """Use calendar ``name`` inside the block only."""
    token = _calendar.set(_checked(name))
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


def _calendar_or_current(calendar: str | None) -> str:
    return _checked(calendar or current_calendar())


def jalali_date(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali one; PeriodError when it does not exist (e.g. 1405-12-30)."""
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        raise PeriodError(f"{year:04d}-{month:02d}-{day:02d} is not a Jalali date"
                          + (" (Esfand has 29 days in a common year)" if month == 12 and day == 30 else "")
                          + ".") from None


def jalali_parts(day: date) -> tuple[int, int, int]:
    """(year, month, day) of ``day`` in the Jalali calendar."""
    j = jdatetime.date.fromgregorian(date=day)
    return j.year, j.month, j.day


def _jalali_month_start(year: int, month: int) -> date:
    """1st of Jalali month ``month`` of ``year``; months past 12 or below 1 roll into the next/previous year."""
    index = year * 12 + month - 1
    return jalali_date(index // 12, index % 12 + 1, 1)


def jalali_week1(year: int) -> date:
    """The Saturday that starts week 1 of Jalali ``year`` (the week holding 1 Farvardin)."""
    nowruz = jalali_date(year, 1, 1)
    return nowruz - timedelta(days=(nowruz.weekday() - JALALI_SATURDAY) % 7)


def _jalali_period(day: date, grain: str) -> Period:
    if grain == "week":
        start = day - timedelta(days=(day.weekday() - JALALI_SATURDAY) % 7)
        return Period("week", start, start + timedelta(days=6), "jalali")
    year, month, _ = jalali_parts(day)
    first = {"month": month, "quarter": 3 * ((month - 1) // 3) + 1, "year": 1}[grain]
    months = {"month": 1, "quarter": 3, "year": 12}[grain]
    start = _jalali_month_start(year, first)
    return Period(grain, start, _jalali_month_start(year, first + months) - timedelta(days=1), "jalali")


def period_containing(day: date, grain: str, calendar: str | None = None) -> Period:
    """The period of ``grain`` that contains ``day``, in ``calendar`` (default: the run's)."""
    calendar = _calendar_or_current(calendar)
    if grain not in GRAINS:
        raise PeriodError(f"Unknown grain {grain!r}; use one of {', '.join(GRAINS)}.")
    if grain == "day":
        return Period("day", day, day, calendar)
    if calendar == "jalali":
        return _jalali_period(day, grain)
    if grain == "week":
        start = _week_start(day)
        return Period("week", start, start + timedelta(days=6))
    if grain == "month":
        start = date(day.year, day.month, 1)
        return Period("month", start, _add_months(start, 1) - timedelta(days=1))
    if grain == "quarter":
        start = _quarter_start(day)
        return Period("quarter", start, _add_months(start, 3) - timedelta(days=1))
    return Period("year", date(day.year, 1, 1), date(day.year, 12, 31))


def stored_period(start: date, grain: str) -> Period:
    """The period a stored (grain, start) pair means, in the calendar its start says: a month, quarter or year
    starting on the 1st of a Gregorian month is Gregorian, any other start Jalali (Jalali months begin on the
    19th–23rd of a Gregorian month). A week starting on Saturday is Jalali unless Gregorian weeks also start on
    Saturday (``KPI_WEEK_START=saturday``: the same seven days) and the run is Gregorian."""
    if grain == "week":
        jalali = start.weekday() == JALALI_SATURDAY and (week_start_day() != JALALI_SATURDAY
                                                         or current_calendar() == "jalali")
    elif grain == "day":
        jalali = current_calendar() == "jalali"
    else:
        jalali = start.day != 1
    return period_containing(start, grain, "jalali" if jalali else "gregorian")


def shift(period: Period, steps: int) -> Period:
    """The period ``steps`` periods away (negative = earlier), same grain and calendar."""
    cal = period.calendar
    if period.grain == "day":
        day = period.start + timedelta(days=steps)
        return Period("day", day, day, cal)
    if period.grain == "week":
        return period_containing(period.start + timedelta(weeks=steps), "week", cal)
    if period.grain in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[period.grain]
        if cal == "jalali":
            year, month, _ = jalali_parts(period.start)
            return period_containing(_jalali_month_start(year, month + steps * months), period.grain, cal)
        return period_containing(_add_months(period.start, steps * months), period.grain, cal)
    delta = timedelta(days=period.days * steps)
    return Period("custom", period.start + delta, period.end + delta, cal)


def previous(period: Period) -> Period:
    """The period just before (a custom range: the same number of days before)."""
    return shift(period, -1)


def last_year(period: Period) -> Period:
    """Same period last year: weeks, days and custom ranges 52 weeks earlier (weekdays align); months, quarters
    and years the same one a year earlier in the period's calendar (Aban 1405 -> Aban 1404)."""
    if period.grain in ("day", "week", "custom"):
        delta = timedelta(weeks=52)
        return Period(period.grain, period.start - delta, period.end - delta, period.calendar)
    return shift(period, -{"month": 12, "quarter": 4, "year": 1}[period.grain])


def last_complete(grain: str, today: date | None = None, calendar: str | None = None) -> Period:
    """The latest period of ``grain`` that ended before ``today``."""
    today = today or date.today()
    current = period_containing(today, grain, calendar)
    return previous(current)


def _jalali_week_label(start: date) -> tuple[int, int]:
    year = jalali_parts(start + timedelta(days=6))[0]  # a week belongs to the year of its Friday
    return year, (start - jalali_week1(year)).days // 7 + 1


def format_period(period: Period) -> str:
    """The period written as the CLI accepts it, in its calendar."""
    s = period.start
    if period.calendar == "jalali":
        (year, month, _), as_text = jalali_parts(s), jalali_text
    else:
        year, month, as_text = s.year, s.month, date.isoformat
    if period.grain == "week":
        week_year, week = week_label(s, period.calendar)
        return f"{week_year}-W{week:02d}"
    if period.grain == "month":
        return f"{year}-{month:02d}"
    if period.grain == "quarter":
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if period.grain == "year":
        return f"{year}"
    if period.grain == "day":
        return as_text(s)
    return f"{as_text(s)}..{as_text(period.end)}"


def week_label(start: date, calendar: str) -> tuple[int, int]:
    """(year, week number) of the week starting ``start``: Jalali, ISO, or the ISO week of its Monday when weeks
    start on another day (``KPI_WEEK_START``)."""
    if calendar == "jalali":
        return _jalali_week_label(start)
    year, week, _ = (start + timedelta(days=(7 - week_start_day()) % 7)).isocalendar()
    return year, week


def jalali_text(day: date, separator: str = "-") -> str:
    """``day`` as a Jalali date, ``YYYY-MM-DD`` (or with another separator, e.g. '/' in import messages)."""
    year, month, dom = jalali_parts(day)
    return f"{year:04d}{separator}{month:02d}{separator}{dom:02d}"


_FORMS = ("2026-W46 (ISO week), 2026-11 (month), 2026-Q4 (quarter), 2026 (year) or 2026-11-01..2026-11-20; "
          "Jalali: 1405-W35, 1405-08, 1405-Q3, 1405 or 1405-08-18..1405-08-24")


def _cal(year: str) -> str:
    return "jalali" if int(year) < JALALI_BELOW else "gregorian"


def _day(text: str) -> tuple[date, str]:
    y, m, d = (int(x) for x in text.split("-"))
    if y < JALALI_BELOW:
        return jalali_date(y, m, d), "jalali"
    return date(y, m, d), "gregorian"


def _jalali_week(year: int, week: int) -> Period:
    start = jalali_week1(year) + timedelta(weeks=week - 1)
    weeks = (jalali_week1(year + 1) - jalali_week1(year)).days // 7
    if not 1 <= week <= weeks:
        raise PeriodError(f"Jalali year {year} has weeks 1 to {weeks}, not {week}.")
    return Period("week", start, start + timedelta(days=6), "jalali")


def parse_period(text: str) -> Period:
    """Parse a period as written by :func:`format_period`, in either calendar (a year below 1700 is Jalali);
    Persian and Arabic-Indic digits are read too."""
    raw = delocalize_digits((text or "").strip())
    try:
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", raw, re.IGNORECASE):
            if _cal(m[1]) == "jalali":
                return _jalali_week(int(m[1]), int(m[2]))
            monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            start = monday - timedelta(days=(7 - week_start_day()) % 7)
            return Period("week", start, start + timedelta(days=6))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", raw, re.IGNORECASE):
            if _cal(m[1]) == "jalali":
                return period_containing(jalali_date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter", "jalali")
            return period_containing(date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter", "gregorian")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
            start, cal = _day(f"{m[1]}-{m[2]}-1")
            return period_containing(start, "month", cal)
        if re.fullmatch(r"\d{4}", raw):
            start, cal = _day(f"{raw}-1-1")
            return period_containing(start, "year", cal)
        if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})\.\.(\d{4}-\d{1,2}-\d{1,2})", raw):
            (start, cal), (end, _) = _day(m[1]), _day(m[2])
            if end < start:
                raise PeriodError(f"Period {raw!r} ends before it starts.")
            return Period("custom", start, end, cal)
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", raw):
            day, cal = _day(raw)
            return period_containing(day, "day", cal)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise PeriodError(f"Period {raw!r}: {exc} Use {_FORMS}.") from None
        raise PeriodError(f"Period {raw!r} is not a real date or week: {exc}. Use {_FORMS}.") from exc
    raise PeriodError(f"Cannot read period {raw!r}. Use {_FORMS}.")


def in_calendar(period: Period, calendar: str | None = None) -> Period:
    """``period`` shown in ``calendar`` (default: the run's): itself when already in it, else the period of the
    same grain in ``calendar`` that contains its start (a custom range keeps its days)."""
    calendar = _calendar_or_current(calendar)
    if period.calendar == calendar:
        return period
    if period.grain == "custom":
        return Period("custom", period.start, period.end, calendar)
    return period_containing(period.start, period.grain, calendar)


def bucket_starts(days: pd.Series, grain: str, calendar: str | None = None) -> pd.Series:
    """Vectorised: the start date of the ``grain`` period containing each date (in ``calendar``, default the
    run's). Jalali months, quarters and years map each distinct date once."""
    calendar = _calendar_or_current(calendar)
    ts = pd.to_datetime(days)
    if grain not in GRAINS:
        raise PeriodError(f"Unknown grain {grain!r}; use one of {', '.join(GRAINS)}.")
    if grain == "day":
        out = ts
    elif grain == "week":
        first = JALALI_SATURDAY if calendar == "jalali" else week_start_day()
        out = ts - pd.to_timedelta((ts.dt.day_of_week - first) % 7, unit="D")
    elif calendar == "jalali":
        unique = ts.dropna().dt.date.unique()
        starts = {d: pd.Timestamp(_jalali_period(d, grain).start) for d in unique}
        out = pd.to_datetime(ts.dt.date.map(starts))
    elif grain == "month":
        out = ts.dt.to_period("M").dt.start_time
    elif grain == "quarter":
        out = ts.dt.to_period("Q").dt.start_time
    else:
        out = ts.dt.to_period("Y").dt.start_time
    return out.dt.date


def periods_between(first: Period, last: Period) -> list[Period]:
    """All periods of ``first``'s grain from ``first`` to ``last`` inclusive."""
    out, current = [], first
    while current.start <= last.start:
        out.append(current)
        current = shift(current, 1)
    return out
