"""Formatting KPI values by unit, for pages, the CLI and reports."""

from __future__ import annotations

import os


def currency() -> str:
    """The warehouse currency code (``KPI_CURRENCY``, default USD)."""
    return os.environ.get("KPI_CURRENCY", "USD").strip().upper() or "USD"


def format_value(value: float | None, unit: str) -> str:
    """A value as a person reads it: '€1,234', '3.4%', '12.5 min'; '—' when unknown."""
    if value is None or value != value:
        return "—"
    if unit == "currency":
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency())
        amount = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
        return f"{symbol}{amount}" if symbol else f"{amount} {currency()}"
    if unit == "percent":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "score":
        return f"{value:+.0f}"
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "seconds":
        return f"{value:,.0f} s"
    if unit == "ratio":
        return f"{value:,.2f}×"
    return f"{value:,.2f}"


def format_change(change: float | None) -> str:
    """A relative change as '+4.2%'; '—' when unknown."""
    return "—" if change is None or change != change else f"{change * 100:+.1f}%"


def format_share(share: float | None) -> str:
    """A share of a whole as '42%'; '—' when unknown."""
    return "—" if share is None or share != share else f"{share:.0%}"


def format_delta(change: float | None, unit: str) -> str:
    """An absolute change in the KPI's unit: percentages and scores in points ('+1.2 pp', '+4 pts')."""
    if change is None or change != change:
        return "—"
    if unit == "percent":
        return f"{change * 100:+.1f} pp"
    if unit == "score":
        return f"{change:+.0f} pts"
    text = format_value(abs(change), unit)
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
