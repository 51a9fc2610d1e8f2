"""Make deep links work on a freshly started server.

Streamlit treats a ``pages/`` folder next to the entry script as an old-style
multipage folder until the entry script has called ``st.navigation`` once in
the process. A first visit straight to ``/campaigns?...`` would then run the
page file on its own, without ``app.py``. Every page calls
:func:`require_entrypoint` first: in that case it switches Streamlit to
``st.navigation`` mode and reruns, so ``app.py`` routes the same URL.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_entrypoint() -> None:
    """Rerun through ``app.py`` when a page was started without it (see module docstring)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
