"""Who is using the app: sign-in through Streamlit's ``st.login`` when ``[auth]`` is configured, open otherwise.

(Foundation stub: the app runs open; the sign-in helper makes this real.)
"""

from __future__ import annotations

from access.roles import OPEN, Actor


def current_actor() -> Actor:
    """The acting user of this session (the open app's actor when sign-in is not configured)."""
    return OPEN
