"""Jalali (Solar Hijri) dates in imported files: ``1405/08/18``, ``1405-8-18``, ``1405/08/18 14:30:00``.

A date whose year is below 1700 is Jalali, as for periods (:mod:`metrics.periods`). The cells come here with
Latin digits (:func:`connectors.values.ascii_digits` has rewritten Persian and Arabic-Indic ones). Conversion is
vectorised: one regular expression splits every cell in Arrow, each distinct day is converted once with jdatetime
(the official leap-year table, through jalali-core), and the times of day are added as durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import jdatetime
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.date_text import JALALI_MONTHS_LATIN
from metrics.periods import JALALI_BELOW

_COMPACT = r"^([0-9]{4})([0-9]{2})([0-9]{2})($|[ T])"  # 14050818 -> 1405-08-18
_PATTERN = (r"^(?P<y>[0-9]{4})[/-](?P<m>[0-9]{1,2})[/-](?P<d>[0-9]{1,2})"
            r"(?:(?:[ T]|\s+)(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:\.(?P<f>[0-9]{1,6})[0-9]*)?)?)?"
            r"\s*(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})?$")
_US = {"H": 3_600_000_000, "M": 60_000_000, "S": 1_000_000}


@dataclass(frozen=True)
class JalaliCells:
    """What :func:`parse_jalali` found: which cells are Jalali, their Gregorian values, and what was expected of
    the Jalali cells that are not a real date or time."""

    jalali: np.ndarray  # bool per cell: written as a Jalali date (year below 1700)
    values: pd.Series  # datetime64[us]: the Gregorian date and time of each valid Jalali cell, NaT elsewhere
    expected: pd.Series  # object: what was expected of an invalid Jalali cell, None elsewhere


def parse_jalali(text: pd.Series) -> JalaliCells:
    """The Jalali dates and timestamps among ``text`` (stripped, Latin digits): a four-digit year below 1700, then
    ``/`` or ``-`` and one- or two-digit months and days (or ``14050818``), an optional time
    (``HH:MM[:SS[.ffffff]]``, after ``T`` or a space) and an optional UTC offset, which is dropped (times are the
    shop's wall-clock time, as for Gregorian dates)."""
    n = len(text)
    cells = pa.array(text.to_numpy(dtype=object, na_value=""), type=pa.string())
    cells = pc.replace_substring_regex(cells, _COMPACT, r"\1-\2-\3\4")
    parts = pc.extract_regex(cells, _PATTERN)
    matched = parts.is_valid().to_numpy(zero_copy_only=False)
    number = {k: _ints(parts.field(k)) for k in ("y", "m", "d", "H", "M", "S")}
    jalali = matched & (number["y"] < JALALI_BELOW)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    expected = np.full(n, None, dtype=object)
    if jalali.any():
        at = np.flatnonzero(jalali)
        days, problems = _days(number["y"][at], number["m"][at], number["d"][at])
        micro = _microseconds(parts.field("f"))[at]
        for k, scale in _US.items():
            micro = micro + number[k][at] * scale
        late = (number["H"][at] > 23) | (number["M"][at] > 59) | (number["S"][at] > 59)
        no_day = np.isnat(days)
        good = ~no_day & ~late
        values[at[good]] = days[good].astype("datetime64[us]") + micro[good].astype("timedelta64[us]")
        expected[at[no_day]] = problems[no_day]
        expected[at[late & ~no_day]] = "a time of day from 00:00:00 to 23:59:59"
    return JalaliCells(jalali, pd.Series(values, index=text.index), pd.Series(expected, index=text.index))


def _ints(column: pa.Array) -> np.ndarray:
    """A column of digit groups as int64, 0 where the group is empty (absent, or the cell did not match)."""
    column = pc.if_else(pc.equal(column, ""), "0", column).fill_null("0")
    return column.cast(pa.int64()).to_numpy(zero_copy_only=False)


def _microseconds(fraction: pa.Array) -> np.ndarray:
    """Fractions of a second (``5`` = 0.5 s) as microseconds."""
    return _ints(pc.utf8_rpad(fraction.fill_null(""), 6, "0"))


def _days(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Gregorian day of each Jalali (year, month, day), NaT where it does not exist; what was expected there, None
    elsewhere): each distinct day converted once."""
    keys = years * 10_000 + months * 100 + days
    distinct, where = np.unique(keys, return_inverse=True)
    gregorian = np.full(len(distinct), np.datetime64("NaT"), dtype="datetime64[D]")
    problems = np.full(len(distinct), None, dtype=object)
    for i, key in enumerate(distinct.tolist()):
        year, month, day = key // 10_000, key // 100 % 100, key % 100
        try:
            gregorian[i] = jdatetime.date(year, month, day).togregorian()
        except ValueError:
            problems[i] = _expected(year, month)
    return gregorian[where], problems[where]


def _expected(year: int, month: int) -> str:
    """What a Jalali date that does not exist should have been."""
    if year < 1:
        return "a Jalali (Persian calendar) date with a year from 1"
    if not 1 <= month <= 12:
        return "a Jalali (Persian calendar) date with a month from 1 to 12"
    length = jdatetime.j_days_in_month[month - 1] + (month == 12 and jdatetime.date(year, 1, 1).isleap())
    leap = "" if month != 12 else (" (a leap year)" if length == 30 else " (not a leap year)")
    return (f"a Jalali (Persian calendar) date that exists: {JALALI_MONTHS_LATIN[month - 1]} {year}{leap} "
            f"has {length} days")


