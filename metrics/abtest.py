"""A/B tests of campaign variants: is B's rate (or average order value) really different from A's?

Share KPIs (``KPI.abtest == "proportion"``): pooled two-proportion z-test (p-value), Newcombe's hybrid score
interval for the difference (statsmodels ``confint_proportions_2indep(method="newcomb")``), P(B better) from
Beta(1,1) posteriors. Average order value (``"mean"``): Welch's t-test over the orders' revenues. More than two
variants: each against A, p-values adjusted by Benjamini–Hochberg.

The warehouse is read by :mod:`metrics.abtest_data`; this module holds the statistics and the words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, stats
from sqlalchemy import Engine
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

from i18n import _
from i18n.numerals import localize_digits
from metrics import abtest_data
from metrics.catalog import KPI_BY_ID, KPIS, kpi_label, measure_label, why_no_breakdown
from metrics.format import format_p
from metrics.periods import Period

ALPHA = 0.05
POWER = 0.8
MIN_OUTCOMES = 10  # successes and failures per arm below which the normal approximation is unreliable
MIN_ORDERS = 30  # orders per arm below which a t-test on skewed revenues is unreliable
VARIANTS = ("a", "b", "c", "d", "e", "f")

PROPORTION_METHOD = ("pooled two-proportion z-test; Newcombe hybrid score 95% interval of the difference; "
                     "P(B better) from Beta(1,1) posteriors (exact, numerical integration)")
MEAN_METHOD = "Welch's t-test; Welch 95% interval of the difference"
BH_METHOD = "p-values adjusted by Benjamini-Hochberg"


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
    ci_low: float | None = None  # 95 % interval of the value: Wilson score (shares), t interval (means)
    ci_high: float | None = None

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

    def as_json(self) -> dict:
        """One comparison (``variants`` in the JSON of a test with more than two variants)."""
        return {"variant": self.variant, **self.arm.as_json(), "difference": self.difference,
                "relative_lift": self.relative_lift, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "p_value": self.p_value, "p_value_adjusted": self.p_value_adjusted,
                "probability_better": self.probability_better, "needed_per_arm": self.needed_per_arm}


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
        "p_value_adjusted", "p_value_unadjusted", "needed_per_arm" and, with more than two variants, "variants"
        (each comparison). With more than two variants ``p_value`` is the Benjamini–Hochberg adjusted one."""
        b = self.b
        doc = {
            "kpi": self.kpi,
            "period": {"grain": self.period.grain, "start": self.period.start.isoformat(),
                       "end": self.period.end.isoformat(), "label": self.period.label},
            "a": self.a.as_json(),
            "b": b.arm.as_json(),
            "difference": b.difference,
            "relative_lift": b.relative_lift,
            "ci_low": b.ci_low,
            "ci_high": b.ci_high,
            "p_value": b.p_value_adjusted if len(self.comparisons) > 1 else b.p_value,
            "method": self.method,
            "probability_b_better": b.probability_better,
            "channel": self.channel,
            "p_value_adjusted": b.p_value_adjusted,
            "p_value_unadjusted": b.p_value,
            "needed_per_arm": b.needed_per_arm,
        }
        if len(self.comparisons) > 1:
            doc["variants"] = [c.as_json() for c in self.comparisons]
        return doc


def testable_kpis() -> list[str]:
    """The ids of the KPIs an A/B test can compare, in catalog order (testable and broken down by campaign)."""
    return [k.id for k in KPIS if k.abtest and "campaign" in k.breakdowns]


# ---- statistics ---------------------------------------------------------------------------------------------


