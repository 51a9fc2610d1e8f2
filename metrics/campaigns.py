"""Campaign performance for the drill-down: channels, a channel's campaigns, a campaign's source/medium rows.

Every figure comes from the KPI engine (ratios of sums, nulls with reasons), so a
table's totals row is the unfiltered KPI for the same scope and period. Rows carry
the change against the previous period (like for like when the period is still
running), the last 13 periods as sparklines, and flags for what needs attention:
ROAS or CPA missing target, cost that grew without revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from i18n import N_, _
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID, formula_sources, kpi_label
from metrics.completeness import Coverage, complete_through, coverage
from metrics.dimensions import campaign_channels
from metrics.engine import Filters, compute_expressions, is_unknown
from metrics.format import format_change, format_value
from metrics.pacing import elapsed, shortfall, status
from metrics.periods import Period, shift
from metrics.scorecard import SPARKLINE_PERIODS, KpiResult, change_pct, comparison_windows, scorecard
from metrics.targets import load_targets, resolve_target
from warehouse.snapshot import in_snapshot

LEVELS = ("channel", "campaign", "source_medium")
# Labels are marked for translation (N_): show them with _() (or member_label/column_label below).
LEVEL_LABELS = {"channel": N_("Channel"), "campaign": N_("Campaign"), "source_medium": N_("Source / medium")}
LEVEL_PLURALS = {"channel": N_("Channels"), "campaign": N_("Campaigns"), "source_medium": N_("Source/medium rows")}
TOTAL = N_("Total")  # the totals row's ``member``: a key (compared, in CSVs), English; shown by member_label()


@dataclass(frozen=True)
class Column:
    """A table column: a formula over measures (the catalog KPI's own formula when ``kpi_id`` is set)."""

    id: str
    label: str
    unit: str
    kpi_id: str | None = None
    expression: str | None = None

    @property
    def formula(self) -> str:
        return KPI_BY_ID[self.kpi_id].formula if self.kpi_id else str(self.expression)


COLUMNS: dict[str, Column] = {c.id: c for c in (
    Column("sessions", N_("Sessions"), "count", expression="sessions"),
    Column("orders", N_("Orders"), "count", "sell.orders"),
    Column("revenue", N_("Revenue"), "currency", "sell.revenue"),
    Column("conversion_rate", N_("Conversion rate"), "percent", "sell.conversion_rate"),
    Column("cost", N_("Cost"), "currency", "save.marketing_cost"),
    Column("cpa", N_("CPA"), "currency", "save.cpa"),
    Column("roas", N_("ROAS"), "ratio", "save.roas"),
    Column("cpc", N_("CPC"), "currency", "save.cpc"),
    Column("new_customers", N_("New customers"), "count", "sell.new_customers"),
    Column("new_users", N_("New users"), "count", "sizzle.new_users"),
    Column("engagement_rate", N_("Engagement rate"), "percent", "speak.engagement_rate"),
    Column("engagement_time", N_("Engagement time per session"), "seconds", "sizzle.engagement_time_per_session"),
    Column("web_purchases", N_("Purchases (web analytics)"), "count", expression="web_purchases"),
    Column("web_revenue", N_("Purchase revenue (web analytics)"), "currency", expression="web_purchase_revenue"),
)}

# The KPI sets a user picks from; source/medium rows exist only in web analytics, so that level uses "traffic".
COLUMN_SETS: dict[str, tuple[str, ...]] = {
    "sales": ("sessions", "orders", "revenue", "conversion_rate", "cost", "cpa", "roas", "cpc", "new_customers"),
    "traffic": ("sessions", "new_users", "engagement_rate", "engagement_time", "web_purchases", "web_revenue"),
}
COLUMN_SET_LABELS = {"sales": N_("Sales and cost"), "traffic": N_("Traffic and engagement (web analytics)")}
CHANGE_COLUMNS = {"sales": ("revenue", "orders", "cost", "roas"), "traffic": ("sessions", "engagement_rate")}
SPARKLINE_COLUMNS = {"sales": ("revenue", "roas"), "traffic": ("sessions",)}
DAILY_COLUMNS = ("sessions", "orders", "revenue", "cost")
# A drilled campaign's sales and cost figures, shown above its source/medium rows (web analytics only).
FIGURE_KPIS = ("sell.revenue", "sell.orders", "save.marketing_cost", "save.roas", "save.cpa", "save.cpc",
               "sell.conversion_rate")


def level_for(channel: str | None, campaign: str | None) -> str:
    """The rows a scope is drilled into: channels, a channel's campaigns, or a campaign's source/medium rows."""
    return "source_medium" if campaign else "campaign" if channel else "channel"


def sort_choices(column_set: str) -> list[str]:
    """The KPI ids a table of ``column_set`` can be sorted by (its columns that are catalog KPIs)."""
    return [COLUMNS[c].kpi_id for c in COLUMN_SETS[column_set] if COLUMNS[c].kpi_id]


def column_set_of(kpi_id: str) -> str | None:
    """The first KPI set with a column for ``kpi_id`` (None: the campaigns table does not show that KPI)."""
    return next((name for name, ids in COLUMN_SETS.items() if any(COLUMNS[c].kpi_id == kpi_id for c in ids)), None)


def member_label(member: str) -> str:
    """A row's member as shown: the totals row in the reader's language, channels and campaigns as named."""
    return _(TOTAL) if member == TOTAL else member


def column_label(column: str) -> str:
    """A column's heading in the reader's language."""
    return _(COLUMNS[column].label)


def sort_label(kpi_id: str) -> str:
    """How a table sorted by ``kpi_id`` reads: flows biggest first, ratios worst first."""
    kpi = KPI_BY_ID[kpi_id]
    if kpi.kind == "flow":
        return _("{kpi} (biggest first)").format(kpi=kpi_label(kpi))
    return _("{kpi} (worst first)").format(kpi=kpi_label(kpi))


def column_for(column_set: str, kpi_id: str) -> str | None:
    """The column of ``column_set`` that shows ``kpi_id`` (None: the set has none)."""
    return next((c for c in COLUMN_SETS[column_set] if COLUMNS[c].kpi_id == kpi_id), None)


def sort_members(members: pd.DataFrame, column_set: str, kpi_id: str) -> pd.DataFrame:
    """Members sorted by ``kpi_id``'s column: flows biggest first, ratios worst first, missing values last."""
    column = column_for(column_set, kpi_id)
    if column is None:
        raise ValueError(f"The {column_set!r} columns do not show {kpi_id!r}")
    kpi = KPI_BY_ID[kpi_id]
    ascending = kpi.kind != "flow" and kpi.better == "higher"
    return members.sort_values(column, ascending=ascending, na_position="last", kind="stable").reset_index(drop=True)


def with_total_last(frame: pd.DataFrame, column_set: str, kpi_id: str) -> pd.DataFrame:
    """``frame``'s members sorted by ``kpi_id`` (see :func:`sort_members`), then its ``Total`` row: one table."""
    members = sort_members(frame[frame["member"] != TOTAL], column_set, kpi_id)
    return pd.concat([members, frame[frame["member"] == TOTAL]], ignore_index=True)


def column_set_for(level: str, requested: str) -> str:
    """The KPI set a level can show: source/medium rows only have web analytics figures."""
    return "traffic" if level == "source_medium" else requested


def _wide(engine: Engine, ids: tuple[str, ...], start: date, end: date, grain: str, filters: Filters,
          breakdown: str | None) -> pd.DataFrame:
    """Columns ``ids`` as a wide frame indexed by [period_start,] member (or period_start alone)."""
    long = compute_expressions(engine, {c: COLUMNS[c].formula for c in ids}, start, end, grain, filters, breakdown)
    unknown = long.loc[long["reason"].map(is_unknown).astype(bool)].drop_duplicates("kpi_id")
    wide = long.pivot(index=["period_start", *([breakdown] if breakdown else [])], columns="kpi_id", values="value")
    wide = wide.reindex(columns=list(ids))
    wide.columns.name = None
    if grain == "custom":
        wide = wide.droplevel("period_start") if breakdown else wide.set_axis([TOTAL])
    wide.attrs["unknown"] = dict(zip(unknown["kpi_id"], unknown["reason"]))
    return wide


def _one_row(engine: Engine, ids: tuple[str, ...], window: Period | None, filters: Filters,
             breakdown: str | None) -> pd.DataFrame:
    if window is None:
        return pd.DataFrame(columns=list(ids))
    return _wide(engine, ids, window.start, window.end, "custom", filters, breakdown)


@in_snapshot
def performance(engine: Engine, period: Period, level: str = "channel", filters: Filters = Filters(),
                column_set: str = "sales", today: date | None = None, sparklines: bool = True) -> pd.DataFrame:
    """One row per member of ``level`` in scope, then a ``Total`` row (the unbroken-down figures).

    Columns: ``member``, the set's columns, ``<col>_previous`` and ``<col>_change`` for its change columns,
    ``<col>_trend`` (list, last 13 periods) for its sparkline columns unless ``sparklines`` is False, and in
    the sales set the flags ``roas_miss``, ``cpa_miss``, ``cost_without_revenue``, ``flags`` (a sentence, ''
    when none), the targets used and ``channel_of`` (the channel whose targets apply).
    """
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}; use one of {LEVELS}")
    today = today or date.today()
    column_set = column_set_for(level, column_set)
    ids = COLUMN_SETS[column_set]
    cover = _coverage(engine, ids, period, today)
    done, before, _ = comparison_windows(period, today, cover.through if cover else None)
    current = _one_row(engine, ids, done, filters, level)
    totals = _one_row(engine, ids, done, filters, None)
    unknown = {**current.attrs.get("unknown", {}), **totals.attrs.get("unknown", {})}
    prior = pd.concat([_one_row(engine, ids, before, filters, level), _one_row(engine, ids, before, filters, None)])
    table = pd.concat([current, totals]).reindex(columns=list(ids))
    table.index.name = "member"
    for col in CHANGE_COLUMNS[column_set]:
        table[f"{col}_previous"] = prior[col].reindex(table.index) if col in prior else None
        table[f"{col}_change"] = [change_pct(_num(v), _num(p)) for v, p in zip(table[col], table[f"{col}_previous"])]
    if sparklines:
        _add_sparklines(engine, table, period, today, filters, level, SPARKLINE_COLUMNS[column_set])
    if column_set == "sales":
        _add_flags(engine, table, period, filters, level)
    table = table.reset_index()
    members = table[table["member"] != TOTAL].sort_values(ids[2] if column_set == "sales" else ids[0],
                                                          ascending=False, na_position="last")
    out = pd.concat([members, table[table["member"] == TOTAL]], ignore_index=True)
    out.attrs["partial"] = cover.reason() if cover and cover.partial else None
    out.attrs["unknown"] = {c: unknown[c] for c in ids if c in unknown}  # column: why some of its cells are "—"
    return out


