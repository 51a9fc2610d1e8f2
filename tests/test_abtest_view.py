"""What the A/B test page shows (ui/abtest_view.py), worked by hand: the variants' checks, each variant's Wilson
interval, the sample still needed and the tables' rows."""

from __future__ import annotations

import pytest

from i18n import _, using_locale
from metrics.abtest import ABTest, Arm, Comparison, proportion_arm, still_needed
from metrics.catalog import get_kpi
from metrics.periods import parse_period
from ui.abtest_view import (
    VARIANT_WIDTHS,
    check_variants,
    chosen_variants,
    comparison_table,
    default_variants,
    empty_arms,
    interval_chart,
    interval_text,
    variant_column_config,
    variant_table,
)
from ui.bidi import FSI, PDI, RLI

KPI = get_kpi("speak.email_click_rate")


def _arm(name: str, clicks: float, delivered: float) -> Arm:
    return proportion_arm(name, (name,), clicks, delivered)  # with its Wilson score interval, as run_abtest builds it


def _test(a: Arm, *others: Arm, needed: int | None = 9_000) -> ABTest:
    comparisons = [Comparison("bcdef"[i], arm, arm.value - a.value, arm.value / a.value - 1, 0.001, 0.02, 0.04,
                              0.04 * len(others), 0.97, needed) for i, arm in enumerate(others)]
    return ABTest(KPI.id, parse_period("2026-10"), None, "pooled two-proportion z-test", a, comparisons)


def test_the_variants_need_campaigns_and_a_campaign_is_in_one_variant_only():
    assert check_variants({"a": [], "b": ["x"]}) == "Choose the campaigns of variant A to compare."
    assert check_variants({"a": ["x"], "b": []}) == "Choose the campaigns of variant B to compare."
    assert check_variants({"a": ["x", "y"], "b": ["y"]}) == (
        "y is in variant A and in variant B: a campaign can be in one variant only.")
    assert check_variants({"a": ["x"], "b": ["y"], "c": ["x"]}).startswith("x is in variant A and in variant C")
    assert check_variants({"a": ["x"], "b": ["y"], "c": []}) is None
    assert chosen_variants({"a": ["x"], "b": ["y"], "c": [], "d": []}) == {"a": ["x"], "b": ["y"]}


def test_a_campaign_name_is_shown_as_typed_in_the_message():
    assert check_variants({"a": ["*promo*"], "b": ["*promo*"]}).startswith(r"\*promo\* is in variant A")


def test_the_demo_pair_is_the_default_variants():
    assert default_variants(["newsletter_subject_b", "newsletter_subject_a", "other"]) == {
        "a": ["newsletter_subject_a"], "b": ["newsletter_subject_b"]}
    assert default_variants(["other"]) == {"a": [], "b": []}


def test_a_variants_rate_has_its_wilson_interval():
    # 40 of 200: p = 0.2, z = 1.959964, z² = 3.841459, z²/n = 0.0192073
    # centre = (0.2 + z²/2n) / (1 + z²/n) = 0.2096036 / 1.0192073 = 0.2056535
    # half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n) = 1.959964 · √0.00082401 / 1.0192073 = 0.0552015
    arm = _arm("a", 40, 200)
    assert arm.ci_low == pytest.approx(0.2056535 - 0.0552015, abs=1e-6)
    assert arm.ci_high == pytest.approx(0.2056535 + 0.0552015, abs=1e-6)
    # the table shows the arm's own interval (metrics.abtest), not one of its own: 15.0% to 26.0% as given here
    given = Arm("b", ("b",), 40, 200, 0.2, 0.15, 0.26)
    rows = variant_table(_test(arm, given), KPI)
    assert (rows["Low (95%)"][1], rows["High (95%)"][1]) == ("15.0%", "26.0%")
    assert (rows["Low (95%)"][0], rows["High (95%)"][0]) == ("15.0%", "26.1%")  # 0.1504520, 0.2608550
    without = Arm("b", ("b",), 5000.0, 40, 125.0)  # an average without its spread: no interval to show
    rows = variant_table(_test(arm, without), KPI)
    assert (rows["Low (95%)"][1], rows["High (95%)"][1]) == ("—", "—")


def test_the_sample_still_needed_is_the_smaller_variants_shortfall():
    test = _test(_arm("a", 300, 10_000), _arm("b", 330, 8_000), needed=9_000)
    assert still_needed(test, test.b) == 1_000  # 9,000 − min(10,000, 8,000)
    enough = _test(_arm("a", 300, 10_000), _arm("b", 330, 9_500), needed=9_000)
    assert still_needed(enough, enough.b) == 0
    unknown = _test(_arm("a", 300, 10_000), _arm("b", 330, 9_500), needed=None)
    assert still_needed(unknown, unknown.b) is None


