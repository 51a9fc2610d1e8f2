"""Right-to-left helpers for the pages: Latin names kept in their own direction, table columns read from the right.

Inside Persian or Arabic text a Latin name such as ``google / cpc`` or a campaign name would be reordered by the
Unicode bidi algorithm (its ``/`` and trailing punctuation drift to the wrong side). :func:`isolate` wraps it in a
first-strong isolate (U+2068 … U+2069), so it keeps its own direction, never ``bidi-override``, which would reverse
it. In English nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from i18n import is_rtl
from metrics.date_text import period_code
from metrics.periods import Period

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE
RLI = "\u2067"  # RIGHT-TO-LEFT ISOLATE


def isolate(text: object) -> str:
    """``text`` as its own direction run inside right-to-left text (unchanged in a left-to-right language)."""
    value = "" if text is None else str(text)
    if not value or not is_rtl():
        return value
    return f"{FSI}{value}{PDI}"


def in_reading_order(text: object) -> str:
    """``text`` laid out in the reader's direction (a right-to-left isolate in Persian and Arabic; unchanged in
    English): for a value with its unit, such as '+۰٫۷ واحد درصد', whose first strong character is the left-to-right
    mark of its sign, so that :func:`isolate` would lay it out left to right and put the unit before the number."""
    value = "" if text is None else str(text)
    if not value or not is_rtl():
        return value
    return f"{RLI}{value}{PDI}"


def column_order(columns: Sequence[str]) -> list[str]:
    """``columns`` in the order a reader's table shows them: reversed in a right-to-left language, so the first
    column (the KPI or campaign name) is at the right edge. Streamlit's grid itself cannot be mirrored (its
    scrollbar, pinned columns and cell alignment stay left to right); the column order is what it allows."""
    return list(reversed(columns)) if is_rtl() else list(columns)


def shown_period(period: Period) -> str:
    """A period's label (``1405-W36``) as text in a sentence: the reader's digits, isolated in right-to-left text."""
    return isolate(period_code(period))
