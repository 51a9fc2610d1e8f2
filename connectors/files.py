"""File imports (CSV or Excel) of every kind in ``connectors.datasets``: read, validate, load.

Column names match case-insensitively with common aliases; numbers may use
thousands separators and Persian (۰-۹) or Arabic-Indic (٠-٩) digits; text may
be in any script. Every problem is reported with its line as a text editor shows
it (the header is line 1), the column, the value and what was expected. By
default a file with any invalid row is refused whole and the warehouse is left
as it was; ``skip_invalid`` loads the valid rows and writes the rejected ones,
with their reasons, to ``<file>.rejected.csv`` next to the input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from connectors.datasets import DATASETS, Dataset, Field
from connectors.loader import LoadResult, load, record_failure

CHUNK_ROWS = 200_000
MAX_LISTED = 50
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬", "01234567890123456789.,")
_EXPECTED = {"date": "a Gregorian date (YYYY-MM-DD)",
             "datetime": "a Gregorian date and time (YYYY-MM-DD HH:MM[:SS])",
             "int": "a whole number of 0 or more", "number": "a number of 0 or more", "text": "some text"}


class FileImportError(ValueError):
    """A file that cannot be imported; the message lists what is wrong and where. Nothing was loaded."""


@dataclass
class Problem:
    line: int
    column: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column!r}: {self.value!r} is not {self.expected}"


@dataclass
class ImportReport:
    """What an import did: the load's counts, the rejected rows and where they were written."""

    kind: str
    file: str
    rows: int = 0
    result: LoadResult | None = None
    problems: list[Problem] = field(default_factory=list)
    rejected_rows: int = 0
    rejected_file: str | None = None

    def summary(self) -> str:
        r = self.result
        text = f"{self.file}: {self.rows:,} rows read"
        if r:
            text += f"; {r.inserted:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged"
        if self.rejected_rows:
            text += f"; {self.rejected_rows:,} rejected (written to {self.rejected_file})"
        return text


def normalise_header(name: str) -> str:
    """'Order ID' / 'order_id' / ' ORDER-ID ' -> 'order id'."""
    return re.sub(r"[\s_\-]+", " ", str(name).strip().lower().lstrip("\ufeff"))


def match_columns(headers: list[str], dataset: Dataset, file: str) -> dict[str, str]:
    """canonical name -> header in the file; a FileImportError names missing and unknown columns."""
    by_name = {normalise_header(h): h for h in headers}
    mapping, missing = {}, []
    for f in dataset.fields:
        for candidate in (f.name, *f.aliases):
            if normalise_header(candidate) in by_name:
                mapping[f.name] = by_name[normalise_header(candidate)]
                break
        else:
            if f.required:
                missing.append(f.name)
    if missing:
        raise FileImportError(
            f"{file}, line 1: missing column(s) {', '.join(missing)} for a {dataset.kind} import. "
            f"Expected columns: {', '.join(dataset.columns)} (optional: "
            f"{', '.join(f.name for f in dataset.fields if not f.required) or 'none'}). "
            f"Found: {', '.join(map(str, headers))}.")
    return mapping


def clean_number_text(values: pd.Series) -> pd.Series:
    """Persian/Arabic digits and separators to ASCII; thousands separators and spaces removed."""
    text = values.astype("string").str.strip().str.translate(_DIGITS)
    text = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    has_both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    only_comma_decimal = text.str.fullmatch(r"-?\d+,\d{1,2}")  # 12,5 -> 12.5 (decimal comma)
    text = text.where(~only_comma_decimal.fillna(False), text.str.replace(",", ".", regex=False))
    text = text.where(~has_both.fillna(False), text.str.replace(",", "", regex=False))
    return text.str.replace(",", "", regex=False)


