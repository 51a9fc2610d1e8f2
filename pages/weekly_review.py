"""Weekly review: the page the KPI meeting is run from (one shareable URL per week and channel).

Top to bottom, in the meeting's order: the headline; the off-track and at-risk KPIs as one compact table, each
KPI's detail (movers, 13-week chart, its notes and actions, with forms to add them) opening on demand; this
week's actions and the open ones from earlier reviews; this week's notes; then the rest.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from i18n import N_, _, ngettext
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID, KPIS, S_ORDER, kpi_option
from metrics.date_text import format_day_range
from metrics.pacing import STATUS_LABELS
from metrics.review import (
    ACTION_STATUS_LABELS,
    ACTION_STATUSES,
    ConflictError,
    ReviewError,
    add_action,
    add_note,
    notes_by,
    notes_table,
    save_action_edits,
    unusual_table,
    update_note,
)
from metrics.scorecard import KpiResult, partial_headline, unknown_headline, why_nothing_judged
from metrics.unusual_text import unusual_explanation, unusual_methods
from reports.csv_safe import to_csv
from reports.review_html import TREND_WEEKS, renderer, review_trend_figure
from ui import data
from ui.auth import current_actor, read_only_note, signed_in_name
from ui.bidi import column_order, isolate, shown_period
from ui.cards import PARTIAL_ICON, STATUS_STYLE, kpi_card
from ui.kpi_table import kpi_table, without_targets
from ui.movers import movers_table
from ui.safe_text import md
from ui.state import sidebar

AUTHOR = "review-author"  # the name this session last wrote a note under (kept across pages)
NOTE_LABEL = N_("Note (shown on this KPI's charts for this week)")

version = data.version()
selection = sidebar(version, grains=("week",))
week, channel = selection.period, selection.channel
engine = data.engine()
review = data.weekly_review(version, week, channel)
attention = review["attention"]  # off track, then at risk
editor_keys = (f"actions-{week.label}", f"follow-up-{week.label}")


def _detail_key(kpi_id: str) -> str:
    return f"detail-{week.label}-{kpi_id}"


def _open_selected() -> None:
    """A row selected in the attention table opens that KPI's detail below it."""
    rows = st.session_state[f"attention-{week.label}"].selection.rows
    if rows:
        st.session_state[_detail_key(attention[rows[0]].id)] = True


def _author_input(key: str) -> str:
    """'Your name', pre-filled with the name this session last used; when signed in, the signed-in e-mail (not
    asked)."""
    if (name := signed_in_name()) is not None:
        st.caption(_("Written as {name}").format(name=isolate(md(name))))
        return name
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(AUTHOR, "")
    return st.text_input(_("Your name"), key=key)


def _remember_author(author: str) -> None:
    st.session_state[AUTHOR] = author.strip()
    for key in [k for k in st.session_state if str(k).startswith("note-author-")]:
        del st.session_state[key]  # every name box shows the remembered name after the rerun


def _note_form(scope: str, kpi_id: str | None) -> None:
    """Add a note: on ``kpi_id`` (from its detail) or on a KPI picked from the list (scope 'all')."""
    if not current_actor().can("notes"):
        return
    with st.form(f"note-{scope}"):  # a refused note keeps what was typed; a saved one clears its text
        if kpi_id is None:
            kpi_id = st.selectbox(_("KPI"), [k.id for k in KPIS], format_func=kpi_option)
        saved = st.session_state.setdefault(f"notes-saved-{scope}", 0)  # a new text box after each saved note
        text = st.text_area(_(NOTE_LABEL) if scope == "all"
                            else _("Note on {kpi}").format(kpi=_(KPI_BY_ID[kpi_id].label)),
                            key=f"note-text-{scope}-{saved}", height=80)
        author = _author_input(f"note-author-{scope}")
        if st.form_submit_button(_("Add note"), icon=":material/add_comment:"):
            try:
                add_note(engine, kpi_id, week.start, text, author, channel or "", actor=current_actor())
            except ReviewError as exc:
                st.error(md(exc))
            else:
                _remember_author(author)
                st.session_state[f"notes-saved-{scope}"] = saved + 1
                st.toast(_("Note saved"))
                st.rerun()


