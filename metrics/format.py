"""Formatting KPI values by unit, for pages, the CLI and reports."""

from __future__ import annotations

import os
from datetime import date, timedelta


def currency() -> str:
    """The warehouse currency code (``KPI_CURRENCY``, default USD)."""
    return os.environ.get("KPI_CURRENCY", "USD").strip().upper() or "USD"


def _shown(value: float, digits: int) -> float:
    """``value`` as it will be shown with ``digits`` decimals, with a zero unsigned: -0.004 at 2 decimals is 0,
    never '-0.00' (nor '+0.00' in a change)."""
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else value


def _currency_digits(value: float) -> int:
    return 0 if abs(value) >= 1000 else 2


def format_value(value: float | None, unit: str) -> str:
    """A value as a person reads it: '€1,234', '3.4%', '12.5 min'; '—' when unknown; never '-0'."""
    if value is None or value != value:
        return "—"
    if unit == "currency":
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency())
        digits = _currency_digits(value)
        shown = _shown(value, digits)
        amount = f"{abs(shown):,.{digits}f}"
        sign = "-" if shown < 0 else ""  # '-$12.34', as accountants and spreadsheets write it, not '$-12.34'
        return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency()}"
    if unit == "percent":
        return f"{_shown(value * 100, 1):.1f}%"
    if unit == "score":
        shown = _shown(value, 0)
        return f"{shown:+.0f}" if shown else "0"
    if unit in ("count", "minutes", "seconds"):
        suffix = {"count": "", "minutes": " min", "seconds": " s"}[unit]
        return f"{_shown(value, 0):,.0f}{suffix}"
    if unit == "ratio":
        return f"{_shown(value, 2):,.2f}×"
    return f"{_shown(value, 2):,.2f}"


def _signed(number: float, digits: int) -> str:
    """'+1.2', '-1.2', or '0.0' (no sign) when it rounds to zero at ``digits`` decimals."""
    shown = _shown(number, digits)
    return f"{shown:+.{digits}f}" if shown else f"{0:.{digits}f}"


def format_change(change: float | None) -> str:
    """A relative change as '+4.2%' ('0.0%' when it rounds to zero); '—' when unknown."""
    return "—" if change is None or change != change else f"{_signed(change * 100, 1)}%"


def format_share(share: float | None) -> str:
    """A share of a whole as '42%' ('0%' when it rounds to zero); '—' when unknown."""
    return "—" if share is None or share != share else f"{_shown(share * 100, 0):.0f}%"


def format_delta(change: float | None, unit: str) -> str:
    """An absolute change in the KPI's unit: percentages and scores in points ('+1.2 pp', '+4 pts'); a change
    that rounds to zero is shown without a sign ('0.0 pp', '0 pts', '$0.00')."""
    if change is None or change != change:
        return "—"
    if unit == "percent":
        return f"{_signed(change * 100, 1)} pp"
    if unit == "score":
        return f"{_signed(change, 0)} pts"
    text = format_value(abs(change), unit)
    if text == format_value(0.0, unit):
        return text
    return ("-" if change < 0 else "+") + text


def axis_suffix(unit: str) -> dict:
    """Plotly axis settings for a unit (tick format and title suffix)."""
    if unit == "percent":
        return {"tickformat": ".1%"}
    if unit == "currency":
        return {"tickprefix": {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency(), ""), "tickformat": ",.2~f"}
    if unit == "minutes":
        return {"ticksuffix": " min"}
    if unit == "seconds":
        return {"ticksuffix": " s"}
    if unit == "ratio":
        return {"ticksuffix": "×"}
    return {"tickformat": ",.0f"}


def _run_text(first: date, last: date) -> str:
    from metrics.date_text import format_day_range

    return format_day_range(first, last)


def format_days(days, most: int = 3) -> str:
    """Days as a person reads them, in the run's language and calendar, consecutive ones as ranges: '2–8 Nov
    2026', '2–4 Nov 2026, 6 Nov 2026', '۱۱–۱۷ آبان ۱۴۰۵'; past ``most`` ranges the rest are counted ('… and 5 more
    days')."""
    from i18n import is_rtl, ngettext
    from i18n.numerals import localize_digits

    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    text = ("، " if is_rtl() else ", ").join(_run_text(first, last) for first, last in runs[:most])
    rest = sum((last - first).days + 1 for first, last in runs[most:])
    if not rest:
        return text
    return ngettext("{days} and {count} more day", "{days} and {count} more days", rest).format(
        days=text, count=localize_digits(str(rest)))
