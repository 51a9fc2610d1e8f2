"""Tools' own exports, recognised as downloaded, and the files of the canonical kinds.

``open_source(path, kind)`` tells what a file is (a tool's export, by its header; else a canonical file of a kind)
and opens it for :func:`connectors.files.import_file`. Adding a format is one :class:`ExportFormat` declaration in a
module of this package, added to :data:`FORMATS`, plus its example file and test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from connectors.datasets import KINDS
from connectors.formats import ga4_download, google_ads, mailchimp, meta_ads, shopify, woocommerce
from connectors.formats.base import ExportFormat, Prepared
from connectors.formats.reading import DETECT_LINES, Rows, find_section, read_rows
from connectors.tabular import FileImportError, TableFile, match_columns, normal, open_table

# Every supported export; when several recognise a file, the one with the most recognising columns wins.
FORMATS: list[ExportFormat] = [
    *ga4_download.FORMATS,
    *google_ads.FORMATS,
    *meta_ads.FORMATS,
    *shopify.FORMATS,
    *woocommerce.FORMATS,
    *mailchimp.FORMATS,
]


@dataclass
class Source:
    """A file opened for import: its kind, the columns used, and its rows as chunks of text.

    A canonical file is streamed (``table``); a tool's export is read whole and prepared (``prepared``).
    """

    kind: str
    header: list[str]
    columns: dict[str, int]
    word: str = "line"
    warnings: list[str] = field(default_factory=list)
    format: ExportFormat | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    complete_through: date | None = None
    table: TableFile | None = None
    prepared: Prepared | None = None

    @property
    def estimated_rows(self) -> int | None:
        return self.table.estimated_rows if self.table is not None else len(self.prepared.frame)

    def chunks(self, size: int) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
        """(text frame with columns 0..n-1, "" for empty; line numbers) per chunk of ``size`` rows."""
        if self.table is not None:
            yield from self.table.chunks(size)
            return
        frame = self.prepared.frame.fillna("").astype(str)
        frame.columns = range(frame.shape[1])
        for start in range(0, len(frame), size):
            yield frame.iloc[start : start + size].reset_index(drop=True), self.prepared.lines[start : start + size]


def open_source(path: Path | str, kind: str | None = None, name: str | None = None) -> Source:
    """Open ``path`` as a tool's export (recognised by its header) or a canonical file of ``kind``.

    With no ``kind``, a file that is no known export is matched against every kind's columns. Raises
    :class:`FileImportError` with what to do when the file is neither.
    """
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise FileImportError(f"File {path} not found.")
    if path.suffix.lower() == ".xls":
        raise FileImportError("Old Excel .xls files cannot be read: save the sheet as .xlsx or as CSV UTF-8.")
    head = read_rows(path, DETECT_LINES, name)
    fmt = recognise(head)
    if fmt is not None:
        if kind is not None and kind != fmt.kind:
            raise FileImportError(f"{name} is a {fmt.name}, which holds {fmt.kind}, not {kind}: import it as "
                                  f"{fmt.kind} (or without a kind: python cli.py import {name}).")
        source = _export_source(read_rows(path, None, name), fmt)
        if source.complete_through is None and fmt.complete_when_downloaded:
            saved = datetime.fromtimestamp(path.stat().st_mtime).date()
            source.complete_through = saved - timedelta(days=1)
        return source
    table = open_table(path)
    if kind is None:
        kind = guess_kind(table.header, name)
    columns, warnings = match_columns(kind, table.header)
    return Source(kind, table.header, columns, table.word, warnings, table=table)


def recognise(rows: Rows) -> ExportFormat | None:
    """The export whose recognising columns appear in a header of ``rows`` (the most specific one)."""
    found = [fmt for fmt in FORMATS if find_section(rows, fmt) is not None]
    return max(found, key=lambda f: len(f.recognise), default=None)


def _export_source(rows: Rows, fmt: ExportFormat) -> Source:
    section = find_section(rows, fmt)
    prepared = fmt.run(section)
    fields = list(prepared.frame.columns)
    return Source(fmt.kind, [prepared.header[f] for f in fields], {f: i for i, f in enumerate(fields)}, rows.word,
                  prepared.warnings, fmt, prepared.skipped, prepared.complete_through, prepared=prepared)


def guess_kind(header: list[str], name: str) -> str:
    """The canonical kind whose required columns a header has (the one matching most columns)."""
    candidates = []
    for kind in KINDS:
        try:
            columns, _ = match_columns(kind, header)
        except FileImportError:
            continue
        candidates.append((len(columns), -KINDS.index(kind), kind))
    if candidates:
        return max(candidates)[2]
    shown = ", ".join(f"“{h}”" for h in header if str(h).strip()) or "none"
    exports = "; ".join(sorted({f.name for f in FORMATS}))
    raise FileImportError(
        f"{name}: cannot tell what this file holds. Its first line names the columns {shown}, which match no "
        f"tool's export this app knows ({exports}) and no kind's columns. Name its kind: "
        f"python cli.py import KIND {name} (KIND is one of {', '.join(KINDS)}), and the message will list the "
        "columns that kind needs.")


def describe_formats() -> list[dict[str, str]]:
    """Every supported export, for the README and the Data sources page."""
    return [{"tool": f.tool, "export": f.name, "kind": f.kind, "download": f.download, "example": f.example,
             "skips": f.skips} for f in FORMATS]


def markdown_table() -> str:
    """The README's table of supported exports (kept equal to the declarations by a test)."""
    rows = ["| tool | export | loads as | where to download it | example | skipped, and why |",
            "|---|---|---|---|---|---|"]
    for f in FORMATS:
        example = f"[`{Path(f.example).name}`]({f.example})" if f.example else ""
        rows.append(f"| {f.tool} | {f.name} | `{f.kind}` | {f.download} | {example} | {f.skips or '—'} |")
    return "\n".join(rows)


__all__ = ["FORMATS", "Source", "describe_formats", "guess_kind", "markdown_table", "normal", "open_source",
           "recognise"]
