"""Numbers written as the reader's language writes them: Persian (۰–۹) or Arabic-Indic (٠–٩) digits and the
CLDR symbols of that numbering system (``٬`` group, ``٫`` decimal, ``٪`` percent, a minus that stays left of the
number in right-to-left text).

Babel gives the symbols but not the digits, and plotly has no numeral setting, so text is formatted with Latin
digits first (Python's format mini-language) and then rewritten here by :func:`localize_digits`.
``KPI_DIGITS=latn`` keeps Latin digits (many Gulf businesses use them); ``native`` (default) uses the language's own.
"""

from __future__ import annotations

import os
import re
from functools import cache

from babel import Locale

from i18n import current_locale

NATIVE_SYSTEM = {"fa": "arabext", "ar": "arab"}  # CLDR numbering system of each language's own digits
DIGITS = {"latn": "0123456789", "arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}
_NUMBER = re.compile(r"(?<![\w.,])([-+]?)(\d[\d,]*(?:\.\d+)?|\.\d+)(%?)")


def digit_system(locale: str | None = None) -> str:
    """The CLDR numbering system for ``locale``: its native digits unless ``KPI_DIGITS=latn``."""
    locale = locale or current_locale()
    choice = os.environ.get("KPI_DIGITS", "native").strip().lower() or "native"
    if choice not in ("native", "latn"):
        raise ValueError(f"KPI_DIGITS={choice!r} is not a digit setting; use 'native' or 'latn'.")
    return "latn" if choice == "latn" else NATIVE_SYSTEM.get(locale, "latn")


@cache
def _symbols(locale: str, system: str) -> dict[str, str]:
    symbols = Locale.parse(locale).number_symbols[system]
    return {"decimal": symbols["decimal"], "group": symbols["group"], "percent": symbols["percentSign"],
            "minus": symbols["minusSign"], "plus": symbols["plusSign"]}


def localize_digits(text: str, locale: str | None = None) -> str:
    """``text`` with every number in it (written with Latin digits, ``,`` groups, ``.`` decimals, ``%``) in the
    language's digits and symbols. English text is returned as it is."""
    locale = locale or current_locale()
    if locale == "en" or not text:
        return text
    system = digit_system(locale)
    symbols = _symbols(locale, system)
    table = str.maketrans({",": symbols["group"], ".": symbols["decimal"],
                           **dict(zip(DIGITS["latn"], DIGITS[system], strict=True))})

    def rewrite(match: re.Match) -> str:
        sign = {"-": symbols["minus"], "+": symbols["plus"], "": ""}[match[1]]
        return sign + match[2].translate(table) + (symbols["percent"] if match[3] else "")

    return _NUMBER.sub(rewrite, text)


def localize_code(text: str, locale: str | None = None) -> str:
    """A code such as a period label (``1405-W36``, ``2026-Q4``) with every digit in the language's digits and
    nothing else changed (no separators, no signs): ``۱۴۰۵-W۳۶``."""
    locale = locale or current_locale()
    if locale == "en" or not text:
        return text
    return text.translate(str.maketrans(DIGITS["latn"], DIGITS[digit_system(locale)]))


def delocalize_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits (and their ``٫`` ``٬`` separators) as Latin ones, for reading
    input typed or exported in those digits."""
    table = str.maketrans({**dict(zip(DIGITS["arabext"] + DIGITS["arab"], DIGITS["latn"] * 2, strict=True)),
                           "٫": ".", "٬": ","})
    return text.translate(table)
