"""What the A/B test page shows, built from :mod:`metrics.abtest`'s results: the variants' checks, each variant's
rate with its 95% interval (the arm's own: Wilson score for a share, t for an average), the rows of its tables
and its chart. The page only lays these out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from connectors.demo import AB_TEST
from i18n import N_, _, is_rtl
from metrics.abtest import ABTest, Arm, run_abtest, still_needed, variants_without_data
from metrics.abtest_data import ratio_parts
from metrics.catalog import KPI, measure_label
from metrics.chart_ticks import nice_ticks
from metrics.format import axis_suffix, format_change, format_delta, format_p, format_tick, format_value
from metrics.periods import Period
from ui import data
from ui.bidi import in_reading_order, isolate
from ui.chart_locale import RTL_FONT, bidi, own_numbers
from ui.charts import ACTUAL, TEMPLATE
from ui.safe_text import chart_text, md
from warehouse.snapshot import read_snapshot

DEMO_PAIR = tuple(name for name, *_rates in AB_TEST)  # the demo shop's A/B pair of emails
DEFAULT_KPI = "speak.email_click_rate"
GRAINS = ("month", "week", "quarter", "year")  # the page's period types, a month first (weeks are small samples)

# The methods, named with their references (the metrics' help and the page's "Methods" section).
HELP = {
    "difference": {
        "proportion": N_("B's rate minus A's, in percentage points. Its interval (95%) is Newcombe's hybrid score "
                         "interval (Newcombe 1998), from statsmodels' confint_proportions_2indep."),
        "mean": N_("B's average minus A's. Its interval (95%) is Welch's (Welch 1947), which does not assume the two "
                   "variants' orders vary alike."),
    },
    "p": {
        "proportion": N_("The chance of a difference at least this large if the variants were really the same: "
                         "the pooled two-proportion z-test (Fleiss, Levin and Paik 2003). Below 0.05 the difference "
                         "is called reliable. With more than two variants each is compared with A and the p-values "
                         "are adjusted by Benjamini–Hochberg (1995)."),
        "mean": N_("The chance of a difference at least this large if the variants were really the same: Welch's "
                   "t-test over the orders' revenues (Welch 1947). Below 0.05 the difference is called reliable. "
                   "With more than two variants the p-values are adjusted by Benjamini–Hochberg (1995)."),
    },
    "probability": {
        "proportion": N_("The probability that B's true rate is higher than A's, from Beta(1,1) posteriors of the "
                         "two rates (a Bayesian reading of the same counts; Gelman et al. 2013, ch. 2)."),
        "mean": N_("Given for share KPIs only (rates of counts)."),
    },
    "needed": N_("The sample each variant needs to detect a lift as large as the one observed, two-sided at α = 0.05 "
                 "with 80% power (the normal approximation for two proportions, Fleiss, Levin and Paik 2003), less "
                 "what the smaller variant already has."),
}
REFERENCES = N_(
    "- **Wilson score interval** for each variant's rate: E. B. Wilson (1927), Probable inference, the law of "
    "succession, and statistical inference. *JASA* 22, 209–212.\n"
    "- **Pooled two-proportion z-test** (p-value) and the **sample size per variant**: J. L. Fleiss, B. Levin, "
    "M. C. Paik (2003), *Statistical Methods for Rates and Proportions*, 3rd ed., Wiley.\n"
    "- **Newcombe's hybrid score interval** for the difference of two rates: R. G. Newcombe (1998), Interval "
    "estimation for the difference between independent proportions. *Statistics in Medicine* 17, 873–890.\n"
    "- **Probability that B is better**, from Beta(1,1) posteriors: A. Gelman et al. (2013), *Bayesian Data "
    "Analysis*, 3rd ed., ch. 2.\n"
    "- **Welch's t-test** for average order value: B. L. Welch (1947), The generalization of Student's problem "
    "when several different population variances are involved. *Biometrika* 34, 28–35.\n"
    "- **Benjamini–Hochberg** adjustment with more than two variants: Y. Benjamini, Y. Hochberg (1995), "
    "Controlling the false discovery rate. *JRSS B* 57, 289–300.\n"
    "- **Peeking**: looking at a running test again and again and stopping when p drops below 0.05 finds "
    "differences that are not there far more often than in one test of 20 (R. Johari et al. 2017, Peeking at A/B "
    "tests, *KDD*). Decide the sample size first (Plan a test) and read the result once it is reached.")


METHODS = {
    "proportion": N_("Pooled two-proportion z-test (p-value); Newcombe's hybrid score interval of the difference; "
                     "probability that B is better from Beta(1,1) posteriors; Wilson score interval of each "
                     "variant's rate."),
    "mean": N_("Welch's t-test over the orders' revenues (p-value) and Welch's interval of the difference; t "
               "interval of each variant's average."),
}
SEVERAL = N_("With more than two variants, each is compared with A and the p-values are adjusted by "
             "Benjamini–Hochberg.")


def methods_text(kind: str, variants: int) -> str:
    """The methods a test used, named, in the reader's language (``variants``: how many, A included)."""
    return " ".join([_(METHODS[kind])] + ([_(SEVERAL)] if variants > 2 else []))


