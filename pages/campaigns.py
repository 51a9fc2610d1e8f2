"""Campaigns: channel → campaign → source/medium, with totals, changes, sparklines and what needs attention.

Select a row to drill down; the sidebar, the breadcrumb and the browser's back button go back up.
The view lives in the URL (?grain=&period=&channel=&campaign=&kpi=&set=), so it can be shared; the sort (?kpi=)
and the KPI set (?set=) survive the drill-down and the way back up, also through the source/medium level, which
shows neither (it has web analytics figures only, sorted by sessions).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from i18n import _, is_rtl, ngettext
from i18n.numerals import localize_digits
from metrics.campaigns import (
    COLUMN_SET_LABELS,
    LEVEL_LABELS,
    LEVEL_PLURALS,
    TOTAL,
    column_for,
    column_set_for,
    level_for,
    sort_choices,
    sort_label,
    unknown_note,
    with_total_last,
)
from metrics.date_text import format_day_range
from metrics.periods import previous
from ui import charts, data, tables
from ui.bidi import column_order, isolate, shown_period
from ui.campaign_figures import figures_grid
from ui.grains import grain_name
from ui.safe_text import md
from ui.state import ALL_CAMPAIGNS, ALL_CHANNELS, keep_in_url, sidebar, url_segmented, url_selectbox

version = data.version()
selection = sidebar(version, campaign=True)
period, channel, campaign = selection.period, selection.channel, selection.campaign
level = level_for(channel, campaign)
today = date.today()

st.title(_("Campaigns"))
st.caption(_("{period} · {days} · change against the previous {grain}").format(
    period=shown_period(period), days=format_day_range(period.start, period.end), grain=grain_name(period.grain))
    + (" · " + _("in progress: figures cover the days so far, compared like for like")
       if selection.in_progress else ""))


ATTENTION_ROWS = 8  # rows the "need attention" table shows at once; it scrolls for the rest
TABLE_ROWS = 16  # rows the performance table shows at once (its Total row is the last)


def _go(new_channel: str | None, new_campaign: str | None) -> None:
    """Drill to (or back up to) a channel and campaign; the URL gets a history entry."""
    st.session_state["channel"] = new_channel or ALL_CHANNELS
    st.session_state["campaign"] = new_campaign or ALL_CAMPAIGNS


def _on_pick(key: str, rows, level: str, channel: str | None):
    """A selection callback: drill into the picked row (a channel, or a campaign of ``rows['channel']``)."""
    def drill() -> None:
        picked = st.session_state[key].selection.rows
        if not picked:
            return
        row = rows.iloc[picked[0]]
        if row["member"] == TOTAL:  # the Total row is the scope itself: nothing to open
            return
        if level == "channel":
            _go(row["member"], None)
        else:
            _go(row.get("channel", channel), row["member"])
    return drill


with st.container(horizontal=True, vertical_alignment="center"):
    st.button(_(ALL_CHANNELS), on_click=_go, args=(None, None), type="tertiary", icon=":material/home:",
              disabled=level == "channel")
    if channel:
        st.markdown("‹" if is_rtl() else "›")
        st.button(isolate(md(channel)), on_click=_go, args=(channel, None), type="tertiary",
                  disabled=level == "campaign")
    if campaign:
        st.markdown("‹" if is_rtl() else "›")
        st.button(isolate(md(campaign)), type="tertiary", disabled=True)

left, right = st.columns([2, 1])
if level == "source_medium":  # web analytics figures only: the set and the sort are kept for the way back up
    requested = st.query_params.get("set", "sales")
    requested_kpi = st.query_params.get("kpi", "sell.revenue")
    keep_in_url("set", requested)
    keep_in_url("kpi", requested_kpi)
    column_set = column_set_for(level, requested)
else:
    with left:
        requested = url_segmented(_("KPI set"), {k: _(v) for k, v in COLUMN_SET_LABELS.items()}, "set")
    column_set = column_set_for(level, requested)
    sortable = sort_choices(column_set)
    requested_kpi = url_selectbox(_("Sort by"), sortable, "kpi", container=right, format_func=sort_label,
                                  index=sortable.index("sell.revenue") if "sell.revenue" in sortable else 0)

if level != "source_medium":
    flagged = data.needs_attention(version, period, channel, today)
    if not flagged.empty:
        title = ngettext("{count} campaign needs attention: ROAS or CPA off its channel's target, or cost up while "
                         "revenue is not — select it to open it",
                         "{count} campaigns need attention: ROAS or CPA off their channel's target, or cost up "
                         "while revenue is not — select one to open it", len(flagged))
        with st.expander(":material/warning: " + title.format(count=localize_digits(str(len(flagged)))),
                         expanded=True):
            columns = ["member", "channel", "roas", "cpa", "cost", "revenue", "flags"]
            st.dataframe(tables.styled(flagged, "sales", "attention", columns), hide_index=True, placeholder="—",
                         column_order=column_order(columns),
                         key="attention", on_select=_on_pick("attention", flagged, "campaign", None),
                         selection_mode="single-row", height=tables.table_height(len(flagged), ATTENTION_ROWS),
                         column_config=tables.column_config("sales", "attention", period.grain))
            if len(flagged) > ATTENTION_ROWS:
                st.caption(_("All {count} are listed, the furthest from target first: scroll the table for the "
                             "rest.").format(count=localize_digits(str(len(flagged)))))
else:  # the campaign's own sales and cost: source/medium rows have none
    st.subheader(_("Sales and cost of {scope}").format(scope=isolate(md(selection.scope))))
    before = previous(period)
    st.caption((_("{period} against the previous {grain}, {days}, as many days (like for like).")
                if selection.in_progress else _("{period} against the previous {grain}, {days}.")).format(
        period=shown_period(period), grain=grain_name(period.grain), days=format_day_range(before.start, before.end)))
    figures_grid(data.campaign_figures(version, period, channel, campaign, today))

frame = data.campaign_performance(version, period, level, channel, campaign, column_set, today)
# source/medium rows stay sorted by traffic, whatever sort is kept for the levels above
rows = frame if level == "source_medium" else with_total_last(frame, column_set, requested_kpi)
sort_column = column_for(column_set, requested_kpi)

st.subheader(_("{rows} of {scope}").format(rows=_(LEVEL_PLURALS[level]), scope=isolate(md(selection.scope)))
             if level != "channel" else _("Channels"))
if level == "source_medium":
    st.caption(_("Source/medium rows come from web analytics only (orders and ad cost are recorded per campaign), "
                 "sorted by sessions."))
if (rows["member"] != TOTAL).sum() == 0:
    st.info(_("No {level} rows for {scope} in {period}.").format(
        level=_(LEVEL_LABELS[level]).lower(), scope=isolate(md(selection.scope)), period=shown_period(period)))
else:
    st.dataframe(tables.styled(rows, column_set, level, tables.display_columns(column_set, level, sort_column),
                               compact_flags=True),
                 hide_index=True, placeholder="—", key=f"table-{level}",
                 column_order=column_order(tables.display_columns(column_set, level, sort_column)),
                 on_select=_on_pick(f"table-{level}", rows, level, channel) if level != "source_medium"
                 else "ignore", selection_mode="single-row", height=tables.table_height(len(rows), TABLE_ROWS),
                 column_config=tables.column_config(column_set, level, period.grain))
    hint = {"channel": _("Select a channel to see its campaigns."),
            "campaign": _("Select a campaign to see its sales and cost figures, source/medium rows and days.")
            }.get(level, "")
    st.caption(" ".join(part for part in (hint, _(
        "The bold last row is the total for {scope}: the same figures as the overview's KPIs (clicking a column "
        "header sorts it with the others; use *Sort by* to keep it last). Red cells miss the channel's target "
        "(ROAS, CPA) or show cost that grew while revenue did not. The CSV has every column.").format(
        scope=isolate(md(selection.scope)))) if part))
    if note := unknown_note(frame):
        st.info(md(note), icon=":material/help:")
    st.download_button(_("Download this table (CSV)"), tables.csv_of(rows, column_set, level),
                       f"campaigns-{period.label}-{level}.csv", "text/csv", icon=":material/download:",
                       on_click="ignore")

days = data.campaign_daily(version, period, channel, campaign, today)
if days.empty:
    st.info(_("No day of {period} is over yet: the daily chart shows days once they have ended.").format(
        period=shown_period(period)), icon=":material/info:")
elif not charts.has_values(days, "orders", "revenue", "cost"):
    st.info((_("No orders or ad cost for {scope} on the days of {period} so far, so there is no daily chart.")
             if selection.in_progress else
             _("No orders or ad cost for {scope} on the days of {period}, so there is no daily chart.")).format(
        scope=isolate(md(selection.scope)), period=shown_period(period)), icon=":material/info:")
else:
    st.plotly_chart(charts.daily_chart(days, _("Revenue, cost and orders per day · {scope}").format(
        scope=isolate(selection.scope))), width="stretch")
