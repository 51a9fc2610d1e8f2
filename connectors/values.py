"""Vectorised parsing of text cells into numbers, dates and times, as analysts' exports write them.

Every parser takes a Series of stripped text ("" for empty) and returns the parsed Series plus a
mask of cells that could not be parsed. Numbers may use thousands separators, Persian (۰-۹) or
Arabic-Indic (٠-٩) digits and the Arabic decimal (٫) and thousands (٬) separators; dates are
ISO-like (2026-01-31, 2026/01/31, 20260131, with an optional time and UTC offset), and a year below 1700 is
Jalali (۱۴۰۵/۰۸/۱۸ = 2026-11-09, :mod:`connectors.jalali_dates`).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from connectors.jalali_dates import parse_jalali
from i18n.numerals import delocalize_digits
from metrics.periods import jalali_text

_MORE_LATIN = str.maketrans("،−", ",-")  # the Arabic comma, the minus sign (digits, ٫ and ٬: delocalize_digits)
# Bidi marks that right-to-left exports wrap numbers in; spaces used as thousands separators.
_BIDI = "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
_CELLS = "\x1f"  # joins cells into one text, rewritten at once
_SPACES = "[ \u00a0\u202f\u2009]"
_CURRENCY = "[$€£¥₹]"
_NUMBER = rf"{_CURRENCY}?[+-]?{_CURRENCY}?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)?(?:\.\d+)?{_CURRENCY}?"
_OFFSET = r"^(.+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$"
FIRST_YEAR, LAST_YEAR = 1970, 2100
JALALI_RANGE = (f"a date from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31 (in the Jalali calendar "
                f"{jalali_text(date(FIRST_YEAR, 1, 1), '/')} to {jalali_text(date(LAST_YEAR, 12, 31), '/')})")


def ascii_digits(text: pd.Series) -> pd.Series:
    """Persian/Arabic digits and separators as ASCII, bidi marks removed (only cells that need it are touched)."""
    foreign = text.str.contains(r"[^\x00-\x7f]", regex=True, na=False)
    if not foreign.any():
        return text
    text = text.copy()
    text[foreign] = _latin(text[foreign].tolist())
    return text


def _latin(cells: list[str]) -> list[str]:
    """``cells`` with Latin digits and separators and no bidi marks: rewritten as one text (one pass in C)."""
    joined = _CELLS.join(cells)
    rewritten = re.sub(_BIDI, "", delocalize_digits(joined).translate(_MORE_LATIN)).split(_CELLS)
    if len(rewritten) != len(cells):  # a cell holds the joining character itself
        rewritten = [re.sub(_BIDI, "", delocalize_digits(c).translate(_MORE_LATIN)) for c in cells]
    return rewritten


_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"
_PLAIN_DATETIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?$"


def _plain(text: pd.Series, pattern: str) -> np.ndarray:
    """Cells matching ``pattern`` or empty (the common case, parsed without the slower general rules)."""
    cells = pa.array(text.to_numpy(dtype=object) if text.dtype == object else text, type=pa.string())
    return pc.or_(pc.match_substring_regex(cells, pattern), pc.equal(cells, "")).to_numpy(zero_copy_only=False)


def _split(text: pd.Series, pattern: str, parse) -> tuple[pd.Series, pd.Series]:
    """(values, bad mask): the plain cells parsed at once, the others through ``parse`` (the general rules)."""
    plain = _plain(text, pattern)
    if plain.all():
        return _checked(_plain_parse(pattern, text), text)
    if not plain.any():
        return parse(text)
    fast_values, fast_bad = _checked(_plain_parse(pattern, text[plain]), text[plain])
    slow_values, slow_bad = parse(text[~plain])
    values = pd.concat([fast_values, slow_values]).reindex(text.index)
    return values, pd.concat([fast_bad, slow_bad]).reindex(text.index)


def _plain_parse(pattern: str, text: pd.Series) -> pd.Series:
    """Plain cells through Arrow's C++ casts; a cell Arrow refuses (e.g. 2026-02-30) sends the chunk to pandas."""
    cells = pa.array(text.to_numpy(dtype=object) if text.dtype == object else text, type=pa.string())
    cells = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
    number = pattern == _PLAIN_NUMBER
    try:
        if number:
            return pd.Series(cells.cast(pa.float64()).to_numpy(zero_copy_only=False), index=text.index)
        return pd.Series(cells.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False), index=text.index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        given = text.where(text != "", None)
        return pd.to_numeric(given, errors="coerce").astype("float64") if number else _to_datetime(given)


