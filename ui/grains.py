"""A period's grain in words ('week', '26 weeks'), translated, for the sentences the pages build around it."""

from __future__ import annotations

from collections.abc import Callable

from i18n import N_, _, ngettext
from i18n.numerals import localize_digits

GRAIN_NAMES = {"day": N_("day"), "week": N_("week"), "month": N_("month"), "quarter": N_("quarter"),
               "year": N_("year"), "custom": N_("period")}
# Literal ngettext calls, so that the catalogue extraction sees each plural pair.
_COUNTS: dict[str, Callable[[int], str]] = {
    "day": lambda n: ngettext("{count} day", "{count} days", n),
    "week": lambda n: ngettext("{count} week", "{count} weeks", n),
    "month": lambda n: ngettext("{count} month", "{count} months", n),
    "quarter": lambda n: ngettext("{count} quarter", "{count} quarters", n),
    "year": lambda n: ngettext("{count} year", "{count} years", n),
    "custom": lambda n: ngettext("{count} period", "{count} periods", n),
}


def grain_name(grain: str) -> str:
    """'week' in the reader's language (an unknown grain as it is)."""
    return _(GRAIN_NAMES[grain]) if grain in GRAIN_NAMES else grain


def grain_count(grain: str, count: int) -> str:
    """'26 weeks' in the reader's language and digits."""
    text = _COUNTS[grain](count) if grain in _COUNTS else f"{{count}} {grain}"
    return text.format(count=localize_digits(str(count)))
