"""Reading CSV and Excel files as chunks of text, and matching their columns to a kind's canonical columns.

Every cell is read as text (parsing is :mod:`connectors.checks`' job) together with the line number
a text editor shows for it (the header is line 1; for Excel, the sheet's row number).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from connectors.datasets import DATASETS

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
SEPARATORS = (",", ";", "\t", "|")
SAVE_AS_UTF8 = "In Excel use File → Save As → “CSV UTF-8 (Comma delimited)”, or upload the .xlsx file itself."


@dataclass(frozen=True)
class Problem:
    """One invalid cell (or row): where it is, what it holds and what was expected."""

    line: int
    column: str
    value: str
    expected: str
    word: str = "line"  # "line" in a CSV file, "row" in an Excel sheet

    def __str__(self) -> str:
        shown = f"“{self.value[:60]}{'…' if len(self.value) > 60 else ''}”" if self.value != "" else "(empty)"
        return f"{self.word} {self.line}, column “{self.column}”: {shown}, expected {self.expected}"


class FileImportError(Exception):
    """The file was refused and nothing was loaded; the message says what to fix."""

    def __init__(self, message: str, problems: list[Problem] | None = None, rejected_rows: int = 0) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.rejected_rows = rejected_rows


@dataclass
class TableFile:
    """An opened CSV or Excel file: its header and a way to read its rows in chunks."""

    path: Path
    header: list[str]
    header_line: int = 1
    word: str = "line"
    encoding: str = "utf-8-sig"
    separator: str = ","
    sheet: str | None = None
    estimated_rows: int | None = None

    def chunks(self, size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """(text frame with columns 0..n-1 and "" for empty cells, line numbers) per chunk of ``size`` rows."""
        reader = _excel_chunks if self.sheet is not None else _csv_chunks
        yield from reader(self, size)


def normal(name: str) -> str:
    """A column name as compared: lower case, '_' and '-' as spaces, single spaces, ' / ' spaced."""
    name = str(name).replace("\ufeff", "").strip().strip('"').lower()
    name = re.sub(r"[_\-]+", " ", name)
    name = re.sub(r"\s*/\s*", " / ", name)
    return re.sub(r"\s+", " ", name).strip()


def match_columns(kind: str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """({canonical field: column position}, warnings). Exact names win over aliases; each column is used once.

    Raises :class:`FileImportError` naming every missing required column and the names it accepts.
    """
    dataset = DATASETS[kind]
    names = [normal(h) for h in header]
    found: dict[str, int] = {}
    for exact in (True, False):
        for f in dataset.fields:
            if f.name in found:
                continue
            wanted = {normal(f.name)} if exact else {normal(a) for a in f.aliases}
            hits = [i for i, n in enumerate(names) if n in wanted and i not in found.values()]
            if len(hits) > 1:
                raise FileImportError(f"Columns {', '.join(repr(header[i]) for i in hits)} all mean {f.name}; "
                                   "keep one of them.")
            if hits:
                found[f.name] = hits[0]
    missing = [f for f in dataset.fields if f.required and f.name not in found]
    if missing:
        lines = [f"- {f.name} ({describe(f.type, f.choices)}): name the column “{f.name}”"
                 + (f" or one of: {', '.join(f.aliases)}" if f.aliases else "") for f in missing]
        shown = ", ".join(f"“{h}”" for h in header) or "none"
        raise FileImportError("The file has no column for:\n" + "\n".join(lines)
                           + f"\nIts columns are: {shown}. Is it a {kind} file?")
    unused = [header[i] for i in range(len(header)) if i not in found.values() and str(header[i]).strip()]
    warnings = [f"Columns not used: {', '.join(unused)}."] if unused else []
    return found, warnings


def describe(kind: str, choices: tuple[str, ...] = ()) -> str:
    return {"date": "a date, YYYY-MM-DD", "datetime": "a date and time, YYYY-MM-DD HH:MM:SS", "int": "a whole number",
            "number": "a number", "text": "text"}.get(kind, "one of " + ", ".join(choices))


def open_table(path: Path) -> TableFile:
    """Open a CSV (UTF-8 with or without BOM, or UTF-16; comma, semicolon, tab or | separated) or .xlsx file."""
    path = Path(path)
    if not path.is_file():
        raise FileImportError(f"File {path} not found.")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileImportError("Old Excel .xls files cannot be read: save the sheet as .xlsx or as CSV UTF-8.")
    if suffix in EXCEL_SUFFIXES:
        return _open_excel(path)
    return _open_csv(path)


def _open_csv(path: Path) -> TableFile:
    with path.open("rb") as f:
        start = f.read(4)
    encoding = "utf-16" if start.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        with path.open(encoding=encoding, newline="") as f:
            first = f.readline()
            header_line = 1
            hint = first.rstrip("\r\n")
            if hint.lower().startswith("sep=") and len(hint) == 5:  # Excel's separator hint line
                separator, first, header_line = hint[4], f.readline(), 2
            else:
                separator = max(SEPARATORS, key=first.count) if any(s in first for s in SEPARATORS) else ","
    except UnicodeDecodeError:
        raise FileImportError(f"The file is not UTF-8 text. {SAVE_AS_UTF8}") from None
    if not first.strip():
        raise FileImportError("The file is empty: the first line should name the columns.")
    header = next(csv.reader([first], delimiter=separator))
    return TableFile(path, header, header_line, "line", encoding, separator)


def _csv_chunks(table: TableFile, size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    total = table.path.stat().st_size or 1
    next_line, done = table.header_line + 1, 0
    with table.path.open("rb") as handle:
        reader = pd.read_csv(handle, sep=table.separator, header=None, skiprows=table.header_line,
                             names=range(len(table.header)), dtype=str, keep_default_na=False, na_filter=False,
                             skip_blank_lines=False, encoding=table.encoding, chunksize=size, engine="c")
        try:
            for frame in reader:
                frame = frame.fillna("")
                lines, next_line = _line_numbers(frame, next_line)
                done += len(frame)
                table.estimated_rows = max(round(done * total / max(handle.tell(), 1)), done)
                yield frame, lines
        except pd.errors.ParserError as exc:
            detail = str(exc).split("C error: ")[-1].strip()
            raise FileImportError(f"The file cannot be read as CSV: {detail}. Check that line for an extra "
                               f"“{table.separator}” or an unclosed quote.") from None
        except UnicodeDecodeError:
            raise FileImportError(f"The file is not UTF-8 text. {SAVE_AS_UTF8}") from None


def _line_numbers(frame: pd.DataFrame, first: int) -> tuple[np.ndarray, int]:
    """Editor line of each row, counting line breaks inside quoted cells; and the next row's line."""
    n = len(frame)
    breaks = np.zeros(n, dtype=np.int64)
    for column in frame.columns:
        cells = frame[column]
        if cells.str.contains("\n", regex=False).any():
            breaks += cells.str.count("\n").to_numpy(dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(breaks)[:-1])) if n else breaks
    lines = first + np.arange(n, dtype=np.int64) + before
    return lines, (int(lines[-1] + breaks[-1] + 1) if n else first)


