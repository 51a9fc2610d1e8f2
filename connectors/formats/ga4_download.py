"""Google Analytics 4: a report downloaded as CSV (Share this report → Download File → Download CSV), by Date.

The download starts with ``#`` comment lines (report name, account, property, ``Start date: 20261109``,
``End date: 20261115``; an exploration writes ``# 20261109-20261115``) and may hold several tables (the chart's
data, then the report's table). The table read is the first whose header has a session channel group, ``Date``
and ``Sessions``. ``Date`` is YYYYMMDD; rows come in any order (GA4 sorts by the first metric).

Only sums are read: rates and ratios (``Engagement rate``, ``Events per session`` …) are ignored, except an average
whose base is in the table, stored as its sum (``Average engagement time per session`` × ``Sessions`` = engagement
seconds). A metric the table lacks stays unknown (NULL, never 0); a dimension it lacks is ``(not set)``. A ``Grand
total`` row (explorations) is skipped. A download without Date holds totals over its range: it is refused.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from connectors.datasets import NO_CAMPAIGN
from connectors.formats.base import ExportFormat, Prepared, Section, blank_dashes, mapped, problem, refuse
from connectors.tabular import FileImportError
from connectors.values import parse_number

CHANNEL = ("Session default channel group", "Session primary channel group (Default Channel Group)",
           "Session primary channel group")

# field -> (average, its base) pairs, in preference order: the field is their product when the table lacks it.
AVERAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "engagement_seconds": (("Average engagement time per session", "Sessions"),
                           ("Average engagement time per active user", "Active users"),
                           ("Average engagement time", "Active users")),
    "page_views": (("Views per session", "Sessions"),),
}
WHOLE = {"page_views"}

_END = re.compile(r"#\s*End date\s*:\s*(\d{8})\s*$", re.IGNORECASE)
_RANGE = re.compile(r"#\s*\d{8}\s*-\s*(\d{8})\s*$")


def _prepare(section: Section, fmt: ExportFormat) -> Prepared:
    totals = _total_rows(section)
    prepared = mapped(section, fmt, keep=~totals)
    kept = np.flatnonzero(~totals)
    for name, pairs in AVERAGES.items():
        if name in prepared.frame:
            continue
        for average, base in pairs:
            at, base_at = section.position((average,)), section.position((base,))
            if at is not None and base_at is not None:
                prepared.frame[name] = _sums(section, fmt, kept, at, base_at, name in WHOLE)
                prepared.header[name] = f"{section.header[at]} × {section.header[base_at]}"
                break
    for name in ("source_medium", "campaign"):  # a dimension the report lacks: one value, as the loader says
        if name not in prepared.frame:
            prepared.frame[name] = NO_CAMPAIGN
            prepared.header[name] = f"({fmt.tool})"
    _refuse_repeats(section, fmt, prepared, kept)
    if totals.any():
        prepared.skipped = {"grand total row" if totals.sum() == 1 else "grand total rows": int(totals.sum())}
    prepared.complete_through = end_date(section.preamble)
    return prepared


def _refuse_repeats(section: Section, fmt: ExportFormat, prepared: Prepared, kept: np.ndarray) -> None:
    """Refuse a table with a dimension this app does not read (Device category, Country …): it repeats a day's
    channel, and its rows are parts of one row of the warehouse."""
    names = ("date", "channel", "source_medium", "campaign")
    key = prepared.frame[list(names)].astype(str).agg("\x1f".join, axis=1)
    repeated = key.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    first = pd.Series(prepared.lines).groupby(key.to_numpy()).transform("first").to_numpy()
    read = " + ".join(prepared.header[n] for n in names if not prepared.header[n].startswith("("))
    channel_at = section.position(CHANNEL)
    raise refuse(section, fmt, [
        problem(section, int(kept[i]), channel_at,
                f"one row per {read} (line {first[i]} has the same): the table has another dimension, which is "
                "not read; remove it from the table and download the report again")
        for i in np.flatnonzero(repeated)])


def _total_rows(section: Section) -> np.ndarray:
    """Rows summing the table (an exploration's ``Grand total``): first cell so named, or no date and no channel."""
    first = section.rows[0].str.strip().str.lower() == "grand total"
    dates, channels = section.column("Date"), section.column(CHANNEL)
    empty = (dates == "") & (channels == "")
    return (first | empty).to_numpy()


def _sums(section: Section, fmt: ExportFormat, kept: np.ndarray, at: int, base_at: int, whole: bool) -> np.ndarray:
    """Average × base per kept row, as text ("" where either is empty); refuses a cell that is not a number."""
    rows = section.rows.iloc[kept]
    averages, bad_average = parse_number(blank_dashes(rows[at].str.strip()))
    bases, bad_base = parse_number(blank_dashes(rows[base_at].str.strip()))
    problems = [problem(section, int(kept[i]), at, "a number such as 53.5 (an average, e.g. seconds per session)")
                for i in np.flatnonzero(bad_average.to_numpy())]
    problems += [problem(section, int(kept[i]), base_at, "a whole number such as 1234")
                 for i in np.flatnonzero(bad_base.to_numpy())]
    if problems:
        raise refuse(section, fmt, sorted(problems, key=lambda p: p.line))
    products = (averages * bases).to_numpy()
    return np.array(["" if np.isnan(v) else str(int(round(v))) if whole else _decimal(v) for v in products],
                    dtype=object)


def _decimal(value: float) -> str:
    """A sum as text, without the float noise of a product (53.3 × 3 = 159.89999999999998 -> 159.9)."""
    return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")


def end_date(preamble: list[str]) -> date | None:
    """The report's last day from its ``#`` lines (``# End date: 20261115`` or ``# 20261109-20261115``), or None."""
    for line in preamble:
        text = line.strip().strip('"').rstrip(",")
        found = _END.match(text) or _RANGE.match(text)
        if found:
            try:
                return datetime.strptime(found.group(1), "%Y%m%d").date()
            except ValueError:
                return None
    return None


def _refuse_without_date(section: Section, fmt: ExportFormat) -> Prepared:
    raise FileImportError(
        f"{section.file} is a GA4 report download without the Date dimension: its rows are totals over the "
        "report's date range, which cannot be loaded per day. In GA4, add Date to the table (the “+” next to the "
        "first column's name → Time → Date; in an exploration, add the dimension Date to the rows), download the "
        "report again and import that file.")


COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("Date",),
    "channel": CHANNEL,
    "source_medium": ("Session source / medium",),
    "campaign": ("Session campaign", "Session campaign name"),
    "sessions": ("Sessions",),
    "engaged_sessions": ("Engaged sessions",),
    "new_users": ("New users",),
    "page_views": ("Views",),
    "engagement_seconds": ("User engagement", "User engagement duration"),
    "key_events": ("Key events", "Conversions"),
    "purchases": ("Ecommerce purchases",),
    "purchase_revenue": ("Purchase revenue", "Total revenue"),
    "add_to_carts": ("Add to carts",),  # GA4's add_to_cart events (Ecommerce metrics), the funnel's desire step
    "checkouts": ("Checkouts",),  # GA4's begin_checkout events
}

