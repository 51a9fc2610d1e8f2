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
from itertools import chain
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


_DASHES, _SLASH, _SPACES = re.compile(r"[_\-]+"), re.compile(r"\s*/\s*"), re.compile(r"\s+")


def normal(name: str) -> str:
    """A column name as compared: lower case, '_' and '-' as spaces, single spaces, ' / ' spaced.

    Called on every cell of a file's first lines (recognising an export's header): a name with nothing to
    rewrite (printable, no double space, no '_', '-' or '/') skips the rewriting."""
    name = str(name).replace("\ufeff", "").strip().strip('"').lower()
    if name.isprintable() and "  " not in name and "_" not in name and "-" not in name and "/" not in name:
        return name.strip()
    name = _DASHES.sub(" ", name)
    name = _SLASH.sub(" / ", name)
    return _SPACES.sub(" ", name).strip()


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


ARROW_BLOCK = 1 << 20  # bytes the CSV reader parses at a time


class _RowNumbersNeeded(Exception):
    """A row with too few or too many cells: read again on one thread, which knows each row's number."""


def _csv_chunks(table: TableFile, size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """pyarrow's streaming CSV reader (multi-threaded, every cell as text), cut into chunks of ``size`` rows.

    A file with a short row (padded with empty cells, as before) or a long one (refused) is read on one
    thread, where the reader numbers the rows; the rows already handed out are skipped, not repeated.
    """
    done = 0
    try:
        for frame, lines in _arrow_chunks(table, size, threads=True):
            done += len(frame)
            yield frame, lines
    except _RowNumbersNeeded:
        skipped = 0
        for frame, lines in _arrow_chunks(table, size, threads=False):
            if skipped < done:  # handed out by the multi-threaded pass
                take = min(done - skipped, len(frame))
                skipped += take
                frame, lines = frame.iloc[take:].reset_index(drop=True), lines[take:]
                if not len(frame):
                    continue
            yield frame, lines


def _arrow_chunks(table: TableFile, size: int, threads: bool) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    width = len(table.header)
    names = [str(i) for i in range(width)]
    odd: list[tuple[int, int, str]] = []  # (record number, cells, text) of rows with another number of cells
    uneven: list = []  # such a row was met by the multi-threaded reader

    def invalid(row) -> str:
        if threads:  # row numbers are unknown on several threads
            uneven.append(row.number)
            return "error"
        odd.append((row.number, row.actual_columns, row.text))
        return "skip"

    total = table.path.stat().st_size or 1
    handle = table.path.open("rb")
    try:
        reader = pcsv.open_csv(
            handle,
            read_options=pcsv.ReadOptions(use_threads=threads, block_size=ARROW_BLOCK, skip_rows=table.header_line,
                                          column_names=names,
                                          encoding="utf-16" if table.encoding == "utf-16" else "utf8"),
            parse_options=pcsv.ParseOptions(delimiter=table.separator, newlines_in_values=True,
                                            ignore_empty_lines=False, invalid_row_handler=invalid),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
        state = _Lines(table.header_line + 1, table.header_line + 1)
        pending: list = []
        rows = 0
        for batch in chain(_batches(reader), [None]):
            batch = _splice(batch, odd, state, width, table.separator)
            if batch is None or not batch.num_rows:
                continue
            pending.append(batch)
            rows += batch.num_rows
            while rows >= size:
                chunk, pending, rows = _take(pending, size)
                yield _frame(chunk, state)
                table.estimated_rows = max(round(state.rows * total / max(handle.tell(), 1)), state.rows)
        if rows:
            yield _frame(pa.Table.from_batches(pending), state)
        table.estimated_rows = state.rows
    except UnicodeDecodeError:
        raise FileImportError(f"The file is not UTF-8 text. {SAVE_AS_UTF8}") from None
    except pa.ArrowInvalid as exc:
        if uneven:
            raise _RowNumbersNeeded from None
        detail = str(exc).split("\n")[0]
        if "UTF8" in detail or "UTF-8" in detail:
            raise FileImportError(f"The file is not UTF-8 text. {SAVE_AS_UTF8}") from None
        raise FileImportError(f"The file cannot be read as CSV: {detail}. Check that line for an extra "
                              f"“{table.separator}” or an unclosed quote.") from None
    finally:
        handle.close()


@dataclass
class _Lines:
    """Where the reader is: the editor line and the record number of the next row, and the rows handed out."""

    line: int
    record: int
    rows: int = 0


def _batches(reader) -> Iterator:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def _splice(batch, odd: list[tuple[int, int, str]], state: _Lines, width: int, separator: str):
    """Put the short rows the reader skipped back in place (padded with empty cells); refuse long rows.

    ``batch`` None: the end of the file (rows skipped after the last batch)."""
    n = batch.num_rows if batch is not None else 0
    if not odd:
        state.record += n
        return batch
    import pyarrow as pa

    odd.sort()
    columns = [batch.column(i).to_pylist() for i in range(width)] if n else []
    rows: list[list[str]] = []
    i = 0
    while i < n or (odd and (odd[0][0] == state.record or batch is None)):
        if odd and (odd[0][0] == state.record or batch is None):
            number, cells, text = odd.pop(0)
            if cells > width:
                raise FileImportError(f"The file cannot be read as CSV: expected {width} fields in line {number}, "
                                      f"saw {cells}. Check that line for an extra “{separator}” or an unclosed quote.")
            values = next(csv.reader([text], delimiter=separator), [])
            rows.append(values + [""] * (width - len(values)))
        else:
            rows.append([columns[c][i] for c in range(width)])
            i += 1
        state.record += 1
    return pa.RecordBatch.from_pydict({str(c): [r[c] for r in rows] for c in range(width)},
                                      schema=pa.schema([(str(c), pa.string()) for c in range(width)]))


def _take(pending: list, size: int):
    import pyarrow as pa

    joined = pa.Table.from_batches(pending)
    chunk, rest = joined.slice(0, size), joined.slice(size)
    return chunk, rest.to_batches(), rest.num_rows


def _frame(chunk, state: _Lines) -> tuple[pd.DataFrame, np.ndarray]:
    """An Arrow table of text columns -> (frame with columns 0..n-1, editor line of each row)."""
    import pyarrow.compute as pc

    n = chunk.num_rows
    breaks = np.zeros(n, dtype=np.int64)
    for column in chunk.columns:
        if pc.any(pc.match_substring(column, "\n")).as_py():
            breaks += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False).astype(np.int64)
    before = np.concatenate(([0], np.cumsum(breaks)[:-1])) if n else breaks
    lines = state.line + np.arange(n, dtype=np.int64) + before
    if n:
        state.line = int(lines[-1] + breaks[-1] + 1)
    state.rows += n
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = pd.DataFrame({i: column.to_pandas(types_mapper={column.type: text}.get)
                          for i, column in enumerate(chunk.columns)})
    return frame, lines


def release_memory() -> None:
    """Hand the memory the chunks used back to the system (Arrow's pool, the C heap), so that what the database
    needs next (sorting, index builds) does not add to it."""
    import contextlib
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


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