def _edit_own_notes(frame: pd.DataFrame, scope: str) -> None:
    """The notes this session's author wrote, editable (refused if someone changed the note first)."""
    if not current_actor().can("notes"):
        return
    author = signed_in_name() or st.session_state.get(AUTHOR, "")
    own = notes_by(frame, author) if author else frame.iloc[0:0]
    if own.empty:
        if not frame.empty:
            st.caption(_("Notes can be edited by their author: add a note under your name to edit yours."))
        return
    rows = own.to_dict("records")
    note = st.selectbox(_("Edit a note of yours ({author})").format(author=isolate(md(author))), rows,
                        key=f"edit-pick-{scope}", format_func=lambda n: f"{kpi_option(n['kpi_id'])}: {n['text'][:60]}")
    text = st.text_area(_("Note text"), note["text"], key=f"edit-text-{scope}-{note['id']}-{note['version']}",
                        height=80)
    if st.button(_("Save note"), key=f"edit-save-{scope}", icon=":material/edit_note:"):
        try:
            update_note(engine, int(note["id"]), int(note["version"]), text, author=author,
                        actor=current_actor())
        except (ReviewError, ConflictError) as exc:
            st.error(md(exc))
        else:
            st.toast(_("Note updated"))
            st.rerun()


def _notes_list(frame: pd.DataFrame, empty: str) -> None:
    if frame.empty:
        st.caption(empty)
    else:
        st.dataframe(notes_table(frame), hide_index=True, width="stretch",
                     column_order=column_order(["kpi", "text", "author", "written"]),
                     column_config={"kpi": _("KPI"), "text": st.column_config.TextColumn(_("Note"), width="large"),
                                    "author": _("Author"), "written": _("Written")})


def _action_form(kpi_id: str) -> None:
    """Add an action on ``kpi_id`` from its detail (the KPI is preset)."""
    if not current_actor().can("actions"):
        return
    with st.form(f"action-{kpi_id}", clear_on_submit=True):
        text = st.text_input(_("Action"), placeholder=_("What is to be done"))
        left, right = st.columns(2)
        owner = left.text_input(_("Owner"))
        due = right.date_input(_("Due"), value=None, min_value=date(2000, 1, 1))
        if st.form_submit_button(_("Add action"), icon=":material/add_task:"):
            try:
                add_action(engine, text, owner, week.start, due, kpi_id, actor=current_actor())
            except ReviewError as exc:
                st.error(md(exc))
            else:
                st.toast(_("Action saved"))
                st.rerun()


def _kpi_detail(item: KpiResult) -> None:
    """One KPI's detail: card, channels that moved it, 13-week chart with notes, its notes and actions."""
    kpi = KPI_BY_ID[item.id]
    left, right = st.columns([1, 3])
    with left:
        kpi_card(item, width="stretch", links=selection)
    with right:
        movers = review["movers"].get(item.id)
        if movers is not None and not movers.empty:
            movers_table(movers, kpi, f"{item.id}-{week.label}-channels.csv", f"csv-{item.id}")
        elif channel:
            st.caption(_("Channel contributions are shown for all channels; clear the channel filter to see them."))
    frame = data.trend_with_plan(version, item.id, week, TREND_WEEKS, channel, False)
    st.plotly_chart(review_trend_figure(engine, kpi, frame), width="stretch", key=f"chart-{item.id}")
    notes_column, actions_column = st.columns(2)
    with notes_column:
        st.markdown(_("**Notes on {kpi} this week**").format(kpi=md(_(kpi.label))))
        kpi_notes = review["notes"][review["notes"]["kpi_id"] == item.id]
        _notes_list(kpi_notes, _("No notes on this KPI this week yet."))
        _edit_own_notes(kpi_notes, item.id)
        _note_form(item.id, item.id)
    with actions_column:
        st.markdown(_("**Actions on {kpi}** (this week's and open earlier ones; edit them below)").format(
            kpi=md(_(kpi.label))))
        kpi_actions = pd.concat([review["actions"], review["follow_up"]])
        kpi_actions = kpi_actions[kpi_actions["kpi_id"] == item.id]
        if kpi_actions.empty:
            st.caption(_("No actions on this KPI yet."))
        else:
            shown = kpi_actions[["text", "owner", "due_date", "status"]].assign(
                status=[_(ACTION_STATUS_LABELS[v]) if v in ACTION_STATUS_LABELS else v for v in kpi_actions["status"]])
            st.dataframe(shown, hide_index=True, width="stretch",
                         column_order=column_order(["text", "owner", "due_date", "status"]),
                         column_config={"text": _("Action"), "owner": _("Owner"), "due_date": _("Due"),
                                        "status": _("Status")})
        _action_form(item.id)


