"""Audit trail (admins): who changed what, when — targets, notes, actions, imports, syncs, demo removal."""

import streamlit as st

from i18n import _

st.title(_("Audit trail"))
