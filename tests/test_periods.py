from datetime import date

import pandas as pd
import pytest

from metrics.periods import (
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