def _clean(x) -> float | None:
    """A float, or None for NaN/inf (JSON has no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def sample_size_per_arm(baseline: float, mde: float, relative: bool = False, alpha: float = ALPHA,
                        power: float = POWER) -> int:
    """Sample per arm to detect ``mde`` (absolute, or relative to ``baseline`` with ``relative``) from
    ``baseline`` with a two-sided test at ``alpha`` and ``power`` (normal approximation, rounded up):
    n = (z₁₋α/₂·√(2p̄(1−p̄)) + z₁₋β·√(p₁(1−p₁)+p₂(1−p₂)))² / (p₂−p₁)²."""
    p1 = float(baseline)
    p2 = p1 * (1 + mde) if relative else p1 + mde
    if not 0 < p1 < 1:
        raise ValueError(f"baseline must be a rate between 0 and 1 (exclusive), got {baseline}")
    if mde == 0 or not 0 < p2 < 1:
        raise ValueError(f"the rate to detect ({p2:g} = baseline {'× (1 + mde)' if relative else '+ mde'}) must "
                         f"differ from the baseline and lie between 0 and 1, got mde {mde}")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError(f"alpha and power must lie between 0 and 1, got alpha {alpha}, power {power}")
    z_alpha, z_power = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    p_bar = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar)) + z_power * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root ** 2 / (p2 - p1) ** 2)


def probability_b_better(successes_a: float, trials_a: float, successes_b: float, trials_b: float) -> float:
    """P(p_B > p_A) with Beta(1 + x, 1 + n − x) posteriors (flat Beta(1,1) priors): ∫ f_B(p)·F_A(p) dp, integrated
    numerically (``scipy.integrate.quad``) over the range where the posteriors have mass (exact to ~1e-8)."""
    post_a = stats.beta(1 + successes_a, 1 + trials_a - successes_a)
    post_b = stats.beta(1 + successes_b, 1 + trials_b - successes_b)
    low = max(0.0, min(post_a.ppf(1e-12), post_b.ppf(1e-12)))
    high = min(1.0, max(post_a.isf(1e-12), post_b.isf(1e-12)))
    points = [p for p in (post_a.mean(), post_b.mean()) if low < p < high]
    value, _err = integrate.quad(lambda p: post_b.pdf(p) * post_a.cdf(p), low, high, points=points or None,
                                 limit=200, epsabs=1e-10)
    return min(1.0, max(0.0, value))


def _wilson(successes: float, trials: float) -> tuple[float | None, float | None]:
    if trials <= 0:
        return None, None
    low, high = proportion_confint(successes, trials, alpha=ALPHA, method="wilson")
    return _clean(low), _clean(high)


def proportion_arm(name: str, campaigns: tuple[str, ...], successes: float, trials: float) -> Arm:
    """An arm of a share KPI with its Wilson score 95 % interval."""
    low, high = _wilson(successes, trials)
    return Arm(name, campaigns, successes, trials, successes / trials if trials else None, low, high)


def compare_proportions(variant: str, a: Arm, b: Arm) -> Comparison:
    """``b`` against ``a`` for a share KPI: pooled z-test, Newcombe interval, P(b better), sample needed."""
    xa, na, xb, nb = a.numerator, a.denominator, b.numerator, b.denominator
    if not na or not nb:
        return Comparison(variant, b, None, None, None, None, None, None, None, None)
    pa, pb = xa / na, xb / nb
    difference = pb - pa
    pooled = (xa + xb) / (na + nb)
    p_value = None
    if 0 < pooled < 1:
        _z, p = proportions_ztest([xb, xa], [nb, na])  # pooled variance (prop_var=False): the pooled z-test
        p_value = _clean(p)
    low, high = confint_proportions_2indep(xb, nb, xa, na, method="newcomb", compare="diff", alpha=ALPHA)
    needed = None
    if difference != 0 and 0 < pa < 1 and 0 < pb < 1:
        needed = sample_size_per_arm(pa, difference)
    return Comparison(variant, b, difference, difference / pa if pa else None, _clean(low), _clean(high), p_value,
                      p_value, probability_b_better(xa, na, xb, nb), needed)


def mean_arm(name: str, campaigns: tuple[str, ...], values: np.ndarray, total: float | None = None,
             count: float | None = None) -> Arm:
    """An arm of a mean KPI (average order value) from its orders' revenues, with its t 95 % interval.
    ``total``/``count``: the KPI engine's revenue and orders (default: the values' sum and count)."""
    total = float(values.sum()) if total is None else total
    count = float(len(values)) if count is None else count
    low = high = None
    if len(values) > 1:
        res = stats.ttest_1samp(values, 0.0)
        ci = res.confidence_interval(1 - ALPHA)
        low, high = _clean(ci.low), _clean(ci.high)
    return Arm(name, campaigns, total, count, total / count if count else None, low, high)


def compare_means(variant: str, a: Arm, b: Arm, values_a: np.ndarray, values_b: np.ndarray) -> Comparison:
    """``b`` against ``a`` for a mean: Welch's t-test and its interval, sample needed (normal approximation)."""
    if len(values_a) < 2 or len(values_b) < 2:
        difference = (b.value - a.value) if a.value is not None and b.value is not None else None
        return Comparison(variant, b, difference, None, None, None, None, None, None, None)
    difference = float(values_b.mean() - values_a.mean())
    res = stats.ttest_ind(values_b, values_a, equal_var=False)
    ci = res.confidence_interval(1 - ALPHA)
    spread = values_a.var(ddof=1) + values_b.var(ddof=1)
    needed = None
    if difference != 0:
        z = stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER)
        needed = math.ceil(z ** 2 * spread / difference ** 2)
    mean_a = float(values_a.mean())
    p_value = _clean(res.pvalue)
    return Comparison(variant, b, difference, difference / mean_a if mean_a else None, _clean(ci.low),
                      _clean(ci.high), p_value, p_value, None, needed)