def unknown_note(frame: pd.DataFrame) -> str | None:
    """What a table's unknown cells mean, e.g. 'CPC “—”: Ad clicks unknown: the ad spend data for 2–3 Nov 2026 has
    no ad clicks (…)' (None when every cell is known or has no rows)."""
    unknown = frame.attrs.get("unknown") or {}
    if not unknown:
        return None
    return " · ".join(_("{column} “—”: {reason}").format(column=column_label(c), reason=reason)
                      for c, reason in unknown.items())


def _coverage(engine: Engine, ids: tuple[str, ...], period: Period, today: date) -> Coverage | None:
    """How much of the elapsed part of ``period`` the sources of columns ``ids`` cover: the whole table is
    computed over the days all of them cover, and compared like for like with the previous period."""
    done = elapsed(period, today)
    if done is None:
        return None
    names = [s.name for c in ids for s in formula_sources(COLUMNS[c].formula)]
    return coverage(names, done.start, done.end, complete_through(engine))


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _add_sparklines(engine: Engine, table: pd.DataFrame, period: Period, today: date, filters: Filters,
                    level: str, columns: tuple[str, ...]) -> None:
    first = shift(period, -(SPARKLINE_PERIODS - 1)) if period.grain in ("week", "month", "quarter", "year") else None
    end = min(period.end, today - timedelta(days=1))
    if first is None or end < first.start:
        for col in columns:
            table[f"{col}_trend"] = [[] for _ in range(len(table))]
        return
    by_member = _wide(engine, columns, first.start, end, period.grain, filters, level)
    overall = _wide(engine, columns, first.start, end, period.grain, filters, None)
    for col in columns:
        series = {m: list(part[col].droplevel(level)) for m, part in by_member.groupby(level=level)}
        series[TOTAL] = list(overall[col])
        table[f"{col}_trend"] = [[v if pd.notna(v) else None for v in series.get(m, [])] for m in table.index]


