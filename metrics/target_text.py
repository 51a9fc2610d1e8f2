"""A target as a person reads and types it in the Targets grid: '2.64%', '$1,505,000', '+30', '90 min'.

Formatted like the cards (metrics/format.py: money in whole units from 1,000 up, cents below), other units with
up to 2 decimals, and parsed back to the stored unit: a fraction for percentages (2.64% -> 0.0264), an amount
in the warehouse currency. The grid treats a cell still showing its text as loaded as unchanged, so the
rounding never changes a stored target."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from i18n import N_, _
from i18n.numerals import delocalize_digits
from metrics.format import currency

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}  # as metrics.format.format_value writes them
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"  # 1505000, 1,505,000, 2.64, .5 (a comma only groups thousands)
SUFFIXES = {"minutes": r"min(?:utes?)?", "seconds": r"s(?:ec(?:onds?)?)?", "ratio": r"[×x]"}


class TargetTextError(ValueError):
    """A typed target that is not a value of its KPI's unit; the message says what was expected."""


EXAMPLES = {"score": N_("a score such as +30"), "minutes": N_("a number of minutes such as 90 or 90 min"),
            "seconds": N_("a number of seconds such as 45 or 45 s"), "ratio": N_("a ratio such as 4.5 or 4.5×")}


def _plain(number: float, decimals: int = 2) -> str:
    """Up to ``decimals`` decimals, none trailing, thousands grouped: 1505000 -> '1,505,000', 2.64 -> '2.64'."""
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{number:,.0f}"
    return "0" if text in ("-0", "") else text


def _symbol() -> str | None:
    return SYMBOLS.get(currency())


def example(unit: str) -> str:
    """What to type for a unit, e.g. 'a percentage such as 2.64%'."""
    if unit == "percent":
        return _("a percentage such as 2.64%")
    if unit == "currency":
        return _("an amount such as {amount}").format(amount=format_target(1505000, unit))
    return _(EXAMPLES[unit]) if unit in EXAMPLES else _("a number")


def format_target(value: float | None, unit: str) -> str:
    """A stored target as the grid shows it ('' when unset): 0.0264 -> '2.64%', 1505000 -> '$1,505,000'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "percent":
        return f"{_plain(value * 100)}%"
    if unit == "currency":
        amount = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"  # as the cards
        symbol = _symbol()
        if symbol:
            return f"-{symbol}{amount[1:]}" if amount.startswith("-") else f"{symbol}{amount}"
        return f"{amount} {currency()}"
    if unit == "score":
        return ("+" if value > 0 else "") + _plain(value)
    suffix = {"minutes": " min", "seconds": " s", "ratio": "×"}.get(unit, "")
    return _plain(value) + suffix


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _latin(text: str) -> str:
    """Typed text in Persian or Arabic-Indic digits and symbols (``۱۲٫۵٪``, ``−۳``) as Latin (``12.5%``, ``-3``)."""
    text = delocalize_digits(text).replace("٪", "%").replace("\u2212", "-")
    return "".join(ch for ch in text if ch not in "\u200e\u200f\u061c")


def parse_target(typed: object, unit: str) -> float | None:
    """A typed target -> the stored value (None when empty). Text is read as the grid shows it: '2.64%' or
    '2.64 %' -> 0.0264; '$1,505,000', '1,505,000' or '1505000' -> 1505000. A number that is not text (a caller
    passing the stored value) is taken as it is. Anything else raises TargetTextError saying what was expected."""
    if typed is None or (isinstance(typed, float) and math.isnan(typed)):
        return None
    if isinstance(typed, (int, float)) and not isinstance(typed, bool):
        return float(typed)
    text = " ".join(_latin(str(typed)).replace("\u00a0", " ").replace("\u202f", " ").split())
    if not text:
        return None
    sign = r"(?P<sign>[+-]?)\s*"
    if unit == "percent":
        found = re.fullmatch(sign + rf"(?P<n>{NUMBER})\s*%", text)
        if found is None:
            bare = re.fullmatch(sign + rf"(?P<n>{NUMBER})", text)
            if bare:
                number = float(_number(bare["n"]))
                percent, plain = f"{_plain(number * 100, 6)}%", f"{_plain(number, 6)}%"
                if number <= 1:
                    raise TargetTextError(_("{typed} has no {sign} sign: type {percent} (the fraction {fraction}) or "
                                            "{plain}").format(typed=repr(typed), sign="%", percent=percent,
                                                              fraction=_plain(number, 6), plain=plain))
                raise TargetTextError(_("{typed} has no {sign} sign: type {plain}").format(typed=repr(typed), sign="%",
                                                                                            plain=plain))
            raise _not_a(typed, unit)
        value = _number(found["n"]) / 100
        if value > 1:
            raise TargetTextError(_("{typed} is above 100%").format(typed=repr(typed)))
    elif unit == "currency":
        symbol, code = re.escape(_symbol() or currency()), re.escape(currency())
        found = re.fullmatch(sign + rf"(?:{symbol}|{code})?\s*(?P<n>{NUMBER})\s*(?:{code})?", text, re.IGNORECASE)
        if found is None:
            raise _not_a(typed, unit)
        value = _number(found["n"])
    else:
        suffix = SUFFIXES.get(unit)
        found = re.fullmatch(sign + rf"(?P<n>{NUMBER})" + (rf"\s*(?:{suffix})?" if suffix else ""), text,
                             re.IGNORECASE)
        if found is None:
            raise _not_a(typed, unit)
        value = _number(found["n"])
    if found["sign"] == "-":
        if unit != "score":
            raise TargetTextError(_("{typed} is negative; a target cannot be below 0").format(typed=repr(typed)))
        value = -value
    if unit == "score" and abs(value) > 100:
        raise TargetTextError(_("{typed} is outside the score's range, -100 to +100").format(typed=repr(typed)))
    return float(value)


def _not_a(typed: object, unit: str) -> TargetTextError:
    return TargetTextError(_("{typed} is not {example}").format(typed=repr(typed), example=example(unit)))
