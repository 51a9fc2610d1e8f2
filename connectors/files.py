"""File imports: CSV (UTF-8 with or without BOM) and Excel (.xlsx) files of every kind in connectors.datasets.

``import_file(engine, kind, path)`` reads the file in chunks twice: first it checks every row, then it
loads the valid rows through :func:`connectors.loader.load` in ONE transaction. By default a file with
any invalid row is refused whole (nothing is loaded; the refusal is in the sync log, and the message lists
up to 50 problems with their line, column, value and what was expected). ``skip_invalid=True`` loads the
valid rows and writes the rejected ones, with their reasons, to ``<name>.rejected.csv`` next to the file.
Its text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…) get a leading ``'``
(see :mod:`reports.csv_safe`); remove it when fixing a row for re-import.
Small files are parsed once (the first pass's rows are kept).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from connectors.checks import Checked, check_chunk, key_text
from connectors.datasets import DATASETS, KINDS
from connectors.formats import Source, open_source
from connectors.loader import load, record_failure
from connectors.tabular import FileImportError, Problem
from reports.csv_safe import safe_frame

__all__ = ["FileImportError", "ImportResult", "Problem", "import_file", "import_upload", "rejected_path", "source_name"]

CHUNK_ROWS = 250_000  # a file of one chunk is parsed once; larger files are read twice (check, then load)
MAX_PROBLEMS = 50
Progress = Callable[[float, str], None]


@dataclass
class ImportResult:
    kind: str
    file: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_file: Path | None = None
    rejected_csv: bytes | None = None  # the rejected rows (uploads, whose file is temporary)
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    demo_removed: dict[str, int] = field(default_factory=dict)  # {table: rows} of the demo removed first
    format: str | None = None  # the tool's export recognised, e.g. "Shopify orders export"
    noun: str = "rows"  # what a row is ("orders", "campaign days")
    skipped: dict[str, int] = field(default_factory=dict)  # rows the export holds that are not loaded, by reason

    def summary(self) -> str:
        if self.format:
            skipped = ", ".join(f"{n:,} {why}" for why, n in self.skipped.items() if n)
            text = (f"{self.file}: {self.format} → {self.kind}: {self.rows:,} {self.noun}"
                    + (f" ({skipped} skipped)" if skipped else "") + f"; {self.inserted:,} new, "
                    f"{self.updated:,} updated, {self.unchanged:,} unchanged")
        else:
            text = (f"{self.file}: {self.rows:,} row{'s' if self.rows != 1 else ''}: {self.inserted:,} new, "
                    f"{self.updated:,} updated, {self.unchanged:,} unchanged")
        if self.rejected:
            where = f" (written to {self.rejected_file})" if self.rejected_file and not self.rejected_csv else ""
            text += f", {self.rejected:,} rejected{where}"
        return text


@dataclass
class _Scan:
    """What the checking pass found."""

    rows: int = 0
    bad_rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    kept: list[Checked] | None = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)  # line of a repeated key -> its first line


def source_name(kind: str) -> str:
    """The sync-log source of file imports of ``kind``."""
    return f"import:{kind}"


def rejected_path(path: Path) -> Path:
    """Where the rejected rows of ``path`` go: ``orders.csv`` -> ``orders.rejected.csv``."""
    return path.with_name(f"{path.stem}.rejected.csv")


def import_file(engine: Engine, kind: str | None, path: Path | str, *, skip_invalid: bool = False,
                progress: Progress | None = None, display_name: str | None = None,
                chunk_rows: int = CHUNK_ROWS) -> ImportResult:
    """Check and load one file; raises :class:`FileImportError` (logged) when it is refused.

    ``kind`` None: the file's tool and kind are recognised from its header (:mod:`connectors.formats`).
    """
    path = Path(path)
    name = display_name or path.name
    started = datetime.now()
    if kind is not None and kind not in DATASETS:
        raise FileImportError(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")
    report = progress or (lambda fraction, message: None)
    try:
        table = open_source(path, kind, name)
        kind, columns = table.kind, table.columns
        shown = f"{name} (read as a {table.format.name})" if table.format else name
        scan = _check(kind, table, columns, skip_invalid, report, chunk_rows)
        if scan.rows == 0:
            raise FileImportError(f"{shown} has no data rows below its header.")
        if scan.bad_rows and not skip_invalid:
            raise FileImportError(_refusal(shown, scan, table.word), scan.problems, scan.bad_rows)
    except FileImportError as exc:
        record_failure(engine, source_name(kind or "file"), started, f"{kind or 'file'}: {exc}", exc.rejected_rows)
        raise
    result = ImportResult(kind, name, rows=scan.rows, rejected=scan.bad_rows, warnings=table.warnings,
                          format=table.format.name if table.format else None,
                          noun=table.format.noun if table.format else "rows", skipped=table.skipped)
    out = rejected_path(path) if scan.bad_rows else None
    if out is not None:
        out.unlink(missing_ok=True)
        result.rejected_file = out
    what = f"{kind}: {name}" + (f" ({table.format.name})" if table.format else "")
    through = table.complete_through.isoformat() if table.complete_through else None  # the export's date range
    loaded = load(engine, kind, _valid_rows(kind, table, columns, scan, out, report, chunk_rows),
                  source=source_name(kind), cursor=through,
                  rejected=scan.bad_rows, detail=f"{what}, {scan.rows:,} rows, {scan.bad_rows:,} rejected")
    result.inserted, result.updated, result.unchanged, result.run_id, result.demo_removed = (
        loaded.inserted, loaded.updated, loaded.unchanged, loaded.run_id, loaded.demo_removed)
    report(1.0, "Done.")
    return result


def import_upload(engine: Engine, kind: str | None, name: str, data: bytes, *, skip_invalid: bool = False,
                  progress: Progress | None = None) -> ImportResult:
    """Import an uploaded file's bytes (the app's upload widget); rejected rows come back as ``rejected_csv``."""
    folder = Path(tempfile.mkdtemp(prefix="kpi-upload-"))
    try:
        path = folder / (Path(name).name or "upload.csv")
        path.write_bytes(data)
        result = import_file(engine, kind, path, skip_invalid=skip_invalid, progress=progress, display_name=name)
        if result.rejected_file is not None and result.rejected_file.exists():
            result.rejected_csv = result.rejected_file.read_bytes()
            result.rejected_file = Path(rejected_path(Path(name)).name)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check(kind: str, table: Source, columns: dict[str, int], skip_invalid: bool, report: Progress,
           chunk_rows: int) -> _Scan:
    """First pass: check every row, find repeated keys; keep the checked rows of a one-chunk file."""
    scan = _Scan()
    keys, key_lines = [], []
    for raw, lines in table.chunks(chunk_rows):
        checked = check_chunk(kind, raw, lines, columns, table.header, table.word,
                              MAX_PROBLEMS - len(scan.problems), reasons=skip_invalid)
        scan.rows += len(checked.lines)
        scan.bad_rows += int(checked.bad.sum())
        scan.problem_count += checked.problem_count
        scan.problems += checked.problems
        keys.append(key_text(kind, checked.rows[~checked.bad]))
        key_lines.append(checked.lines[~checked.bad])
        if scan.kept is not None:
            scan.kept.append(checked)
            if len(scan.kept) > 1:
                scan.kept = None
        report(0.3 * scan.rows / max(table.estimated_rows or scan.rows, scan.rows),
               f"Checked {scan.rows:,} rows …")
    _find_duplicates(kind, table, columns, scan, keys, key_lines)
    return scan


def _find_duplicates(kind: str, table: Source, columns: dict[str, int], scan: _Scan,
                     keys: list[pd.Series], key_lines: list[np.ndarray]) -> None:
    if not keys:
        return
    key = pd.concat(keys, ignore_index=True)
    lines = np.concatenate(key_lines)
    repeated = key.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    first_line = pd.Series(lines).groupby(key.to_numpy()).transform("first").to_numpy()
    scan.duplicates = dict(zip(lines[repeated].tolist(), first_line[repeated].tolist()))
    scan.bad_rows += int(repeated.sum())
    scan.problem_count += int(repeated.sum())
    names = DATASETS[kind].key
    column = " + ".join(table.header[columns[k]] for k in names)
    for i in np.flatnonzero(repeated)[:MAX_PROBLEMS]:
        value = key.iat[i].replace("\x1f", " | ")
        scan.problems.append(Problem(int(lines[i]), column, value,
                                     f"each {' + '.join(names)} only once (it is already on {table.word} "
                                     f"{int(first_line[i])})", table.word))
    scan.problems = sorted(scan.problems, key=lambda p: p.line)[:MAX_PROBLEMS]


def _refusal(name: str, scan: _Scan, word: str) -> str:
    listed = "\n".join(f"- {p}" for p in scan.problems)
    more = scan.problem_count - len(scan.problems)
    return (f"{name} was not imported (nothing was loaded): {scan.bad_rows:,} of {scan.rows:,} rows have "
            f"problems.\n{listed}" + (f"\n… and {more:,} more problems." if more > 0 else "")
            + f"\nFix these {word}s and import the file again, or import with --skip-invalid (“Skip invalid rows” "
            "in the app) to load only the valid rows.")


def _valid_rows(kind: str, table: Source, columns: dict[str, int], scan: _Scan, rejected: Path | None,
                report: Progress, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Second pass: the valid typed rows chunk by chunk; rejected rows (with reasons) go to ``rejected``."""
    if scan.kept is not None:
        chunks: Iterator[Checked] = iter(scan.kept)
    else:
        chunks = (check_chunk(kind, raw, lines, columns, table.header, table.word, 0, reasons=rejected is not None)
                  for raw, lines in table.chunks(chunk_rows))
    done = 0
    for checked in chunks:
        repeated = np.isin(checked.lines, list(scan.duplicates)) if scan.duplicates else None
        bad = checked.bad | repeated if repeated is not None else checked.bad
        if rejected is not None and bad.any():
            _write_rejected(kind, rejected, table, checked, bad, repeated, scan.duplicates)
        done += len(checked.lines)
        report(0.3 + 0.65 * done / max(scan.rows, 1), f"Loading {done:,} of {scan.rows:,} rows …")
        if not bad.all():
            yield checked.rows[~bad]


def _write_rejected(kind: str, path: Path, table: Source, checked: Checked, bad: np.ndarray,
                    repeated: np.ndarray | None, duplicates: dict[int, int]) -> None:
    reasons = checked.reasons if checked.reasons is not None else pd.Series("", index=checked.raw.index, dtype=object)
    reasons = reasons.copy()
    if repeated is not None and repeated.any():
        again = pd.Series(checked.lines[repeated]).map(duplicates).astype(str)
        text = (f"the same {' + '.join(DATASETS[kind].key)} is already on {table.word} "
                + again).to_numpy()
        before = reasons[repeated].to_numpy()
        reasons[repeated] = np.where(before == "", text, before + "; " + text)
    out = checked.raw[bad].copy()
    out.columns = table.header[: len(out.columns)]
    out.insert(0, table.word, checked.lines[bad])
    out["problems"] = reasons[bad].to_numpy()
    first = not path.exists()
    safe_frame(out).to_csv(path, mode="w" if first else "a", header=first, index=False,
               encoding="utf-8-sig" if first else "utf-8")