# 1. The headline
st.title(_("Weekly KPI review · {week}").format(week=shown_period(week)))
st.caption(_("{days} · {scope} · share this page's address to open the same week and channel").format(
    days=format_day_range(week.start, week.end), scope=isolate(md(selection.scope)))
    + (" · " + _("this week is still in progress") if selection.in_progress else ""))
columns = st.columns(3)
for column, status in zip(columns, ("on_track", "at_risk", "off_track")):
    icon = STATUS_STYLE[status][0]
    column.metric(f"{icon} {_(STATUS_LABELS[status])}", localize_digits(str(review["counts"][status])), border=True)
if headline := partial_headline(review["items"], _("this week")):
    st.warning(headline, icon=PARTIAL_ICON)
if unknown := unknown_headline(review["items"], _("this week")):
    st.info(md(unknown), icon=":material/help:")

# 2. What needs attention, each KPI's detail on demand
st.header(_("Off track and at risk"))
if why := why_nothing_judged(review["items"], _("for {scope} this week").format(scope=isolate(selection.scope))):
    st.info((_("{why}: set them on the Targets page.") if without_targets(review["items"]) else
             _("{why}: import or sync newer data on the Data sources page.")).format(why=md(why)))
elif not attention:
    st.success(_("Every KPI with a target is on track this week."))
else:
    kpi_table(attention, f"attention-{week.label}", "week", on_select=_open_selected)
    st.caption(_("Select a row, or open a KPI below, for the channels that moved it, its 13 weeks, its notes and "
                 "actions."))
    for item in attention:
        with st.expander(_("{kpi}: {status}").format(kpi=_(item.label), status=_(STATUS_LABELS[item.status]).lower()),
                         key=_detail_key(item.id),
                         on_change="rerun") as detail:
            if detail.open:  # drawn only when opened: the closed list stays short and quick
                _kpi_detail(item)

# 2b. Unusual KPIs: beyond their usual variation, on track or not
unusual = unusual_table(review["unusual"])
st.subheader(_("Unusual this week"), help=unusual_explanation(unusual_methods(review["items"])))
if not unusual.empty:
    st.dataframe(unusual, hide_index=True, width="stretch", column_order=column_order(list(unusual.columns)),
                 column_config={"kpi": _("KPI"), "value": _("This week"), "expected": _("Expected range"),
                                "side": _("Above or below"), "score": _("How unusual (score)"), "status": _("Status")})
elif any(i.unusual is not None for i in review["items"]):
    st.caption(_("No KPI moved beyond its usual variation this week."))
elif review.get("unusual_waits"):
    st.caption(_("The unusual check runs once half the week is counted."))
else:
    st.caption(_("Too little history to tell which KPIs are unusual this week."))

# 3. Actions: this week's and the open ones from earlier reviews
st.header(_("Actions"))
st.caption(_("Who does what by when. Edit the table and save; if someone else saved the same action first, your "
             "change is refused (nothing is overwritten) and you see theirs after a reload."))


