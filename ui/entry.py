"""Make deep links work on a freshly started server.

Streamlit treats a ``pages/`` folder next to the entry script as an old-style
multipage folder until the entry script has called ``st.navigation`` once in
the process. A first visit straight to ``/campaigns?...`` would then run the
page file on its own, without ``app.py``. Every page calls
:func:`require_entrypoint` first: in that case it switches Streamlit to
``st.navigation`` mode and runs ``app.py`` in its place, in the same run (a
rerun would drop a button click made in that run), so ``app.py`` routes the
same URL. Streamlit's AppTest starts every run this way.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

APP = Path(__file__).resolve().parent.parent / "app.py"


def require_entrypoint() -> None:
    """Run ``app.py`` instead when a page was started without it (see module docstring)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
