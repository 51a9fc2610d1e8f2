"""Axis ticks chosen in Python, for charts whose tick labels are written here rather than by plotly (plotly writes
only Latin digits and Gregorian dates): round value steps, and dates labelled in the run's language and calendar."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from i18n.numerals import localize_digits
from metrics.date_text import date_parts, month_name

NICE = (1.0, 2.0, 2.5, 5.0, 10.0)  # steps of 1, 2, 2.5 and 5 times a power of ten


def nice_step(span: float, count: int = 5) -> float:
    """The round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts ``span`` into the number of intervals nearest ``count``."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / count))
    steps = [n * power for n in NICE]
    return min(steps, key=lambda step: (abs(math.log(span / step / count)), step))


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], float]:
    """Round tick values from at or below ``low`` to at or above ``high``, about ``count`` intervals apart, and
    their step. A single value gets ticks around it (and zero, whose step is 1)."""
    low, high = min(low, high), max(low, high)
    if high == low:
        spread = abs(high) / 2 or 1.0
        low, high = low - spread, high + spread
    step = nice_step(high - low, count)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [_clean(k * step) for k in range(first, last + 1)], step


def _clean(value: float) -> float:
    """``value`` without the float noise of a multiplication (0.30000000000000004 is 0.3)."""
    return 0.0 if value == 0 else round(value, 12 - int(math.floor(math.log10(abs(value)))))


def date_ticks(days: Iterable[date], most: int = 6) -> tuple[list[date], list[str]]:
    """About ``most`` of ``days`` (every k-th, from the first) and their labels in the run's language and calendar:
    day and month ('۱۸ آبان'), only the month when every day is the first of its month (monthly periods), with the
    year under the first label and wherever the year changes."""
    days = sorted(set(days))
    if not days:
        return [], []
    every = math.ceil(len(days) / max(1, most))
    chosen = days[::every]
    monthly = len(days) > 1 and all(date_parts(day)[2] == 1 for day in days)
    labels, year_shown = [], None
    for day in chosen:
        year, month, dom = date_parts(day)
        text = month_name(month) if monthly else f"{dom} {month_name(month)}"
        if year != year_shown:
            text, year_shown = f"{text}<br>{year}", year
        labels.append(localize_digits(text))
    return chosen, labels
