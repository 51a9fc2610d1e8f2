"""Cohorts: new customers grouped by the month (or week) of their first order, followed period by period.

A retention heatmap (cohort × periods since the first order), cumulative revenue per customer by acquisition
channel against each channel's CAC, and an LTV:CAC table with the payback period (metrics.cohorts; figures in
ui.cohorts_view). The sidebar's period is the last cohort shown; ``?cohorts=`` how many (12 by default); its channel
keeps the customers acquired through it. The URL keeps the choices (?grain=&period=&channel=&cohorts=).
"""

from __future__ import annotations

import streamlit as st

from i18n import _
from metrics.date_text import period_title
from ui import data
from ui.bidi import column_order, isolate
from ui.cohorts_view import (
    DEFAULT_SPAN,
    GRAINS,
    SPANS,
    cohorts,
    first_cohort,
    last_period,
    ltv_cac_table,
    no_cost_channels,
    retention_heatmap,
    revenue_curves,
    span_label,
    summaries,
)
from ui.safe_text import md
from ui.state import ALL_CHANNELS, sidebar, url_selectbox

version = data.version()
selection = sidebar(version, grains=GRAINS)
last, channel = selection.period, selection.channel
grain = last.grain

st.title(_("Cohorts"))
span_box, _rest = st.columns([1, 3])
span = url_selectbox(_("Cohorts shown"), SPANS, "cohorts", index=SPANS.index(DEFAULT_SPAN), container=span_box,
                     format_func=lambda value: span_label(value, grain),
                     help=_("How many cohorts to show, ending with the period picked in the sidebar."))
first = first_cohort(last, span)


def _named(period) -> str:
    """A cohort's period by name ('March 2026', 'آذر ۱۴۰۵'), as the heatmap's rows call it, not its code."""
    return isolate(period_title(period))


st.caption((_("Customers grouped by the month of their first order, {first} to {last} · {scope}") if grain == "month"
            else _("Customers grouped by the week of their first order, {first} to {last} · {scope}")).format(
    first=_named(first), last=_named(last), scope=isolate(md(channel or _(ALL_CHANNELS)))))

rows = cohorts(version, grain, first, last, channel, False)
if not rows:
    st.info(_("No new customer's first order falls between {first} and {last}{scope}. Choose other periods or "
              "another channel.").format(first=_named(first), last=_named(last),
                                          scope=(" · " + isolate(md(channel))) if channel else ""),
            icon=":material/info:")
else:
    if rows[0].partial_last:
        st.info(_("{period} is still in progress: the last value of each row covers only the days so far, so it can "
                  "still grow.").format(period=isolate(period_title(last_period(rows[0], grain)))),
                icon=":material/schedule:")

    st.subheader(_("Who came back"))
    st.plotly_chart(retention_heatmap(rows, grain), width="stretch")
    st.caption(_("Each row is the new customers of one month; each cell is the share of them who ordered again so "
                 "many months later. Darker cells: more came back.") if grain == "month" else
               _("Each row is the new customers of one week; each cell is the share of them who ordered again so "
                 "many weeks later. Darker cells: more came back."))

    channels = summaries(version, grain, first, last, channel)
    st.subheader(_("What a customer brings in, by the channel that won them"))
    st.plotly_chart(revenue_curves(channels, grain), width="stretch")
    st.caption(_("The average revenue of a new customer, added up from the first order on, by the channel of that "
                 "first order. A dotted line is the channel's cost of winning one customer (CAC): where the solid line "
                 "crosses it, the customers have paid back what they cost."))

    st.subheader(_("LTV:CAC and payback by acquisition channel"))
    table = ltv_cac_table(channels, grain)
    st.dataframe(table, hide_index=True, column_order=column_order(list(table.columns)))
    st.caption(_("LTV:CAC is the revenue per customer so far divided by the cost of winning one (CAC = the "
                 "channel's ad cost in the cohorts' periods ÷ the new customers it brought). Above 1, they have "
                 "brought in more than they cost; the payback is how long that took. Revenue, not profit."))
    if missing := no_cost_channels(channels):
        st.info(_("No ad cost is recorded for {channels}, so they have no CAC, LTV:CAC or payback.").format(
            channels=isolate(md(_(", ").join(missing)))), icon=":material/info:")