def adjust(comparisons: list[Comparison]) -> list[Comparison]:
    """Benjamini–Hochberg adjusted p-values over the comparisons (each p-value itself when there is one)."""
    known = [i for i, c in enumerate(comparisons) if c.p_value is not None]
    if len(comparisons) < 2 or not known:
        return comparisons
    adjusted = multipletests([comparisons[i].p_value for i in known], alpha=ALPHA, method="fdr_bh")[1]
    out = list(comparisons)
    for i, p in zip(known, adjusted):
        c = out[i]
        out[i] = Comparison(c.variant, c.arm, c.difference, c.relative_lift, c.ci_low, c.ci_high, c.p_value,
                            _clean(p), c.probability_better, c.needed_per_arm)
    return out


# ---- running a test -----------------------------------------------------------------------------------------


def _checked(kpi_id: str, variants: dict[str, list[str]]) -> None:
    kpi = KPI_BY_ID.get(kpi_id)
    if kpi is None or not kpi.abtest:
        what = "Unknown KPI" if kpi is None else "KPI cannot be A/B tested:"
        raise ABTestError(f"{what} {kpi_id!r}; A/B-testable KPIs: {', '.join(testable_kpis())}")
    if "campaign" not in kpi.breakdowns:
        with with_english():
            reason = why_no_breakdown(kpi, "campaign")
        raise ABTestError(f"{kpi_id} cannot be compared by campaign: {reason}. "
                          f"A/B-testable KPIs: {', '.join(testable_kpis())}")
    if "a" not in variants or "b" not in variants:
        raise ABTestError("an A/B test needs variants a and b")
    seen: dict[str, str] = {}
    for variant, campaigns in variants.items():
        if not campaigns:
            raise ABTestError(f"variant {variant} names no campaign")
        for campaign in campaigns:
            if campaign in seen and seen[campaign] != variant:
                raise ABTestError(f"campaign {campaign!r} is in two variants ({seen[campaign]} and {variant}); "
                                  "each campaign belongs to one variant")
            seen[campaign] = variant


def with_english():
    """Messages of :class:`ABTestError` are English (the CLI's language; pages translate their own)."""
    from i18n import using_locale

    return using_locale("en")


