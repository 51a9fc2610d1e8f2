"""The user's language in the app: ``?lang=`` in the URL, a picker in the sidebar, right to left in Persian and Arabic.

``app.py`` calls :func:`begin` first thing in every run (before anything prints text): it sets the run's locale
(:func:`i18n.set_locale`) and calendar (:func:`metrics.periods.set_calendar`) and, in ``fa`` and ``ar``, injects
the right-to-left stylesheet (:mod:`ui.rtl`). The language is kept in the URL as ``?lang=`` (absent when it is the
server's default, ``KPI_LOCALE``) and carried by every link the app draws (:func:`ui.state.carry_in_url`); a URL
without it shows the language this session last chose, like the other selections (see ``ui/state.py``).
"""

from __future__ import annotations

import streamlit as st

from i18n import LANGUAGE_NAMES, LOCALES, LocaleError, _, check_locale, default_locale, is_rtl, set_locale
from metrics.periods import calendar_for, set_calendar
from ui import rtl
from ui.bidi import FSI, PDI
from ui.safe_text import md

PARAM = "lang"  # the URL's query parameter: a contract, like ?period=
PICKER = "lang_picker"  # the sidebar picker's widget key
_CHOSEN = "_lang_chosen"  # the language this session last showed


def resolve(url_value: str | None, picked: str | None, chosen: str | None, default: str) -> tuple[str, str | None]:
    """The run's language and the URL's value when it is not a language (else None).

    A picker changed since the last run (``picked`` differs from ``chosen``) wins; then the URL's ``?lang=``; then
    the session's last language; then ``default``. An unknown ``?lang=`` falls back to the session's or the default.
    """
    if picked in LOCALES and picked != chosen:
        return picked, None
    if url_value is not None:
        try:
            return check_locale(url_value, PARAM), None
        except LocaleError:
            return (chosen if chosen in LOCALES else default), url_value
    return (chosen if chosen in LOCALES else default), None


def begin() -> str:
    """Set this run's language and calendar from the URL or the picker, style the page for it; returns it."""
    default = default_locale()
    lang, unknown = resolve(st.query_params.get(PARAM), st.session_state.get(PICKER),
                            st.session_state.get(_CHOSEN), default)
    set_locale(lang)
    set_calendar(calendar_for(lang))
    st.session_state[_CHOSEN] = lang
    st.session_state[PICKER] = lang  # the picker shows the URL's language (set before it is drawn this run)
    if is_rtl(lang):
        rtl.inject()
    if unknown is not None:
        st.warning(_("The language “{value}” in the address is not available; showing {language}. "
                     "Choose one of {choices} in the sidebar.").format(
            value=_isolated(md(unknown[:40])), language=_isolated(LANGUAGE_NAMES[lang]),
            choices=", ".join(_isolated(name) for name in LANGUAGE_NAMES.values())),
            icon=":material/translate:")
    return lang


def _isolated(text: str) -> str:
    """``text`` between Unicode isolates (FSI … PDI): a name in another script keeps its own direction and does
    not merge with its neighbours (``فارسی, العربية`` inside English)."""
    return f"{FSI}{text}{PDI}"


def url_value(lang: str) -> str | None:
    """``?lang=``'s value for ``lang``: None (absent) for the server's default."""
    return None if lang == default_locale() else lang


def picker(container=st.sidebar) -> str:
    """The language picker, each language named in its own language; its value is the run's language."""
    return container.selectbox(_("Language"), LOCALES, key=PICKER, format_func=LANGUAGE_NAMES.get)