def _action_editor(frame: pd.DataFrame, key: str, allow_new: bool) -> pd.DataFrame:
    shown = frame[["id", "version", "text", "owner", "due_date", "status", "kpi_id"]].copy()
    editable = current_actor().can("actions")  # read-only for viewers
    return st.data_editor(
        shown, key=key, hide_index=True, width="stretch", num_rows="add" if allow_new and editable else "fixed",
        placeholder="", disabled=not editable,
        column_order=column_order(["text", "owner", "due_date", "status", "kpi_id"]),
        column_config={
            "id": None, "version": None,
            "text": st.column_config.TextColumn(_("Action"), required=True, width="large"),
            "owner": st.column_config.TextColumn(_("Owner"), required=True),
            "due_date": st.column_config.DateColumn(_("Due")),
            # the stored value stays the id ('open', 'done'): only its word is translated
            "status": st.column_config.SelectboxColumn(_("Status"), options=list(ACTION_STATUSES), default="open",
                                                       format_func=lambda v: _(ACTION_STATUS_LABELS.get(v, v))),
            "kpi_id": st.column_config.SelectboxColumn(_("KPI"), options=[k.id for k in KPIS],
                                                       format_func=kpi_option),
        },
    )


this_week, follow_up = review["actions"], review["follow_up"]
if not current_actor().can("actions"):
    read_only_note(current_actor())
st.subheader(_("Agreed this week"))
edited = _action_editor(this_week, editor_keys[0], allow_new=True)
if not follow_up.empty:
    st.subheader(_("Still open from earlier reviews"))
    edited_follow_up = _action_editor(follow_up, editor_keys[1], allow_new=False)
else:
    edited_follow_up = follow_up
if current_actor().can("actions") and st.button(_("Save actions"), type="primary", icon=":material/save:"):
    saved, problems = save_action_edits(engine, week.start, [(_("Action"), this_week, edited),
                                                               (_("Earlier action"), follow_up, edited_follow_up)],
                                        actor=current_actor())
    for problem in problems:
        st.error(md(problem))
    if not problems:
        for key in editor_keys:  # the editors now show what was saved
            st.session_state.pop(key, None)
        st.toast(ngettext("Saved {count} action", "Saved {count} actions", saved).format(
            count=localize_digits(str(saved))) if saved else _("No changes to save"))
        st.rerun()

# 4. The rest: this week's notes, all KPIs, circulating the review
st.header(_("Notes"))
_notes_list(review["notes"], _("No notes for this week yet."))
if not current_actor().can("notes"):
    read_only_note(current_actor())
_note_form("all", None)
_edit_own_notes(review["notes"], "all")

st.header(_("All KPIs"))
kpi_table(review["items"], f"all-{week.label}", "week")
with st.container(horizontal=True, gap="small"):
    st.caption(_("Drill down:"))
    for s in S_ORDER:
        st.page_link(f"pages/{s.lower()}.py", label=_(s), query_params=selection.query(), icon=":material/insights:")
    st.page_link("pages/campaigns.py", label=_("Campaigns"), query_params=selection.query(), icon=":material/campaign:")

st.header(_("Circulate"))
left, middle, right = st.columns(3)
left.download_button(_("Review as HTML (opens offline)"), renderer(engine, week, channel),
                     f"kpi-review-{week.label}.html", "text/html", icon=":material/download:", on_click="ignore")
scorecard_table = pd.DataFrame([{**i.as_report(), "status_label": _(STATUS_LABELS[i.status])} for i in review["items"]])
middle.download_button(_("Scorecard CSV"), to_csv(scorecard_table), f"scorecard-{week.label}.csv",
                       "text/csv", icon=":material/table:", on_click="ignore")
right.download_button(_("Actions CSV"), to_csv(pd.concat([this_week, follow_up])),
                      f"actions-{week.label}.csv", "text/csv", icon=":material/table:", on_click="ignore")