def _parse_dates(text: pd.Series, with_time: bool) -> pd.Series:
    text = text.astype("string").str.strip().str.translate(_DIGITS)
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    compact = parsed.isna() & text.str.fullmatch(r"\d{8}").fillna(False)  # GA4 exports: 20261101
    if compact.any():
        parsed = parsed.where(~compact, pd.to_datetime(text.where(compact), format="%Y%m%d", errors="coerce"))
    slashed = parsed.isna() & text.str.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}( .*)?").fillna(False)
    if slashed.any():
        parsed = parsed.where(~slashed, pd.to_datetime(text.where(slashed).str.replace("/", "-"),
                                                         errors="coerce", format="ISO8601"))
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed if with_time else parsed.dt.normalize()


def _convert(f: Field, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(typed values, mask of invalid cells) for one column; empty optional cells are valid (missing)."""
    text = raw.astype("string").str.strip()
    empty = text.isna() | (text == "")
    if f.type in ("int", "number"):
        values = pd.to_numeric(clean_number_text(text), errors="coerce")
        bad = values.isna() | (values < (f.minimum if f.minimum is not None else float("-inf")))
        if f.type == "int":
            bad |= values.notna() & (values % 1 != 0)
    elif f.type in ("date", "datetime"):
        values = _parse_dates(text, f.type == "datetime")
        # 1405/08/11 (a Solar Hijri date) would parse as the year 1405: refuse years outside 1990-2100
        bad = values.isna() | (values.dt.year < 1990) | (values.dt.year > 2100)
        if f.type == "date":
            values = values.dt.date
    elif f.type == "choice":
        values = text.str.lower()
        bad = ~values.isin(f.choices)
    else:
        values = text
        bad = empty.copy()
    if not f.required:
        bad &= ~empty
        values = values.where(~empty, None)
    return values, bad.fillna(True).astype(bool)


def _expected(f: Field) -> str:
    if f.type == "choice":
        return f"one of {', '.join(f.choices)}"
    return _EXPECTED[f.type]


def _row_rules(kind: str, typed: pd.DataFrame) -> list[tuple[pd.Series, str, str]]:
    """Rules across columns: (mask of bad rows, column, what is expected)."""
    rules = []
    if kind == "feedback":
        csat_bad = (typed["kind"] == "csat") & ~typed["score"].between(1, 5)
        nps_bad = (typed["kind"] == "nps") & ~typed["score"].between(0, 10)
        rules += [(csat_bad, "score", "a CSAT score from 1 to 5"), (nps_bad, "score", "an NPS score from 0 to 10")]
    if kind == "tickets" and "first_response_at" in typed:
        early = typed["first_response_at"].notna() & (typed["first_response_at"] < typed["opened_at"])
        rules.append((early, "first_response_at", "a time after opened_at"))
    if kind == "email":
        rules.append((typed["delivered"] > typed["sent"], "delivered", "at most the number sent"))
    return rules


def read_chunks(path: Path) -> Iterator[pd.DataFrame]:
    """The file as chunks of text cells (CSV streamed; Excel read whole: it cannot be streamed)."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        yield pd.read_excel(path, dtype=str, keep_default_na=False)
        return
    try:
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=CHUNK_ROWS,
                               skipinitialspace=True)
    except UnicodeDecodeError as exc:
        raise FileImportError(f"{path.name}: the file is not UTF-8 text ({exc.reason} at byte {exc.start}). "
                              "Save it as 'CSV UTF-8' and import it again.") from exc


