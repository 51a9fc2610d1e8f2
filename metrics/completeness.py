"""How complete each source is: the last day it holds data, and what that means for a period.

A source's *complete-through* date is the last day it holds data (for web traffic synced from GA4, the last
day synced, even when that day had no rows). A figure for days after it is unknown, never zero: the engine
leaves those days out (a gap), and a KPI whose sources end before its period does is *partial*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, literal, select, union_all

from connectors.loader import run_kinds
from i18n import _, current_locale
from metrics.catalog import SOURCES
from warehouse import schema


def _memoised(engine: Engine, key: str, read):
    """``read(engine)``, read once per read snapshot (``warehouse.snapshot``): a page's or report's queries all
    see the same state."""
    memo = getattr(engine, "memo", None)
    if memo is None:
        return read(engine)
    if key not in memo:
        memo[key] = read(engine)
    return memo[key]


def _read_spans(engine: Engine) -> dict[str, tuple[date | None, date | None]]:
    parts = []
    for source in SOURCES.values():
        column = schema.metadata.tables[source.table].c[source.date_column]
        parts.append(select(literal(source.name).label("source"), func.min(column).label("first"),
                            func.max(column).label("last")))
    with engine.connect() as conn:
        return {name: (_as_date(first), _as_date(last)) for name, first, last in conn.execute(union_all(*parts))}


def data_spans(engine: Engine) -> dict[str, tuple[date | None, date | None]]:
    """{catalog source name: (the first day, the last day) it holds data; (None, None) when it holds none}."""
    return dict(_memoised(engine, "data_spans", _read_spans))


def first_days(engine: Engine) -> dict[str, date | None]:
    """{catalog source name: the first day it holds data, or None when it holds none}."""
    return {name: first for name, (first, _) in data_spans(engine).items()}


def complete_through(engine: Engine) -> dict[str, date | None]:
    """{catalog source name: the last day it holds data, or None when it holds none}.

    A load may declare that its data is complete through a later day than its last row (its sync-log
    ``cursor``: GA4 records the last day synced, which may have had no rows); the later of the two counts.
    Read once per read snapshot.
    """
    return dict(_memoised(engine, "complete_through", _read_ends))


def _read_ends(engine: Engine) -> dict[str, date | None]:
    runs = schema.sync_runs
    declared = (select(runs.c.source, runs.c.detail, func.max(runs.c.cursor))
                .where(runs.c.status == "success", runs.c.cursor.is_not(None))
                .group_by(runs.c.source, runs.c.detail))
    spans = data_spans(engine)
    with engine.connect() as conn:
        cursors = conn.execute(declared).all()
    by_kind = _declared_by_kind(cursors)
    ends = {}
    for name, source in SOURCES.items():
        last, declared_end = spans.get(name, (None, None))[1], by_kind.get(source.dataset)
        ends[name] = max(last, declared_end) if last and declared_end else last
    return ends


def _declared_by_kind(cursors) -> dict[str, date]:
    """{dataset kind: the latest day a successful load declared its data complete through}."""
    out: dict[str, date] = {}
    for source, detail, cursor in cursors:
        day = _safe_date(cursor)
        for kind in run_kinds(source, detail) if day else ():
            out[kind] = max(out.get(kind, day), day)
    return out


def _safe_date(text) -> date | None:
    try:
        return _as_date(text)
    except ValueError:
        return None


def _as_date(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value if type(value) is date else value.date()


@dataclass(frozen=True)
class Coverage:
    """How much of ``start..end`` a set of sources covers: complete through ``through`` (None = all of it)."""

    start: date
    end: date
    through: date | None
    ended: tuple[tuple[str, date], ...] = ()  # (source label, in English, its last day) for each source ending early

    @property
    def partial(self) -> bool:
        return self.through is not None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def missing_days(self) -> int:
        if self.through is None:
            return 0
        return min(self.days, (self.end - self.through).days)

    def reason(self) -> str | None:
        """e.g. 'ad spend data ends 2026-11-20 (2 of 7 days missing)', in the reader's language; None when complete."""
        if not self.partial:
            return None
        ends = _("; ").join(_("{source} data ends {day}").format(source=_(label), day=day_text(last))
                            for label, last in self.ended)
        return days_missing(ends, self.missing_days, self.days)


def day_text(day: date, english: str = "%Y-%m-%d") -> str:
    """A day in a reason: in English as it has always been written (``english``, a strftime format; the CLI's JSON
    keeps it), in another language as its reader writes dates (:func:`metrics.date_text.format_date`)."""
    if current_locale() == "en":
        return day.strftime(english)
    from metrics.date_text import format_date

    return format_date(day)


def days_missing(what: str, missing: int, days: int) -> str:
    """'<what> (2 of 7 days missing)' in the reader's language and digits."""
    return _("{what} ({missing} of {days} days missing)").format(what=what, missing=count_text(missing),
                                                                 days=count_text(days))


def count_text(n: int) -> str:
    """A count inside a sentence, as :func:`metrics.format.format_value` writes it, in the reader's digits."""
    from metrics.format import format_value

    return format_value(n, "count")


def coverage(source_names, start: date, end: date, ends: dict[str, date | None]) -> Coverage:
    """The coverage of ``start..end`` by the sources ``source_names`` (sources holding no data are left out:
    they are missing, not partial)."""
    early = sorted(((ends[n], SOURCES[n].label) for n in dict.fromkeys(source_names)
                    if ends.get(n) is not None and ends[n] < end), key=lambda x: (x[0], x[1]))
    if not early:
        return Coverage(start, end, None)
    return Coverage(start, end, early[0][0], tuple((label, last) for last, label in early))
