"""Overview: what needs attention first, then the 5S scorecard (a compact table or cards) for the selected period
against plan, and one KPI's trend or burn-up."""

from __future__ import annotations

from collections import Counter
from datetime import date

import streamlit as st

from i18n import _, ngettext
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID, KPIS, S_MEANING, S_ORDER, kpi_option
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import partial_headline, unknown_headline
from ui import charts, data
from ui.bidi import isolate, shown_period
from ui.cards import PARTIAL_ICON, kpi_card, kpi_links
from ui.grains import grain_count, grain_name
from ui.kpi_table import attention_block, kpi_table, without_targets
from ui.s_page import period_caption
from ui.safe_text import md
from ui.state import sidebar, url_segmented, url_selectbox, url_toggle

version = data.version()
selection = sidebar(version)
period = selection.period

st.title(_("5S KPI overview"))
st.caption(period_caption(selection))

items = data.scorecard_items(version, period, selection.channel)
planned = not without_targets(items)
if planned:
    counts = Counter(i.status for i in items)
    tally = [f"**{localize_digits(str(counts[s]))}** {_(STATUS_LABELS[s]).lower()}"
             for s in ("on_track", "at_risk", "off_track")]
    if counts["no_target"]:
        tally.append(ngettext("{count} without a target", "{count} without a target", counts["no_target"])
                     .format(count=localize_digits(str(counts["no_target"]))))
    if counts["no_data"]:
        tally.append(ngettext("{count} without data", "{count} without data", counts["no_data"])
                     .format(count=localize_digits(str(counts["no_data"]))))
    st.markdown(" · ".join(tally))
else:
    with st.container(horizontal=True, vertical_alignment="center", key="no-targets"):
        st.markdown(":material/flag: " + (
            _("No targets are set for {period} for {channel}:").format(period=shown_period(period),
                                                                       channel=isolate(md(selection.channel)))
            if selection.channel else _("No targets are set for {period}:").format(period=shown_period(period))))
        st.page_link("pages/targets.py", label=_("set them on the Targets page"), query_params=selection.query())
if headline := partial_headline(items, _("in {period}").format(period=shown_period(period))):
    st.warning(headline, icon=PARTIAL_ICON)
if unknown := unknown_headline(items, _("in {period}").format(period=shown_period(period))):
    st.info(md(unknown), icon=":material/help:")

if planned:
    st.subheader(_("Needs attention"),
                 help=_("Off-track KPIs first, then the ones at risk; the links open their details."))
    attention_block(items, selection)

with st.container(horizontal=True, vertical_alignment="center"):
    st.subheader(ngettext("All {count} KPIs", "All {count} KPIs", len(items))
                 .format(count=localize_digits(str(len(items)))))
    view = url_segmented(_("View"), {"table": _("Scorecard"), "cards": _("Cards")}, "view",
                         label_visibility="collapsed")
if view == "table":
    ids = [i.id for i in items]

    def chart_selected() -> None:
        """A selected row becomes the KPI charted below."""
        if rows := st.session_state["scorecard"].selection.rows:
            st.session_state["kpi"] = ids[rows[0]]

    event = kpi_table(items, "scorecard", period.grain, on_select=chart_selected, plan=planned)
    if event.selection.rows:
        chosen = items[event.selection.rows[0]]
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(_("**{kpi}** (charted below):").format(kpi=_(chosen.label)))
            kpi_links(chosen.id, selection)
    else:
        st.caption(_("Select a row to chart that KPI below and open its details."))
else:
    for s in S_ORDER:
        st.subheader(_(s), help=_(S_MEANING[s]))
        with st.container(horizontal=True):
            for item in (i for i in items if i.s == s):
                kpi_card(item, width="stretch", links=selection, status=planned, grain=period.grain)

st.divider()
left, right = st.columns([3, 1])
kpi_id = url_selectbox(_("Trend of KPI"), [k.id for k in KPIS], "kpi", container=left,
                       format_func=kpi_option)
with_last_year = url_toggle(_("Overlay last year"), "ly", container=right)
kpi = KPI_BY_ID[kpi_id]
frame = data.trend_with_plan(version, kpi_id, period, 26, selection.channel, with_last_year)
why = charts.why_no_trend(kpi, frame, selection.scope, _("the {count} to {period}").format(
    count=grain_count(period.grain, 26), period=shown_period(period)))
if why:
    st.info(why, icon=":material/info:")
else:
    figure = charts.add_plan_lines(
        charts.trend_chart(kpi, frame, _("{kpi} by {grain}, {scope}").format(
            kpi=_(kpi.label), grain=grain_name(period.grain), scope=isolate(selection.scope))), kpi, frame)
    st.plotly_chart(figure, width="stretch")
if selection.in_progress and kpi.kind == "flow":
    burn = data.burn_up(version, kpi_id, period, selection.channel, date.today())
    why = charts.why_no_trend(kpi, burn, selection.scope, _("{period} so far").format(period=shown_period(period)))
    if why:
        st.info(_("{why} There is no burn-up to draw.").format(why=why), icon=":material/info:")
    else:
        st.plotly_chart(charts.burn_up_chart(kpi, burn, _("{kpi}: {period} so far against plan").format(
            kpi=_(kpi.label), period=shown_period(period))), width="stretch")
elif selection.in_progress:
    st.caption((_("{kpi} is a ratio, not a running total: its burn-up is not drawn.") if kpi.kind == "ratio"
                else _("{kpi} is a stock, not a running total: its burn-up is not drawn.")).format(kpi=_(kpi.label)))
