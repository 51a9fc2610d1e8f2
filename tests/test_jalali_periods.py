"""Jalali periods against hand-worked Gregorian dates and the official leap-year table.

Hand arithmetic used below: Jalali months 1–6 have 31 days, 7–11 have 30, Esfand 29 (30 in a leap year). So
1 Mehr = Nowruz + 186 days, 1 Aban = + 216, 1 Azar = + 246, 1 Dey = + 276, 1 Esfand = + 336. From 21 March,
day offsets of month ends: 31 Mar = +10, 30 Apr = +40, 31 May = +71, 30 Jun = +101, 31 Jul = +132,
31 Aug = +163, 30 Sep = +193, 31 Oct = +224, 30 Nov = +254, 31 Dec = +285.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import pandas as pd
import pytest

from metrics.periods import (
    PeriodError,
    bucket_starts,
    format_period,
    in_calendar,
    jalali_date,
    last_complete,
    last_year,
    parse_period,
    period_containing,
    periods_between,
    previous,
    shift,
    stored_period,
    using_calendar,
)

# The official table (the Iranian calendar authority's, as encoded by jalaali-js / Borkowski's break years
# [..., 1210, 1635, ...]): in 1395–1420 the leap years are every 4th year from 1395 to 1403, then 1408 (the
# 33-year cycle that began in 1210 ends after 1403: 1210 + 6 × 33 = 1408, so the gap is 5 years), 1412, 1416,
# 1420. Not the 2820-year rule (which makes 1404 leap instead of 1403).
LEAP_1395_1420 = {1395, 1399, 1403, 1408, 1412, 1416, 1420}
NOWRUZ = {1399: date(2020, 3, 20), 1400: date(2021, 3, 21), 1403: date(2024, 3, 20), 1404: date(2025, 3, 21),
          1405: date(2026, 3, 21), 1408: date(2029, 3, 20)}


@pytest.mark.parametrize("year", range(1395, 1421))
def test_leap_years_follow_the_official_table(year):
    length = (jalali_date(year + 1, 1, 1) - jalali_date(year, 1, 1)).days
    assert length == (366 if year in LEAP_1395_1420 else 365)
    if year in LEAP_1395_1420:
        assert jalali_date(year, 12, 30) == jalali_date(year + 1, 1, 1) - timedelta(days=1)
    else:
        with pytest.raises(PeriodError, match="not a Jalali date"):
            jalali_date(year, 12, 30)


@pytest.mark.parametrize("year,nowruz", NOWRUZ.items())
def test_nowruz(year, nowruz):
    assert parse_period(str(year)).start == nowruz
    assert parse_period(f"{year}-01-01").start == nowruz


def _p(text):
    p = parse_period(text)
    return p.grain, p.start, p.end, p.calendar


def test_month_quarter_year():
    # 1 Aban 1405 = 2026-03-21 + 216 = 23 Oct (216 - 193 = 23); 1 Azar = +246 -> 22 Nov, so Aban ends 21 Nov
    assert _p("1405-08") == ("month", date(2026, 10, 23), date(2026, 11, 21), "jalali")
    # Q1 = Farvardin–Khordad: 1 Tir = +93 -> 22 Jun (93 - 71)
    assert _p("1405-Q1") == ("quarter", date(2026, 3, 21), date(2026, 6, 21), "jalali")
    # Q3 = Mehr–Azar: 1 Mehr = +186 -> 23 Sep; 1 Dey = +276 -> 22 Dec (276 - 254)
    assert _p("1405-Q3") == ("quarter", date(2026, 9, 23), date(2026, 12, 21), "jalali")
    # Q4 = Dey–Esfand, to the day before Nowruz 1406 (1405 is common: 2026-03-21 + 365 = 2027-03-21)
    assert _p("1405-Q4") == ("quarter", date(2026, 12, 22), date(2027, 3, 20), "jalali")
    assert _p("1405") == ("year", date(2026, 3, 21), date(2027, 3, 20), "jalali")
    assert parse_period("1405-Q3").days == 90  # 3 × 30
    assert parse_period("1405-Q1").days == 93  # 3 × 31


def test_weeks_saturday_to_friday_week_one_holds_nowruz():
    # 2026-03-21 (1 Farvardin 1405) is a Saturday: week 1 starts on it
    assert _p("1405-W01") == ("week", date(2026, 3, 21), date(2026, 3, 27), "jalali")
    # 1 Farvardin 1404 = Friday 2025-03-21: week 1 = Sat 2025-03-15 (25 Esfand 1403) .. Fri 2025-03-21, spanning Nowruz
    assert _p("1404-W01") == ("week", date(2025, 3, 15), date(2025, 3, 21), "jalali")
    assert period_containing(date(2025, 3, 16), "week", "jalali").label == "1404-W01"  # 26 Esfand 1403
    # 1403 started Wed 2024-03-20: week 1 from Sat 2024-03-16; 2025-03-15 is 364 days later, so 1403 has 52 weeks
    assert previous(parse_period("1404-W01")).label == "1403-W52"
    # 1404-W01 (2025-03-15) to 1405-W01 (2026-03-21) is 371 days = 53 weeks
    assert previous(parse_period("1405-W01")).label == "1404-W53"
    # W35 = 2026-03-21 + 34 × 7 = +238 days -> 14 Nov (238 - 224), a Saturday
    assert _p("1405-W35") == ("week", date(2026, 11, 14), date(2026, 11, 20), "jalali")
    # Monday 9 Nov 2026 lies in Sat 7 .. Fri 13 Nov = +231 days = week 34
    week = period_containing(date(2026, 11, 9), "week", "jalali")
    assert (week.start, week.end, week.label) == (date(2026, 11, 7), date(2026, 11, 13), "1405-W34")
    with pytest.raises(PeriodError, match="weeks 1 to 52"):
        parse_period("1405-W53")  # 1405-W01 2026-03-21 .. 1406-W01 Sat 2027-03-20: 364 days


def test_days_ranges_and_a_leap_esfand():
    # 18 Aban = 23 Oct + 17 = 9 Nov; 24 Aban = 15 Nov
    assert _p("1405-08-18..1405-08-24") == ("custom", date(2026, 11, 9), date(2026, 11, 15), "jalali")
    assert parse_period("1405-08-18..1405-08-24").label == "1405-08-18..1405-08-24"
    assert _p("1403-12-30") == ("day", date(2025, 3, 20), date(2025, 3, 20), "jalali")  # the eve of Nowruz 1404
    for bad in ("1404-12-30", "1405-12-30", "1405-12-30..1406-01-05", "1405-13", "1405-07-31"):
        with pytest.raises(PeriodError, match="not a Jalali date"):
            parse_period(bad)


def test_both_forms_parse_in_either_calendar_and_persian_digits():
    for calendar in ("gregorian", "jalali"):
        with using_calendar(calendar):
            assert parse_period("1405-08").calendar == "jalali"
            assert _p("2026-11") == ("month", date(2026, 11, 1), date(2026, 11, 30), "gregorian")
            assert parse_period("2026-W46").start == date(2026, 11, 9)
    assert parse_period("۱۴۰۵-۰۸") == parse_period("1405-08")  # Persian digits
    assert parse_period("١٤٠٥-Q3") == parse_period("1405-Q3")  # Arabic-Indic digits


def test_previous_and_last_year():
    assert previous(parse_period("1405-08")).label == "1405-07"
    assert _p("1405-07") == ("month", date(2026, 9, 23), date(2026, 10, 22), "jalali")
    # Aban 1404: 2025-03-21 + 216 -> 23 Oct 2025 .. 21 Nov 2025
    ly = last_year(parse_period("1405-08"))
    assert (ly.label, ly.start, ly.end) == ("1404-08", date(2025, 10, 23), date(2025, 11, 21))
    # Q4 1404 is Dey–Esfand of a common year (89-day Esfand); Q4 1403 holds the leap Esfand: 30 + 30 + 30 days
    assert last_year(parse_period("1405-Q4")).label == "1404-Q4"
    assert last_year(parse_period("1404-Q4")).days == 90 and parse_period("1404-Q4").days == 89
    assert last_year(parse_period("1405")).label == "1404"
    assert previous(parse_period("1405-Q1")).label == "1404-Q4"
    # weeks: 52 weeks earlier (weekdays align): 14 Nov 2026 - 364 days = 15 Nov 2025, in 1404 (53 weeks) its W36
    week = last_year(parse_period("1405-W35"))
    assert (week.start, week.label) == (date(2025, 11, 15), "1404-W36")
    assert shift(parse_period("1405-11"), 3).label == "1406-02"
    assert [p.label for p in periods_between(parse_period("1405-Q3"), parse_period("1406-Q1"))] == [
        "1405-Q3", "1405-Q4", "1406-Q1"]
    assert last_complete("month", date(2026, 11, 24), "jalali").label == "1405-08"  # 3 Azar 1405


def test_gregorian_is_unchanged():
    with using_calendar("gregorian"):
        assert period_containing(date(2026, 11, 11), "week").label == "2026-W46"
        assert last_year(parse_period("2026-Q4")).label == "2025-Q4"


def test_bucket_starts_jalali():
    days = pd.Series([date(2026, 10, 22), date(2026, 10, 23), date(2026, 11, 21), date(2026, 11, 22),
                      date(2027, 3, 20), date(2027, 3, 21), date(2026, 11, 9)])
    # months: 30 Mehr -> 1 Mehr (23 Sep); 1 Aban (23 Oct); 30 Aban; 1 Azar (22 Nov); 29 Esfand 1405 -> 1 Esfand
    # = 2026-03-21 + 336 -> 20 Feb 2027 (336 - 316); Nowruz 1406
    assert list(bucket_starts(days, "month", "jalali")) == [
        date(2026, 9, 23), date(2026, 10, 23), date(2026, 10, 23), date(2026, 11, 22), date(2027, 2, 20),
        date(2027, 3, 21), date(2026, 10, 23)]
    assert list(bucket_starts(days, "quarter", "jalali")) == [
        date(2026, 9, 23), date(2026, 9, 23), date(2026, 9, 23), date(2026, 9, 23), date(2026, 12, 22),
        date(2027, 3, 21), date(2026, 9, 23)]
    assert bucket_starts(days, "week", "jalali").iloc[-1] == date(2026, 11, 7)  # Mon 9 Nov -> Sat 7 Nov
    assert bucket_starts(days, "year", "jalali").iloc[-2] == date(2027, 3, 21)
    with using_calendar("jalali"):  # the run's calendar by default
        assert bucket_starts(days, "month").iloc[0] == date(2026, 9, 23)
    many = pd.Series(pd.date_range("2022-01-01", periods=50_000, freq="h"))  # ~2,084 distinct days
    began = time.perf_counter()
    starts = bucket_starts(many, "month", "jalali")
    assert time.perf_counter() - began < 2.0
    assert starts.nunique() == 69  # 2022-01-01 (11 Dey 1400) .. 2027-09-14: Dey 1400 .. Shahrivar 1406 = 69 months


def test_other_calendar_shown_as_the_run_calendar_period_holding_its_start():
    assert in_calendar(parse_period("2026-W46"), "jalali").label == "1405-W34"
    assert in_calendar(parse_period("1405-08"), "gregorian").label == "2026-10"
    assert in_calendar(parse_period("1405-08-18..1405-08-24"), "gregorian").label == "2026-11-09..2026-11-15"


def test_stored_period_keeps_its_calendar():
    assert stored_period(date(2026, 9, 23), "quarter").label == "1405-Q3"
    assert stored_period(date(2026, 10, 1), "quarter").label == "2026-Q4"
    assert stored_period(date(2026, 11, 14), "week").label == "1405-W35"  # a Saturday: a Jalali week
    with using_calendar("gregorian"):
        assert format_period(stored_period(date(2026, 11, 9), "week")) == "2026-W46"


def test_period_titles_in_the_readers_language_and_the_periods_calendar():
    from i18n import using_locale
    from metrics.date_text import period_title
    from metrics.format import format_days

    assert period_title(parse_period("2026-W46")) == "2026-W46 · 9–15 Nov 2026"
    assert period_title(parse_period("1405-W35")) == "1405-W35 · 23–29 Aban 1405"  # 14–20 Nov 2026
    assert period_title(parse_period("1404-W01")) == "1404-W01 · 25 Esfand 1403 – 1 Farvardin 1404"
    assert period_title(parse_period("2026-11")) == "November 2026"
    assert period_title(parse_period("1405-Q3")) == "Q3 1405 (autumn)"
    assert period_title(parse_period("2026-Q4")) == "Q4 2026"
    with using_locale("fa"):
        assert period_title(parse_period("1405-08")) == "آبان ۱۴۰۵"
        assert period_title(parse_period("1405-08-18..1405-08-24")) == "۱۸–۲۴ آبان ۱۴۰۵"
        with using_calendar("jalali"):  # 2–4 Nov 2026 = 11–13 Aban; 6 Nov = 15 Aban
            assert format_days([date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 6)]) == \
                "۱۱–۱۳ آبان ۱۴۰۵، ۱۵ آبان ۱۴۰۵"
