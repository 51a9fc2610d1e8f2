"""Weekly review: the page the KPI meeting is run from (one shareable URL per week and channel)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.catalog import KPI_BY_ID, KPIS, S_ORDER
from metrics.format import format_delta, format_share, format_value
from metrics.pacing import STATUS_LABELS
from metrics.review import (
    ACTION_STATUSES,
    ReviewError,
    add_note,
    save_action_edits,
)
from metrics.scorecard import partial_headline
from reports.csv_safe import to_csv
from reports.review_html import render, review_notes
from ui import charts, data
from ui.cards import PARTIAL_ICON, STATUS_STYLE, kpi_card
from ui.safe_text import md
from ui.state import sidebar

version = data.version()
selection = sidebar(version, grains=("week",))
week, channel = selection.period, selection.channel
engine = data.engine()

st.title(f"Weekly KPI review · {week.label}")
st.caption(f"{week.start:%a %d %b} – {week.end:%a %d %b %Y} · {md(selection.scope)} · share this page's address to "
           "open the same week and channel" + (" · this week is still in progress" if selection.in_progress else ""))

review = data.weekly_review(version, week, channel)
columns = st.columns(3)
for column, status in zip(columns, ("on_track", "at_risk", "off_track")):
    icon, _ = STATUS_STYLE[status]
    column.metric(f"{icon} {STATUS_LABELS[status]}", review["counts"][status], border=True)
if headline := partial_headline(review["items"], "this week"):
    st.warning(headline, icon=PARTIAL_ICON)

st.header("Off track and at risk")
if review["counts"]["no_target"] + review["counts"]["no_data"] == len(review["items"]):
    st.info(f"No targets apply to {md(selection.scope)} this week: set them on the Targets page.")
elif not review["attention"]:
    st.success("Every KPI with a target is on track this week.")
for item in review["attention"]:
    kpi = KPI_BY_ID[item.id]
    with st.expander(f"{item.label}: {STATUS_LABELS[item.status].lower()}", expanded=True):
        left, right = st.columns([1, 3])
        with left:
            kpi_card(item, width="stretch", links=selection)
        with right:
            movers = review["movers"].get(item.id)
            if movers is not None and not movers.empty:
                st.markdown("**Channels that moved it week over week** (contributions add up to the change)")
                table = pd.DataFrame({
                    "channel": movers["member"],
                    "last week": [format_value(v, kpi.unit) for v in movers["before"]],
                    "this week": [format_value(v, kpi.unit) for v in movers["after"]],
                    "contribution": [format_delta(v, kpi.unit) for v in movers["contribution"]],
                    "share of change": [format_share(v) for v in movers["share_of_change"]],
                })
                st.dataframe(table, hide_index=True, width="stretch")
                st.download_button("CSV", to_csv(movers), f"{item.id}-{week.label}-channels.csv",
                                   "text/csv", key=f"csv-{item.id}", icon=":material/download:")
            elif channel:
                st.caption("Channel contributions are shown for all channels; clear the channel filter to see them.")
            frame = data.trend_with_plan(version, item.id, week, 13, channel, False)
            figure = charts.add_plan_lines(charts.trend_chart(kpi, frame, f"{kpi.label}: 13 weeks"), kpi, frame)
            charts.add_notes(figure, review_notes(engine, item.id, frame), kpi)
            st.plotly_chart(figure, width="stretch", key=f"chart-{item.id}")

st.header("All KPIs")
for s in S_ORDER:
    st.subheader(s)
    with st.container(horizontal=True):
        for item in (i for i in review["items"] if i.s == s):
            kpi_card(item, links=selection)

st.header("Notes")
with st.form("note"):  # a refused note keeps what was typed; a saved one clears its text
    kpi_id = st.selectbox("KPI", [k.id for k in KPIS], format_func=lambda k: f"{KPI_BY_ID[k].s} · "
                          f"{KPI_BY_ID[k].label}")
    saved_notes = st.session_state.setdefault("notes-saved", 0)  # a new text box after each saved note
    text = st.text_area("Note (shown on this KPI's charts for this week)", key=f"note-text-{saved_notes}")
    author = st.text_input("Your name")
    if st.form_submit_button("Add note", icon=":material/add_comment:"):
        try:
            add_note(engine, kpi_id, week.start, text, author, channel or "")
            st.toast("Note saved")
            st.session_state["notes-saved"] = saved_notes + 1
            st.rerun()
        except ReviewError as exc:
            st.error(md(exc))
notes = review["notes"]
if notes.empty:
    st.caption("No notes for this week yet.")
else:
    st.dataframe(notes.assign(kpi=[KPI_BY_ID[k].label for k in notes["kpi_id"]])[["kpi", "text", "author"]],
                 hide_index=True, width="stretch")

st.header("Actions")
st.caption("Who does what by when. Edit the table and save; if someone else saved the same action first, "
           "your change is refused (nothing is overwritten) and you see theirs after a reload.")


def _action_editor(frame: pd.DataFrame, key: str, allow_new: bool) -> pd.DataFrame:
    shown = frame[["id", "version", "text", "owner", "due_date", "status", "kpi_id"]].copy()
    return st.data_editor(
        shown, key=key, hide_index=True, width="stretch", num_rows="add" if allow_new else "fixed",
        column_config={
            "id": None, "version": None,
            "text": st.column_config.TextColumn("Action", required=True, width="large"),
            "owner": st.column_config.TextColumn("Owner", required=True),
            "due_date": st.column_config.DateColumn("Due"),
            "status": st.column_config.SelectboxColumn("Status", options=list(ACTION_STATUSES), default="open"),
            "kpi_id": st.column_config.SelectboxColumn("KPI", options=[k.id for k in KPIS]),
        },
    )


this_week = review["actions"]
edited = _action_editor(this_week, f"actions-{week.label}", allow_new=True)
follow_up = review["follow_up"]
if not follow_up.empty:
    st.subheader("Open actions from earlier reviews")
    edited_follow_up = _action_editor(follow_up, f"follow-up-{week.label}", allow_new=False)
else:
    edited_follow_up = follow_up
if st.button("Save actions", type="primary", icon=":material/save:"):
    saved, problems = save_action_edits(engine, week.start, [("Action", this_week, edited),
                                                               ("Earlier action", follow_up, edited_follow_up)])
    for problem in problems:
        st.error(md(problem))
    if not problems:
        for key in (f"actions-{week.label}", f"follow-up-{week.label}"):  # the editors now show what was saved
            st.session_state.pop(key, None)
        st.toast(f"Saved {saved} action(s)" if saved else "No changes to save")
        st.rerun()

st.header("Circulate")
left, middle, right = st.columns(3)
left.download_button("Review as HTML (opens offline)", lambda: render(engine, week, channel),
                     f"kpi-review-{week.label}.html", "text/html", icon=":material/download:", on_click="ignore")
scorecard_table = pd.DataFrame([{**i.as_report(), "status_label": STATUS_LABELS[i.status]} for i in review["items"]])
middle.download_button("Scorecard CSV", to_csv(scorecard_table), f"scorecard-{week.label}.csv",
                       "text/csv", icon=":material/table:", on_click="ignore")
right.download_button("Actions CSV", to_csv(pd.concat([this_week, follow_up])),
                      f"actions-{week.label}.csv", "text/csv", icon=":material/table:", on_click="ignore")
