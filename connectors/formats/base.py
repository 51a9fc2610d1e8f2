"""What a tool's export looks like, and how its rows become a canonical kind's rows.

An :class:`ExportFormat` is declared once per export (one small module per tool in this package): the column names
that recognise it, which of its columns hold each canonical field, fixed values (an ad platform), and an optional
``prepare`` step for what a column map cannot say (merging Shopify's line-item rows, summing Meta's ad-level rows,
skipping cancelled orders). The result is a :class:`Prepared` frame of text cells in the canonical columns, which
then goes through the same checks and load as any canonical file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from connectors.tabular import FileImportError, Problem, normal


@dataclass(frozen=True)
class Section:
    """One table of an export: its header and data rows (text), each row's line, and the lines above the header."""

    file: str
    header: list[str]
    rows: pd.DataFrame  # columns 0..n-1, "" for empty
    lines: np.ndarray
    preamble: list[str]
    word: str = "line"
    header_line: int = 0  # the line (row) of the header, 0 when unknown

    def position(self, names: tuple[str, ...]) -> int | None:
        """The column holding the first of ``names`` the header has (``re:`` names are patterns), or None."""
        normals = [normal(h) for h in self.header]
        for name in names:
            if name.startswith("re:"):
                pattern = re.compile(name[3:])
                hits = [i for i, n in enumerate(normals) if pattern.fullmatch(n)]
            else:
                hits = [i for i, n in enumerate(normals) if n == normal(name)]
            if hits:
                return hits[0]
        return None

    def column(self, names: tuple[str, ...] | str) -> pd.Series | None:
        """The stripped text of the first of ``names`` present, or None."""
        at = self.position((names,) if isinstance(names, str) else names)
        return None if at is None else self.rows[at].str.strip()


@dataclass
class Prepared:
    """Canonical text rows from an export, ready for the kind's checks.

    ``frame`` has one column per canonical field present (named by the field); ``header`` names, per field, the
    tool's column it came from (what error messages show); ``lines`` is each row's line in the file.
    """

    frame: pd.DataFrame
    lines: np.ndarray
    header: dict[str, str]
    skipped: dict[str, int] = field(default_factory=dict)  # {"test orders": 3, "cancelled": 12}
    complete_through: date | None = None  # the export's last day, when it says (its date range)
    warnings: list[str] = field(default_factory=list)


Prepare = Callable[[Section, "ExportFormat"], Prepared]


@dataclass(frozen=True)
class ExportFormat:
    """One tool's export, declared as data.

    ``recognise``: column names that all appear in its header (compared case-insensitively, ``_``/``-``/spaces alike);
    an entry may be a tuple of alternatives (any one will do) and a name ``re:<regex>`` matches a pattern.
    ``columns``: canonical field -> the tool's names for it, in preference order (``re:<regex>`` matches a pattern).
    ``constants``: canonical field -> a fixed value (e.g. the ad platform).
    ``prepare``: optional tool-specific step (default: :func:`mapped`).
    ``noun``: what one canonical row is, in the import summary ("orders", "campaign days").
    ``download``: where in the tool the file is downloaded (README table); ``example``: its file in examples/.
    ``labels``: canonical field -> how messages name its column when its first name is a ``re:`` pattern.
    """

    name: str
    tool: str
    kind: str
    recognise: tuple[str | tuple[str, ...], ...]
    columns: Mapping[str, tuple[str, ...]]
    constants: Mapping[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None
    noun: str = "rows"
    download: str = ""
    example: str = ""
    skips: str = ""  # what it skips and why (README)
    # The export lists everything up to when it was downloaded (e.g. every campaign sent): with no date range in
    # it, its source counts as complete through the day before the file was saved (its modification time).
    complete_when_downloaded: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)

    def matches(self, header: list[str]) -> bool:
        names = {normal(h) for h in header}
        return all(any(_named(names, a) for a in ((r,) if isinstance(r, str) else r)) for r in self.recognise)

    def run(self, section: Section) -> Prepared:
        """The section's rows in canonical text columns; refuses (naming the format) when a needed column is missing."""
        self.require(section)
        prepared = (self.prepare or mapped)(section, self)
        return prepared

    def require(self, section: Section) -> None:
        """Refuse a file that looks like this export but lacks a column a required canonical field needs."""
        from connectors.datasets import DATASETS

        missing = [self.labels.get(name, names[0]) for name, names in self.columns.items()
                   if DATASETS[self.kind].field(name).required and section.position(names) is None]
        if missing:
            shown = ", ".join(f"“{h}”" for h in section.header)
            raise FileImportError(
                f"{section.file} looks like a {self.name} but has no column "
                + " or ".join(f"“{m}”" for m in missing)
                + f" (needed for {self.kind}). Its columns are: {shown}. Download the report again with "
                + ("these columns" if len(missing) > 1 else "this column") + " included."
                + (f" (Its header is {section.word} {section.header_line}.)" if section.header_line else ""))


def _named(names: set[str], name: str) -> bool:
    """Whether one of ``names`` (normalised) is ``name`` (or matches it, for ``re:<regex>``)."""
    if name.startswith("re:"):
        pattern = re.compile(name[3:])
        return any(pattern.fullmatch(n) for n in names)
    return normal(name) in names


def mapped(section: Section, fmt: ExportFormat, keep: np.ndarray | None = None) -> Prepared:
    """The default step: each canonical field from its column (the first name present), plus the constants.

    ``keep``: a row mask (rows left out are neither loaded nor checked).
    """
    rows = section.rows if keep is None else section.rows[keep]
    lines = section.lines if keep is None else section.lines[keep]
    frame, header = {}, {}
    for name, names in fmt.columns.items():
        at = section.position(names)
        if at is not None:
            frame[name] = blank_dashes(rows[at].str.strip()).to_numpy()
            header[name] = section.header[at]
    for name, value in fmt.constants.items():
        frame[name] = np.full(len(rows), value, dtype=object)
        header[name] = f"({fmt.tool})"
    return Prepared(pd.DataFrame(frame, dtype=object), np.asarray(lines, dtype=np.int64), header)


def blank_dashes(text: pd.Series) -> pd.Series:
    """Tools write an empty cell as ``--``, ``-``, ``n/a`` or ``(not set)`` in numbers: read as empty."""
    return text.where(~text.isin(["--", "-", "n/a", "N/A", "—"]), "")


def refuse(section: Section, fmt: ExportFormat, problems: list[Problem]) -> FileImportError:
    """A refusal of the whole file, naming the format, with up to 50 problems (line, column, value, expected)."""
    listed = "\n".join(f"- {p}" for p in problems[:50])
    more = f"\n… and {len(problems) - 50:,} more problems." if len(problems) > 50 else ""
    return FileImportError(f"{section.file} (read as a {fmt.name}) was not imported (nothing was loaded):\n"
                           f"{listed}{more}", problems, len(problems))


def problem(section: Section, i: int, column: int, expected: str) -> Problem:
    """The problem of row ``i`` (position in ``section.rows``) in column ``column``."""
    return Problem(int(section.lines[i]), section.header[column], str(section.rows.iat[i, column]).strip(),
                   expected, section.word)