def run_abtest(engine: Engine, kpi_id: str, variants: dict[str, list[str]], period: Period,
               channel: str | None = None) -> ABTest:
    """Compare the variants (``{"a": [campaign, …], "b": [...], "c": …}``, A first) on ``kpi_id`` over ``period``
    (within ``channel`` when given). Raises :class:`ABTestError` for a test that cannot be run as asked."""
    from metrics.dimensions import campaigns as known_campaigns

    _checked(kpi_id, variants)
    kpi = KPI_BY_ID[kpi_id]
    names = list(variants)
    known = set(known_campaigns(engine, channel))
    for campaigns in variants.values():
        for campaign in campaigns:
            if campaign not in known:
                shown = sorted(known)
                where = f" in channel {channel}" if channel else ""
                raise ABTestError(f"Unknown campaign {campaign!r}{where}; campaigns: {', '.join(shown[:30])}"
                                  + (" …" if len(shown) > 30 else ""))
    sums = abtest_data.campaign_sums(engine, kpi, period.start, period.end, channel)
    arms = {}
    for variant in names:
        campaigns = tuple(variants[variant])
        num = sum(sums.get(c, (0.0, 0.0))[0] for c in campaigns)
        den = sum(sums.get(c, (0.0, 0.0))[1] for c in campaigns)
        if den <= 0:
            raise ABTestError(f"no data for variant {variant} ({', '.join(campaigns)}) in {period.label}: "
                              f"its {_english_measure(abtest_data.ratio_parts(kpi)[1])} is zero")
        if kpi.abtest == "proportion" and num > den:  # e.g. more shop orders than web sessions: no share to test
            parts = abtest_data.ratio_parts(kpi)
            raise ABTestError(f"variant {variant} ({', '.join(campaigns)}) has more {_english_measure(parts[0])} "
                              f"({num:,.0f}) than {_english_measure(parts[1])} ({den:,.0f}) in {period.label}: "
                              f"{kpi.id} is not a share of them there, so a test of proportions cannot compare it "
                              "(check the campaign's tagging in each source)")
        arms[variant] = (campaigns, num, den)
    if kpi.abtest == "mean":
        end = abtest_data.covered_end(engine, kpi, period.start, period.end)
        values = {v: abtest_data.order_revenues(engine, list(arms[v][0]), period.start, end, channel) for v in names}
        built = {v: mean_arm(",".join(arms[v][0]), arms[v][0], values[v], arms[v][1], arms[v][2]) for v in names}
        comparisons = [compare_means(v, built["a"], built[v], values["a"], values[v]) for v in names[1:]]
        method = MEAN_METHOD
    else:
        built = {v: proportion_arm(",".join(arms[v][0]), arms[v][0], arms[v][1], arms[v][2]) for v in names}
        comparisons = [compare_proportions(v, built["a"], built[v]) for v in names[1:]]
        method = PROPORTION_METHOD
    if len(comparisons) > 1:
        comparisons = adjust(comparisons)
        method = f"{method}; {BH_METHOD}"
    return ABTest(kpi_id, period, channel, method, built["a"], comparisons)


def variants_without_data(engine: Engine, kpi_id: str, variants: dict[str, list[str]], period: Period,
                          channel: str | None = None) -> list[str]:
    """The variants (keys: 'a', 'b' …) whose campaigns have nothing to divide by in ``period`` (no delivered
    emails, sessions or orders), read as :func:`run_abtest` reads them: the ones it refuses for want of data."""
    sums = abtest_data.campaign_sums(engine, KPI_BY_ID[kpi_id], period.start, period.end, channel)
    return [key for key, campaigns in variants.items() if sum(sums.get(c, (0.0, 0.0))[1] for c in campaigns) <= 0]


def _english_measure(name: str) -> str:
    with with_english():
        return measure_label(name)


# ---- words --------------------------------------------------------------------------------------------------


def _kpi_in_text(kpi_id: str) -> str:
    """The KPI's name inside a sentence: 'click rate' lower-cased in English unless it is an acronym (CSAT)."""
    label = kpi_label(kpi_id)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _about(count: float) -> str:
    """A count rounded to two significant figures, in the reader's digits: 9,347 → '9,300'."""
    count = int(math.ceil(count))
    digits = len(str(abs(count)))
    rounded = round(count, -(digits - 2)) if digits > 2 else count
    return localize_digits(f"{rounded:,}")


def _p_text(p: float, adjusted: bool) -> str:
    """'p = 0.082', 'adjusted p < 0.001': :func:`metrics.format.format_p`'s value in the verdict's words."""
    value = format_p(p, label=False)
    shown = value if value.startswith("<") else localize_digits("= ") + value
    return (_("adjusted p {value}") if adjusted else _("p {value}")).format(value=shown)


def denominator_label(kpi_id: str) -> str:
    """What the KPI's denominator counts, in the reader's language ('emails delivered', 'sessions', 'orders')."""
    return measure_label(abtest_data.ratio_parts(KPI_BY_ID[kpi_id])[1])