def _open_excel(path: Path) -> TableFile:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same message
        raise FileImportError(f"The Excel file cannot be read ({exc.__class__.__name__}: {exc}).") from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in row]
            if any(c.strip() for c in cells):
                while cells and not cells[-1].strip():
                    cells.pop()
                return TableFile(path, cells, number, "row", sheet=sheet.title,
                                 estimated_rows=max((sheet.max_row or number) - number, 0))
    finally:
        book.close()
    raise FileImportError("The first sheet of the Excel file is empty: its first row should name the columns.")


def _excel_chunks(table: TableFile, size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    from openpyxl import load_workbook

    width = len(table.header)
    book = load_workbook(table.path, read_only=True, data_only=True)
    try:
        rows: list[list[str]] = []
        lines: list[int] = []
        rows_iter = book[table.sheet].iter_rows(min_row=table.header_line + 1, values_only=True)
        for number, row in enumerate(rows_iter, start=table.header_line + 1):
            cells = [_cell_text(v) for v in row[:width]]
            rows.append(cells + [""] * (width - len(cells)))
            lines.append(number)
            if len(rows) == size:
                yield pd.DataFrame(rows, columns=range(width), dtype="str"), np.array(lines, dtype=np.int64)
                rows, lines = [], []
        if rows:
            yield pd.DataFrame(rows, columns=range(width), dtype="str"), np.array(lines, dtype=np.int64)
    finally:
        book.close()


def _cell_text(value) -> str:
    """An Excel cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
