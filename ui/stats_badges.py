"""What the statistics say about a KPI, as the cards and the compact scorecard show it: the trend (an arrow, and
whether it is significant), the "unusual" badge with the expected range (its words: metrics.unusual_text), and
the chance of reaching the target. Each method is named in the help shown on hover.

The arrows are not mirrored in Persian and Arabic: the charts' time axis runs left to right there too
(ui/chart_locale.py), so a rise is ↗ in every language. The p-value is isolated (ui/bidi.py) so that
'p = ۰٫۰۱' keeps its left-to-right order inside right-to-left text.
"""

from __future__ import annotations

import streamlit as st

from i18n import _
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID
from metrics.chance import DRAWS, WEEKS
from metrics.format import format_delta, format_p, format_range, format_share, format_value
from metrics.scorecard import KpiResult
from metrics.trend_test import ALPHA, Trend
from metrics.unusual import THRESHOLD
from metrics.unusual_text import format_score, unusual_mark, unusual_side
from ui.bidi import isolate
from ui.grains import grain_count

TREND_ARROWS = {"up": "↗", "down": "↘", "flat": "→"}  # time runs left to right in every language's charts
UNUSUAL_ICON = ":material/bolt:"
# Whole sentences per grain (a translation cannot be assembled from 'a' and a grain's name).
SLOPE_TEXTS = {
    "day": lambda s: _("{slope} a day").format(slope=s), "week": lambda s: _("{slope} a week").format(slope=s),
    "month": lambda s: _("{slope} a month").format(slope=s),
    "quarter": lambda s: _("{slope} a quarter").format(slope=s), "year": lambda s: _("{slope} a year").format(slope=s),
}


def p_text(p_value: float) -> str:
    """:func:`metrics.format.format_p` ('p = 0.049', 'p < 0.001'), isolated in right-to-left text."""
    return isolate(format_p(p_value))


def alpha_text() -> str:
    """'p < 0.05', the significance level, as :func:`p_text` writes a p-value."""
    return isolate(localize_digits(f"p < {ALPHA:g}"))


def trend_short(trend: Trend | None) -> str:
    """'↗ significant rise', '↘ significant fall' or '→ no clear trend' ('' when no trend could be judged: fewer
    than 8 periods with data), for the compact scorecard's cell and the card's badge (the p-value and the method
    are in :func:`trend_help`)."""
    if trend is None:
        return ""
    if trend.direction == "up":
        return _("{arrow} significant rise").format(arrow=TREND_ARROWS["up"])
    if trend.direction == "down":
        return _("{arrow} significant fall").format(arrow=TREND_ARROWS["down"])
    return _("{arrow} no clear trend").format(arrow=TREND_ARROWS["flat"])


def slope_text(slope: float, unit: str, grain: str | None) -> str:
    """The Theil–Sen slope in the KPI's unit per period: '+120 a week', '+0.4 pp a month'."""
    change = format_delta(slope, unit)
    return SLOPE_TEXTS[grain](change) if grain in SLOPE_TEXTS else _("{slope} a period").format(slope=change)


def trend_help(item: KpiResult, grain: str | None = None) -> str | None:
    """The test behind :func:`trend_short`, for the hover: 'Mann–Kendall test over the last 13 weeks (p = 0.01),
    Theil–Sen slope +120 a week. Rising or falling when p < 0.05, otherwise no clear trend.'"""
    trend = item.trend
    if trend is None:
        return None
    unit = KPI_BY_ID[item.id].unit
    over = grain_count(grain if grain in SLOPE_TEXTS else "custom", trend.periods)
    return _("Mann–Kendall test over the last {periods} ({p}), Theil–Sen slope {slope}. Rising or falling when "
             "{alpha}, otherwise no clear trend.").format(
        periods=over, p=p_text(trend.p_value), slope=slope_text(trend.slope, unit, grain), alpha=alpha_text())


def trend_colour(trend: Trend, better: str) -> str:
    """Green for a significant move the good way (up for higher-is-better, down for lower-is-better), red for the
    bad way, grey for no clear trend."""
    if not trend.significant:
        return "gray"
    return "green" if (trend.direction == "up") == (better == "higher") else "red"


def range_text(item: KpiResult) -> str | None:
    """The expected range in the KPI's unit: '$1,000 to $1,400' (metrics.format.format_range; None when not known)."""
    if item.expected_range is None:
        return None
    return format_range(*item.expected_range, KPI_BY_ID[item.id].unit)


def unusual_label(item: KpiResult) -> str | None:
    """The badge: 'Unusually high' or 'Unusually low' (None when the value is within its usual variation)."""
    side = unusual_side(item) if item.unusual else None
    if side is None:
        return None
    return _("Unusually high") if side == "above" else _("Unusually low")


def unusual_help(item: KpiResult) -> str | None:
    """The hover of the badge: the expected range, the score, and the method named."""
    if unusual_label(item) is None:
        return None
    method = isolate(_(item.unusual_method)) if item.unusual_method else _("its own history")
    score = "" if item.unusual_score is None else format_score(item.unusual_score)
    text = _("Expected range {range}, from {method}; {value} is outside it.").format(
        range=range_text(item), method=method, value=format_value(item.value, KPI_BY_ID[item.id].unit))
    if score:
        text = _("{text} Score {score} (a robust z: how many usual deviations away; unusual beyond "
                 "±{threshold}).").format(text=text, score=isolate(score),
                                          threshold=localize_digits(f"{THRESHOLD:g}"))
    return text


def unusual_cell(item: KpiResult) -> str:
    """The compact scorecard's cell: the arrow (above or below) and the expected range, '▲ $190–$270' or
    '▼ 62–90 min' (metrics.unusual_text.unusual_mark); empty for a usual value or when nothing is known."""
    return unusual_mark(item, KPI_BY_ID[item.id].unit)


def chance_share(probability: float | None) -> str:
    """'72%'; '>99%' and '<1%' at the ends (a simulation never proves certainty); '' when not known."""
    if probability is None:
        return ""
    if probability > 0.99:
        return localize_digits(">99%")
    if probability < 0.01:
        return localize_digits("<1%")
    return format_share(probability)


def chance_text(item: KpiResult) -> str | None:
    """'72% chance to reach the target' ('… to stay within the budget' for a lower-is-better KPI); None when there
    is no chance to say (no target, not a flow, or the period is over)."""
    if item.probability_on_target is None:
        return None
    share = chance_share(item.probability_on_target)
    if KPI_BY_ID[item.id].better == "lower":
        return _("{share} chance to stay within the budget").format(share=share)
    return _("{share} chance to reach the target").format(share=share)


def chance_method() -> str:
    """How the chance is worked out, for the hover."""
    return _("Chance: the period's remaining days simulated {draws} times, each day drawn from the same weekday's "
             "values of the last {weeks} weeks (a bootstrap) and scaled by last year's season where it is known; "
             "for a lower-is-better KPI, the chance to end at or under the budget.").format(
        draws=localize_digits(f"{DRAWS:,}"), weeks=localize_digits(str(WEEKS)))


def trend_badge(item: KpiResult, grain: str | None = None) -> None:
    """The trend in colour and words, with the method on hover (nothing when no trend could be judged)."""
    if text := trend_short(item.trend):
        st.badge(text, color=trend_colour(item.trend, KPI_BY_ID[item.id].better), help=trend_help(item, grain))


def unusual_badge(item: KpiResult) -> None:
    """'Unusually high' with the expected range and the method on hover (nothing for a usual value)."""
    if (label := unusual_label(item)) is not None:
        st.badge(label, icon=UNUSUAL_ICON, color="blue", help=unusual_help(item))
