"""``python cli.py abtest`` and ``abtest plan`` as scripts run them (real subprocesses, the demo warehouse)."""

from __future__ import annotations

import json

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from tests.test_cli import run

PAIR = ["--kpi", "speak.email_click_rate", "--a", "newsletter_subject_a", "--b", "newsletter_subject_b"]
KEYS = {"kpi", "period", "a", "b", "difference", "relative_lift", "ci_low", "ci_high", "p_value", "method",
        "probability_b_better"}  # issue 15's contract
EXTENDED = {"channel", "p_value_adjusted", "p_value_unadjusted", "needed_per_arm"}


def test_demo_email_pair_as_json(demo_url):
    out = run(["abtest", *PAIR, "--period", "2026-10", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == KEYS | EXTENDED
    assert doc["period"] == {"grain": "month", "start": "2026-10-01", "end": "2026-10-31", "label": "2026-10"}
    # the demo's subject-line test in October 2026: five Thursday sends, 853 of 25,424 and 929 of 25,463 clicked
    assert doc["a"] == {"name": "newsletter_subject_a", "numerator": 853.0, "denominator": 25424.0,
                        "value": pytest.approx(853 / 25424)}
    assert doc["b"] == {"name": "newsletter_subject_b", "numerator": 929.0, "denominator": 25463.0,
                        "value": pytest.approx(929 / 25463)}
    assert doc["difference"] == pytest.approx(929 / 25463 - 853 / 25424)
    assert doc["relative_lift"] == pytest.approx((929 / 25463) / (853 / 25424) - 1)
    assert doc["p_value"] == pytest.approx(proportions_ztest([929, 853], [25463, 25424])[1])
    low, high = confint_proportions_2indep(929, 25463, 853, 25424, method="newcomb", compare="diff")
    assert (doc["ci_low"], doc["ci_high"]) == pytest.approx((low, high))
    assert 0.9 < doc["probability_b_better"] < 1 and doc["p_value"] > 0.05  # likely better, not yet reliable
    assert doc["channel"] is None and doc["p_value_adjusted"] == doc["p_value"] and doc["needed_per_arm"] == 61648


def test_demo_email_pair_in_words(demo_url):
    out = run(["abtest", *PAIR, "--period", "2026-10"], demo_url)
    assert out.returncode == 0, out.stderr
    # 61,648 needed per variant − 25,424 in the smaller one = 36,224 more, to two significant figures
    assert ("Verdict: B's email click rate is higher than A's; the difference is not yet reliable: about 36,000 more "
            "emails delivered per variant needed.") in out.stdout
    assert "newsletter_subject_a" in out.stdout and "3.4%" in out.stdout and "3.6%" in out.stdout
    assert "peeking" in out.stdout and "Method: pooled two-proportion z-test" in out.stdout
    opens = run(["abtest", "--kpi", "speak.email_open_rate", *PAIR[2:], "--period", "2026-10", "--channel", "Email"],
                demo_url)
    assert opens.returncode == 0, opens.stderr
    assert "B's email open rate is higher than A's, and the difference is reliable (p < 0.001)." in opens.stdout


def test_more_than_two_variants_are_adjusted(demo_url):
    out = run(["abtest", "--kpi", "sell.conversion_rate", "--a", "meta_prospecting", "--b", "meta_retargeting",
               "--c", "meta_catalog_dpa", "--period", "2026-10", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [v["variant"] for v in doc["variants"]] == ["b", "c"]
    ps = sorted(v["p_value"] for v in doc["variants"])
    adjusted = sorted(v["p_value_adjusted"] for v in doc["variants"])
    assert adjusted == pytest.approx([min(2 * ps[0], ps[1]), ps[1]])  # Benjamini–Hochberg with two p-values


def test_plan_json_and_text(demo_url):
    out = run(["abtest", "plan", "--baseline", "0.03", "--mde", "0.1", "--relative", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"baseline": 0.03, "mde": 0.1, "relative": True, "alpha": 0.05, "power": 0.8,
                                      "per_arm": 53211}
    before = run(["abtest", "--format", "json", "plan", "--baseline", "0.03", "--mde", "0.1", "--relative"], demo_url)
    assert json.loads(before.stdout)["per_arm"] == 53211  # --format before 'plan' counts too
    text = run(["abtest", "plan", "--baseline", "0.03", "--mde", "0.003"], demo_url)
    assert text.returncode == 0, text.stderr
    assert "3.30% from a baseline of 3.00%" in text.stdout and "53,211 per variant" in text.stdout


@pytest.mark.parametrize("args, message", [
    (["--kpi", "serve.csat", *PAIR[2:], "--period", "2026-10"], "customer feedback data is not tied to a campaign"),
    (["--kpi", "sell.revenue", *PAIR[2:], "--period", "2026-10"], "A/B-testable KPIs: sell.conversion_rate"),
    (["--kpi", "speak.email_click_rate", "--a", "nope", "--b", "newsletter_subject_b", "--period", "2026-10"],
     "Unknown campaign 'nope'; campaigns: (direct)"),
    (["--kpi", "speak.email_click_rate", "--a", "newsletter_subject_a",
      "--b", "newsletter_subject_b,newsletter_subject_a", "--period", "2026-10"], "is in two variants"),
    ([*PAIR, "--period", "2025-03"], "no data for variant a (newsletter_subject_a) in 2025-03"),
    ([*PAIR], "abtest needs --period"),
    ([*PAIR, "--e", "winback", "--period", "2026-10"], "--e needs --c: variants are given in order"),
    ([*PAIR, "--period", "2026-13"], "is not a real date"),
    (["plan", "--baseline", "1.5", "--mde", "0.1"], "baseline must be a rate between 0 and 1"),
    (["plan", "--baseline", "0.03", "--mde", "0"], "must differ from the baseline"),
])
def test_errors_are_one_line(demo_url, args, message):
    out = run(["abtest", *args], demo_url)
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and message in out.stderr and out.stderr.count("\n") == 1
    assert out.stdout == ""
