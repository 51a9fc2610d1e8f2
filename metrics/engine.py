"""The KPI engine: any KPI, any date range, any grain, filtered and broken down.

Aggregation is pushed into SQL (one grouped query per source, daily rows at the
most); pandas only rolls days up into periods and evaluates the formulas.
Ratios are therefore ratios of sums over the period, never averages of ratios.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal, select

from i18n import LOCALES, N_, _, translations
from metrics import formula as formulas
from metrics.catalog import (
    KPI_BY_ID,
    MEASURES,
    SOURCES,
    Measure,
    Source,
    dimension_name,
    get_kpi,
    measure_label,
    source_label,
)
from metrics.completeness import complete_through, coverage
from metrics.format import format_days
from metrics.periods import Period, bucket_starts, period_containing
from warehouse import schema

DIMENSIONS = ("channel", "campaign", "source_medium")
# A reason saying a measure is unknown, in any language: see split_unknown().
UNKNOWN_REASON = N_("{measure} unknown: {cause}")
NOT_SET = "(not set)"  # breakdown member for rows without a channel (e.g. feedback not tied to a channel)


@dataclass(frozen=True)
class Filters:
    """Restrict every source to one channel and/or one campaign."""

    channel: str | None = None
    campaign: str | None = None

    def describe(self) -> str:
        """'channel Email and campaign spring' in the reader's language ('' when unfiltered)."""
        if self.channel and self.campaign:
            return _("channel {channel} and campaign {campaign}").format(channel=self.channel,
                                                                         campaign=self.campaign)
        if self.channel:
            return _("channel {channel}").format(channel=self.channel)
        if self.campaign:
            return _("campaign {campaign}").format(campaign=self.campaign)
        return ""


def _table(source: Source):
    return schema.metadata.tables[source.table]


def _condition(table, measure: Measure):
    conds = []
    for column, rule in measure.where:
        col = table.c[column]
        if isinstance(rule, tuple) and len(rule) == 2 and rule[0] in (">=", "<="):
            conds.append(col >= rule[1] if rule[0] == ">=" else col <= rule[1])
        elif isinstance(rule, tuple):
            conds.append(col.in_(rule))
        else:
            conds.append(col == rule)
    return and_(*conds) if conds else None


def _scope_problem(source: Source, filters: Filters, breakdown: str | None) -> str | None:
    """Why a source has no rows in this scope by construction, or None."""
    label = source_label(source)
    if filters.channel:
        if source.fixed_channel and source.fixed_channel != filters.channel:
            return _("no {source} data for channel {channel}").format(source=label, channel=filters.channel)
        if not source.supports("channel"):
            return _("{source} has no channel, so it cannot be filtered by channel").format(source=label)
    if filters.campaign and not source.supports("campaign"):
        return _("{source} has no campaign, so it cannot be filtered by campaign").format(source=label)
    if breakdown and not source.supports(breakdown):
        return _("{source} cannot be broken down by {dimension}").format(source=label,
                                                                         dimension=dimension_name(breakdown))
    return None


def _dimension_column(table, source: Source, breakdown: str):
    if breakdown == "channel" and source.fixed_channel:
        return literal(source.fixed_channel).label("channel")
    return func.coalesce(table.c[getattr(source, breakdown)], NOT_SET).label(breakdown)


