"""A/B tests of campaign variants: is B's rate (or average order value) really different from A's?

STUB (issue 15 foundation): the names and signatures below are the contract the CLI and the A/B page use; the
bodies are filled in by the A/B work (which may add private helpers or a sibling module).

Share KPIs (``KPI.abtest == "proportion"``): pooled two-proportion z-test (p-value), Newcombe's hybrid score
interval for the difference (statsmodels ``confint_proportions_2indep(method="newcomb")``), P(B better) from
Beta(1,1) posteriors. Average order value (``"mean"``): Welch's t-test over the orders' revenues. More than two
variants: each against A, p-values adjusted by Benjamini–Hochberg.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from metrics.periods import Period

ALPHA = 0.05
POWER = 0.8


class ABTestError(ValueError):
    """A test that cannot be run as asked (a KPI that is not testable, an unknown campaign, no data): the message
    says what and what was expected."""


@dataclass(frozen=True)
class Arm:
    """One variant: its campaigns and its figures for the period."""

    name: str  # the variant's campaigns joined by ","
    campaigns: tuple[str, ...]
    numerator: float  # share KPIs: successes (orders, unique opens …); average order value: revenue
    denominator: float  # share KPIs: trials (sessions, delivered emails …); average order value: orders
    value: float | None  # numerator / denominator

    def as_json(self) -> dict:
        return {"name": self.name, "numerator": self.numerator, "denominator": self.denominator, "value": self.value}


@dataclass(frozen=True)
class Comparison:
    """One variant against A (the difference is variant − A)."""

    variant: str  # "b", "c", …
    arm: Arm
    difference: float | None
    relative_lift: float | None  # difference / A's value
    ci_low: float | None  # 95 % interval of the difference
    ci_high: float | None
    p_value: float | None
    p_value_adjusted: float | None  # Benjamini–Hochberg over all comparisons (the p-value itself with one)
    probability_better: float | None  # P(variant's rate > A's), Beta(1,1) posteriors; None for a mean
    needed_per_arm: int | None  # sample per variant to detect the observed lift at ALPHA and POWER


@dataclass(frozen=True)
class ABTest:
    """A test's result: A and each other variant compared with it (B first)."""

    kpi: str
    period: Period
    channel: str | None
    method: str  # the methods used, named (shown under the numbers and in the JSON)
    a: Arm
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def b(self) -> Comparison:
        return self.comparisons[0]

    def as_json(self) -> dict:
        """``abtest --format json``: {"kpi", "period": {...}, "a", "b", "difference", "relative_lift", "ci_low",
        "ci_high", "p_value", "method", "probability_b_better"} (b − a), extended with "channel",
        "p_value_adjusted", "needed_per_arm" and, with more than two variants, "variants" (each comparison)."""
        raise NotImplementedError


def testable_kpis() -> list[str]:
    """The ids of the KPIs an A/B test can compare, in catalog order."""
    raise NotImplementedError


def run_abtest(engine: Engine, kpi_id: str, variants: dict[str, list[str]], period: Period,
               channel: str | None = None) -> ABTest:
    """Compare the variants (``{"a": [campaign, …], "b": [...], "c": …}``, A first) on ``kpi_id`` over ``period``
    (within ``channel`` when given). Raises :class:`ABTestError` for a test that cannot be run as asked."""
    raise NotImplementedError


def sample_size_per_arm(baseline: float, mde: float, relative: bool = False, alpha: float = ALPHA,
                        power: float = POWER) -> int:
    """Sample per arm to detect ``mde`` (absolute, or relative to ``baseline`` with ``relative``) from
    ``baseline`` with a two-sided test at ``alpha`` and ``power`` (normal approximation, rounded up)."""
    raise NotImplementedError


def verdict(test: ABTest) -> str:
    """One line in the reader's language, e.g. "B's click rate is higher; the difference is not yet reliable: about
    9,000 more delivered emails per variant needed"."""
    raise NotImplementedError


def cautions(test: ABTest) -> list[str]:
    """Plain warnings in the reader's language: samples too small for the normal approximation or to detect the
    lift, and deciding early from repeated looks (peeking)."""
    raise NotImplementedError
