"""Audit trail (admins): who changed what, when — targets, notes, actions, imports, syncs, demo removal."""

from datetime import date, timedelta

import streamlit as st

from access.audit import ACTION_LABELS, audit_actors, audit_frame, audit_table, csv_text
from access.roles import PermissionDenied, require
from i18n import _
from ui import data
from ui.auth import current_actor
from ui.bidi import column_order
from ui.entry import require_entrypoint

require_entrypoint()
st.title(_("Audit trail"))
try:  # refused here too, not only left out of the navigation
    require(current_actor(), "audit")
except PermissionDenied as exc:
    st.error(_("Only admins can read the audit trail. {reason}").format(reason=exc))
    st.stop()

engine = data.engine()
st.caption(_("Every change to targets, notes, actions, file imports, GA4 syncs and the demo data: who made it, "
             "when, and the values before and after."))
ALL = "all"
left, middle, right = st.columns(3)
since = left.date_input(_("Since"), value=date.today() - timedelta(days=30), key="audit-since")
action = middle.selectbox(_("Kind of change"), [ALL, *ACTION_LABELS], key="audit-action",
                          format_func=lambda a: _("All") if a == ALL else _(ACTION_LABELS[a]))
who = right.selectbox(_("Who"), [ALL, *audit_actors(engine)], key="audit-who",
                      format_func=lambda a: _("Everyone") if a == ALL else a)

frame = audit_frame(engine, since=since, action=None if action == ALL else action, actor=None if who == ALL else who)
if frame.empty:
    st.info(_("No changes recorded for these filters."))
    st.stop()
shown = audit_table(frame)
WIDTHS = {"role": 70, "via": 110, "object": 290, "change": 380}  # px: room for the change itself
headers = {"when": _("When"), "who": _("Who"), "role": _("Role"), "via": _("Via"), "action": _("Kind of change"),
           "object": _("Object"), "change": _("Before → after"), "detail": _("Detail")}
st.dataframe(shown, hide_index=True, width="stretch", column_order=column_order(list(headers)),
             column_config={c: st.column_config.TextColumn(label, width=WIDTHS.get(c)) for c, label in headers.items()})
st.download_button(_("Download CSV"), csv_text(frame), file_name=f"audit-{since.isoformat()}.csv",
                   mime="text/csv", key="audit-csv")
