"""A/B tests: is variant B's rate (or average order value) really different from A's?

Pick a KPI, the campaigns of each variant and a period; the page shows each variant's rate with its 95% interval,
the difference with its interval, p, the probability that B is better, the sample still needed and a one-line
verdict (metrics.abtest). The URL keeps the choices (?kpi=&a=&b=&c=…&grain=&period=&channel=), so a link reproduces
the test. "Plan a test" gives the sample per variant for a lift to detect.
"""

from __future__ import annotations

import streamlit as st

from i18n import _, ngettext
from metrics.abtest import (
    ALPHA,
    POWER,
    VARIANTS,
    ABTestError,
    cautions,
    denominator_label,
    sample_size_per_arm,
    still_needed,
    testable_kpis,
    verdict,
)
from metrics.catalog import KPI_BY_ID, get_kpi, kpi_label, kpi_option, why_no_breakdown
from metrics.format import format_change, format_delta, format_p, format_value
from ui import data
from ui.abtest_view import (
    DEFAULT_KPI,
    GRAINS,
    REFERENCES,
    check_variants,
    chosen_variants,
    comparison_table,
    default_variants,
    empty_arms,
    help_text,
    interval_chart,
    interval_text,
    methods_text,
    missing_data,
    run_test,
    variant_column_config,
    variant_label,
    variant_table,
)
from ui.bidi import column_order, isolate, shown_period
from ui.safe_text import md
from ui.state import ALL_CHANNELS, sidebar, url_multiselect, url_selectbox

version = data.version()
selection = sidebar(version, grains=GRAINS)
period, channel = selection.period, selection.channel

st.title(_("A/B tests"))
st.caption(_("{period} · {scope} · is a variant's rate really different from A's?").format(
    period=shown_period(period), scope=isolate(md(channel or _(ALL_CHANNELS))))
    + (" · " + _("in progress: the figures cover the days so far") if selection.in_progress else ""))

kpis = testable_kpis()
asked = st.query_params.get("kpi")
if asked in KPI_BY_ID and asked not in kpis:  # a link to a KPI that campaigns do not carry
    st.warning(_("{kpi} cannot be A/B tested by campaign: {reason}. Choose one of the KPIs below.").format(
        kpi=kpi_label(asked), reason=why_no_breakdown(KPI_BY_ID[asked], "campaign")), icon=":material/warning:")
options = data.campaigns(version, channel)
defaults = default_variants(options)
placeholder = _("Choose campaigns")
kpi_box, left, right = st.columns(3)
kpi_id = url_selectbox(_("KPI"), kpis, "kpi", container=kpi_box,
                       index=kpis.index(DEFAULT_KPI) if DEFAULT_KPI in kpis else 0, format_func=kpi_option,
                       help=_("The KPIs an A/B test can compare: rates of counts (each click is one of the "
                              "delivered emails) and average order value."))
kpi = get_kpi(kpi_id)
variants = {
    "a": url_multiselect(_("Variant A (the control)"), options, "a", defaults["a"], container=left,
                         placeholder=placeholder),
    "b": url_multiselect(_("Variant B"), options, "b", defaults["b"], container=right, placeholder=placeholder),
}
with st.expander(_("More variants (C, D …)"), expanded=bool(st.query_params.get("c"))):
    for key in VARIANTS[2:]:  # the next one appears once this one has campaigns
        variants[key] = url_multiselect(_("Variant {variant}").format(variant=variant_label(key)), options, key,
                                        placeholder=placeholder)
        if not variants[key]:
            break
    st.caption(_("Each further variant is compared with A; their p-values are adjusted for the several "
                 "comparisons (Benjamini–Hochberg)."))

test = None
if problem := check_variants(variants):
    st.info(problem, icon=":material/info:")
else:
    asked_variants = tuple((k, tuple(v)) for k, v in chosen_variants(variants).items())
    try:
        test = run_test(version, kpi_id, asked_variants, period, channel)
        empty = empty_arms(test)
    except ABTestError as exc:  # its message is the CLI's (English): said in the reader's language when it can be
        empty = missing_data(version, kpi_id, asked_variants, period, channel)
        if not empty:
            st.error(md(str(exc)), icon=":material/error:")
    if empty:
        st.info(_("No data for variant {variant} in {period}: its campaigns have no {measure} then. Choose another "
                  "period or other campaigns.").format(variant=empty[0], period=shown_period(period),
                                                       measure=denominator_label(kpi_id)), icon=":material/info:")
        test = None

