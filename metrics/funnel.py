"""The AIDA funnel (attention → interest → desire → action → loyalty) per period, channel and campaign.

The steps are declared as data (``metrics.catalog.FUNNEL_STEPS``); this module computes them through the engine
(one grouped query per source) and says, in words a marketer reads, when a source has no data. A step's
``rate_from_previous`` is its value ÷ the previous step's value.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

import pandas as pd

from i18n import _
from metrics.catalog import FUNNEL_STEPS, MEASURES, SOURCES, FunnelStep, measure_label, source_label
from metrics.date_text import format_day_range
from metrics.dimensions import campaign_channels, channels
from metrics.engine import Filters, compute_expressions, is_unknown, split_unknown
from metrics.periods import Period

STEP_IDS = ("attention", "interest", "desire", "action", "loyalty")


@dataclass(frozen=True)
class FunnelStepResult:
    """One step's figure: ``value`` None (with ``reason``) when its source has no data; ``source`` says what was
    counted (e.g. "engaged sessions (the web data has no add-to-carts)"). ``reason`` may also accompany a value
    (a source left out, or days missing). ``fallback`` is True when desire counts engaged sessions."""

    id: str
    label: str
    value: float | None
    rate_from_previous: float | None
    source: str | None
    reason: str | None = None
    fallback: bool = False


@dataclass(frozen=True)
class Funnel:
    period: Period
    channel: str | None
    campaign: str | None
    steps: list[FunnelStepResult] = field(default_factory=list)

    def step(self, step_id: str) -> FunnelStepResult:
        return next(s for s in self.steps if s.id == step_id)

    @property
    def has_data(self) -> bool:
        """True when any step has a value above zero."""
        return any(s.value for s in self.steps)


@dataclass(frozen=True)
class StepChange:
    """A step's rate from the previous step now and in the previous period; ``change`` = rate − previous rate
    (a difference of shares), ``relative_change`` = change ÷ previous rate."""

    id: str
    rate: float | None
    previous_rate: float | None
    change: float | None
    relative_change: float | None


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def parts_in_scope(step: FunnelStep, channel: str | None, campaign: str | None) -> tuple[str, ...]:
    """The step's measures that can belong to the filter: a channel counts its own sources (social only for
    Organic Social, e-mail only for Email); a campaign filter leaves out sources without campaigns."""
    kept = []
    for name in step.parts:
        source = SOURCES[MEASURES[name].source]
        if channel and source.fixed_channel and source.fixed_channel != channel:
            continue
        if campaign and not source.supports("campaign"):
            continue
        kept.append(name)
    return tuple(kept)


class _Figures:
    """The engine's value and reason of each measure for one scope, with the words for "no data"."""

    def __init__(self, db, period: Period, filters: Filters, names: set[str]):
        frame = compute_expressions(db, {n: n for n in sorted(names)}, period.start, period.end, "custom", filters)
        self.rows = {row.kpi_id: (row.value, row.reason) for row in frame.itertuples()}
        self.filters = filters
        self.scope = filters.describe() or _("all channels")
        self.days = format_day_range(period.start, period.end, period.calendar)

    def value(self, name: str) -> float | None:
        value = self.rows[name][0]
        return float(value) if _known(value) else None

    def reason(self, name: str) -> str | None:
        """Why ``name`` has no value (or what its value lacks): the source and the period for "no rows"."""
        value, reason = self.rows[name]
        if not isinstance(reason, str):
            return None
        if not _known(value) and reason == self.engine_no_rows(name):
            return self.no_data(name)
        return reason

    def engine_no_rows(self, name: str) -> str:
        """The engine's reason when ``name``'s source has no rows in scope (same message, same language)."""
        scope = self.filters.describe()
        return (_("no {source} data in scope for {scope}") if scope else _("no {source} data in scope")).format(
            source=source_label(SOURCES[MEASURES[name].source]), scope=scope)

    def no_data(self, name: str) -> str:
        return _("No {measure} for {scope} in {days} (no {source} data).").format(
            measure=measure_label(name), source=source_label(SOURCES[MEASURES[name].source]), scope=self.scope,
            days=self.days)

    def has_rows(self, name: str) -> bool:
        value, reason = self.rows[name]
        return _known(value) or (isinstance(reason, str) and is_unknown(reason))


def _summed_step(step: FunnelStep, parts: tuple[str, ...], figures: _Figures, filtered: bool) -> FunnelStepResult:
    """A step that adds its parts: the parts with data are counted, the others named in ``reason``. With a filter a
    part whose source simply has no rows for it is left out quietly (a channel without social has no social)."""
    counted = [p for p in parts if figures.value(p) is not None]
    missing = [p for p in parts if figures.value(p) is None and not (filtered and counted and not figures.has_rows(p))]
    reason = _joined([r for r in dict.fromkeys(figures.reason(p) for p in [*missing, *counted]) if r])
    if not counted:
        return FunnelStepResult(step.id, _(step.label), None, None, None, reason)
    value = sum(figures.value(p) for p in counted)
    source = " + ".join(measure_label(p) for p in counted)
    return FunnelStepResult(step.id, _(step.label), value, None, source, reason)


def _joined(reasons: list[str]) -> str | None:
    """The reasons of a step's parts as one text: sentences one after the other; the engine's clauses ("ad spend
    data ends 2026-11-29 (1 of 30 days missing)") separated by semicolons, not run together."""
    if len(reasons) <= 1 or all(r.endswith(".") for r in reasons):
        return " ".join(reasons) or None
    return _("; ").join(r.rstrip(".") for r in reasons)