def _target(engine: Engine, kpi_id: str, period: Period, channel: str, cache: dict) -> float | None:
    """The channel's own target for ``kpi_id`` in ``period`` (an all-channels ROAS or CPA is blended over
    revenue no ad paid for, so it is no yardstick for one channel or campaign)."""
    if not channel:
        return None
    key = (kpi_id, channel)
    if key not in cache:
        if "targets" not in cache:
            cache["targets"] = load_targets(engine)
        found = resolve_target(engine, kpi_id, period, channel, cache["targets"], cache.setdefault("profiles", {}))
        cache[key] = found.value if found else None
    return cache[key]


def _shown(text: str) -> str:
    """A formatted figure in the reader's digits (metrics.format writes it; this only changes the digits)."""
    return localize_digits(text)


_BELOW = N_("{column} {value} below target {target}")
_ABOVE = N_("{column} {value} above target {target}")


def _cost_without_revenue(cost: float, cost_before: float, revenue: float, revenue_before: float) -> str:
    """'cost +20.0% while revenue -5.0%' ('new' cost, 'none' revenue before), in the reader's language."""
    cost_change = _shown(format_change(change_pct(cost, cost_before))) if cost_before else None
    revenue_change = _shown(format_change(change_pct(revenue, revenue_before))) if revenue_before else None
    if cost_change and revenue_change:
        return _("cost {cost} while revenue {revenue}").format(cost=cost_change, revenue=revenue_change)
    if cost_change:
        return _("cost {cost} while revenue none").format(cost=cost_change)
    if revenue_change:
        return _("cost new while revenue {revenue}").format(revenue=revenue_change)
    return _("cost new while revenue none")


