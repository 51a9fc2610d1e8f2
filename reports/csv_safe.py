"""CSV cells that a spreadsheet cannot run: every CSV the product writes goes through here.

OWASP's CSV-injection advice (as WooCommerce applies it): a text cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'``, so Excel, LibreOffice or Google Sheets
show it as text instead of evaluating it as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, DDE).

Numbers stay numbers: numeric columns are never touched, and a text cell that is a plain decimal number
(``-3.5``, ``+12``, ``-1e3``) is left as it is; a spreadsheet reads it as that number, and no formula fits
in a number literal. Empty cells (None, NaN) stay empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula; else unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unquote_cell(value: str) -> str:
    """Undo :func:`safe_cell` on text read back from a CSV this product wrote (e.g. a targets export)."""
    if value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are :func:`safe_cell`; numeric and date columns are unchanged."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(safe_cell, na_action="ignore").astype(series.dtype)
    return out


def safe_rows(rows: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    """Rows (dicts, e.g. for ``csv.DictWriter``) with every text value made :func:`safe_cell`."""
    return [{key: safe_cell(value) for key, value in row.items()} for row in rows]


def to_csv(frame: pd.DataFrame, **kwargs) -> str:
    """``frame`` as CSV text (no index unless asked), text cells neutralised."""
    kwargs.setdefault("index", False)
    return safe_frame(frame).to_csv(**kwargs)