def _desire_step(step: FunnelStep, figures: _Figures) -> FunnelStepResult:
    """Add-to-carts where every web row of the scope records them; otherwise engaged sessions, saying why."""
    primary, fallback = step.parts[0], step.fallback
    label = _(step.label)
    known_rows = figures.value(step.known_rows) or 0
    if known_rows and figures.value(primary) is not None:
        return FunnelStepResult(step.id, label, figures.value(primary), None, measure_label(primary),
                                figures.reason(primary))
    if figures.value(fallback) is None:
        return FunnelStepResult(step.id, label, None, None, None, figures.reason(fallback))
    if known_rows:  # some rows record add-to-carts, others do not: a sum of them would be short
        unknown = split_unknown(figures.reason(primary))
        source = _("engaged sessions: add-to-carts are recorded on only part of the web data for {scope} in {days} "
                   "({cause}), so desire counts engaged sessions throughout").format(
            scope=figures.scope, days=figures.days, cause=unknown[1] if unknown else figures.reason(primary))
    else:
        source = _("engaged sessions (the web data for {scope} in {days} has no add-to-carts)").format(
            scope=figures.scope, days=figures.days)
    return FunnelStepResult(step.id, label, figures.value(fallback), None, source, figures.reason(fallback),
                            fallback=True)


def _with_rates(steps: list[FunnelStepResult]) -> list[FunnelStepResult]:
    out, before = [], None
    for step in steps:
        rate = step.value / before.value if before and before.value and step.value is not None else None
        out.append(FunnelStepResult(step.id, step.label, step.value, rate, step.source, step.reason, step.fallback))
        before = step
    return out


def compute_funnel(db, period: Period, channel: str | None = None, campaign: str | None = None) -> Funnel:
    """The five steps for ``period`` (optionally one channel / campaign)."""
    filters = Filters(channel, campaign)
    scoped = {step.id: parts_in_scope(step, channel, campaign) for step in FUNNEL_STEPS}
    names = {n for parts in scoped.values() for n in parts}
    names |= {n for step in FUNNEL_STEPS for n in (step.fallback, step.known_rows) if n}
    figures = _Figures(db, period, filters, names)
    steps = [_desire_step(step, figures) if step.fallback else
             _summed_step(step, scoped[step.id], figures, bool(channel or campaign)) for step in FUNNEL_STEPS]
    return Funnel(period, channel, campaign, _with_rates(steps))


def funnel_by_channel(db, period: Period) -> dict[str, Funnel]:
    """One funnel per channel with data in ``period`` (all channels side by side)."""
    funnels = {name: compute_funnel(db, period, name) for name in channels(db)}
    return {name: funnel for name, funnel in funnels.items() if funnel.has_data}


def channel_campaigns(db, period: Period, channel: str) -> list[str]:
    """The campaigns of ``channel`` with rows in ``period`` (traffic, orders, ad spend or e-mails)."""
    return sorted(c for c, ch in campaign_channels(db, period.start, period.end).items() if ch == channel)


def funnel_by_campaign(db, period: Period, channel: str) -> dict[str, Funnel]:
    """One funnel per campaign of ``channel`` with data in ``period`` (the drill-down)."""
    funnels = {name: compute_funnel(db, period, channel, name) for name in channel_campaigns(db, period, channel)}
    return {name: funnel for name, funnel in funnels.items() if funnel.has_data}


def compare_funnels(current: Funnel, previous: Funnel) -> list[StepChange]:
    """Each step's rate from the previous step against the same rate in ``previous`` (e.g. the period before)."""
    out = []
    for step in current.steps:
        before = previous.step(step.id).rate_from_previous
        now = step.rate_from_previous
        change = now - before if now is not None and before is not None else None
        relative = change / before if change is not None and before else None
        out.append(StepChange(step.id, now, before, change, relative))
    return out


def rate_table(funnels: dict[str, Funnel]) -> pd.DataFrame:
    """Channels (or campaigns) × steps: each step's rate from the previous one (NaN where unknown)."""
    return pd.DataFrame({step_id: [f.step(step_id).rate_from_previous for f in funnels.values()]
                         for step_id in STEP_IDS[1:]}, index=list(funnels), dtype=float)


def weakest_steps(funnels: dict[str, Funnel]) -> dict[str, str]:
    """Where each member leaks most: the step whose rate is lowest against the median of all members' rates for
    that step (rates of different steps are not comparable with each other, so each is read against its peers),
    when it is below that median. Members with fewer than two known rates, and steps known for fewer than two
    members, are left out."""
    table = rate_table(funnels)
    medians = {s: statistics.median(table[s].dropna()) for s in table if table[s].notna().sum() >= 2}
    out = {}
    for member, rates in table.iterrows():
        scores = {s: rates[s] / medians[s] for s in medians if pd.notna(rates[s]) and medians[s]}
        weakest = min(scores, key=scores.get) if len(scores) >= 2 else None
        if weakest and scores[weakest] < 1:  # a member above its peers at every step does not leak
            out[member] = weakest
    return out


def funnel_json(funnel: Funnel) -> dict:
    """``{"period": {...}, "filters": {...}, "steps": [{"id", "label", "value", "rate_from_previous", "source",
    "reason"}]}`` (the CLI's contract)."""
    period = funnel.period
    return {
        "period": {"grain": period.grain, "start": period.start.isoformat(), "end": period.end.isoformat(),
                   "label": period.label},
        "filters": {"channel": funnel.channel, "campaign": funnel.campaign},
        "steps": [{"id": s.id, "label": s.label, "value": s.value, "rate_from_previous": s.rate_from_previous,
                   "source": s.source, "reason": s.reason} for s in funnel.steps],
    }
