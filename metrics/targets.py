"""Plan targets: validation, storage, CSV import/export, and targets implied for shorter periods.

A target is (KPI id, grain week/month/quarter/year, period start, channel or '' for
all channels, value). A target for a longer period implies one for the periods
inside it when none is set: flows get their share (by last year's daily profile
when there is one, else by days); ratios and stocks carry over unchanged.

Periods may be Gregorian or Jalali (``1405-Q3``). The start says which: Jalali months, quarters and years
begin on the 19th–23rd of a Gregorian month, so a stored target keeps its calendar without a column of its
own (see :func:`metrics.periods.stored_period`), and export writes it back in that calendar. A period looks
for a longer target in its own calendar first, then in the other one (a Jalali quarter's plan implies the
targets of Gregorian weeks too); shares are counted in days, whatever the calendar.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, select

from access import audit
from access.roles import SYSTEM, Actor, require
from connectors.demo_data import clear_before_own_load
from connectors.loader import LoadResult, acquire_load_lock, record_run, upsert
from metrics.catalog import KPI_BY_ID, KPIS
from metrics.engine import Filters, compute
from metrics.periods import (
    CALENDARS,
    Period,
    PeriodError,
    format_period,
    last_year,
    parse_period,
    period_containing,
    stored_period,
)
from metrics.target_text import TargetTextError, format_target, parse_target
from reports.csv_safe import safe_rows, unquote_cell
from warehouse import schema
from warehouse.snapshot import in_snapshot

TARGET_COLUMNS = ["kpi_id", "grain", "period_start", "channel", "value"]
CSV_COLUMNS = ["kpi_id", "grain", "period", "channel", "target"]
TARGET_GRAINS = ("week", "month", "quarter", "year")
LONGER = {"week": ("month", "quarter", "year"), "month": ("quarter", "year"), "quarter": ("year",), "year": ()}
MAX_PROBLEMS = 50


class SavedTargets(tuple):
    """(inserted, updated, unchanged) targets, plus ``demo_removed``: {table: rows} of the demo data removed
    before an own plan was imported (empty when none was)."""

    demo_removed: dict[str, int]

    def __new__(cls, counts: tuple[int, int, int], demo_removed: dict[str, int] | None = None) -> SavedTargets:
        saved = super().__new__(cls, counts)
        saved.demo_removed = demo_removed or {}
        return saved


class TargetError(ValueError):
    """Invalid targets; ``problems`` lists each one with where it is."""

    def __init__(self, problems: list[str], source: str = "targets"):
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = f"\n… and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was saved:\n" + "\n".join(shown) + more)


@dataclass(frozen=True)
class ResolvedTarget:
    """The target that applies to a period, and how it was found."""

    value: float
    method: str  # "set" | "by days" | "by last year's daily profile" | "carried over"
    source: str  # the period label the target was set for, e.g. '2026-Q4'

    @property
    def description(self) -> str:
        if self.method == "set":
            return f"target set for {self.source}"
        return f"{self.method} from the {self.source} target"


def validate_target(kpi_id: str, grain: str, period: str, channel: str, value: object) -> tuple[dict | None, list]:
    """One target row -> (canonical row, problems). Problems name the column and what was expected."""
    problems = []
    kpi = KPI_BY_ID.get(str(kpi_id).strip())
    if kpi is None:
        problems.append(f"kpi_id {kpi_id!r} is not a KPI id (e.g. sell.revenue; see `python cli.py catalog`)")
    grain = str(grain).strip().lower()
    if grain not in TARGET_GRAINS:
        problems.append(f"grain {grain!r} should be one of {', '.join(TARGET_GRAINS)}")
    start = None
    try:
        parsed = parse_period(str(period))
        if grain in TARGET_GRAINS and parsed.grain != grain:
            problems.append(f"period {period!r} is a {parsed.grain}, but grain says {grain}")
        start = parsed.start
    except PeriodError as exc:
        problems.append(f"period: {exc}")
    try:
        number = float(str(value).replace(",", "").strip())
        if number != number:
            raise ValueError
    except ValueError:
        problems.append(f"target {value!r} is not a number")
        number = None
    if kpi and number is not None:
        if kpi.unit == "percent" and not 0 <= number <= 1:
            hint = f" (a percentage given as {number:g} instead of {number / 100:g}?)" if 1 < number <= 100 else ""
            problems.append(f"target {number:g} for {kpi.id} should be a fraction between 0 and 1{hint}")
        elif kpi.unit == "score" and not -100 <= number <= 100:
            problems.append(f"target {number:g} for {kpi.id} should be between -100 and 100")
        elif kpi.unit != "score" and number < 0:
            what = "a budget" if kpi.id == "save.marketing_cost" else "a target"
            problems.append(f"target {number:g} for {kpi.id} is negative; {what} cannot be below 0")
    if problems:
        return None, problems
    channel = unquote_cell(str(channel or "").strip())  # a channel as our export wrote it: '=x -> =x
    return {"kpi_id": kpi.id, "grain": grain, "period_start": start, "channel": channel, "value": number}, []


def validate_frame(frame: pd.DataFrame, source: str = "targets", first_line: int = 2) -> pd.DataFrame:
    """Validate rows with CSV_COLUMNS; raise TargetError listing every problem with its line."""
    missing = [c for c in CSV_COLUMNS if c not in frame.columns and c != "channel"]
    if missing:
        raise TargetError([f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}"],
                          source)
    rows, problems = [], []
    for offset, row in enumerate(frame.fillna("").itertuples(index=False)):
        record = row._asdict()
        canonical, found = validate_target(record["kpi_id"], record["grain"], record["period"],
                                           record.get("channel", ""), record["target"])
        problems += [f"line {first_line + offset}: {p}" for p in found]
        if canonical:
            rows.append(canonical)
    keys = pd.DataFrame(rows, columns=TARGET_COLUMNS).duplicated(["kpi_id", "grain", "period_start", "channel"])
    problems += [f"line {first_line + i}: the same KPI, period and channel appear twice" for i in keys[keys].index]
    if problems:
        raise TargetError(problems, source)
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def save_targets(engine: Engine, frame: pd.DataFrame, replace_period: tuple[str, date, str] | None = None,
                 own_plan: str | None = None, *, actor: Actor) -> SavedTargets:
    """Upsert targets (columns TARGET_COLUMNS) in one transaction.

    ``replace_period`` = (grain, period_start, channel): rows of that period not in ``frame`` are deleted
    (the Targets page saves a whole period's grid this way).
    ``own_plan`` (where the plan comes from, e.g. a file name): an imported plan is the owner's own data. It
    is logged in the sync log, and the demo is removed first when this is the owner's first own data.
    """
    require(actor, "targets")
    now = datetime.now()
    records = [
        {"kpi_id": r.kpi_id, "grain": r.grain, "period_start": r.period_start, "channel": r.channel or "",
         "value": float(r.value), "updated_at": now}
        for r in frame.itertuples(index=False)
    ]
    with engine.begin() as conn:
        acquire_load_lock(conn, "targets")
        removed = clear_before_own_load(conn, "targets") if own_plan and records else {}
        starts = {r["period_start"] for r in records}
        if replace_period:
            starts.add(replace_period[1])
        stored = _stored_values(conn, starts)
        keys = {(r["kpi_id"], r["grain"], r["period_start"], r["channel"]) for r in records}
        before = {k: v for k, v in stored.items() if k in keys}
        deleted = 0
        if replace_period:
            grain, start, channel = replace_period
            t = schema.targets
            keep = [r["kpi_id"] for r in records]
            before.update({k: v for k, v in stored.items()
                           if k[1:] == (grain, start, channel) and k[0] not in keep})
            deleted = conn.execute(delete(t).where(t.c.grain == grain, t.c.period_start == start,
                                                   t.c.channel == channel, t.c.kpi_id.not_in(keep))).rowcount
        inserted = updated = unchanged = 0
        if records:
            inserted, updated, unchanged, _, _ = upsert(
                conn, schema.targets, records, ("kpi_id", "grain", "period_start", "channel"),
                compare_skip=("updated_at",), always_set=("updated_at",),
            )
        if own_plan:
            record_run(conn, source="targets", started_at=now, status="success",
                       result=LoadResult("targets", inserted, updated, unchanged),
                       detail=f"targets: {own_plan}, {unchanged} unchanged")
        _audit_saved(conn, actor, before, records, removed, own_plan, (inserted, updated, deleted))
    return SavedTargets((inserted, updated, unchanged), removed)


def _stored_values(conn, starts: set[date]) -> dict[tuple, float]:
    """{(kpi_id, grain, period_start, channel): value} of the stored targets starting on one of ``starts``."""
    t = schema.targets
    if not starts:
        return {}
    rows = conn.execute(select(t.c.kpi_id, t.c.grain, t.c.period_start, t.c.channel, t.c.value)
                        .where(t.c.period_start.in_(sorted(starts)))).all()
    return {(r.kpi_id, r.grain, r.period_start, r.channel): float(r.value) for r in rows}


def _target_key(key: tuple) -> str:
    kpi_id, grain, start, channel = key
    return audit.target_key(kpi_id, grain, format_period(stored_period(start, grain)), channel)


def _audit_saved(conn, actor: Actor, before: dict[tuple, float], records: list[dict], removed: dict[str, int],
                 own_plan: str | None, counts: tuple[int, int, int]) -> None:
    """Audit a save: the demo removed first (if it was), then one row per target created, changed or cleared
    (the product's own plan, saved by SYSTEM, in one summary row)."""
    audit.record_demo_cleared(conn, actor, removed, f"the plan {own_plan}")
    after = {(r["kpi_id"], r["grain"], r["period_start"], r["channel"]): r["value"] for r in records}
    if actor == SYSTEM:
        inserted, updated, deleted = counts
        if inserted or updated or deleted:
            audit.record(conn, actor, "targets", "demo plan",
                         after={"inserted": inserted, "updated": updated, "deleted": deleted},
                         detail="the demo's own targets")
        return
    detail = f"imported from {own_plan}" if own_plan else None
    for key in sorted(set(before) | set(after), key=_sort_key):
        old, new = before.get(key), after.get(key)
        if old != new:
            audit.record(conn, actor, "targets", _target_key(key), before=old, after=new, detail=detail)


def _sort_key(key: tuple) -> tuple:
    kpi_id, grain, start, channel = key
    return start, grain, channel, kpi_id


def load_targets(engine: Engine) -> pd.DataFrame:
    """All stored targets (TARGET_COLUMNS)."""
    with engine.connect() as conn:
        rows = conn.execute(select(*[schema.targets.c[c] for c in TARGET_COLUMNS])).mappings().all()
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def import_csv(engine: Engine, path: str | Path, *, actor: Actor) -> SavedTargets:
    """Import a targets CSV (CSV_COLUMNS, UTF-8 with or without BOM): all rows or none."""
    require(actor, "targets")
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise TargetError([f"cannot read the file: {exc}"], str(path)) from exc
    return import_frame(engine, frame, str(path), actor=actor)


@in_snapshot
def export_rows(engine: Engine, period: Period | None = None) -> list[dict]:
    """Stored targets as CSV rows, optionally only those whose period overlaps ``period``."""
    rows = []
    for r in load_targets(engine).sort_values(["period_start", "grain", "channel", "kpi_id"]).itertuples():
        target_period = stored_period(r.period_start, r.grain)
        if period and (target_period.end < period.start or target_period.start > period.end):
            continue
        rows.append({"kpi_id": r.kpi_id, "grain": r.grain, "period": format_period(target_period),
                     "channel": r.channel, "target": csv_number(r.value)})
    return rows


def csv_number(value: float) -> str:
    """A target as the CSV writes it: every digit, no exponent (1505001 -> '1505001', not '1.505e+06'; 0.025)."""
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def export_csv(engine: Engine, period: Period | None = None) -> str:
    """Stored targets as CSV text (CSV_COLUMNS), text cells neutralised (see reports.csv_safe)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(safe_rows(export_rows(engine, period)))
    return out.getvalue()


def _daily_profile(engine: Engine, kpi_id: str, long: Period, channel: str) -> pd.Series | None:
    """Last year's daily values over ``long`` shifted to this year's dates, when complete and positive."""
    ly = last_year(long)
    frame = compute(engine, [kpi_id], ly.start, ly.end, "day", Filters(channel or None))
    values = frame.set_index("period_start")["value"]
    if values.isna().any() or values.sum() <= 0:
        return None
    shift = long.start - ly.start
    values.index = [d + shift for d in values.index]
    return values.reindex(pd.date_range(long.start, long.end).date, fill_value=0.0)


def share_of(engine: Engine, kpi_id: str, long: Period, days: Period, channel: str = "",
             profile_cache: dict | None = None) -> tuple[float, str]:
    """The share of ``long`` that ``days`` (inside it) carries, and the method used."""
    key = (kpi_id, long, channel)
    cache = profile_cache if profile_cache is not None else {}
    if key not in cache:
        cache[key] = _daily_profile(engine, kpi_id, long, channel)
    profile = cache[key]
    start, end = max(days.start, long.start), min(days.end, long.end)
    if end < start:
        return 0.0, "by days"
    if profile is not None:
        inside = profile[(profile.index >= start) & (profile.index <= end)].sum()
        return float(inside / profile.sum()), "by last year's daily profile"
    return ((end - start).days + 1) / long.days, "by days"


def resolve_target(engine: Engine, kpi_id: str, period: Period, channel: str = "",
                   targets: pd.DataFrame | None = None, profile_cache: dict | None = None) -> ResolvedTarget | None:
    """The target for ``period``: set for it, or implied by a longer period's target (see module doc)."""
    kpi = KPI_BY_ID[kpi_id]
    targets = load_targets(engine) if targets is None else targets
    mine = targets[(targets.kpi_id == kpi_id) & (targets.channel == (channel or ""))]
    grain = period.grain if period.grain in TARGET_GRAINS else None
    if grain:
        exact = mine[(mine.grain == grain) & (mine.period_start == period.start)]
        if not exact.empty:
            return ResolvedTarget(float(exact["value"].iloc[0]), "set", period.label)
    others = [c for c in CALENDARS if c != period.calendar]
    for longer in (LONGER[grain] if grain else ("week", "month", "quarter", "year")):
        if longer == grain:
            continue
        for calendar in (period.calendar, *others):
            resolved = _implied(engine, kpi, mine, period, longer, calendar, channel, profile_cache)
            if resolved:
                return resolved
    return None


def _implied(engine: Engine, kpi, mine: pd.DataFrame, period: Period, longer: str, calendar: str, channel: str,
             profile_cache: dict | None) -> ResolvedTarget | None:
    """The target ``period`` gets from the ``longer`` period of ``calendar`` holding its start, if one is set."""
    covering = period_containing(period.start, longer, calendar)
    found = mine[(mine.grain == longer) & (mine.period_start == covering.start)]
    if found.empty:
        return None
    value = float(found["value"].iloc[0])
    if kpi.kind != "flow":
        return ResolvedTarget(value, "carried over", covering.label)
    if covering.end < period.end:  # the period spills into the next one: add that one's share too
        nxt = period_containing(covering.end + timedelta(days=1), longer, calendar)
        more = mine[(mine.grain == longer) & (mine.period_start == nxt.start)]
        if more.empty:
            return None
        share_a, method = share_of(engine, kpi.id, covering, period, channel, profile_cache)
        share_b, _ = share_of(engine, kpi.id, nxt, period, channel, profile_cache)
        return ResolvedTarget(value * share_a + float(more["value"].iloc[0]) * share_b, method,
                              f"{covering.label} and {nxt.label}")
    share, method = share_of(engine, kpi.id, covering, period, channel, profile_cache)
    return ResolvedTarget(value * share, method, covering.label)


def demo_targets(engine: Engine, as_of: date) -> pd.DataFrame:
    """The demo plan for the current quarter: last year's same quarter, improved by a sensible step."""
    quarter = period_containing(as_of - timedelta(days=1), "quarter")
    base = last_year(quarter)
    values = compute(engine, [k.id for k in KPIS], base.start, base.end).set_index("kpi_id")["value"]
    rows = []
    for kpi in KPIS:
        value = values.get(kpi.id)
        if value is None or pd.isna(value):
            continue
        if kpi.kind == "flow":
            factor = 1.25 if kpi.better == "higher" else 1.05  # an ambitious plan: grow 25 % on a budget +5 %
        else:
            factor = 1.05 if kpi.better == "higher" else 0.93
        target = value * factor
        if kpi.unit == "percent":
            target = min(target, 0.99)
        rows.append((kpi.id, "quarter", quarter.start, "", round(target, 4)))
    rows = _coherent_revenue_mix(rows)
    # Paid channels get their own ROAS and CPA targets: a blended (all channels) ROAS counts revenue that no ad
    # paid for, so it says nothing about one channel's or one campaign's return.
    by_channel = compute(engine, ["save.roas", "save.cpa"], base.start, base.end, breakdown="channel")
    for row in by_channel.dropna(subset=["value"]).itertuples():
        factor = 1.05 if row.kpi_id == "save.roas" else 0.93
        rows.append((row.kpi_id, "quarter", quarter.start, row.channel, round(row.value * factor, 4)))
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def _coherent_revenue_mix(rows: list[tuple]) -> list[tuple]:
    """The plan's revenue from new customers is what its revenue target leaves once its returning share is met
    (revenue x (1 - returning share)), so new and returning revenue add up to the revenue planned."""
    values = {row[0]: row[4] for row in rows}
    revenue, share = values.get("sell.revenue"), values.get("serve.returning_revenue_share")
    if revenue is None or share is None or "sell.new_customer_revenue" not in values:
        return rows
    new = round(revenue * (1 - share), 4)
    return [(*row[:4], new) if row[0] == "sell.new_customer_revenue" else row for row in rows]


class TargetConflict(RuntimeError):
    """Someone else changed the same targets since they were loaded; nothing was saved."""


@in_snapshot
def period_targets(engine: Engine, period: Period, channel: str = "") -> pd.DataFrame:
    """One row per KPI for the Targets grid: the target set for ``period`` (or empty) and the one implied."""
    stored = load_targets(engine)
    mine = stored[(stored.grain == period.grain) & (stored.period_start == period.start)
                  & (stored.channel == (channel or ""))].set_index("kpi_id")["value"]
    others = stored.drop(stored[(stored.grain == period.grain) & (stored.period_start == period.start)].index)
    cache: dict = {}
    rows = []
    for kpi in KPIS:
        implied = resolve_target(engine, kpi.id, period, channel, others, cache)
        rows.append({"kpi_id": kpi.id, "s": kpi.s, "kpi": kpi.label, "unit": kpi.unit,
                     "target": float(mine[kpi.id]) if kpi.id in mine else None,
                     "implied": implied.value if implied else None,
                     "implied_how": implied.description if implied else ""})
    return pd.DataFrame(rows)


def grid_edits(grid: pd.DataFrame, edited: pd.DataFrame, column: str = "target"
               ) -> tuple[list[tuple[str, float | None, float | None]], list[str]]:
    """The Targets grid's changes [(kpi_id, value when loaded, new value or None)] and, for a cell that is not a
    value of its KPI's unit, a problem naming its row and ``column`` and what was expected ("Revenue: target
    'abc' is not an amount such as $1,505,000"). ``grid`` is :func:`period_targets`; ``edited`` the editor's
    frame (kpi_id, target) in the same row order, its cells text as :func:`format_target` shows them ('2.64%',
    '$1,505,000') or numbers in the stored unit. A cell still showing its loaded text is unchanged."""
    edits, problems = [], []
    for kpi_id, old, unit, new in zip(edited["kpi_id"], grid["target"], grid["unit"], edited["target"]):
        before = None if pd.isna(old) else float(old)
        if isinstance(new, str) and new.strip() == format_target(before, unit):
            continue  # shown rounded to 4 decimals: the text as loaded is the value as loaded
        try:
            after = parse_target(None if not isinstance(new, str) and pd.isna(new) else new, unit)
        except TargetTextError as exc:
            problems.append(f"{KPI_BY_ID[kpi_id].label}: {column} {exc}")
            continue
        if before != after:
            edits.append((kpi_id, before, after))
    return edits, problems


def save_period_targets(engine: Engine, period: Period, channel: str, edits: list[tuple[str, float | None,
                        float | None]], *, actor: Actor) -> int:
    """Apply grid edits [(kpi_id, value when loaded, new value or None to clear)] in one transaction.

    Optimistic: if any edited target changed since it was loaded, nothing is saved (TargetConflict).
    Invalid values raise TargetError naming the KPI. Returns the number of targets changed.
    """
    require(actor, "targets")
    problems, rows, clear = [], [], []
    for kpi_id, _, new in edits:
        if new is None:
            clear.append(kpi_id)
            continue
        row, found = validate_target(kpi_id, period.grain, period.label, channel, new)
        problems += [f"{KPI_BY_ID[kpi_id].label}: {p}" for p in found]
        if row:
            rows.append(row)
    if problems:
        raise TargetError(problems, f"targets for {period.label}")
    t = schema.targets
    now = datetime.now()
    with engine.begin() as conn:
        acquire_load_lock(conn, "targets")
        current = dict(conn.execute(select(t.c.kpi_id, t.c.value).where(
            t.c.grain == period.grain, t.c.period_start == period.start, t.c.channel == (channel or ""))).all())
        stale = [KPI_BY_ID[k].label for k, old, _ in edits if current.get(k) != old]
        if stale:
            raise TargetConflict(f"Someone else changed the target of {', '.join(stale)} for {period.label} since "
                                 "you opened it; nothing was saved. Reload to see their values.")
        if clear:
            conn.execute(delete(t).where(t.c.grain == period.grain, t.c.period_start == period.start,
                                         t.c.channel == (channel or ""), t.c.kpi_id.in_(clear)))
        if rows:
            upsert(conn, t, [{**r, "updated_at": now} for r in rows], ("kpi_id", "grain", "period_start", "channel"),
                   compare_skip=("updated_at",), always_set=("updated_at",))
        for kpi_id, _, new in edits:
            if current.get(kpi_id) != new:
                audit.record(conn, actor, "targets", audit.target_key(kpi_id, period.grain, period.label, channel),
                             before=current.get(kpi_id), after=None if new is None else float(new))
    return len(edits)


def import_frame(engine: Engine, frame: pd.DataFrame, source: str, *, actor: Actor) -> SavedTargets:
    """Import targets from a frame of CSV_COLUMNS text (e.g. an uploaded file): all rows or none.

    An imported plan is the owner's own data: into a warehouse holding the demo it removes the demo first."""
    require(actor, "targets")
    frame = frame.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return save_targets(engine, validate_frame(frame, source), own_plan=Path(source).name, actor=actor)