REPORT = ExportFormat(
    name="GA4 report download",
    tool="Google Analytics 4",
    kind="web",
    recognise=(CHANNEL, "Date", "Sessions"),
    columns=COLUMNS,
    prepare=_prepare,
    noun="channel days",
    download="Reports → Acquisition → Traffic acquisition: add Date to the table (the “+” next to the first "
             "column's name → Time → Date), then Share this report → Download File → Download CSV (an exploration "
             "with Date and a session channel group works too); columns Date, the channel group, Session source / "
             "medium, Session campaign, Sessions, Engaged sessions, New users, Views, User engagement (or Average "
             "engagement time per session), Key events, Ecommerce purchases, Purchase revenue or Total revenue, "
             "and for the funnel Add to carts and Checkouts (add them with Customize report → Metrics; others are "
             "ignored).",
    example="examples/exports/ga4_traffic_acquisition.csv",
    skips="The `#` comment lines and the other tables of the download (the chart's data); rates and ratios "
          "(Engagement rate, Events per session, …), which the dashboard recomputes from the sums; a `Grand total` "
          "row (sums of the rows).",
)

# The same report without Date: recognised only to say what to do (when no table of the file has Date).
WITHOUT_DATE = ExportFormat(
    name="GA4 report download without Date",
    tool="Google Analytics 4",
    kind="web",
    recognise=(CHANNEL, "Sessions"),
    columns={name: names for name, names in COLUMNS.items() if name != "date"},  # its own message, not require's
    prepare=_refuse_without_date,
    noun="channel days",
    download="Not loaded: add Date to the table (see above) and download the report again.",
    example="examples/exports/variants/ga4_traffic_acquisition_without_date.csv",
    skips="Everything: without Date its rows are totals over the date range, which cannot be split per day.",
)

FORMATS = [REPORT, WITHOUT_DATE]

__all__ = ["FORMATS", "REPORT", "WITHOUT_DATE", "end_date"]
