"""Formatting KPI values by unit, for pages, the CLI and reports, in the run's language.

English text is built with Python's format mini-language (``'$1,234'``, ``'3.5%'``); Persian and Arabic text is
built the same way with the units' words translated, the number first and any currency after it
(``'1,234,567 تومان'``), then rewritten into the reader's digits and symbols by :func:`i18n.numerals.localize_digits`
(``'۱٬۲۳۴٬۵۶۷ تومان'``; its CLDR minus keeps a minus sign on the left of the number in right-to-left text).
"""

from __future__ import annotations

import math
import os
from datetime import date, timedelta

from babel.numbers import get_currency_symbol

from i18n import _, current_locale, is_rtl, ngettext
from i18n.numerals import localize_digits
from metrics.date_text import format_day_range

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}  # written before the amount, in English
WHOLE_CURRENCIES = frozenset({"IRR", "IRT"})  # rials and tomans are never written with decimals
# The toman (10 rials) has no ISO code nor CLDR name; the rial's Persian name is written out as Iranians write it.
LOCAL_CURRENCY_NAMES = {"fa": {"IRR": "ریال", "IRT": "تومان"}, "ar": {"IRT": "تومان"}}


def currency() -> str:
    """The warehouse currency code (``KPI_CURRENCY``, default USD)."""
    return os.environ.get("KPI_CURRENCY", "USD").strip().upper() or "USD"


def currency_name(code: str | None = None, locale: str | None = None) -> str:
    """The word or symbol written after an amount in a right-to-left language: 'تومان' and 'ریال' in Persian,
    Babel's (CLDR's) symbol otherwise ('ر.س.' for SAR in Arabic); the code itself when CLDR has none."""
    code, locale = code or currency(), locale or current_locale()
    if code in LOCAL_CURRENCY_NAMES.get(locale, {}):
        return LOCAL_CURRENCY_NAMES[locale][code]
    return get_currency_symbol(code, locale=locale)


def _shown(value: float, digits: int) -> float:
    """``value`` as it will be shown with ``digits`` decimals, with a zero unsigned: -0.004 at 2 decimals is 0,
    never '-0.00' (nor '+0.00' in a change)."""
    rounded = round(value, digits)
    return 0.0 if rounded == 0 else value


def _currency_digits(value: float) -> int:
    return 0 if currency() in WHOLE_CURRENCIES or abs(value) >= 1000 else 2


def _unknown(value: float | None) -> bool:
    return value is None or value != value


def _currency_text(value: float, digits: int | None = None) -> str:
    """An amount with Latin digits: '-$12.34', '1,235 JPY' in English; '-12.34 ر.س.' (number first) otherwise
    (``digits``: decimals, default two below 1,000 and none above)."""
    digits = _currency_digits(value) if digits is None else digits
    shown = _shown(value, digits)
    amount = f"{abs(shown):,.{digits}f}"
    sign = "-" if shown < 0 else ""  # '-$12.34', as accountants and spreadsheets write it, not '$-12.34'
    if current_locale() != "en":
        return f"{sign}{amount} {currency_name()}"
    symbol = SYMBOLS.get(currency())
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency()}"


def _with_unit(number: str, unit: str) -> str:
    """``number`` (text) followed by the unit's word in the run's language: '97 min', '41 s'."""
    if unit == "minutes":
        return _("{number} min").format(number=number)
    if unit == "seconds":
        return _("{number} s").format(number=number)
    return number


def _value_text(value: float, unit: str) -> str:
    """A known value with Latin digits and the unit's words in the run's language."""
    if unit == "currency":
        return _currency_text(value)
    if unit == "percent":
        return f"{_shown(value * 100, 1):.1f}%"
    if unit == "score":
        shown = _shown(value, 0)
        return f"{shown:+.0f}" if shown else "0"
    if unit in ("count", "minutes", "seconds"):
        return _with_unit(f"{_shown(value, 0):,.0f}", unit)
    if unit == "ratio":
        return f"{_shown(value, 2):,.2f}×"
    return f"{_shown(value, 2):,.2f}"


def format_value(value: float | None, unit: str) -> str:
    """A value as a person reads it: '€1,234', '3.4%', '12.5 min' ('۱۲٬۳۴۵ تومان', '۳٫۴٪' in Persian); '—' when
    unknown; never '-0'."""
    return "—" if _unknown(value) else localize_digits(_value_text(value, unit))


def _signed(number: float, digits: int) -> str:
    """'+1.2', '-1.2', or '0.0' (no sign) when it rounds to zero at ``digits`` decimals."""
    shown = _shown(number, digits)
    return f"{shown:+.{digits}f}" if shown else f"{0:.{digits}f}"


def format_change(change: float | None) -> str:
    """A relative change as '+4.2%' ('0.0%' when it rounds to zero); '—' when unknown."""
    return "—" if _unknown(change) else localize_digits(f"{_signed(change * 100, 1)}%")


def change_sign(change: float | None) -> int:
    """-1, 0 or 1: the sign of a relative change as :func:`format_change` shows it (0 when it rounds to zero or is
    unknown). For widgets that read the direction from the text's first character (``st.metric``), which a
    localized minus (a direction mark, then '−') does not start with."""
    if _unknown(change):
        return 0
    shown = _shown(change * 100, 1)
    return (shown > 0) - (shown < 0)


