"""The user's language: gettext catalogues compiled by Babel (``locales/<lang>/LC_MESSAGES/messages.mo``).

Mark text with ``_()`` (translated now, in the current locale), ``N_()`` (marked for extraction only: declared
data such as KPI labels, translated where shown with ``_(kpi.label)``) and ``ngettext()``. Put values in with
named fields, ``_("{count} off track").format(count=…)``, so a translation can reorder them.

The locale is per run: the app sets it from ``?lang=`` (:func:`set_locale`); the CLI keeps English, because
scripts read its messages. ``KPI_LOCALE`` sets the default. Catalogues: ``pybabel extract/update/compile``,
see ``locales/README.md``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES = ("en", "fa", "ar")
LANGUAGE_NAMES = {"en": "English", "fa": "فارسی", "ar": "العربية"}  # each in its own language
RTL_LOCALES = frozenset({"fa", "ar"})
CATALOGUES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

_current: ContextVar[str | None] = ContextVar("kpi_locale", default=None)


class LocaleError(ValueError):
    """A locale this product has no catalogue for."""


def check_locale(code: str, source: str = "KPI_LOCALE") -> str:
    """``code`` as one of :data:`LOCALES`, or a clear error naming where it came from."""
    value = (code or "").strip().lower().replace("-", "_").split("_")[0]
    if value not in LOCALES:
        known = ", ".join(LOCALES)
        raise LocaleError(f"{source}={code!r} is not a language this dashboard speaks; use one of {known}.")
    return value


def default_locale() -> str:
    """The server's language, ``KPI_LOCALE`` (default English)."""
    raw = os.environ.get("KPI_LOCALE", "").strip()
    return check_locale(raw) if raw else "en"


def current_locale() -> str:
    """The language of this run (the default when none was set)."""
    return _current.get() or default_locale()


def set_locale(code: str) -> None:
    """Use ``code`` for the rest of this run (thread/context)."""
    _current.set(check_locale(code, "lang"))


@contextmanager
def using_locale(code: str) -> Iterator[None]:
    """Use ``code`` inside the block only (e.g. an export in another language, a test)."""
    token = _current.set(check_locale(code, "lang"))
    try:
        yield
    finally:
        _current.reset(token)


def is_rtl(code: str | None = None) -> bool:
    """Whether the language reads right to left."""
    return (code or current_locale()) in RTL_LOCALES


@cache
def translations(code: str) -> NullTranslations:
    """The compiled catalogue of ``code`` (English: the messages themselves)."""
    if code == "en":
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [code], DOMAIN)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current_locale()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it here (translate it where it is shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language (Arabic has six)."""
    return translations(current_locale()).ngettext(singular, plural, n)