def _add_flags(engine: Engine, table: pd.DataFrame, period: Period, filters: Filters, level: str) -> None:
    """Flag members whose ROAS or CPA is at risk or off track against their channel's target (the KPI's own
    tolerance, as on the scorecard), or whose cost grew while revenue did not."""
    cache: dict = {}
    owners: dict[str, str] = {}
    if level == "campaign" and not filters.channel:
        owners = campaign_channels(engine, period.start, period.end)
    columns: dict[str, list] = {k: [] for k in ("roas_target", "cpa_target", "roas_miss", "cpa_miss",
                                                  "cost_without_revenue", "shortfall", "flags", "channel_of")}
    for member, row in table.iterrows():
        channel = member if level == "channel" else filters.channel or owners.get(member, "")
        words, worst = [], 0.0
        for col, kpi_id, words_for in (("roas", "save.roas", _BELOW), ("cpa", "save.cpa", _ABOVE)):
            value, target = _num(row[col]), _target(engine, kpi_id, period, channel, cache)
            kpi = KPI_BY_ID[kpi_id]
            miss = member != TOTAL and status(kpi, value, target) in ("at_risk", "off_track")
            if miss:
                worst = max(worst, shortfall(kpi, value, target))
                words.append(_(words_for).format(column=column_label(col), value=_shown(format_value(value, kpi.unit)),
                                                  target=_shown(format_value(target, kpi.unit))))
            columns[f"{col}_target"].append(target)
            columns[f"{col}_miss"].append(miss)
        cost, cost_before = _num(row["cost"]) or 0.0, _num(row["cost_previous"]) or 0.0
        revenue, revenue_before = _num(row["revenue"]) or 0.0, _num(row["revenue_previous"]) or 0.0
        cost_only = member != TOTAL and cost > cost_before and revenue <= revenue_before
        if cost_only:
            words.append(_cost_without_revenue(cost, cost_before, revenue, revenue_before))
        columns["cost_without_revenue"].append(cost_only)
        columns["shortfall"].append(worst)
        columns["flags"].append(_("; ").join(words))
        columns["channel_of"].append(channel)
    for name, values in columns.items():
        table[name] = values


@in_snapshot
def needs_attention(engine: Engine, period: Period, channel: str | None = None,
                    today: date | None = None) -> pd.DataFrame:
    """Flagged campaigns in scope with their channel, the furthest from target first."""
    table = performance(engine, period, "campaign", Filters(channel), "sales", today, sparklines=False)
    flagged = table[table["flags"] != ""].copy()
    flagged.insert(1, "channel", flagged.pop("channel_of"))
    return flagged.sort_values(["shortfall", "cost"], ascending=False).reset_index(drop=True)


@in_snapshot
def daily(engine: Engine, period: Period, filters: Filters, today: date | None = None) -> pd.DataFrame:
    """Sessions, orders, revenue and cost per day of ``period`` (days before ``today``).

    A day without rows of a source that has rows elsewhere in the period counts 0 (no orders that day is
    zero revenue) up to the source's last day of data; days after it, and a source with no rows in the whole
    period, stay empty (unknown, not zero).
    """
    today = today or date.today()
    end = min(period.end, today - timedelta(days=1))
    if end < period.start:
        return pd.DataFrame(columns=["day", *DAILY_COLUMNS])
    frame = _wide(engine, DAILY_COLUMNS, period.start, end, "day", filters, None)
    frame = frame.reindex(pd.date_range(period.start, end).date)
    frame.index.name = "period_start"
    ends = complete_through(engine)
    for column in DAILY_COLUMNS:
        if frame[column].notna().any():
            sources = [s.name for s in formula_sources(COLUMNS[column].formula)]
            through = coverage(sources, period.start, end, ends).through or end
            covered = pd.Series(frame.index <= through, index=frame.index)
            frame[column] = frame[column].where(~covered, frame[column].fillna(0.0))
    return frame.reset_index().rename(columns={"period_start": "day"})


@in_snapshot
def campaign_figures(engine: Engine, period: Period, filters: Filters, today: date | None = None
                     ) -> list[KpiResult]:
    """The sales and cost KPIs (:data:`FIGURE_KPIS`) of ``filters``' campaign for ``period`` against the previous
    period: the scorecard's own figures, so they equal ``cli.py report --campaign`` for the same period."""
    return scorecard(engine, period, filters, list(FIGURE_KPIS), sparkline=False, today=today)
