"""The words of the "unusual" check (metrics.unusual), said once for the cards, the compact scorecard, the weekly
review page and its export: which side of its expected range a value is on, the range, the score, the methods and
the explanation of the check."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from i18n import N_, _
from i18n.numerals import localize_digits
from metrics.format import format_range_compact
from metrics.periods import Period
from metrics.unusual import THRESHOLD

if TYPE_CHECKING:
    from metrics.scorecard import KpiResult

SIDES = {"above": N_("above"), "below": N_("below")}  # where the value is against its expected range
MARKS = {"above": "▲", "below": "▼"}
EXPLANATION = N_(
    "A KPI is unusual when this week's value lies outside its expected range, the values its own history makes "
    "likely (the same week last year moved by the usual year-on-year change, or the recent weeks), whether or not "
    "it is on track. The score is how far the value is from what was expected, in units of the KPI's usual "
    "variation (a robust z-score: median and MAD); beyond ±{threshold} it is unusual. Method: {methods}.")


def unusual_side(item: KpiResult) -> str | None:
    """'above' or 'below': where the value lies against its expected range (None when either is unknown or the
    value is within it)."""
    if item.value is None or not item.expected_range:
        return None
    low, high = item.expected_range
    return "above" if item.value > high else "below" if item.value < low else None


def format_score(score: float | None) -> str:
    """How far beyond the usual variation a value is, signed, one decimal, in the reader's digits: '+4.2'."""
    return "—" if score is None or score != score else localize_digits(f"{score:+.1f}")


def unusual_methods(items: list[KpiResult]) -> list[str]:
    """The methods that judged ``items`` (their ``unusual_method``), each once, in the reader's language."""
    return list(dict.fromkeys(_(i.unusual_method) for i in items if i.unusual_method))


def unusual_mark(item: KpiResult, unit: str | None = None) -> str:
    """The compact scorecard's cell: '▲ $190–$270' above its expected range, '▼ 62–90 min' below it; empty for a
    value within it or not judged (``unit``: the KPI's, default the item's)."""
    side = unusual_side(item) if item.unusual else None
    if side is None:
        return ""
    return f"{MARKS[side]} {format_range_compact(*item.expected_range, unit or item.unit)}"


def unusual_explanation(methods: list[str], isolate=str) -> str:
    """What the unusual check does, with its ``methods`` named (each through ``isolate``, for right-to-left text),
    for the weekly review's help and its export (one text)."""
    named = _("; ").join(isolate(m) for m in methods) or _("too little history so far")
    return _(EXPLANATION).format(threshold=localize_digits(f"{THRESHOLD:g}"), methods=named)


def half_counted(period: Period, today: date) -> bool:
    """Whether the scorecard has checked ``period`` for being unusual: a period less than half over on ``today``
    is not checked (metrics.scorecard.MIN_SHARE_JUDGED) — a day or two varies far more than a whole period."""
    from metrics.scorecard import MIN_SHARE_JUDGED

    counted = (min(today, period.end + timedelta(days=1)) - period.start).days
    return counted / period.days >= MIN_SHARE_JUDGED
