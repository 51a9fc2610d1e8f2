"""Journey: the AIDA funnel (attention → interest → desire → action → loyalty) of the period, channel or campaign.

The funnel with each step's rate and its change against the previous period; all channels side by side (where
each one leaks); a channel's campaigns. The view lives in the URL (?grain=&period=&channel=&campaign=).
"""

from __future__ import annotations

import streamlit as st

from i18n import _, is_rtl
from metrics.date_text import format_day_range
from metrics.funnel import compare_funnels
from metrics.periods import previous
from ui import data
from ui import journey_view as view
from ui.bidi import column_order, isolate, shown_period
from ui.grains import grain_name
from ui.safe_text import md
from ui.state import ALL_CAMPAIGNS, ALL_CHANNELS, sidebar

version = data.version()
selection = sidebar(version, campaign=True)
period, channel, campaign = selection.period, selection.channel, selection.campaign

st.title(_("Journey"))
st.caption(_("{period} · {days} · the AIDA funnel, each step's rate against the previous {grain}").format(
    period=shown_period(period), days=format_day_range(period.start, period.end), grain=grain_name(period.grain))
    + (" · " + _("in progress: the figures cover the days so far") if selection.in_progress else ""))


def _go(new_channel: str | None, new_campaign: str | None = None) -> None:
    """Drill to (or back up to) a channel and campaign; the URL gets a history entry."""
    st.session_state["channel"] = new_channel or ALL_CHANNELS
    st.session_state["campaign"] = new_campaign or ALL_CAMPAIGNS


def _open(key: str, level: str) -> None:
    picked = st.session_state.get(key)
    if picked:
        _go(picked if level == "channel" else channel, picked if level == "campaign" else None)


def _table(frame) -> None:
    st.dataframe(frame, hide_index=True, column_order=column_order(list(frame.columns)), width="stretch")


if channel:  # the way back up from a channel (or campaign) to all channels
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(_(ALL_CHANNELS), on_click=_go, args=(None,), type="tertiary", icon=":material/home:")
        st.markdown("‹" if is_rtl() else "›")
        st.button(isolate(md(channel)), on_click=_go, args=(channel,), type="tertiary", disabled=campaign is None)
        if campaign:
            st.markdown("‹" if is_rtl() else "›")
            st.button(isolate(md(campaign)), type="tertiary", disabled=True)

current = view.funnel(version, period, channel, campaign)
before = view.funnel(version, previous(period), channel, campaign)
changes = compare_funnels(current, before)

st.subheader(_("The funnel · {scope}").format(scope=isolate(md(selection.scope))))
if not current.has_data:
    st.info(_("No funnel data for {scope} in {period}.").format(scope=isolate(md(selection.scope)),
                                                                 period=shown_period(period)), icon=":material/info:")
else:
    st.plotly_chart(view.funnel_chart(current, changes, _("AIDA funnel · {scope}").format(scope=selection.scope)),
                    width="stretch")
    _table(view.step_table(current, changes))
    st.caption(_("Each rate is the step's value ÷ the previous step's. Change: against the previous {grain}, "
                 "in percentage points. Bar widths are on a logarithmic scale.").format(grain=grain_name(period.grain)))
    with st.expander(_("What each step counts")):
        st.markdown("\n".join(f"- {text}" for text in view.step_definitions()))
    for text in view.notes(current)[0]:
        st.info(md(text), icon=":material/info:")
for text in view.notes(current)[1]:  # what is missing, also when nothing is there (e.g. no data loaded yet)
    st.warning(md(text), icon=":material/help:")

if channel is None:
    st.subheader(_("Where each channel leaks"))
    funnels = view.channel_funnels(version, period)
    if not funnels:
        st.info(_("No channel has funnel data in {period}.").format(period=shown_period(period)))
    else:
        st.plotly_chart(view.leak_heatmap(funnels, _("Rate from the previous step, by channel")), width="stretch")
        st.caption(_("Each cell is the step's rate from the previous step. Red: below the median of the channels "
                     "for that step, green: above it. {mark} marks each channel's weakest step, where it leaks "
                     "most against the others. Channels without ads, social or e-mail (Direct, Organic Search…) "
                     "have no attention step, so their interest rate is empty.").format(mark=view.WEAK))
        with st.expander(_("Values by channel")):
            _table(view.values_table(funnels, _("Channel")))
        st.selectbox(_("Open a channel's campaigns"), list(funnels), index=None, key="journey_open_channel",
                     placeholder=_("Pick a channel"), on_change=_open, args=("journey_open_channel", "channel"))
else:
    st.subheader(_("Campaigns of {channel}").format(channel=isolate(md(channel))))
    funnels = view.campaign_funnels(version, period, channel)
    if not funnels:
        st.info(_("No campaign of {channel} has funnel data in {period}.").format(
            channel=isolate(md(channel)), period=shown_period(period)))
    else:
        if len(funnels) > 1:
            st.plotly_chart(view.leak_heatmap(funnels, _("Rate from the previous step, by campaign")),
                            width="stretch")
            st.caption(_("Red: below the median of the channel's campaigns for that step, green: above it. {mark} "
                         "marks each campaign's weakest step.").format(mark=view.WEAK))
        _table(view.values_table(funnels, _("Campaign")))
        st.selectbox(_("Open a campaign's funnel"), list(funnels), index=None, key="journey_open_campaign",
                     placeholder=_("Pick a campaign"), on_change=_open, args=("journey_open_campaign", "campaign"))