def test_the_tables_rows():
    test = _test(_arm("a", 300, 10_000), _arm("b", 360, 10_000), _arm("c", 280, 10_000))
    rows = variant_table(test, KPI)
    assert list(rows.columns) == ["Variant", "Campaigns", "Unique clicks", "Emails delivered", "Email click rate",
                                  "Low (95%)", "High (95%)"]
    assert list(rows["Variant"]) == ["A", "B", "C"]
    assert list(rows["Email click rate"]) == ["3.0%", "3.6%", "2.8%"]
    # 300 of 10,000 by Wilson: p = 0.03, z²/n = 0.000384146, centre = 0.030192073 / 1.000384146 = 0.0301805,
    # half = 1.959964 · √(0.03·0.97/10,000 + z²/4n²) / 1.000384146 = 1.959964 · 0.00170869 / 1.000384 = 0.0033477
    # → 0.0268328 to 0.0335282, shown 2.7% to 3.4%
    assert (rows["Low (95%)"][0], rows["High (95%)"][0]) == ("2.7%", "3.4%")
    compared = comparison_table(test, KPI)
    assert list(compared["Comparison"]) == ["B − A", "C − A"]
    assert list(compared["Adjusted p-value"]) == ["0.08", "0.08"]  # 0.04 × 2 comparisons, as made above
    assert list(compared["Still needed per variant"]) == ["0", "0"]  # 9,000 needed, 10,000 each
    assert "Adjusted p-value" not in comparison_table(_test(_arm("a", 300, 10_000), _arm("b", 360, 10_000)), KPI)
    nothing = _arm("a", 0, 0)
    assert empty_arms(ABTest(KPI.id, test.period, None, "", nothing, [Comparison(
        "b", test.b.arm, None, None, None, None, None, None, None, None)])) == ["A"]


def test_p_values_as_read():
    test = _test(_arm("a", 300, 10_000), _arm("b", 360, 10_000), _arm("c", 280, 10_000))
    assert list(comparison_table(test, KPI)["p-value"]) == ["0.04", "0.04"]  # format_p, bare: 2 significant digits
    with using_locale("fa"):
        assert list(comparison_table(test, KPI)["مقدار p"]) == ["۰٫۰۴", "۰٫۰۴"]


def test_the_interval_chart_draws_a_point_and_an_interval_per_variant():
    test = _test(_arm("a", 300, 10_000), _arm("b", 360, 10_000))
    fig = interval_chart(test, KPI)
    lines = [t for t in fig.data if t.mode == "lines"]
    points = [t for t in fig.data if t.mode == "markers"]
    assert [t.x[0] for t in points] == ["A", "B"] and [t.y[0] for t in points] == [0.03, 0.036]
    assert lines[0].y[0] == pytest.approx(0.0268328, abs=1e-6) and lines[0].y[1] == pytest.approx(0.0335282, abs=1e-6)


def test_a_persian_interval_reads_number_then_unit_for_each_bound():
    # A first-strong isolate takes a signed value's direction from its left-to-right mark and laid
    # '+۰٫۷ واحد درصد' out left to right (unit before number for a right-to-left reader): each bound is isolated
    # right to left instead (RLI … PDI), the sign and number still in their own left-to-right run inside it.
    with using_locale("fa"):
        text = interval_text(-0.004, 0.01, "percent", delta=True)  # −0.4 pp to +1.0 pp
        caption = _("Interval (95%): {interval}").format(interval=text)
    assert text == f"{RLI}\u200e−۰٫۴ واحد درصد{PDI} تا {RLI}\u200e+۱٫۰ واحد درصد{PDI}"
    assert caption == f"بازهٔ اطمینان ۹۵٪: {text}" and FSI not in caption
    assert interval_text(-0.004, 0.01, "percent", delta=True) == "-0.4 pp to +1.0 pp"  # English: no marks
    assert interval_text(None, 0.01, "percent") == "—"


def test_the_variants_table_fits_beside_the_chart_with_its_letters_in_view():
    test = _test(_arm("a", 300, 10_000), _arm("b", 360, 10_000))
    with using_locale("fa"):
        frame = variant_table(test, KPI)
        config = variant_column_config(frame)
    widths = [config[c]["width"] for c in frame.columns]
    assert widths[0] == VARIANT_WIDTHS["variant"] and len(widths) == 7
    # 60 + 170 + 5 × 85 = 655 px, within the ~680 px the [2, 5] column leaves at 1440 px (seen in chromium)
    assert sum(widths) == 655


def test_a_variants_campaigns_are_joined_in_the_readers_language():
    test = _test(_arm("a", 300, 10_000), _arm("b", 360, 10_000))
    two = Arm("a", ("x", "y"), 300, 10_000, 0.03)
    test = ABTest(test.kpi, test.period, None, "", two, test.comparisons)
    assert variant_table(test, KPI)["Campaigns"][0] == "x, y"
    with using_locale("fa"):
        assert variant_table(test, KPI)["کمپین‌ها"][0] == "x، y"  # the Persian comma