if test is not None:
    b = test.b
    with st.container(border=True):
        st.markdown("#### " + md(verdict(test)))
    several = len(test.comparisons) > 1
    difference, p_value, chance, needed = st.columns([4, 3, 3, 4])  # room for '+0.4 واحد درصد'
    difference.metric(_("Difference (B − A)"), format_delta(b.difference, kpi.unit),
                      help=help_text("difference", kpi.abtest))
    difference.caption(_("Interval (95%): {interval}").format(
        interval=interval_text(b.ci_low, b.ci_high, kpi.unit, delta=True)))
    p_value.metric(_("p-value"), format_p(b.p_value, label=False), help=help_text("p", kpi.abtest))
    if several:
        p_value.caption(ngettext("Adjusted for {count} comparison: {p}", "Adjusted for {count} comparisons: {p}",
                                 len(test.comparisons)).format(
            count=format_value(len(test.comparisons), "count"), p=format_p(b.p_value_adjusted, label=False)))
    chance.metric(_("Probability B is better"), format_value(b.probability_better, "percent"),
                  help=help_text("probability", kpi.abtest))
    chance.caption(_("Relative lift: {lift}").format(lift=format_change(b.relative_lift)))
    needed.metric(_("Still needed per variant"), format_value(still_needed(test, b), "count"),
                  help=help_text("needed", kpi.abtest))
    if b.needed_per_arm is not None:
        needed.caption(_("of {needed} per variant to detect this lift with 80% power").format(
            needed=format_value(b.needed_per_arm, "count")))
    for caution in cautions(test):
        st.warning(md(caution), icon=":material/warning:")

    chart, table = st.columns([2, 5], vertical_alignment="center")
    chart.plotly_chart(interval_chart(test, kpi), width="stretch")
    variants_frame = variant_table(test, kpi)
    table.dataframe(variants_frame, hide_index=True, column_order=column_order(list(variants_frame.columns)),
                    column_config=variant_column_config(variants_frame))
    compared = comparison_table(test, kpi)
    st.dataframe(compared, hide_index=True, column_order=column_order(list(compared.columns)))
    st.caption(_("Methods: {methods}").format(methods=methods_text(kpi.abtest, len(test.comparisons) + 1)))

with st.expander(_("Methods and references")):
    st.markdown(_(REFERENCES))

st.subheader(_("Plan a test"))
st.caption(_("How many (sessions, delivered emails …) each variant needs before the test is read, so that a lift "
             "of the size that matters is found when it is there. Sample size for two proportions by the normal "
             "approximation (Fleiss, Levin and Paik 2003)."))
baseline_in, mde_in, relative_in, alpha_in, power_in = st.columns([2, 2, 1.5, 1.5, 1], vertical_alignment="bottom")
baseline = baseline_in.number_input(_("Baseline rate (%)"), min_value=0.01, max_value=99.99, value=3.0, step=0.5,
                                    key="plan_baseline", help=_("Variant A's rate today, e.g. the click rate."))
relative = relative_in.toggle(_("Relative lift"), value=True, key="plan_relative",
                              help=_("On: the lift is a share of the baseline (a tenth more than 3% makes 3.3%). Off: "
                                     "in percentage points."))
mde = mde_in.number_input(_("Smallest lift worth detecting (%)") if relative else
                          _("Smallest lift worth detecting (points)"), min_value=0.01, value=10.0 if relative else 0.3,
                          step=0.1, key=f"plan_mde_{relative}")
alpha = alpha_in.number_input(_("Significance level (α)"), min_value=0.001, max_value=0.5, value=ALPHA, step=0.01,
                              format="%.3f", key="plan_alpha",
                              help=_("How often a difference is called reliable when there is none: 0.05 = 1 time "
                                     "in 20."))
power = power_in.number_input(_("Power"), min_value=0.5, max_value=0.99, value=POWER, step=0.05, format="%.2f",
                              key="plan_power", help=_("The chance of finding a lift of that size when it is "
                                                       "there."))
try:
    per_arm = sample_size_per_arm(baseline / 100, mde / 100, relative=relative, alpha=alpha,
                                  power=power)
except ValueError as exc:
    st.error(md(str(exc)), icon=":material/error:")
else:
    st.metric(_("Sample per variant"), format_value(per_arm, "count"))
    st.caption(_("{total} in all for A and B.").format(total=format_value(2 * per_arm, "count")))