def _source_frame(
    engine: Engine, source: Source, measures: list[Measure], start: date, end: date,
    filters: Filters, breakdown: str | None,
) -> list[pd.DataFrame]:
    """Daily aggregates of one source: the sums frame, then one frame per other measure."""
    table = _table(source)
    date_col = table.c[source.date_column]
    keys = [date_col.label("date")]
    if breakdown:
        keys.append(_dimension_column(table, source, breakdown))
    where = [date_col >= start, date_col <= end]
    if filters.channel and source.channel:
        where.append(table.c[source.channel] == filters.channel)
    if filters.campaign:
        where.append(table.c[source.campaign] == filters.campaign)

    sums = [m for m in measures if m.agg == "sum"]
    frames = []
    columns = [func.count().label("_rows")]
    for m in sums:
        value = table.c[m.column] if m.column else literal(1)
        cond = _condition(table, m)
        columns.append(func.sum(case((cond, value), else_=0) if cond is not None else value).label(m.name))
        if m.column and table.c[m.column].nullable:  # rows that do not know this measure (count(col) < count(*))
            unknown = table.c[m.column].is_(None)
            unknown = and_(cond, unknown) if cond is not None else unknown
            columns.append(func.count(case((unknown, 1))).label(_unknown_column(m)))
    query = select(*keys, *columns).where(*where).group_by(*keys)
    with engine.connect() as conn:
        base = pd.DataFrame(conn.execute(query).mappings().all())
        for column in base.columns[len(keys):]:  # a sum of only NULLs is None: numbers, never objects
            base[column] = pd.to_numeric(base[column], errors="coerce")
        frames.append(base)
        for m in (m for m in measures if m.agg != "sum"):
            if m.agg == "last":
                stock_keys = [*keys, table.c[m.stock_key].label("_stock_key")]
                q = select(*stock_keys, func.sum(table.c[m.column]).label(m.name)).where(*where).group_by(*stock_keys)
            else:
                q = select(*keys, table.c[m.column].label(m.name)).where(*where, table.c[m.column].is_not(None))
            frames.append(pd.DataFrame(conn.execute(q).mappings().all()))
    return frames


def _unknown_column(measure: Measure) -> str:
    return f"_unknown_{measure.name}"


def unknown_reason(measure: Measure, days: list[date]) -> str:
    """Why a measure is unknown, naming the days whose rows lack it, e.g. 'New users unknown: the web traffic data
    for 2–8 Nov 2026 has no new users (the file that loaded it had no new users column)'."""
    label = measure_label(measure)
    source = source_label(SOURCES[measure.source])
    if days:
        cause = _("the {source} data for {days} has no {measure} (the file that loaded it had no {measure} column)"
                  ).format(source=source, days=format_days(days), measure=label)
    else:
        cause = _("the {source} data has no {measure} (the file that loaded it had no {measure} column)").format(
            source=source, measure=label)
    return _(UNKNOWN_REASON).format(measure=label[:1].upper() + label[1:], cause=cause)


@cache
def _unknown_patterns() -> tuple[re.Pattern, ...]:
    """:data:`UNKNOWN_REASON` as a pattern in every language (a reason may come from a cache or another run)."""
    patterns = {}
    for code in LOCALES:
        template = translations(code).gettext(UNKNOWN_REASON)
        parts = re.split(r"(\{measure\}|\{cause\})", template)
        regex = "".join("(?P<measure>.+?)" if p == "{measure}" else "(?P<cause>.+)" if p == "{cause}"
                        else re.escape(p) for p in parts)
        patterns[template] = re.compile(regex, re.DOTALL)
    return tuple(patterns.values())


def split_unknown(reason: object) -> tuple[str, str] | None:
    """(measure, cause) of a reason saying a measure is unknown, in whichever language it was written; else None."""
    if not isinstance(reason, str):
        return None
    for pattern in _unknown_patterns():
        found = pattern.search(reason)  # anywhere, as in a reason another one was appended to
        if found:
            return found["measure"], found["cause"]
    return None


def is_unknown(reason: object) -> bool:
    """True when ``reason`` says a measure is unknown (rows lack it), as opposed to there being no rows at all."""
    return split_unknown(reason) is not None


def _unknown_days(frame: pd.DataFrame, column: str, grain: str, period_start: date,
                  breakdown: str | None) -> dict:
    """{row key ([period_start] or (period_start, member)): the sorted days whose rows lack the measure}."""
    rows = frame[frame[column].fillna(0) > 0] if column in frame else frame.iloc[0:0]
    if rows.empty:
        return {}
    days = pd.to_datetime(rows["date"]).dt.date
    rows = rows.assign(_day=days, period_start=period_start if grain == "custom" else bucket_starts(days, grain))
    keys = ["period_start", *([breakdown] if breakdown else [])]
    return {(key if breakdown else key[0]): sorted(set(group["_day"])) for key, group in rows.groupby(keys)}


