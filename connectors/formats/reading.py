"""Reading a tool's export as rows of text cells, and finding the table in it.

Exports put lines before their table (GA4's ``#`` comments, Google Ads' title and date range), may hold several
tables (GA4), and come as UTF-8 or UTF-16 ("Excel .csv": tab separated), or as .xlsx.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from connectors.formats.base import ExportFormat, Section
from connectors.tabular import EXCEL_SUFFIXES, SAVE_AS_UTF8, SEPARATORS, FileImportError, _cell_text

DETECT_LINES = 20_000  # enough to reach a GA4 download's traffic table; a canonical file's header is its first line


@dataclass(frozen=True)
class Rows:
    """A file's rows as text cells, each with the line (CSV) or row (Excel) it starts on."""

    name: str
    cells: list[list[str]]
    lines: list[int]
    word: str = "line"


def read_rows(path: Path, limit: int | None = None, name: str | None = None) -> Rows:
    """Every row (or the first ``limit``) of a CSV (UTF-8/UTF-16, any usual separator) or .xlsx file."""
    path = Path(path)
    name = name or path.name
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_rows(path, limit, name)
    raw = path.read_bytes() if limit is None else _head(path, limit)
    encoding = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(encoding, errors="strict" if limit is None else "ignore")
    except UnicodeDecodeError:
        raise FileImportError(f"{name} is not UTF-8 text. {SAVE_AS_UTF8}") from None
    separator = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    cells, lines, start = [], [], 1
    try:
        for row in reader:
            cells.append(row)
            lines.append(start)
            start = reader.line_num + 1
            if limit is not None and len(cells) >= limit:
                break
    except csv.Error as exc:
        raise FileImportError(f"{name} cannot be read as CSV near line {start}: {exc}.") from None
    return Rows(name, cells, lines)


def _head(path: Path, limit: int) -> bytes:
    with path.open("rb") as f:
        lines = [line for _, line in zip(range(limit), f)]
    return b"".join(lines)


def _separator(text: str) -> str:
    """The separator that splits some line of the first 50 (not ``#`` comments) into the most cells."""
    sample = [line for line in text.splitlines()[:200] if line.strip() and not is_comment(line)][:50]
    best = max(SEPARATORS, key=lambda s: max((line.count(s) for line in sample), default=0))
    return best if any(best in line for line in sample) else ","


def _excel_rows(path: Path, limit: int | None, name: str) -> Rows:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same message
        raise FileImportError(f"{name}: the Excel file cannot be read ({exc.__class__.__name__}: {exc}).") from None
    cells, lines = [], []
    try:
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            values = [_cell_text(v) for v in row]
            while values and not values[-1].strip():
                values.pop()
            cells.append(values)
            lines.append(number)
            if limit is not None and number >= limit:
                break
    finally:
        book.close()
    return Rows(name, cells, lines, "row")


def is_comment(cell: str) -> bool:
    """A ``#`` comment line (GA4's "# Start date: …", "# ----"), not a value such as Shopify's order "#1001"."""
    text = cell.lstrip()
    return text.startswith("#") and not text[1:2].isalnum()


def _ends_table(row: list[str]) -> bool:
    return not any(c.strip() for c in row) or is_comment(row[0])


def find_section(rows: Rows, fmt: ExportFormat) -> Section | None:
    """The first table whose header has ``fmt``'s recognising columns: its rows run to a blank or ``#`` line."""
    for i, row in enumerate(rows.cells):
        if row and not is_comment(row[0]) and fmt.matches(row):
            header = [c.replace("\ufeff", "").strip() for c in row]
            end = i + 1
            while end < len(rows.cells) and not _ends_table(rows.cells[end]):
                end += 1
            body = [r[: len(header)] + [""] * (len(header) - len(r)) for r in rows.cells[i + 1 : end]]
            frame = pd.DataFrame(body, columns=range(len(header)), dtype=object) if body else \
                pd.DataFrame({c: pd.Series(dtype=object) for c in range(len(header))})
            preamble = [",".join(r) for r in rows.cells[:i]]
            return Section(rows.name, header, frame.fillna("").astype(str),
                           np.array(rows.lines[i + 1 : end], dtype=np.int64), preamble, rows.word, rows.lines[i])
    return None