def help_text(topic: str, kind: str) -> str:
    """A metric's help in the reader's language (``kind``: the KPI's ``abtest``, 'proportion' or 'mean')."""
    text = HELP[topic]
    return _(text[kind] if isinstance(text, dict) else text)


def variant_label(key: str) -> str:
    """'a' → 'A'."""
    return key.upper()


def default_variants(options: list[str]) -> dict[str, list[str]]:
    """The variants shown when the URL names none: the demo pair when the channel has it, else none."""
    if all(name in options for name in DEMO_PAIR):
        return {"a": [DEMO_PAIR[0]], "b": [DEMO_PAIR[1]]}
    return {"a": [], "b": []}


def check_variants(variants: dict[str, list[str]]) -> str | None:
    """Why these variants cannot be compared (in the reader's language), or None: A and B need campaigns, and a
    campaign can be in one variant only."""
    missing = [variant_label(k) for k in ("a", "b") if not variants.get(k)]
    if missing:
        return _("Choose the campaigns of variant {variant} to compare.").format(variant=missing[0])
    seen: dict[str, str] = {}
    for key, campaigns in variants.items():
        for campaign in campaigns:
            if campaign in seen and seen[campaign] != key:
                return _("{campaign} is in variant {first} and in variant {second}: a campaign can be in one "
                         "variant only.").format(campaign=isolate(md(campaign)), first=variant_label(seen[campaign]),
                                                 second=variant_label(key))
            seen[campaign] = key
    return None


def chosen_variants(variants: dict[str, list[str]]) -> dict[str, list[str]]:
    """The variants to test: A, B and each further one that has campaigns, in order."""
    return {k: v for k, v in variants.items() if k in ("a", "b") or v}


@st.cache_data(show_spinner=False, max_entries=64)
def run_test(version: tuple, kpi_id: str, variants: tuple[tuple[str, tuple[str, ...]], ...], period: Period,
             channel: str | None) -> ABTest:
    """:func:`metrics.abtest.run_abtest` on the page's read snapshot, cached per data version."""
    with read_snapshot(data.engine()) as db:
        return run_abtest(db, kpi_id, {k: list(v) for k, v in variants}, period, channel)


def arms(test: ABTest) -> list[tuple[str, Arm]]:
    """(variant key, arm) for A and each compared variant, in order."""
    return [("a", test.a)] + [(c.variant, c.arm) for c in test.comparisons]


@st.cache_data(show_spinner=False, max_entries=64)
def missing_data(version: tuple, kpi_id: str, variants: tuple[tuple[str, tuple[str, ...]], ...], period: Period,
                 channel: str | None) -> list[str]:
    """The variants (labels) without data (:func:`metrics.abtest.variants_without_data`) on the page's read
    snapshot, cached per data version."""
    with read_snapshot(data.engine()) as db:
        empty = variants_without_data(db, kpi_id, {k: list(v) for k, v in variants}, period, channel)
    return [variant_label(key) for key in empty]


def empty_arms(test: ABTest) -> list[str]:
    """The variants (labels) with no data in the period (nothing to divide by)."""
    return [variant_label(key) for key, arm in arms(test) if not arm.denominator]


def _heading(text: str) -> str:
    return text[:1].upper() + text[1:]


def variant_table(test: ABTest, kpi: KPI) -> pd.DataFrame:
    """One row per variant: its campaigns, numerator, denominator, rate and the rate's 95% interval, as shown."""
    numerator, denominator = ratio_parts(kpi)
    rows = []
    for key, arm in arms(test):
        low, high = arm.ci_low, arm.ci_high
        rows.append({
            _("Variant"): variant_label(key),
            _("Campaigns"): _(", ").join(arm.campaigns),
            _heading(measure_label(numerator)): format_value(arm.numerator, kpi.unit if kpi.abtest == "mean"
                                                            else "count"),
            _heading(measure_label(denominator)): format_value(arm.denominator, "count"),
            _(kpi.label): format_value(arm.value, kpi.unit),
            # the interval's ends in two columns: the grid lays a cell's mixed-direction text out wrongly in
            # Persian and Arabic ('+0.1 pp to +0.7 pp' came out scrambled), one value per cell reads right
            _("Low (95%)"): format_value(low, kpi.unit),
            _("High (95%)"): format_value(high, kpi.unit),
        })
    return pd.DataFrame(rows)


# Widths (px) of the variants table: it fits the ~680 px its column leaves on a 1440 px screen, so that the Variant
# column (the first, at the right edge in a right-to-left table) is always in view. Long headers are cut, not widened.
VARIANT_WIDTHS = {"variant": 60, "campaigns": 170, "figure": 85}