def _sentence(test: ABTest, c: Comparison, adjusted: bool) -> str:
    variant, kpi = c.variant.upper(), _kpi_in_text(test.kpi)
    p = c.p_value_adjusted if adjusted else c.p_value
    if c.difference is None or c.difference == 0 or p is None:
        return _("No reliable difference in {kpi} between A and {variant}.").format(kpi=kpi, variant=variant)
    higher = c.difference > 0
    if p < ALPHA:
        text = (_("{variant}'s {kpi} is higher than A's, and the difference is reliable ({p}).") if higher
                else _("{variant}'s {kpi} is lower than A's, and the difference is reliable ({p})."))
        return text.format(variant=variant, kpi=kpi, p=_p_text(p, adjusted))
    more = still_needed(test, c) or 0
    if more > 0:
        text = (_("{variant}'s {kpi} is higher than A's; the difference is not yet reliable: about {count} more "
                  "{measure} per variant needed.") if higher
                else _("{variant}'s {kpi} is lower than A's; the difference is not yet reliable: about {count} more "
                       "{measure} per variant needed."))
        return text.format(variant=variant, kpi=kpi, count=_about(more), measure=denominator_label(test.kpi))
    return _("No reliable difference in {kpi} between A and {variant} ({p}).").format(
        kpi=kpi, variant=variant, p=_p_text(p, adjusted))


def still_needed(test: ABTest, comparison: Comparison) -> int | None:
    """How many more (sessions, delivered emails …) each variant needs to detect the observed lift: the sample per
    variant less what the smaller of the two has; 0 when it has enough; None when unknown."""
    if comparison.needed_per_arm is None:
        return None
    return max(0, math.ceil(comparison.needed_per_arm - min(test.a.denominator, comparison.arm.denominator)))


def verdict(test: ABTest) -> str:
    """One line in the reader's language, e.g. "B's click rate is higher; the difference is not yet reliable: about
    9,000 more delivered emails per variant needed". With more than two variants, one sentence per variant on
    Benjamini–Hochberg adjusted p-values."""
    adjusted = len(test.comparisons) > 1
    return " ".join(_sentence(test, c, adjusted) for c in test.comparisons)


def cautions(test: ABTest) -> list[str]:
    """Plain warnings in the reader's language: samples too small for the normal approximation or to detect the
    lift, and deciding early from repeated looks (peeking)."""
    kpi = KPI_BY_ID[test.kpi]
    out = []
    arms = [("A", test.a)] + [(c.variant.upper(), c.arm) for c in test.comparisons]
    numerator, denominator = abtest_data.ratio_parts(kpi)
    for variant, arm in arms:
        if kpi.abtest == "proportion":
            failures = arm.denominator - arm.numerator
            if min(arm.numerator, failures) < MIN_OUTCOMES:
                out.append(_("Variant {variant} is small: {successes} {numerator} out of {trials} {denominator}. "
                             "With fewer than 10 of either outcome the normal approximation behind the p-value is "
                             "unreliable.").format(
                    variant=variant, successes=localize_digits(f"{arm.numerator:,.0f}"),
                    numerator=measure_label(numerator), trials=localize_digits(f"{arm.denominator:,.0f}"),
                    denominator=measure_label(denominator)))
        elif arm.denominator < MIN_ORDERS:
            out.append(_("Variant {variant} has only {count} {denominator}: with fewer than 30 the t-test on "
                         "skewed revenues is unreliable.").format(
                variant=variant, count=localize_digits(f"{arm.denominator:,.0f}"),
                denominator=measure_label(denominator)))
    adjusted = len(test.comparisons) > 1
    for c in test.comparisons:
        smaller = min(test.a.denominator, c.arm.denominator)
        p = c.p_value_adjusted if adjusted else c.p_value
        if c.needed_per_arm and smaller < c.needed_per_arm and p is not None and p < ALPHA:
            out.append(_("The difference between A and {variant} is reliable, but the test is smaller than the "
                         "{needed} {denominator} per variant it needs for 80% power at this lift: a lift found by "
                         "an underpowered test tends to be overstated, so expect a smaller one when it is rolled "
                         "out.").format(variant=c.variant.upper(), needed=_about(c.needed_per_arm),
                                        denominator=measure_label(denominator)))
        elif c.needed_per_arm and smaller < c.needed_per_arm:
            out.append(_("To detect a difference as large as the one observed between A and {variant} takes about "
                         "{needed} {denominator} per variant (α = 0.05, 80% power); the smaller variant has "
                         "{have}.").format(
                variant=c.variant.upper(), needed=_about(c.needed_per_arm), denominator=measure_label(denominator),
                have=localize_digits(f"{smaller:,.0f}")))
    out.append(_("Do not stop the test the first time the difference looks reliable: deciding early from repeated "
                 "looks (peeking) makes false winners far more likely. Fix the sample size in advance (e.g. with "
                 "the sample-size planner) and decide once it is reached."))
    return out
