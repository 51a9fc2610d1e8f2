"""Vectorised parsing of text cells into numbers, dates and times, as analysts' exports write them.

Every parser takes a Series of stripped text ("" for empty) and returns the parsed Series plus a
mask of cells that could not be parsed. Numbers may use thousands separators, Persian (۰-۹) or
Arabic-Indic (٠-٩) digits and the Arabic decimal (٫) and thousands (٬) separators; dates are
ISO-like (2026-01-31, 2026/01/31, 20260131, with an optional time and UTC offset).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬،−", "01234567890123456789.,,-")
# Bidi marks that right-to-left exports wrap numbers in; spaces used as thousands separators.
_BIDI = "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
_SPACES = "[ \u00a0\u202f\u2009]"
_CURRENCY = "[$€£¥₹]"
_NUMBER = rf"{_CURRENCY}?[+-]?{_CURRENCY}?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)?(?:\.\d+)?{_CURRENCY}?"
_OFFSET = r"^(.+\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$"
FIRST_YEAR, LAST_YEAR = 1970, 2100


def ascii_digits(text: pd.Series) -> pd.Series:
    """Persian/Arabic digits and separators as ASCII, bidi marks removed (only cells that need it are touched)."""
    foreign = text.str.contains(r"[^\x00-\x7f]", regex=True, na=False)
    if not foreign.any():
        return text
    text = text.copy()
    text[foreign] = text[foreign].str.translate(_DIGITS).str.replace(_BIDI, "", regex=True)
    return text


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float values, bad mask): "1,234.5", "۱٬۲۳۴٫۵", "$12" parse; "12,5" and "1.234,5" are refused."""
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


def parse_datetime(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(datetime64 values, bad mask, Jalali-looking mask).

    Accepts 2026-01-31, 2026/01/31, 20260131, each optionally with a time (`T` or space) and a UTC offset,
    which is dropped: times are kept as the shop's local wall-clock time written in the file.
    """
    text = ascii_digits(text)
    empty = text == ""
    text = text.str.replace("/", "-", regex=False).str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    offset = text.str.contains(r"(?:Z|UTC|GMT|[+-]\d\d:?\d\d)$", regex=True, na=False)  # the rewrite is slow
    if offset.any():
        text = text.copy()
        text[offset] = text[offset].str.replace(_OFFSET, r"\1", regex=True)
    values = _to_datetime(text.where(~empty, None))
    years = values.dt.year
    jalali = years.between(1300, 1500)
    out_of_range = values.notna() & ~years.between(FIRST_YEAR, LAST_YEAR)
    values = values.where(~out_of_range)
    return values, ~empty & values.isna(), jalali.fillna(False).astype(bool)


def _to_datetime(text: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(text, format="ISO8601", errors="coerce")
    except ValueError:  # an offset form the rewrite did not catch: cell by cell, wall-clock time kept
        one = (pd.to_datetime(v, format="ISO8601", errors="coerce") if isinstance(v, str) else pd.NaT for v in text)
        return pd.Series([v.tz_localize(None) if v is not pd.NaT and v.tzinfo else v for v in one],
                         index=text.index, dtype="datetime64[us]")