def variant_column_config(frame: pd.DataFrame) -> dict:
    """Widths of :func:`variant_table`'s columns (:data:`VARIANT_WIDTHS`)."""
    first, second, *rest = frame.columns
    return {first: st.column_config.TextColumn(first, width=VARIANT_WIDTHS["variant"]),
            second: st.column_config.TextColumn(second, width=VARIANT_WIDTHS["campaigns"]),
            **{c: st.column_config.TextColumn(c, width=VARIANT_WIDTHS["figure"]) for c in rest}}


def interval_text(low: float | None, high: float | None, unit: str, delta: bool = False) -> str:
    """'2.9% to 3.4%' ('+0.1 pp to +0.8 pp' for a difference); '—' when unknown. In right-to-left text each value
    is isolated in the reader's direction (:func:`ui.bidi.in_reading_order`): a signed value starts with a
    left-to-right mark, and a first-strong isolate would lay '+۰٫۷ واحد درصد' out left to right, the unit first."""
    if low is None or high is None:
        return "—"
    shown = (lambda v: format_delta(v, unit)) if delta else (lambda v: format_value(v, unit))
    return _("{low} to {high}").format(low=in_reading_order(shown(low)), high=in_reading_order(shown(high)))


def comparison_table(test: ABTest, kpi: KPI) -> pd.DataFrame:
    """One row per variant compared with A: difference and its 95% interval, relative lift, p (adjusted with more
    than two variants), P(better) and the sample still needed, as shown."""
    several = len(test.comparisons) > 1
    rows = []
    for comparison in test.comparisons:
        row = {
            _("Comparison"): _("{variant} − A").format(variant=variant_label(comparison.variant)),
            # one signed value per cell, bare: the grid draws it in the reader's direction (an isolate control
            # character is not honoured there: seen in chromium, it put the unit first)
            _("Difference"): format_delta(comparison.difference, kpi.unit),
            _("Difference, low end (95%)"): format_delta(comparison.ci_low, kpi.unit),
            _("Difference, high end (95%)"): format_delta(comparison.ci_high, kpi.unit),
            _("Relative lift"): format_change(comparison.relative_lift),
            _("p-value"): format_p(comparison.p_value, label=False),
        }
        if several:
            row[_("Adjusted p-value")] = format_p(comparison.p_value_adjusted, label=False)
        row[_("Probability better than A")] = format_value(comparison.probability_better, "percent")
        row[_("Still needed per variant")] = format_value(still_needed(test, comparison), "count")
        rows.append(row)
    return pd.DataFrame(rows)


def interval_chart(test: ABTest, kpi: KPI) -> go.Figure:
    """Each variant's value as a point with its 95% interval as a vertical line, in the reader's language (its
    digits on the value axis, right-to-left titles and hover; the variants' letters stay Latin). Not through
    ui.chart_locale.localize, which reads a chart's x axis as dates."""
    fig = go.Figure()
    label = _(kpi.label)
    values: list[float] = []
    for key, arm in arms(test):
        low, high = arm.ci_low, arm.ci_high
        name = variant_label(key)
        if low is not None:
            fig.add_trace(go.Scatter(x=[name, name], y=[low, high], mode="lines", showlegend=False,
                                     line=dict(color=ACTUAL, width=3), hoverinfo="skip"))
            values += [low, high]
        hover = _("{variant}: {value}, interval (95%) {interval}").format(
            variant=name, value=format_value(arm.value, kpi.unit), interval=interval_text(low, high, kpi.unit))
        fig.add_trace(go.Scatter(x=[name], y=[arm.value], mode="markers", showlegend=False,
                                 marker=dict(color=ACTUAL, size=12), customdata=[chart_text(hover)],
                                 hovertemplate=f"{bidi('%{customdata}')}<extra></extra>"))
        if arm.value is not None:
            values.append(arm.value)
    title = chart_text(_("{kpi} per variant").format(kpi=label))
    fig.update_layout(template=TEMPLATE, height=260, margin=dict(l=10, r=10, t=40, b=10), title=bidi(title))
    fig.update_xaxes(type="category", title_text=bidi(chart_text(_("Lines: intervals (95%)"))))
    fig.update_yaxes(title_text=bidi(chart_text(label)), **axis_suffix(kpi.unit))
    if own_numbers() and values:  # plotly writes Latin digits: ready-made tick labels
        ticks, step = nice_ticks(min(values), max(values), 5)
        fig.update_yaxes(tickmode="array", tickvals=ticks, ticktext=[format_tick(v, kpi.unit, step) for v in ticks],
                         tickformat=None, ticksuffix=None, tickprefix=None)
    if is_rtl():
        fig.update_layout(font_family=RTL_FONT, title_x=1, title_xanchor="right", hoverlabel_align="right")
    return fig
