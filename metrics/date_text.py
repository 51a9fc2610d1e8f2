"""Dates written in the reader's language and calendar: '18 Nov 2026', '۱۸ آبان ۱۴۰۵', '١٨ نوفمبر ٢٠٢٦'.

Gregorian month names come from CLDR through Babel; Jalali ones from jdatetime (Persian) or their usual Latin
transliteration. Digits follow :mod:`i18n.numerals`.
"""

from __future__ import annotations

from datetime import date

import jdatetime
from babel.dates import get_month_names

from i18n import N_, _, current_locale
from i18n.numerals import localize_code, localize_digits
from metrics.periods import Period, current_calendar, jalali_parts, week_label

JALALI_MONTHS_LATIN = ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar",
                       "Dey", "Bahman", "Esfand")


def date_parts(day: date, calendar: str | None = None) -> tuple[int, int, int]:
    """(year, month, day) of ``day`` in ``calendar`` (default: the run's)."""
    if (calendar or current_calendar()) == "jalali":
        return jalali_parts(day)
    return day.year, day.month, day.day


def month_name(month: int, calendar: str | None = None, short: bool = True) -> str:
    """The name of month ``month`` (1–12) of ``calendar`` in the run's language."""
    locale = current_locale()
    if (calendar or current_calendar()) == "jalali":
        return jdatetime.date.j_months_fa[month - 1] if locale == "fa" else JALALI_MONTHS_LATIN[month - 1]
    return get_month_names("abbreviated" if short else "wide", locale=locale)[month]


def format_date(day: date, calendar: str | None = None) -> str:
    """``day`` as a reader writes it: day, month name, year."""
    year, month, dom = date_parts(day, calendar)
    return localize_digits(f"{dom} {month_name(month, calendar)} {year}")


def format_day_range(first: date, last: date, calendar: str | None = None) -> str:
    """A run of days, as short as it reads clearly: '18–24 Nov 2026', '30 Oct – 5 Nov 2026', '۱۸–۲۴ آبان ۱۴۰۵'."""
    (y1, m1, d1), (y2, m2, d2) = date_parts(first, calendar), date_parts(last, calendar)
    if first == last:
        return format_date(first, calendar)
    if (y1, m1) == (y2, m2):
        text = f"{d1}–{d2} {month_name(m2, calendar)} {y2}"
    elif y1 == y2:
        text = f"{d1} {month_name(m1, calendar)} – {d2} {month_name(m2, calendar)} {y2}"
    else:
        text = f"{d1} {month_name(m1, calendar)} {y1} – {d2} {month_name(m2, calendar)} {y2}"
    return localize_digits(text)


SEASONS = (N_("spring"), N_("summer"), N_("autumn"), N_("winter"))  # Jalali quarters are the seasons


def period_code(period: Period) -> str:
    """A period's label as written in the URL and the CLI (``1405-W36``), in the reader's digits (``۱۴۰۵-W۳۶``)."""
    return localize_code(period.label)


def period_title(period: Period) -> str:
    """A period as a reader names it, in its calendar and the run's language: '2026-W46 · 9–15 Nov 2026',
    'November 2026', 'Q4 2026'; Jalali in fa 'هفتهٔ ۳۵ ۱۴۰۵ · ۲۳–۲۹ آبان ۱۴۰۵', 'آبان ۱۴۰۵', 'فصل ۳ ۱۴۰۵ (پاییز)'."""
    cal = period.calendar
    year, month = date_parts(period.start, cal)[:2]
    if period.grain == "week":
        wyear, week = week_label(period.start, cal)
        text = _("{year}-W{week:02d} · {days}").format(year=wyear, week=week,
                                                       days=format_day_range(period.start, period.end, cal))
    elif period.grain == "month":
        text = _("{month} {year}").format(month=month_name(month, cal, short=False), year=year)
    elif period.grain == "quarter":
        quarter = (month - 1) // 3 + 1
        if cal == "jalali":
            text = _("Q{quarter} {year} ({season})").format(quarter=quarter, year=year,
                                                            season=_(SEASONS[quarter - 1]))
        else:
            text = _("Q{quarter} {year}").format(quarter=quarter, year=year)
    elif period.grain == "year":
        text = str(year)
    elif period.grain == "day":
        return format_date(period.start, cal)
    else:
        return format_day_range(period.start, period.end, cal)
    return localize_digits(text)
