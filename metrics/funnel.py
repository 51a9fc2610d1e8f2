"""The AIDA funnel (attention → interest → desire → action → loyalty) per period, channel and campaign.

CONTRACT (issue 16 foundation; the funnel's owner fills the body). Steps are declared as data
(``metrics.catalog.FUNNEL_STEPS``); this module computes them through the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metrics.periods import Period

STEP_IDS = ("attention", "interest", "desire", "action", "loyalty")


@dataclass(frozen=True)
class FunnelStepResult:
    """One step's figure: ``value`` None (with ``reason``) when its source has no data; ``source`` says what was
    counted (e.g. "engaged sessions (the web data has no add-to-carts)")."""

    id: str
    label: str
    value: float | None
    rate_from_previous: float | None
    source: str | None
    reason: str | None = None


@dataclass(frozen=True)
class Funnel:
    period: Period
    channel: str | None
    campaign: str | None
    steps: list[FunnelStepResult] = field(default_factory=list)


def compute_funnel(db, period: Period, channel: str | None = None, campaign: str | None = None) -> Funnel:
    """The five steps for ``period`` (optionally one channel / campaign)."""
    raise NotImplementedError


def funnel_by_channel(db, period: Period) -> dict[str, Funnel]:
    """One funnel per channel with data in ``period`` (all channels side by side)."""
    raise NotImplementedError


def funnel_json(funnel: Funnel) -> dict:
    """``{"period": {...}, "filters": {...}, "steps": [{"id", "label", "value", "rate_from_previous", "source",
    "reason"}]}`` (the CLI's contract)."""
    raise NotImplementedError