def typed_chunks(path: Path, kind: str) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, list[Problem]]]:
    """For each chunk: (valid typed rows, rejected raw rows with a 'reason' column, problems)."""
    dataset = DATASETS[kind]
    first_line = 2
    mapping = None
    seen_keys: dict[tuple, int] = {}
    for chunk in read_chunks(path):
        if mapping is None:
            mapping = match_columns(list(chunk.columns), dataset, path.name)
        lines = pd.Series(range(first_line, first_line + len(chunk)), index=chunk.index)
        first_line += len(chunk)
        typed = pd.DataFrame(index=chunk.index)
        reasons = pd.Series("", index=chunk.index, dtype=object)
        problems: list[Problem] = []
        for f in dataset.fields:
            if f.name not in mapping:
                continue
            values, bad = _convert(f, chunk[mapping[f.name]])
            typed[f.name] = values
            for idx in bad[bad].index[:MAX_LISTED]:
                problems.append(Problem(int(lines[idx]), mapping[f.name], str(chunk.at[idx, mapping[f.name]]),
                                        _expected(f)))
            reasons[bad] += f"{mapping[f.name]}: expected {_expected(f)}; "
        valid = reasons == ""
        for mask, column, expected in _row_rules(kind, typed.where(valid)):
            mask = mask.fillna(False) & valid
            for idx in mask[mask].index[:MAX_LISTED]:
                problems.append(Problem(int(lines[idx]), mapping.get(column, column),
                                        str(chunk.at[idx, mapping[column]]), expected))
            reasons[mask] += f"{mapping.get(column, column)}: expected {expected}; "
        for idx in typed.index[valid]:
            key = tuple(typed.at[idx, k] for k in dataset.key)
            if key in seen_keys:
                problems.append(Problem(int(lines[idx]), "/".join(mapping[k] for k in dataset.key),
                                        " / ".join(map(str, key)), f"unique (line {seen_keys[key]} has it too)"))
                reasons[idx] += f"duplicate of line {seen_keys[key]}; "
            else:
                seen_keys[key] = int(lines[idx])
        valid = reasons == ""
        rejected = chunk[~valid].assign(line=lines[~valid], reason=reasons[~valid].str.rstrip("; "))
        yield typed[valid], rejected, problems


def import_file(engine: Engine, kind: str, path: str | Path, skip_invalid: bool = False,
                display_name: str | None = None) -> ImportReport:
    """Import one file of ``kind``: all rows or none (default), or the valid ones with ``skip_invalid``."""
    if kind not in DATASETS:
        raise FileImportError(f"Unknown kind {kind!r}; use one of {', '.join(DATASETS)}.")
    path = Path(path)
    name = display_name or path.name
    source = f"import:{kind}"
    started = datetime.now()
    if not path.is_file():
        raise FileImportError(f"{name}: no such file.")
    report = ImportReport(kind=kind, file=name)
    valid_parts, rejected_parts = [], []
    try:
        for valid, rejected, problems in typed_chunks(path, kind):
            report.rows += len(valid) + len(rejected)
            report.problems += problems
            valid_parts.append(valid)
            if len(rejected):
                rejected_parts.append(rejected)
    except FileImportError as exc:
        record_failure(engine, source, started, str(exc))
        raise
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        message = f"{name}: cannot be read as a {kind} file: {exc}"
        record_failure(engine, source, started, message)
        raise FileImportError(message) from exc
    report.rejected_rows = sum(len(r) for r in rejected_parts)
    if report.rejected_rows and not skip_invalid:
        listed = "\n".join(f"  {p}" for p in report.problems[:MAX_LISTED])
        more = report.rejected_rows - min(report.rejected_rows, MAX_LISTED)
        message = (f"{name}: {report.rejected_rows:,} of {report.rows:,} rows are invalid, so nothing was "
                   f"imported:\n{listed}" + (f"\n  … and more ({more:,} further rows)" if more > 0 else "")
                   + "\nFix the file and import it again, or use --skip-invalid to load only the valid rows.")
        record_failure(engine, source, started, message, rejected=report.rejected_rows)
        raise FileImportError(message)
    if report.rejected_rows:
        out = path.with_name(f"{path.stem}.rejected.csv")
        pd.concat(rejected_parts).to_csv(out, index=False, encoding="utf-8-sig")
        report.rejected_file = str(out)
    frame = pd.concat(valid_parts) if valid_parts else pd.DataFrame(columns=DATASETS[kind].columns)
    report.result = load(engine, kind, frame.reset_index(drop=True), source=source, detail=name,
                         rejected=report.rejected_rows)
    return report