def format_share(share: float | None) -> str:
    """A share of a whole as '42%' ('0%' when it rounds to zero); '—' when unknown."""
    return "—" if _unknown(share) else localize_digits(f"{_shown(share * 100, 0):.0f}%")


def format_delta(change: float | None, unit: str) -> str:
    """An absolute change in the KPI's unit: percentages and scores in points ('+1.2 pp', '+4 pts'); a change
    that rounds to zero is shown without a sign ('0.0 pp', '0 pts', '$0.00')."""
    if _unknown(change):
        return "—"
    if unit == "percent":
        return localize_digits(_("{number} pp").format(number=_signed(change * 100, 1)))
    if unit == "score":
        return localize_digits(_("{number} pts").format(number=_signed(change, 0)))
    text = _value_text(abs(change), unit)
    if text == _value_text(0.0, unit):
        return localize_digits(text)
    return localize_digits(("-" if change < 0 else "+") + text)


def _tick_digits(step: float, unit: str) -> int:
    """Decimals enough to tell ticks ``step`` apart (in the unit as shown: percent ticks are in hundredths)."""
    shown = abs(step) * (100 if unit == "percent" else 1)
    if not shown or not math.isfinite(shown):
        return 0
    digits = max(0, -math.floor(math.log10(shown) + 1e-9))
    while digits < 6 and abs(round(shown, digits) - shown) > shown * 1e-6:  # 2.5 needs one decimal, 0.25 two
        digits += 1
    return digits


def format_tick(value: float, unit: str, step: float) -> str:
    """An axis tick label, as short as ticks ``step`` apart allow, in the reader's digits: '۳٫۵٪', '۱۲٬۰۰۰',
    '۹۰ دقیقه', '۲٫۵×'. Currency ticks are the bare number (the currency is in the hover text)."""
    digits = _tick_digits(step, unit)
    if unit == "percent":
        return localize_digits(f"{_shown(value * 100, digits):.{digits}f}%")
    number = f"{_shown(value, digits):,.{digits}f}"
    if unit == "ratio":
        return localize_digits(f"{number}×")
    return localize_digits(_with_unit(number, unit))


def axis_suffix(unit: str) -> dict:
    """Plotly axis settings for a unit (tick format and title suffix), for English charts: in other languages the
    charts carry ready-made tick labels (:func:`format_tick`), as plotly writes only Latin digits."""
    if unit == "percent":
        return {"tickformat": ".1%"}
    if unit == "currency":
        return {"tickprefix": SYMBOLS.get(currency(), ""), "tickformat": ",.2~f"}
    if unit == "minutes":
        return {"ticksuffix": " min"}
    if unit == "seconds":
        return {"ticksuffix": " s"}
    if unit == "ratio":
        return {"ticksuffix": "×"}
    return {"tickformat": ",.0f"}


def format_days(days, most: int = 3) -> str:
    """Days as a person reads them, in the run's language and calendar, consecutive ones as ranges: '2–8 Nov
    2026', '2–4 Nov 2026, 6 Nov 2026', '۱۱–۱۷ آبان ۱۴۰۵'; past ``most`` ranges the rest are counted ('… and 5 more
    days')."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    text = ("، " if is_rtl() else ", ").join(format_day_range(first, last) for first, last in runs[:most])
    rest = sum((last - first).days + 1 for first, last in runs[most:])
    if not rest:
        return text
    return ngettext("{days} and {count} more day", "{days} and {count} more days", rest).format(
        days=text, count=localize_digits(str(rest)))


def format_range(low: float | None, high: float | None, unit: str) -> str:
    """A range of values in the KPI's unit, low first: '$180.00 to $260.00' ('۱۸۰ تا ۲۶۰ تومان' reads the same way
    in Persian); '—' when either end is unknown."""
    if _unknown(low) or _unknown(high):
        return "—"
    return _("{low} to {high}").format(low=format_value(low, unit), high=format_value(high, unit))


def format_range_compact(low: float | None, high: float | None, unit: str) -> str:
    """A range for a narrow cell, low first: '$190–$270' (whole amounts from 100 up), '62–90 min' (the unit once),
    '2.9%–3.4%', in the reader's digits; '—' when either end is unknown."""
    if _unknown(low) or _unknown(high):
        return "—"
    if unit in ("minutes", "seconds", "count"):
        return localize_digits(_with_unit(f"{_shown(low, 0):,.0f}–{_shown(high, 0):,.0f}", unit))
    if unit == "currency" and max(abs(low), abs(high)) >= 100:
        return localize_digits(f"{_currency_text(low, 0)}–{_currency_text(high, 0)}")
    return localize_digits(f"{_value_text(low, unit)}–{_value_text(high, unit)}")


def format_p(p: float | None, label: bool = True) -> str:
    """A p-value as every page, report and verdict writes it: two significant digits ('p = 0.049', 'p = 0.0042',
    'p = 0.44'), 'p < 0.001' below 0.001, in the reader's digits; without ``label`` the bare value ('0.049',
    '< 0.001') for a column or a metric already headed 'p-value'; '—' when unknown."""
    if _unknown(p):
        return "—"
    value = "< 0.001" if p < 0.001 else f"{p:.2g}"
    return localize_digits(value if not label else f"p {value}" if value.startswith("<") else f"p = {value}")