def _checked(values: pd.Series, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    return values, (text != "") & values.isna()


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float values, bad mask): "1,234.5", "۱٬۲۳۴٫۵", "$12" parse; "12,5" and "1.234,5" are refused."""
    return _split(text, _PLAIN_NUMBER, _numbers)


def _numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = ascii_digits(text).str.replace(_SPACES, "", regex=True)
    empty = text == ""
    shaped = text.str.fullmatch(_NUMBER, na=False) & text.str.contains(r"\d", regex=True, na=False)
    cleaned = text.where(shaped, "").str.replace(r"[,$€£¥₹]", "", regex=True)
    values = pd.to_numeric(cleaned.where(cleaned != "", None), errors="coerce").astype("float64")
    return values, ~empty & values.isna()


def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(nullable Int64 values, bad mask): like :func:`parse_number`, and the value must be whole."""
    values, bad = parse_number(text)
    fractional = values.notna() & (values != np.floor(values.fillna(0)))
    values = values.where(~fractional)
    return values.round().astype("Int64"), bad | fractional


def parse_datetime(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """(datetime64 values, bad mask, what was expected of each refused Jalali cell or None when there is none).

    Accepts 2026-01-31, 2026/01/31, 20260131, each optionally with a time (`T` or space) and a UTC offset,
    which is dropped: times are kept as the shop's wall-clock time written in the file. A four-digit year below
    1700 is Jalali: 1405/08/18, 1405-8-18, ۱۴۰۵/۰۸/۱۸ ۱۴:۳۰:۰۰ (Persian or Arabic-Indic digits too); only the cells
    that are not a Gregorian date in range are looked at for that, so Gregorian files take the path they always took.
    """
    values, bad = _split(text, _PLAIN_DATETIME, _datetimes)
    refused = bad | (values.notna() & ~values.dt.year.between(FIRST_YEAR, LAST_YEAR))
    notes = None
    if refused.any():
        values, refused, notes = _jalali(text, values, refused)
    return values.where(~refused), refused, notes


def _jalali(text: pd.Series, values: pd.Series, refused: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """The refused cells read again as Jalali dates: (values, refused, what was expected of refused Jalali cells)."""
    at = np.flatnonzero(refused.to_numpy())
    found = parse_jalali(ascii_digits(text.iloc[at]))
    if not found.jalali.any():
        return values, refused, None
    at, converted, expected = at[found.jalali], found.values[found.jalali], found.expected[found.jalali]
    outside = converted.notna() & ~converted.dt.year.between(FIRST_YEAR, LAST_YEAR)
    expected = expected.where(~outside, JALALI_RANGE)
    values = pd.Series(values.to_numpy(dtype="datetime64[us]"), index=values.index)
    values.iloc[at] = converted.where(~outside).to_numpy()
    refused = refused.copy()
    refused.iloc[at] = expected.notna().to_numpy()
    notes = pd.Series(None, index=text.index, dtype=object)
    notes.iloc[at] = expected.to_numpy()
    return values, refused, notes


def _datetimes(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = ascii_digits(text)
    empty = text == ""
    text = text.str.replace("/", "-", regex=False).str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    offset = text.str.contains(r"(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$", regex=True, na=False)  # the rewrite is slow
    if offset.any():
        text = text.copy()
        text[offset] = text[offset].str.replace(_OFFSET, r"\1", regex=True)
    values = _to_datetime(text.where(~empty, None))
    return values, ~empty & values.isna()


def _to_datetime(text: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(text, format="ISO8601", errors="coerce")
    except ValueError:  # an offset form the rewrite did not catch: cell by cell, wall-clock time kept
        one = (pd.to_datetime(v, format="ISO8601", errors="coerce") if isinstance(v, str) else pd.NaT for v in text)
        return pd.Series([v.tz_localize(None) if v is not pd.NaT and v.tzinfo else v for v in one],
                         index=text.index, dtype="datetime64[us]")
