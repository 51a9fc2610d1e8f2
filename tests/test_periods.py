from datetime import date

import pandas as pd
import pytest

from metrics.periods import (
    Period,
    PeriodError,
    bucket_starts,
    last_complete,
    last_year,
    parse_period,
    previous,
)


@pytest.mark.parametrize(
    ("text", "grain", "start", "end"),
    [
        ("2026-W46", "week", date(2026, 11, 9), date(2026, 11, 15)),
        ("2026-11", "month", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-11-01..2026-11-20", "custom", date(2026, 11, 1), date(2026, 11, 20)),
        ("2027-W01", "week", date(2027, 1, 4), date(2027, 1, 10)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-11-03", "day", date(2026, 11, 3), date(2026, 11, 3)),
        ("2026-11-05..2026-11-05", "custom", date(2026, 11, 5), date(2026, 11, 5)),  # a one-day range
    ],
)
def test_parse_and_format_round_trip(text, grain, start, end):
    period = parse_period(text)
    assert (period.grain, period.start, period.end) == (grain, start, end)
    assert period.label == text


def test_lower_case_and_spaces_are_read():
    assert parse_period(" 2026-w46 ") == parse_period("2026-W46")
    assert parse_period("2026-q4") == parse_period("2026-Q4")


def test_an_empty_period_is_named_in_the_error():
    with pytest.raises(PeriodError, match="Cannot read period ''"):
        parse_period(None)


@pytest.mark.parametrize("text", ["2026-W54", "2026-13", "2026-Q5", "last week", "2026-11-20..2026-11-01", ""])
def test_bad_periods_say_what_is_accepted(text):
    with pytest.raises(PeriodError) as err:
        parse_period(text)
    assert "2026" in str(err.value) or "before it starts" in str(err.value)


def test_comparisons():
    week = parse_period("2026-W46")
    assert previous(week).label == "2026-W45"
    ly = last_year(week)
    assert ly.start == date(2025, 11, 10) and ly.start.weekday() == 0  # 52 weeks: weekdays align
    assert last_year(parse_period("2026-Q4")).label == "2025-Q4"
    assert previous(parse_period("2026-01")).label == "2025-12"
    custom = parse_period("2026-11-01..2026-11-10")
    assert previous(custom).start == date(2026, 10, 22) and previous(custom).end == date(2026, 10, 31)


def test_last_complete_week_is_the_one_before_today():
    assert last_complete("week", date(2026, 11, 24)).label == "2026-W47"
    assert last_complete("month", date(2026, 11, 24)).label == "2026-10"
    assert last_complete("quarter", date(2025, 2, 1)).label == "2024-Q4"  # the given day, not the clock's
    assert last_complete("year", date(2025, 2, 1)).label == "2024"


def test_sunday_week_start(monkeypatch):
    monkeypatch.setenv("KPI_WEEK_START", "sunday")
    week = parse_period("2026-W46")
    assert week.start == date(2026, 11, 8) and week.start.weekday() == 6
    starts = bucket_starts(pd.Series([date(2026, 11, 8), date(2026, 11, 14), date(2026, 11, 15)]), "week")
    assert list(starts) == [date(2026, 11, 8), date(2026, 11, 8), date(2026, 11, 15)]
    assert week.label == "2026-W46"


def test_the_week_containing_a_day(monkeypatch):
    from metrics.periods import period_containing, shift

    thursday = date(2026, 11, 12)
    assert period_containing(thursday, "week") == parse_period("2026-W46")  # Mon 9 - Sun 15
    assert shift(parse_period("2026-W46"), -2) == parse_period("2026-W44")
    monkeypatch.setenv("KPI_WEEK_START", "sunday")
    week = period_containing(thursday, "week")
    assert (week.start, week.end) == (date(2026, 11, 8), date(2026, 11, 14))
    monkeypatch.setenv("KPI_WEEK_START", "tuesday")  # a week is labelled by the ISO week of its last day
    week = parse_period("2026-W46")
    assert (week.start, week.end, week.label) == (date(2026, 11, 3), date(2026, 11, 9), "2026-W46")
    assert period_containing(thursday, "week") == Period("week", date(2026, 11, 10), date(2026, 11, 16))
    monkeypatch.setenv("KPI_WEEK_START", "funday")
    with pytest.raises(PeriodError, match="KPI_WEEK_START='funday' is not a weekday name; use e.g. 'monday'"):
        parse_period("2026-W46")


def test_day_and_custom_comparisons():
    from metrics.periods import shift

    day = parse_period("2026-11-03")  # a Tuesday
    assert previous(day) == Period("day", date(2026, 11, 2), date(2026, 11, 2))
    assert shift(day, 3) == Period("day", date(2026, 11, 6), date(2026, 11, 6))
    ly = last_year(day)  # 52 weeks back: a Tuesday too, not the same date
    assert (ly, ly.label) == (Period("day", date(2025, 11, 4), date(2025, 11, 4)), "2025-11-04")
    assert last_year(parse_period("2026-W46")).label == "2025-W46"
    custom = parse_period("2026-11-01..2026-11-10")
    assert shift(custom, 2) == Period("custom", date(2026, 11, 21), date(2026, 11, 30))


def test_unknown_grains_name_the_known_ones():
    from metrics.periods import period_containing

    with pytest.raises(PeriodError, match=r"^Unknown grain 'hour'; use one of day, week, month, quarter, year\.$"):
        period_containing(date(2026, 11, 3), "hour")
    with pytest.raises(PeriodError, match=r"^Unknown grain 'hour'; use one of day, week, month, quarter, year\.$"):
        bucket_starts(pd.Series([date(2026, 11, 3)]), "hour")


def test_year_buckets_start_on_new_years_day():
    days = pd.Series([date(2025, 12, 31), date(2026, 1, 1), date(2026, 11, 3)])
    assert list(bucket_starts(days, "year")) == [date(2025, 1, 1), date(2026, 1, 1), date(2026, 1, 1)]