def _roll_up(frames: list[pd.DataFrame], measures: list[Measure], grain: str, period_start: date,
             breakdown: str | None) -> pd.DataFrame:
    """Roll daily frames up to periods: sums add, stocks take the last day, medians recompute."""
    keys = ["period_start", *([breakdown] if breakdown else [])]

    def bucket(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame["period_start"] = period_start if grain == "custom" else bucket_starts(frame["date"], grain)
        return frame

    parts = []
    base = frames[0]
    sum_cols = ["_rows", *[m.name for m in measures if m.agg == "sum"],
                *[c for c in base.columns if str(c).startswith("_unknown_")]]
    if not base.empty:
        parts.append(bucket(base).groupby(keys)[sum_cols].sum())
    for m, frame in zip([m for m in measures if m.agg != "sum"], frames[1:]):
        if frame.empty:
            continue
        frame = bucket(frame)
        if m.agg == "last":
            latest = frame.sort_values("date").groupby([*keys, "_stock_key"])[[m.name]].last()
            parts.append(latest.groupby(level=keys).sum())
        else:
            parts.append(frame.groupby(keys)[[m.name]].median())
    if not parts:
        return pd.DataFrame(columns=keys + sum_cols).set_index(keys)
    return pd.concat(parts, axis=1)


def _period_starts(start: date, end: date, grain: str) -> list[date]:
    if grain == "custom":
        return [start]
    return sorted(set(bucket_starts(pd.Series(pd.date_range(start, end, freq="D")), grain)))


def compute(
    engine: Engine,
    kpi_ids: list[str] | tuple[str, ...],
    start: date,
    end: date,
    grain: str = "custom",
    filters: Filters = Filters(),
    breakdown: str | None = None,
    ends: dict[str, date | None] | None = None,
) -> pd.DataFrame:
    """Compute KPIs over ``start..end`` at ``grain`` ('custom' = the whole range as one period).

    Returns a long frame: period_start, [breakdown], kpi_id, value, reason, complete_through.
    Every period in range appears for every KPI (null with a reason when unknown). Days after a source's
    last day of data (``ends``: see :mod:`metrics.completeness`; read from the warehouse when not given)
    are left out of every KPI that reads it: a period they fall in is partial (``complete_through`` is its
    last covered day and ``reason`` says what is missing), a period wholly after it is null, never zero.
    """
    expressions = {k: get_kpi(k).formula for k in kpi_ids}
    return compute_expressions(engine, expressions, start, end, grain, filters, breakdown, ends)


def _bucket_end(period_start: date, grain: str, end: date) -> date:
    return end if grain == "custom" else min(end, period_containing(period_start, grain).end)


def _clipped(frames: list[pd.DataFrame], through: date | None) -> list[pd.DataFrame]:
    if through is None:
        return frames
    return [f[f["date"] <= through] if not f.empty else f for f in frames]


def compute_expressions(
    engine: Engine,
    expressions: dict[str, str],
    start: date,
    end: date,
    grain: str = "custom",
    filters: Filters = Filters(),
    breakdown: str | None = None,
    ends: dict[str, date | None] | None = None,
) -> pd.DataFrame:
    """Like :func:`compute`, for named formulas over measures (e.g. a KPI's numerator alone)."""
    if breakdown and breakdown not in DIMENSIONS:
        raise ValueError(f"Unknown breakdown {breakdown!r}; use one of {DIMENSIONS}")
    ends = complete_through(engine) if ends is None else ends
    needed = {name for formula in expressions.values() for name in formulas.measure_names(formula)}
    by_source: dict[str, list[Measure]] = {}
    for name in needed:
        by_source.setdefault(MEASURES[name].source, []).append(MEASURES[name])

    keys = ["period_start", *([breakdown] if breakdown else [])]
    raw: dict[str, list[pd.DataFrame]] = {}
    problems: dict[str, str] = {}
    for source_name, measures in by_source.items():
        problem = _scope_problem(SOURCES[source_name], filters, breakdown)
        if problem:
            problems[source_name] = problem
            continue
        raw[source_name] = _source_frame(engine, SOURCES[source_name], measures, start, end, filters, breakdown)

    starts = _period_starts(start, end, grain)
    if breakdown:
        members = sorted({v for frames in raw.values() for f in frames if breakdown in f for v in f[breakdown]})
        index = pd.MultiIndex.from_product([starts, members], names=keys)
    else:
        index = pd.Index(starts, name="period_start")
    period_starts = index.get_level_values("period_start")
    scope = filters.describe()
    no_data = {name: (_("no {source} data in scope for {scope}") if scope else _("no {source} data in scope")
                      ).format(source=source_label(source), scope=scope) for name, source in SOURCES.items()}
    labels = {name: measure_label(m) for name, m in MEASURES.items()}
    rolled: dict[tuple[str, date | None], pd.DataFrame] = {}

    def values_through(through: date | None) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
        """Each measure per row from the days up to ``through``, and why a measure is unknown."""
        values = pd.DataFrame(index=index)
        missing: dict[str, pd.Series] = {}
        for name in needed:
            measure = MEASURES[name]
            if measure.source in problems:
                values[name] = float("nan")
                missing[name] = pd.Series(problems[measure.source], index=index, dtype=object)
                continue
            key = (measure.source, through)
            if key not in rolled:
                rolled[key] = _roll_up(_clipped(raw[measure.source], through), by_source[measure.source], grain,
                                       start, breakdown)
            table = rolled[key].reindex(index)
            values[name] = table[name] if name in table else float("nan")
            rows = table["_rows"].fillna(0) if "_rows" in table else pd.Series(0, index=index)
            no_rows = values[name].isna() if measure.agg != "sum" else rows.eq(0)
            missing[name] = pd.Series(None, index=index, dtype=object).where(~no_rows, no_data[measure.source])
            column = _unknown_column(measure)
            unknown = table[column].fillna(0).gt(0) & ~no_rows if column in table else no_rows & False
            if unknown.any():  # a sum over rows some of which do not know the measure would be a wrong number
                days = _unknown_days(_clipped(raw[measure.source], through)[0], column, grain, start, breakdown)
                keys_unknown = index[unknown.to_numpy()]
                reasons = pd.Series([unknown_reason(measure, days.get(key, [])) for key in keys_unknown],
                                    index=keys_unknown, dtype=object)
                missing[name] = missing[name].where(~unknown, reasons.reindex(index))
        values = values.fillna({c: 0.0 for c in values.columns if MEASURES[c].agg == "sum"})
        return values, missing

    out, built = [], {}
    for name, formula in expressions.items():
        sources = [MEASURES[m].source for m in formulas.measure_names(formula) if MEASURES[m].source not in problems]
        through = coverage(sources, start, end, ends).through
        if through not in built:
            built[through] = values_through(through)
        values, missing = built[through]
        value, reason = formulas.evaluate(formula, values, missing, labels)
        covered_through = pd.Series(None, index=index, dtype=object)
        if through is not None:
            for bucket in sorted(set(period_starts)):
                cover = coverage(sources, bucket, _bucket_end(bucket, grain, end), ends)
                if not cover.partial:
                    continue
                rows = period_starts == bucket
                if cover.through < bucket:
                    value.loc[rows] = float("nan")
                    reason.loc[rows] = cover.reason()
                else:
                    reason.loc[rows & value.notna().to_numpy()] = cover.reason()
                covered_through.loc[rows] = cover.through
        part = pd.DataFrame({"kpi_id": name, "value": value, "reason": reason,
                             "complete_through": covered_through}, index=index)
        out.append(part.reset_index())
    columns = [*keys, "kpi_id", "value", "reason", "complete_through"]
    result = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)
    result["value"] = result["value"].astype(float)
    return result


def compute_period(engine: Engine, kpi_ids, period: Period, filters: Filters = Filters(),
                   breakdown: str | None = None) -> pd.DataFrame:
    """All KPIs for one period as a single bucket."""
    return compute(engine, kpi_ids, period.start, period.end, "custom", filters, breakdown)


def all_kpi_ids() -> list[str]:
    return list(KPI_BY_ID)
