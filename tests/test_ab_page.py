"""The A/B test page (pages/ab_test.py) through Streamlit's AppTest on the demo warehouse (as of 2026-11-24; its
subject-line pair newsletter_subject_a / newsletter_subject_b is sent on Thursdays of the last 84 days, so in
October 2026)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from i18n import using_locale
from metrics.abtest import run_abtest, verdict
from metrics.format import format_p
from metrics.periods import parse_period
from tests.conftest import page_app

OCTOBER = {"grain": "month", "period": "2026-10"}
PAIR = {"a": "newsletter_subject_a", "b": "newsletter_subject_b"}


pytestmark = pytest.mark.usefixtures("demo_env")  # the app on the demo warehouse (tests/conftest.py)


def _metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _verdict(app) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("#### ")).removeprefix("#### ")


def test_the_page_opens_on_the_demo_pair_with_the_verdict_p_and_probability(demo_engine):
    app = page_app("ab_test", **OCTOBER).run()  # no KPI or variant in the URL: the demo's email click rate test
    assert not app.exception
    assert app.title[0].value == "A/B tests"
    assert app.selectbox(key="kpi").value == "speak.email_click_rate"
    assert (app.multiselect(key="a").value, app.multiselect(key="b").value) == (
        ["newsletter_subject_a"], ["newsletter_subject_b"])

    expected = run_abtest(demo_engine, "speak.email_click_rate", {"a": [PAIR["a"]], "b": [PAIR["b"]]},
                          parse_period("2026-10"))
    assert _verdict(app) == verdict(expected)
    assert _metric(app, "p-value") == format_p(expected.b.p_value, label=False)

    # the pooled z-test by hand from the counts the page's table shows
    table = app.dataframe[0].value
    assert list(table["Variant"]) == ["A", "B"]
    xa, xb = map(_count, table["Unique clicks"])
    na, nb = map(_count, table["Emails delivered"])
    pooled = (xa + xb) / (na + nb)
    z = (xb / nb - xa / na) / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p = 2 * norm.sf(abs(z))
    assert float(_metric(app, "p-value")) == pytest.approx(p, rel=0.05)  # two significant digits (format_p)
    assert _metric(app, "Probability B is better").endswith("%")
    assert float(_metric(app, "Probability B is better").rstrip("%")) / 100 == pytest.approx(
        expected.b.probability_better, abs=0.0005)
    # still needed: the sample per variant to detect the observed lift less the smaller variant's deliveries
    assert _count(_metric(app, "Still needed per variant")) == max(0, expected.b.needed_per_arm - min(na, nb))
    assert any(w.value.startswith("Do not stop the test the first time") for w in app.warning)  # peeking
    assert len(app.get("plotly_chart")) == 1


def test_choosing_kpi_and_variants_runs_the_test_and_keeps_it_in_the_url():
    app = page_app("ab_test", **OCTOBER, channel="Email", a="", b="").run()  # a link with empty variants
    assert not app.exception
    assert [i.value for i in app.info if i.value.startswith("Choose")] == [
        "Choose the campaigns of variant A to compare."]
    assert not app.metric or "p-value" not in [m.label for m in app.metric]

    app.selectbox(key="kpi").set_value("speak.email_open_rate").run()
    app.multiselect(key="a").set_value([PAIR["a"]]).run()
    app.multiselect(key="b").set_value([PAIR["b"]]).run()
    assert not app.exception
    assert "email open rate" in _verdict(app)
    assert format_p(None, label=False) != _metric(app, "p-value")
    assert dict(app.query_params) == {**OCTOBER, "channel": "Email", "kpi": "speak.email_open_rate", **PAIR}

    again = page_app("ab_test", **dict(app.query_params)).run()  # the link reproduces the test
    assert _verdict(again) == _verdict(app) and _metric(again, "p-value") == _metric(app, "p-value")


def test_a_campaign_in_both_variants_says_so():
    app = page_app("ab_test", **OCTOBER, a=PAIR["a"], b=PAIR["a"]).run()
    assert not app.exception
    assert "newsletter_subject_a is in variant A and in variant B: a campaign can be in one variant only." in [
        i.value for i in app.info]
    assert "p-value" not in [m.label for m in app.metric]


def test_a_kpi_campaigns_do_not_carry_and_a_period_without_data_say_why():
    app = page_app("ab_test", **OCTOBER, kpi="serve.csat", **PAIR).run()
    assert not app.exception
    assert app.warning[0].value == ("CSAT cannot be A/B tested by campaign: customer feedback data is not tied to a "
                                    "campaign. Choose one of the KPIs below.")
    assert app.selectbox(key="kpi").value == "speak.email_click_rate"  # the default instead

    june = page_app("ab_test", grain="month", period="2026-06", **PAIR).run()  # before the pair was sent
    assert not june.exception
    assert ("No data for variant A in 2026-06: its campaigns have no emails delivered then. Choose another period or "
            "other campaigns.") in [i.value for i in june.info]


def test_the_plan_gives_the_sample_per_variant():
    # baseline 3 %, relative lift 10% → p₂ = 3.3 %, p̄ = 3.15 %, α 0.05 (z = 1.959964), power 0.8 (z = 0.841621):
    # 1.959964·√(2·0.0315·0.9685) = 1.959964·0.247013 = 0.484137; 0.841621·√(0.03·0.97 + 0.033·0.967)
    # = 0.841621·0.247004 = 0.207884; (0.484137 + 0.207884)² / 0.003² = 0.478893 / 0.000009 = 53,210.3 → 53,211
    app = page_app("ab_test", **OCTOBER).run()
    assert _metric(app, "Sample per variant") == "53,211"
    app.toggle(key="plan_relative").set_value(False).run()  # the same lift in points: 0.3 of 3 %
    app.number_input(key="plan_mde_False").set_value(0.3).run()
    assert _metric(app, "Sample per variant") == "53,211"
    app.number_input(key="plan_power").set_value(0.9).run()  # more power, more sample
    assert _count(_metric(app, "Sample per variant")) > 53_211
    alpha = app.number_input(key="plan_alpha")  # said for a non-statistician
    assert alpha.label == "Significance level (α)"
    assert alpha.help == "How often a difference is called reliable when there is none: 0.05 = 1 time in 20."


def test_a_third_variant_adjusts_p_for_two_comparisons(demo_engine):
    app = page_app("ab_test", **OCTOBER, **PAIR, c="winback").run()
    assert not app.exception
    expected = run_abtest(demo_engine, "speak.email_click_rate", {"a": [PAIR["a"]], "b": [PAIR["b"]], "c": ["winback"]},
                          parse_period("2026-10"))
    assert "Adjusted for 2 comparisons: " + format_p(expected.b.p_value_adjusted, label=False) in [
        c.value for c in app.caption]


@pytest.mark.parametrize("lang", ["fa", "ar"])
def test_the_page_renders_right_to_left(lang):
    app = page_app("ab_test", **OCTOBER, **PAIR, lang=lang)
    with using_locale(lang):
        app.run()
    assert not app.exception
    assert any(ch in _verdict(app) for ch in "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")  # counts in the reader's digits
    assert any(ch in m.value for m in app.metric for ch in "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
    chart = app.get("plotly_chart")[0].proto.spec
    assert "Vazirmatn" in chart  # the right-to-left font
