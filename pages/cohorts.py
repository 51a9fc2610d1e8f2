"""cohorts page (issue 16; being built)."""

from __future__ import annotations

import streamlit as st

from i18n import _

st.title(_("Cohorts"))
