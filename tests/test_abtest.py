"""A/B tests of campaign variants: the numbers against statsmodels/scipy and by hand, on a real warehouse."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from connectors.loader import load
from i18n import using_locale
from metrics.abtest import (
    ABTest,
    ABTestError,
    Arm,
    Comparison,
    adjust,
    cautions,
    compare_proportions,
    probability_b_better,
    proportion_arm,
    run_abtest,
    sample_size_per_arm,
    variants_without_data,
    verdict,
)
from metrics.abtest import (
    testable_kpis as kpis_to_test,
)
from metrics.periods import Period, parse_period

WEEK = Period("week", date(2026, 11, 2), date(2026, 11, 8))
EMAIL_COLUMNS = ["date", "campaign", "sent", "delivered", "unique_opens", "unique_clicks", "unsubscribes", "bounces"]
ORDER_COLUMNS = ["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel", "campaign"]


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's score interval, written out (Newcombe 1998, method 3)."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_pooled_z_test_and_newcombe_interval_by_hand():
    a, b = proportion_arm("a", ("a",), 45, 1000), proportion_arm("b", ("b",), 60, 1000)
    c = compare_proportions("b", a, b)
    # pooled p̄ = 105/2000 = 0.0525; se = √(0.0525·0.9475·(1/1000 + 1/1000)) = √0.0000994875 = 0.0099744
    # z = (0.060 − 0.045)/0.0099744 = 1.50386; p = 2·(1 − Φ(1.50386)) = 0.13262
    assert c.difference == pytest.approx(0.015)
    assert c.relative_lift == pytest.approx(0.015 / 0.045)
    se = math.sqrt(0.0525 * 0.9475 * 2 / 1000)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(0.015 / se), rel=1e-9)
    assert c.p_value == pytest.approx(0.13262, abs=1e-5)
    # Newcombe's hybrid score interval: d − √((p_b − l_b)² + (u_a − p_a)²), d + √((u_b − p_b)² + (p_a − l_a)²)
    z = stats.norm.ppf(0.975)
    la, ua = _wilson(45, 1000, z)
    lb, ub = _wilson(60, 1000, z)
    assert c.ci_low == pytest.approx(0.015 - math.hypot(0.060 - lb, ua - 0.045), rel=1e-9)
    assert c.ci_high == pytest.approx(0.015 + math.hypot(ub - 0.060, 0.045 - la), rel=1e-9)
    assert c.ci_low < 0 < c.ci_high  # not significant: the interval holds 0, as p > 0.05 says
    assert (b.ci_low, b.ci_high) == pytest.approx((lb, ub))  # each arm's own interval: Wilson's


@pytest.mark.parametrize("xa, na, xb, nb", [(12, 340, 25, 360), (500, 10000, 560, 10000), (853, 25424, 929, 25463),
                                            (30, 200, 18, 210)])
def test_share_numbers_against_statsmodels(xa, na, xb, nb):
    c = compare_proportions("b", proportion_arm("a", ("a",), xa, na), proportion_arm("b", ("b",), xb, nb))
    _z, p = proportions_ztest([xb, xa], [nb, na])  # statsmodels' default: pooled variance
    low, high = confint_proportions_2indep(xb, nb, xa, na, method="newcomb", compare="diff")
    assert c.p_value == pytest.approx(p, rel=1e-12)
    assert (c.ci_low, c.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert c.difference == pytest.approx(xb / nb - xa / na)
    # the sample needed to detect the observed lift is the planning formula at A's rate and the observed lift
    assert c.needed_per_arm == sample_size_per_arm(xa / na, xb / nb - xa / na)


def test_probability_b_better():
    # A ~ Beta(1, 2) (0 of 1), B ~ Beta(2, 1) (1 of 1): P(B > A) = ∫ 2p·(1 − (1 − p)²) dp = 4/3 − 1/2 = 5/6
    assert probability_b_better(0, 1, 1, 1) == pytest.approx(5 / 6, abs=1e-9)
    assert probability_b_better(50, 1000, 50, 1000) == pytest.approx(0.5, abs=1e-9)  # equal counts: a coin toss
    assert probability_b_better(1, 1, 0, 1) == pytest.approx(1 / 6, abs=1e-9)  # and the mirror case
    # large, sharp posteriors: the integral agrees with a seeded Monte Carlo of 400,000 draws (its sd ≈ 0.0004)
    rng = np.random.default_rng(15)
    draws_a, draws_b = rng.beta(1 + 853, 1 + 25424 - 853, 400_000), rng.beta(1 + 929, 1 + 25463 - 929, 400_000)
    assert probability_b_better(853, 25424, 929, 25463) == pytest.approx((draws_b > draws_a).mean(), abs=0.002)


def test_sample_size_worked_example():
    # p₁ = 0.03, p₂ = 0.033, p̄ = 0.0315: (1.959964·√(2·0.0315·0.9685) + 0.841621·√(0.0291 + 0.031911))² / 0.003²
    # = (0.484137 + 0.207884)² / 0.000009 = 0.478893 / 0.000009 = 53,210.3 → 53,211 (rounded up)
    assert sample_size_per_arm(0.03, 0.1, relative=True) == 53211
    assert sample_size_per_arm(0.03, 0.003) == 53211  # the same lift given in points
    assert sample_size_per_arm(0.03, 0.1, relative=True, power=0.9) > 53211  # more power needs more
    for bad in [dict(baseline=0, mde=0.1), dict(baseline=1.2, mde=0.1), dict(baseline=0.03, mde=0),
                dict(baseline=0.5, mde=0.6), dict(baseline=0.03, mde=0.1, alpha=1.5)]:
        with pytest.raises(ValueError):
            sample_size_per_arm(**bad)


def test_benjamini_hochberg_by_hand():
    arm = Arm("x", ("x",), 1, 10, 0.1)
    ps = {"b": 0.01, "c": 0.04, "d": 0.03}
    comparisons = [Comparison(v, arm, 0.01, 0.1, None, None, p, p, None, None) for v, p in ps.items()]
    adjusted = {c.variant: c.p_value_adjusted for c in adjust(comparisons)}
    # sorted 0.01, 0.03, 0.04 (m = 3): 0.04·3/3 = 0.04; min(0.03·3/2 = 0.045, 0.04) = 0.04; min(0.01·3/1, 0.04) = 0.03
    assert adjusted == pytest.approx({"b": 0.03, "c": 0.04, "d": 0.04})
    assert list(adjusted.values()) == pytest.approx(list(multipletests(list(ps.values()), method="fdr_bh")[1]))


def _emails(engine, rows):
    load(engine, "email", pd.DataFrame(rows, columns=EMAIL_COLUMNS), source="test", cursor="2026-11-08")


def test_run_abtest_on_email_campaigns_with_three_variants(engine):
    _emails(engine, [
        (date(2026, 11, 3), "subject_a", 2000, 2000, 600, 60, 1, 0),
        (date(2026, 11, 5), "subject_a", 1000, 1000, 300, 30, 1, 0),
        (date(2026, 11, 3), "subject_b", 3000, 3000, 990, 150, 1, 0),  # B: two campaigns summed
        (date(2026, 11, 3), "subject_b2", 0, 0, 0, 0, 0, 0),
        (date(2026, 11, 3), "subject_c", 3000, 3000, 900, 95, 1, 0),
        (date(2026, 10, 27), "subject_a", 5000, 5000, 100, 10, 1, 0),  # the week before: left out
    ])
    test = run_abtest(engine, "speak.email_click_rate", {"a": ["subject_a"], "b": ["subject_b", "subject_b2"],
                                                         "c": ["subject_c"]}, WEEK)
    assert (test.a.numerator, test.a.denominator) == (90, 3000)  # 60 + 30 clicks of 2,000 + 1,000 delivered
    assert (test.b.arm.numerator, test.b.arm.denominator, test.b.arm.name) == (150, 3000, "subject_b,subject_b2")
    assert test.b.difference == pytest.approx(0.05 - 0.03)
    p_b = proportions_ztest([150, 90], [3000, 3000])[1]
    p_c = proportions_ztest([95, 90], [3000, 3000])[1]
    assert (test.comparisons[0].p_value, test.comparisons[1].p_value) == pytest.approx((p_b, p_c))
    # BH with two p-values: the larger stays, the smaller becomes min(2·p, the larger)
    small, large = sorted((p_b, p_c))
    assert test.comparisons[1].p_value_adjusted == pytest.approx(large)
    assert test.comparisons[0].p_value_adjusted == pytest.approx(min(2 * small, large))
    doc = test.as_json()
    assert [v["variant"] for v in doc["variants"]] == ["b", "c"]
    # with more than two variants the top-level p-value is B's adjusted one; the raw one is kept beside it
    assert doc["p_value"] == doc["p_value_adjusted"] == test.comparisons[0].p_value_adjusted
    assert doc["p_value_unadjusted"] == pytest.approx(p_b)
    assert "Benjamini-Hochberg" in doc["method"]
    # B: z = 0.02/√(0.04·0.96·2/3000) = 3.95, adjusted p = 2·0.00008 < 0.001; C's 95 vs 90 clicks: no evidence
    assert verdict(test) == ("B's email click rate is higher than A's, and the difference is reliable (adjusted p < "
                             "0.001). C's email click rate is higher than A's; the difference is not yet reliable: "
                             "about 170,000 more emails delivered per variant needed.")


def test_run_abtest_errors(engine):
    _emails(engine, [(date(2026, 11, 3), "subject_a", 100, 100, 30, 3, 0, 0),
                     (date(2026, 11, 3), "subject_b", 100, 100, 30, 3, 0, 0)])
    rate = "speak.email_click_rate"
    with pytest.raises(ABTestError, match="A/B-testable KPIs: sell.conversion_rate"):
        run_abtest(engine, "sell.revenue", {"a": ["subject_a"], "b": ["subject_b"]}, WEEK)
    with pytest.raises(ABTestError, match="Unknown KPI 'nope'"):
        run_abtest(engine, "nope", {"a": ["subject_a"], "b": ["subject_b"]}, WEEK)
    with pytest.raises(ABTestError, match="customer feedback data is not tied to a campaign"):
        run_abtest(engine, "serve.csat", {"a": ["subject_a"], "b": ["subject_b"]}, WEEK)
    with pytest.raises(ABTestError, match="Unknown campaign 'subject_z'.*subject_a, subject_b"):
        run_abtest(engine, rate, {"a": ["subject_a"], "b": ["subject_z"]}, WEEK)
    with pytest.raises(ABTestError, match="'subject_a' is in two variants"):
        run_abtest(engine, rate, {"a": ["subject_a"], "b": ["subject_b", "subject_a"]}, WEEK)
    with pytest.raises(ABTestError, match="no data for variant a"):
        run_abtest(engine, rate, {"a": ["subject_a"], "b": ["subject_b"]}, parse_period("2026-W40"))
    # the variants it refuses for want of data, named for the page: both in W40 (nothing sent), none in W45
    assert variants_without_data(engine, rate, {"a": ["subject_a"], "b": ["subject_b"]},
                                 parse_period("2026-W40")) == ["a", "b"]
    assert variants_without_data(engine, rate, {"a": ["subject_a"], "b": ["subject_b"]}, WEEK) == []
    _emails(engine, [(date(2026, 11, 4), "subject_c", 10, 10, 5, 20, 0, 0)])  # 20 clicks of 10 delivered: no share
    with pytest.raises(ABTestError, match=r"variant b \(subject_c\) has more unique clicks \(20\) than emails "
                                          r"delivered \(10\)"):
        run_abtest(engine, rate, {"a": ["subject_a"], "b": ["subject_c"]}, WEEK)
    assert "serve.csat" not in kpis_to_test() and "speak.email_click_rate" in kpis_to_test()


def test_welch_on_hand_made_orders(engine):
    orders = [
        ("a1", datetime(2026, 11, 2, 9), "c1", 40.0, 0.0, "Paid Social", "creative_a"),
        ("a2", datetime(2026, 11, 3, 9), "c2", 100.0, 40.0, "Paid Social", "creative_a"),  # 100 − 40 refunded = 60
        ("a3", datetime(2026, 11, 4, 9), "c3", 80.0, 0.0, "Paid Social", "creative_a"),
        ("b1", datetime(2026, 11, 2, 9), "c4", 70.0, 0.0, "Paid Social", "creative_b"),
        ("b2", datetime(2026, 11, 3, 9), "c5", 90.0, 0.0, "Paid Social", "creative_b"),
        ("b3", datetime(2026, 11, 5, 9), "c6", 110.0, 0.0, "Paid Social", "creative_b"),
        ("b4", datetime(2026, 11, 8, 9), "c7", 130.0, 0.0, "Paid Social", "creative_b"),
        ("b5", datetime(2026, 11, 9, 9), "c8", 999.0, 0.0, "Paid Social", "creative_b"),  # after the week
    ]
    load(engine, "orders", pd.DataFrame(orders, columns=ORDER_COLUMNS), source="test", cursor="2026-11-09")
    test = run_abtest(engine, "sell.aov", {"a": ["creative_a"], "b": ["creative_b"]}, WEEK, channel="Paid Social")
    # A = 40, 60, 80: mean 60, variance 400; B = 70, 90, 110, 130: mean 100, variance 2000/3
    # se² = 400/3 + (2000/3)/4 = 133.33 + 166.67 = 300; t = 40/√300 = 2.3094
    # Welch df = 300² / (133.33²/2 + 166.67²/3) = 90000 / (8888.9 + 9259.3) = 4.9592
    assert (test.a.numerator, test.a.denominator, test.a.value) == (180, 3, 60)
    assert (test.b.arm.numerator, test.b.arm.denominator, test.b.arm.value) == (400, 4, 100)
    se, df = math.sqrt(300), 90000 / ((400 / 3) ** 2 / 2 + (2000 / 12) ** 2 / 3)
    assert df == pytest.approx(4.9592, abs=1e-4)
    assert test.b.difference == pytest.approx(40)
    assert test.b.p_value == pytest.approx(2 * stats.t.sf(40 / se, df), rel=1e-9)
    half = stats.t.ppf(0.975, df) * se
    assert (test.b.ci_low, test.b.ci_high) == pytest.approx((40 - half, 40 + half), rel=1e-9)
    assert test.b.probability_better is None and "Welch" in test.method
    # the sample to detect a 40 difference: (1.95996 + 0.84162)²·(400 + 666.67)/40² = 7.8489·1066.67/1600 = 5.23 → 6
    assert test.b.needed_per_arm == 6
    assert any("fewer than 30" in text for text in cautions(test))


def _made(pa: tuple[int, int], pb: tuple[int, int]) -> ABTest:
    a, b = proportion_arm("subject_a", ("subject_a",), *pa), proportion_arm("subject_b", ("subject_b",), *pb)
    return ABTest("speak.email_click_rate", WEEK, None, "m", a, [compare_proportions("b", a, b)])


def test_verdict_words():
    reliable = _made((300, 10000), (400, 10000))
    assert reliable.b.p_value < 0.001
    assert verdict(reliable) == "B's email click rate is higher than A's, and the difference is reliable (p < 0.001)."
    lower = _made((400, 10000), (300, 10000))
    assert "B's email click rate is lower than A's, and the difference is reliable" in verdict(lower)
    unsure = _made((853, 25424), (929, 25463))
    # needed 61,648 per variant (the formula at p₁ = 853/25424, the observed lift); 61,648 − 25,424 = 36,224 more,
    # shown to two significant figures
    assert unsure.b.needed_per_arm == 61648
    assert verdict(unsure) == ("B's email click rate is higher than A's; the difference is not yet reliable: "
                               "about 36,000 more emails delivered per variant needed.")
    same = _made((30, 1000), (30, 1000))
    assert verdict(same) == "No reliable difference in email click rate between A and B."
    with using_locale("fa"):
        assert verdict(unsure)  # a sentence in any language (its words are translated centrally)


def test_cautions():
    small = _made((4, 200), (9, 210))
    texts = cautions(small)
    assert any("Variant A is small: 4 unique clicks out of 200 emails delivered" in t for t in texts)
    assert any("Variant B is small: 9 unique clicks" in t for t in texts)
    assert any("takes about" in t and "the smaller variant has 200" in t for t in texts)
    assert "peeking" in texts[-1]
    big = _made((300, 10000), (400, 10000))
    assert len(cautions(big)) == 1 and "peeking" in cautions(big)[0]  # the peeking warning is always there


def test_a_reliable_but_underpowered_difference_is_said_to_be_overstated():
    # 300/10,000 against 360/10,000: pooled p̄ = 0.033, z = 0.006/√(0.033·0.967·2/10,000) = 2.38, p ≈ 0.017 < 0.05;
    # detecting a lift of 3.0 % → 3.6 % with 80 % power takes ~14,000 per variant (the formula), more
    # than the 10,000 each variant has: reliable, but the lift is likely overstated.
    test = _made((300, 10000), (360, 10000))
    assert test.b.p_value < 0.05 and test.b.needed_per_arm > 10000
    texts = cautions(test)
    assert any(t.startswith("The difference between A and B is reliable, but the test is smaller") for t in texts)
    assert not any("takes about" in t for t in texts)


def test_the_verdicts_p_is_written_by_format_p():
    from metrics.abtest import _p_text

    assert (_p_text(0.0821, False), _p_text(0.0004, True)) == ("p = 0.082", "adjusted p < 0.001")  # 2 significant
    with using_locale("fa"):
        assert "۰٫۰۸۲" in _p_text(0.0821, False)
