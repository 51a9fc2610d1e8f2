"""Cohorts: customers by the period of their first order, their retention, cumulative revenue per customer, CAC,
LTV:CAC and payback, by acquisition channel (none for ``(unattributed)``: ad cost of no known channel
is no channel's cost). Reads ``cohort_activity`` (the rollup kept by every orders load),
``calendar_days`` (the last order date) and ``ad_spend`` (cost), never the orders.

A cohort is the new customers whose first order falls in a period (a week or a month, in the periods' calendar:
Gregorian or Jalali). Its acquisition channel is its first order's channel. Customers an export marked as having
ordered before (``customers.returning_before``) are not new and belong to no cohort.

Period k of a cohort is the k-th period after its own (k = 0: its own). Every array runs from period 0 to the
last period any cohort has an order in (the warehouse's orders coverage): a cohort without orders in a period
before that has retention 0 there. That last period is included even when the data ends before it does: the
Cohort then says ``partial_last`` (its last values cover only the days so far).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from connectors.customers import bucket_name
from connectors.datasets import UNATTRIBUTED
from metrics.periods import Period, format_period, period_containing, periods_between
from warehouse import schema

GRAINS = ("month", "week")


class CohortError(ValueError):
    """A cohort request that cannot be answered as asked (the message says what was expected)."""


@dataclass(frozen=True)
class Cohort:
    """One cohort (optionally of one acquisition channel). Arrays run from period 0 (the cohort's own) to the last
    period with data; ``retention[0]`` is 1. ``cac``/``ltv_cac``/``payback_period`` are None without ad cost."""

    cohort: str  # the period as written in the CLI (e.g. "2026-06", "2026-W23")
    start: date
    acquisition_channel: str | None
    customers: int
    retention: list[float]
    revenue_per_customer: list[float]
    cac: float | None
    ltv_cac: list[float] | None
    payback_period: int | None
    cost: float | None = None  # the acquisition channel's ad cost in the cohort period (None: no cost)
    partial_last: bool = False  # the last period had not ended when the data did


@dataclass(frozen=True)
class ChannelSummary:
    """Cohorts of one acquisition channel taken together (the Cohorts page's LTV:CAC table and curves).

    ``revenue_per_customer[k]``: period 0's revenue per customer of all the cohorts, plus, for each later period,
    the customer-weighted average increase of the cohorts that reached it (chained: it never falls where only the
    oldest cohorts remain). CAC and LTV:CAC count only the cohorts with ad cost (a cohort whose period has no cost
    recorded, e.g. before the ad data starts, would add customers and revenue that cost nothing): ``cac`` = their ad
    cost ÷ their customers (None when no cohort has cost), and ``ltv_cac[k]`` chains their revenue increases per
    unit of their own ad cost the same way (an old cohort's revenue is never set against the cost of younger ones),
    None from the first period none of them reached."""

    acquisition_channel: str
    cohorts: int
    customers: int
    revenue_per_customer: list[float]
    cost: float | None
    cac: float | None
    ltv_cac: list[float | None] | None
    payback_period: int | None
    partial_last: bool = False


def check_range(grain: str, first: Period, last: Period) -> None:
    """CohortError unless ``first``..``last`` are periods of ``grain`` in one calendar, ``first`` not after
    ``last``."""
    if grain not in GRAINS:
        raise CohortError(f"Unknown cohort grain {grain!r}; use month or week.")
    example = {"month": "2026-06 (or Jalali 1405-03)", "week": "2026-W23 (or Jalali 1405-W12)"}[grain]
    for name, period in (("--from", first), ("--to", last)):
        if period.grain != grain:
            raise CohortError(f"{name} {format_period(period)} is a {period.grain}, not a {grain}; "
                              f"with --grain {grain} give a {grain} such as {example}.")
    if first.calendar != last.calendar:
        raise CohortError(f"--from {format_period(first)} and --to {format_period(last)} are in different calendars "
                          f"({first.calendar}, {last.calendar}); write both in one.")
    if first.start > last.start:
        raise CohortError(f"--from {format_period(first)} is after --to {format_period(last)}.")


def _payback(ltv_cac: list[float | None] | None) -> int | None:
    """The first period k where LTV:CAC is at least 1 (None: not yet, or no cost)."""
    return next((k for k, ratio in enumerate(ltv_cac) if ratio is not None and ratio >= 1), None) if ltv_cac else None


def _ltv_cac(revenue_per_customer: list[float], cac: float | None) -> list[float] | None:
    return None if cac is None else [value / cac for value in revenue_per_customer]


def _last_data(conn, bucket: str) -> tuple[date | None, date | None]:
    """(start of the last period any cohort has an order in, the last order date in it)."""
    act, cal = schema.cohort_activity, schema.calendar_days
    last_start = conn.execute(select(func.max(act.c.period_start)).where(act.c.bucket == bucket)).scalar()
    if last_start is None:
        return None, None
    last_day = conn.execute(select(func.max(cal.c.date)).where(cal.c[bucket] == last_start)).scalar()
    return last_start, last_day


def _costs(conn, first: Period, last: Period) -> dict[tuple[date, str], float]:
    """Ad cost per (cohort period start, channel) from ``first`` to ``last``: each day's cost goes to the period
    holding it (``calendar_days`` holds the days orders touch; other days are bucketed here)."""
    ads = schema.ad_spend
    rows = conn.execute(select(ads.c.date, ads.c.channel, func.sum(ads.c.cost))
                        .where(and_(ads.c.date >= first.start, ads.c.date <= last.end))
                        .group_by(ads.c.date, ads.c.channel)).all()
    periods = periods_between(first, last)
    out: dict[tuple[date, str], float] = defaultdict(float)
    index = 0
    for day, channel, cost in sorted(rows):
        while periods[index].end < day:
            index += 1
        out[(periods[index].start, channel)] += float(cost or 0)
    return out


def compute_cohorts(db, grain: str, first: Period, last: Period, channel: str | None = None,
                    by_channel: bool = False) -> list[Cohort]:
    """Cohorts of ``grain`` ('week' or 'month', in the periods' calendar) whose period lies in first..last.

    All channels together by default (``acquisition_channel`` None, no CAC); ``channel`` keeps the customers
    acquired through it; ``by_channel`` gives one cohort per period and acquisition channel. Cohorts without
    customers are left out. Ordered by period, then channel."""
    check_range(grain, first, last)
    bucket = bucket_name(grain, first.calendar)
    act = schema.cohort_activity
    with db.connect() as conn:
        last_start, last_day = _last_data(conn, bucket)
        if last_start is None or last_start < first.start:
            return []
        query = (select(act.c.cohort_start, act.c.acquisition_channel, act.c.period_start, act.c.active_customers,
                        act.c.net_revenue)
                 .where(and_(act.c.bucket == bucket, act.c.cohort_start >= first.start,
                             act.c.cohort_start <= last.start)))
        if channel is not None:
            query = query.where(act.c.acquisition_channel == channel)
        rows = conn.execute(query).all()
        split = by_channel or channel is not None
        costs = _costs(conn, first, last) if split else {}
    span = periods_between(first, period_containing(last_start, grain, first.calendar))
    index = {period.start: k for k, period in enumerate(span)}
    last_period = span[-1]
    partial = last_day is not None and last_day < last_period.end
    groups: dict[tuple[date, str | None], dict[date, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
    for cohort_start, acquired, period_start, active, revenue in rows:
        cell = groups[(cohort_start, acquired if split else None)][period_start]
        cell[0] += int(active)
        cell[1] += float(revenue or 0)
    cohorts = []
    for (cohort_start, acquired), cells in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1] or "")):
        customers = cells.get(cohort_start, [0, 0.0])[0]
        if not customers or cohort_start not in index:
            continue
        own = index[cohort_start]
        periods = len(span) - own
        active, revenue = [0] * periods, [0.0] * periods
        for period_start, (count, net) in cells.items():
            k = index[period_start] - own
            active[k], revenue[k] = count, net
        cumulative, per_customer = 0.0, []
        for net in revenue:
            cumulative += net
            per_customer.append(cumulative / customers)
        # an unknown channel's customers against ad cost of no known channel is no channel's CAC
        cost = costs.get((cohort_start, acquired)) if acquired not in (None, UNATTRIBUTED) else None
        cost = cost if cost and cost > 0 else None
        cac = cost / customers if cost is not None else None
        ratios = _ltv_cac(per_customer, cac)
        cohorts.append(Cohort(format_period(span[own]), cohort_start, acquired, customers,
                              [count / customers for count in active], per_customer, cac, ratios, _payback(ratios),
                              cost, partial))
    return cohorts


def _chained(cohorts: list[Cohort], periods: int, units: Callable[[Cohort], float]) -> list[float | None]:
    """Cumulative revenue per unit (a customer, or a unit of ad cost) through each period since acquisition:
    period 0 over every cohort, then each period adds what the cohorts that reached it gained in it, per unit of
    their own (the average increase, chained). Unlike one average per period, it never falls where only the oldest
    cohorts remain. None from the first period no cohort with units has reached."""
    out: list[float | None] = []
    total = 0.0
    for k in range(periods):
        reached = [c for c in cohorts if len(c.revenue_per_customer) > k]
        base = sum(units(c) for c in reached)
        if not base:
            return out + [None] * (periods - k)
        gained = sum((c.revenue_per_customer[k] - (c.revenue_per_customer[k - 1] if k else 0.0)) * c.customers
                     for c in reached)
        total += gained / base
        out.append(total)
    return out


def channel_summaries(cohorts: list[Cohort]) -> list[ChannelSummary]:
    """Per acquisition channel, ``cohorts`` (as given by ``by_channel``) taken together: customer-weighted revenue
    per customer by periods since acquisition, CAC and LTV:CAC of the cohorts with ad cost (see
    :class:`ChannelSummary`) and payback (the first period where LTV:CAC is at least 1). Cohorts of
    all channels together (``acquisition_channel`` None) are skipped. Ordered by channel."""
    by_channel: dict[str, list[Cohort]] = defaultdict(list)
    for cohort in cohorts:
        if cohort.acquisition_channel is not None:
            by_channel[cohort.acquisition_channel].append(cohort)
    out = []
    for name in sorted(by_channel):
        group = by_channel[name]
        customers = sum(c.customers for c in group)
        longest = max(len(c.revenue_per_customer) for c in group)
        costed = [c for c in group if c.cost is not None]
        curve = _chained(group, longest, lambda c: c.customers)
        cost = sum(c.cost for c in costed) or None
        cac = cost / sum(c.customers for c in costed) if cost is not None else None
        ratios = _chained(costed, longest, lambda c: c.cost) if cost is not None else None
        out.append(ChannelSummary(name, len(group), customers, curve, cost, cac, ratios, _payback(ratios),
                                  any(c.partial_last for c in group)))
    return out


def _rounded(values: list[float] | None, digits: int) -> list[float] | None:
    return None if values is None else [round(v, digits) for v in values]


def cohorts_json(grain: str, cohorts: list[Cohort]) -> dict:
    """``{"grain", "cohorts": [{"cohort", "acquisition_channel", "customers", "retention", "revenue_per_customer",
    "cac", "ltv_cac", "payback_period"}]}`` (the CLI's contract), plus ``last_period_partial``: whether each
    array's last value covers a period the data ends within."""
    return {
        "grain": grain,
        "last_period_partial": any(c.partial_last for c in cohorts),
        "cohorts": [{
            "cohort": c.cohort,
            "acquisition_channel": c.acquisition_channel,
            "customers": c.customers,
            "retention": _rounded(c.retention, 6),
            "revenue_per_customer": _rounded(c.revenue_per_customer, 4),
            "cac": None if c.cac is None else round(c.cac, 4),
            "ltv_cac": _rounded(c.ltv_cac, 6),
            "payback_period": c.payback_period,
        } for c in cohorts],
    }
