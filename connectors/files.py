"""File imports: CSV (UTF-8 with or without BOM, or UTF-16) and Excel (.xlsx) files of every kind in
connectors.datasets.

``import_file(engine, kind, path)`` reads the file ONCE, in chunks (pyarrow's CSV reader), inside ONE load
transaction (:func:`connectors.loader.load_staged`): each chunk is checked (vectorised, connectors.checks) and
its valid rows go straight into the staging table with their line numbers; repeated keys are then found in
SQL on the stage (naming both lines). By default a file with any invalid row is refused whole: the
transaction is rolled back (nothing is loaded; the refusal is in the sync log, and the message lists up to
50 problems with their line, column, value and what was expected). ``skip_invalid=True`` loads the valid
rows and writes the rejected ones, with their reasons, to ``<name>.rejected.csv`` next to the file (rows
rejected for a repeated key are read again from the file: the stage keeps typed values, not the text).
Its text cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…) get a leading ``'``
(see :mod:`reports.csv_safe`); remove it when fixing a row for re-import.
Memory stays flat in the file size: one chunk is in memory at a time.
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
from sqlalchemy import Connection, Engine, Table, and_, delete, func, select

from access import audit
from access.roles import Actor, require
from connectors.checks import Checked, check_chunk
from connectors.datasets import DATASETS, KINDS
from connectors.formats import Source, open_source
from connectors.loader import DailySums, LoadResult, load_staged, record_failure, stage_frame, warehouse_rows
from connectors.tabular import FileImportError, Problem, release_memory
from reports.csv_safe import safe_frame
from warehouse import schema

__all__ = ["FileImportError", "ImportResult", "Problem", "import_file", "import_upload", "rejected_path", "source_name"]

CHUNK_ROWS = 100_000  # rows checked and staged at a time (memory depends on it, not on the file)
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
    """What the pass over the file found."""

    rows: int = 0
    bad_rows: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)  # line of a repeated key -> its first line


def source_name(kind: str) -> str:
    """The sync-log source of file imports of ``kind``."""
    return f"import:{kind}"


def rejected_path(path: Path) -> Path:
    """Where the rejected rows of ``path`` go: ``orders.csv`` -> ``orders.rejected.csv``."""
    return path.with_name(f"{path.stem}.rejected.csv")


def import_file(engine: Engine, kind: str | None, path: Path | str, *, skip_invalid: bool = False,
                progress: Progress | None = None, display_name: str | None = None,
                chunk_rows: int = CHUNK_ROWS, actor: Actor) -> ImportResult:
    """Check and load one file; raises :class:`FileImportError` (logged) when it is refused.

    ``kind`` None: the file's tool and kind are recognised from its header (:mod:`connectors.formats`).
    """
    require(actor, "import")
    path = Path(path)
    started = datetime.now()
    if kind is not None and kind not in DATASETS:
        raise FileImportError(f"Unknown kind {kind!r}; use one of: {', '.join(KINDS)}.")
    report = progress or (lambda fraction, message: None)
    try:
        table = open_source(path, kind, display_name or path.name)
    except FileImportError as exc:
        record_failure(engine, source_name(kind or "file"), started, f"{kind or 'file'}: {exc}", exc.rejected_rows)
        raise
    kind, columns, fmt = table.kind, table.columns, table.format
    name = (display_name or path.name) + (f" (read as a {fmt.name})" if fmt else "")
    out = rejected_path(path)
    if skip_invalid:
        out.unlink(missing_ok=True)
    scan = _Scan()
    daily = DailySums() if kind == "orders" else None

    def fill(conn: Connection, stage: Table) -> tuple[int, str]:
        first_load = _insert_finds_repeats(conn, kind)
        sums = daily if first_load else None  # a first load on SQLite builds the rollup from sums made here
        _stage_file(conn, stage, kind, table, columns, scan, out if skip_invalid else None, report, chunk_rows, sums)
        if scan.rows == 0:
            raise FileImportError(f"{name} has no data rows below its header.")
        if skip_invalid or scan.bad_rows or not first_load:
            _find_duplicates(conn, stage, kind, table, columns, scan, keep_all=skip_invalid)
        if scan.bad_rows and not skip_invalid:
            raise FileImportError(_refusal(name, scan, table.word), scan.problems, scan.bad_rows)
        if scan.duplicates:
            _drop_duplicates(conn, stage, kind, table, scan, out, chunk_rows)
        if daily is not None and (scan.duplicates or sums is None):
            daily.usable = False
        report(0.9, "Comparing with the warehouse and writing …")
        return scan.bad_rows, f"{kind}: {name}, {scan.rows:,} rows, {scan.bad_rows:,} rejected"

    def explain(conn: Connection, stage: Table) -> None:  # the insert broke the key: which lines repeat it?
        _find_duplicates(conn, stage, kind, table, columns, scan)
        if scan.bad_rows:
            raise FileImportError(_refusal(name, scan, table.word), scan.problems, scan.bad_rows)

    def audited(conn: Connection, loaded: LoadResult) -> None:  # in the load's transaction
        file = display_name or path.name
        audit.record_demo_cleared(conn, actor, loaded.demo_removed, audit.import_key(kind, file))
        audit.record(conn, actor, "import", audit.import_key(kind, file),
                     after={"file": file, "kind": kind, "format": fmt.name if fmt else None, "rows": scan.rows,
                            "inserted": loaded.inserted, "updated": loaded.updated, "unchanged": loaded.unchanged,
                            "rejected": loaded.rejected}, detail="skip invalid rows" if skip_invalid else None)

    through = table.complete_through.isoformat() if table.complete_through else None  # the export's date range
    loaded = load_staged(engine, kind, fill, source=source_name(kind), cursor=through, explain_conflict=explain,
                         daily=daily, on_success=audited)
    result = ImportResult(kind, display_name or path.name, rows=scan.rows, rejected=scan.bad_rows,
                          warnings=table.warnings, format=fmt.name if fmt else None, noun=fmt.noun if fmt else "rows",
                          skipped=table.skipped)
    result.rejected_file = out if scan.bad_rows else None
    result.inserted, result.updated, result.unchanged, result.run_id, result.demo_removed = (
        loaded.inserted, loaded.updated, loaded.unchanged, loaded.run_id, loaded.demo_removed)
    report(1.0, "Done.")
    return result


def import_upload(engine: Engine, kind: str | None, name: str, data: bytes, *, skip_invalid: bool = False,
                  progress: Progress | None = None, actor: Actor) -> ImportResult:
    """Import an uploaded file's bytes (the app's upload widget); rejected rows come back as ``rejected_csv``."""
    require(actor, "import")
    folder = Path(tempfile.mkdtemp(prefix="kpi-upload-"))
    try:
        path = folder / (Path(name).name or "upload.csv")
        path.write_bytes(data)
        result = import_file(engine, kind, path, skip_invalid=skip_invalid, progress=progress, display_name=name,
                             actor=actor)
        if result.rejected_file is not None and result.rejected_file.exists():
            result.rejected_csv = result.rejected_file.read_bytes()
            result.rejected_file = Path(rejected_path(Path(name)).name)
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stage_file(conn: Connection, stage: Table, kind: str, table: Source, columns: dict[str, int], scan: _Scan,
                rejected: Path | None, report: Progress, chunk_rows: int, daily: DailySums | None = None) -> None:
    """The one pass: check each chunk, stage its valid rows with their lines (and add them to ``daily``), write
    its rejected rows. (Checking the next chunk in a second thread while SQLite writes was measured: no steady
    gain on 2 cores for more memory, see BENCHMARKS.md.)"""
    checked_chunks = _checked_chunks(kind, table, columns, rejected is not None, chunk_rows, daily)
    for number, (checked, rows) in enumerate(checked_chunks, start=1):
        if number % 10 == 0:
            release_memory()
        scan.rows += len(checked.lines)
        scan.bad_rows += int(checked.bad.sum())
        scan.problem_count += checked.problem_count
        scan.problems = (scan.problems + checked.problems)[:MAX_PROBLEMS]
        if rejected is not None and checked.bad.any():
            _write_rejected(kind, rejected, table, checked)
        if rows is not None:
            stage_frame(conn, stage, rows.assign(_line=checked.lines[~checked.bad]))
        del checked, rows
        estimate = max(table.estimated_rows or scan.rows, scan.rows)
        report(0.9 * scan.rows / estimate, f"Loading {scan.rows:,} of {estimate:,} rows …")
    release_memory()


def _checked_chunks(kind: str, table: Source, columns: dict[str, int], reasons: bool, chunk_rows: int,
                    daily: DailySums | None) -> Iterator[tuple[Checked, pd.DataFrame | None]]:
    """(checked chunk, its valid rows as warehouse rows or None), the valid rows also summed into ``daily``."""
    for raw, lines in table.chunks(chunk_rows):
        checked = check_chunk(kind, raw, lines, columns, table.header, table.word, MAX_PROBLEMS, reasons=reasons)
        good = ~checked.bad
        rows = warehouse_rows(kind, checked.rows[good] if not good.all() else checked.rows) if good.any() else None
        if daily is not None and rows is not None:
            daily.add(rows)
        yield checked, rows
        del raw, checked, rows


def _insert_finds_repeats(conn: Connection, kind: str) -> bool:
    """SQLite and an empty table: every staged row is inserted, so a repeated key breaks the table's unique key,
    and the stage is searched for repeats only then (:func:`connectors.loader.load_staged`'s explain_conflict),
    saving a sort of the whole stage on a first load."""
    target = schema.metadata.tables[DATASETS[kind].table]
    return conn.dialect.name == "sqlite" and conn.execute(select(target).limit(1)).first() is None


def _repeated(stage: Table, kind: str):
    """SQL: (line, first line of its key, key columns…) of every staged row whose key came on an earlier line."""
    names = DATASETS[kind].key
    keys = [stage.c[k] for k in names]
    groups = (select(*keys, func.min(stage.c._line).label("first"))
              .group_by(*keys).having(func.count() > 1).subquery())
    return (select(stage.c._line.label("line"), groups.c.first, *keys)
            .join(groups, and_(*[stage.c[k] == groups.c[k] for k in names]))
            .where(stage.c._line != groups.c.first))


def _find_duplicates(conn: Connection, stage: Table, kind: str, table: Source, columns: dict[str, int],
                     scan: _Scan, keep_all: bool = False) -> None:
    """Repeated keys, found in SQL on the stage: every line after a key's first is a problem naming that line.
    Only the first ``MAX_PROBLEMS`` come back to Python, unless ``keep_all`` (--skip-invalid writes them all)."""
    names = DATASETS[kind].key
    repeated = _repeated(stage, kind).subquery()
    found = select(repeated).order_by(repeated.c.line)
    if keep_all:
        rows = conn.execute(found).all()
        count = len(rows)
        scan.duplicates = {int(row[0]): int(row[1]) for row in rows}
    else:  # counted in a second statement only when there are more than can be listed
        rows = conn.execute(found.limit(MAX_PROBLEMS)).all()
        count = len(rows) if len(rows) < MAX_PROBLEMS else conn.execute(
            select(func.count()).select_from(repeated)).scalar()
    if not count:
        return
    scan.bad_rows += count
    scan.problem_count += count
    column = " + ".join(table.header[columns[k]] for k in names)
    for line, first, *key in rows[:MAX_PROBLEMS]:
        scan.problems.append(Problem(int(line), column, " | ".join(str(v) for v in key),
                                     f"each {' + '.join(names)} only once (it is already on {table.word} {int(first)})",
                                     table.word))
    scan.problems = sorted(scan.problems, key=lambda p: p.line)[:MAX_PROBLEMS]


def _drop_duplicates(conn: Connection, stage: Table, kind: str, table: Source, scan: _Scan, rejected: Path,
                     chunk_rows: int) -> None:
    """--skip-invalid: the repeated rows leave the stage (one statement), and their text (read again from the
    file: the stage keeps typed values) goes to ``rejected``, in line order with the other rejected rows."""
    conn.execute(delete(stage).where(stage.c._line.in_(select(_repeated(stage, kind).subquery().c.line))))
    wanted = np.array(sorted(scan.duplicates), dtype=np.int64)
    for raw, numbers in table.chunks(chunk_rows):
        repeated = np.isin(numbers, wanted)
        if repeated.any():
            _write_rejected_text(kind, rejected, table, raw[repeated], numbers[repeated], scan.duplicates)
    _sort_rejected(rejected, table.word)


def _refusal(name: str, scan: _Scan, word: str) -> str:
    listed = "\n".join(f"- {p}" for p in scan.problems)
    more = scan.problem_count - len(scan.problems)
    return (f"{name} was not imported (nothing was loaded): {scan.bad_rows:,} of {scan.rows:,} rows have "
            f"problems.\n{listed}" + (f"\n… and {more:,} more problems." if more > 0 else "")
            + f"\nFix these {word}s and import the file again, or import with --skip-invalid (“Skip invalid rows” "
            "in the app) to load only the valid rows.")


def _write_rejected(kind: str, path: Path, table: Source, checked: Checked) -> None:
    """A chunk's invalid rows, as read, with their line and every problem, appended to ``path``."""
    reasons = checked.reasons if checked.reasons is not None else pd.Series("", index=checked.raw.index, dtype=object)
    _append(path, table, checked.raw[checked.bad], checked.lines[checked.bad], reasons[checked.bad].to_numpy())


def _write_rejected_text(kind: str, path: Path, table: Source, raw: pd.DataFrame, lines: np.ndarray,
                         duplicates: dict[int, int]) -> None:
    """Rows refused for a repeated key, with the line that has the key first."""
    again = pd.Series(lines).map(duplicates).astype(str)
    reasons = (f"the same {' + '.join(DATASETS[kind].key)} is already on {table.word} " + again).to_numpy()
    _append(path, table, raw, lines, reasons)


def _append(path: Path, table: Source, raw: pd.DataFrame, lines: np.ndarray, reasons: np.ndarray) -> None:
    out = raw.copy()
    out.columns = table.header[: len(out.columns)]
    out.insert(0, table.word, lines)
    out["problems"] = reasons
    first = not path.exists()
    safe_frame(out).to_csv(path, mode="w" if first else "a", header=first, index=False,
                           encoding="utf-8-sig" if first else "utf-8")


def _sort_rejected(path: Path, word: str) -> None:
    """The rejected rows in line order (those refused for a repeated key were appended last)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.iloc[np.argsort(frame[word].astype(np.int64).to_numpy(), kind="stable")]
    frame.to_csv(path, index=False, encoding="utf-8-sig")
