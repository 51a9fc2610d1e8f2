"""Values, changes, shares and deltas as Persian and Arabic readers write them (digits and CLDR symbols from
i18n.numerals; units' words from the catalogue), IRR and IRT, KPI_DIGITS=latn, axis ticks. Expected strings are
worked out by hand: the number is rounded as in English, then each digit and symbol is rewritten."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from i18n import _, using_locale
from metrics.chart_ticks import date_ticks, nice_step, nice_ticks
from metrics.format import (
    change_sign,
    currency_name,
    format_change,
    format_delta,
    format_share,
    format_tick,
    format_value,
)
from metrics.periods import using_calendar

FA_MINUS, FA_PLUS = "\u200e−", "\u200e+"  # CLDR (arabext): a left-to-right mark keeps the sign left of the number
AR_MINUS, AR_PLUS, AR_PERCENT = "\u061c-", "\u061c+", "٪\u061c"  # CLDR (arab): Arabic letter marks
LATN_MINUS, LATN_PERCENT = "\u200e-", "\u200e%\u200e"  # Arabic with Latin digits (KPI_DIGITS=latn)


@pytest.fixture(autouse=True)
def native_digits(monkeypatch):
    monkeypatch.delenv("KPI_DIGITS", raising=False)
    monkeypatch.delenv("KPI_CURRENCY", raising=False)


def unit_text(template: str, number: str) -> str:
    """A unit's template ('{number} min') as the current catalogue writes it, around ``number``."""
    return _(template).format(number=number)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(1439, "count", "۱٬۴۳۹"),  # 1,439: digits 1 4 3 9, ',' -> '٬'
     (0.0347, "percent", "۳٫۵٪"),  # 3.47% -> 3.5% (1 decimal), '.' -> '٫', '%' -> '٪'
     (32.7, "score", FA_PLUS + "۳۳"), (-4.2, "score", FA_MINUS + "۴"),  # 32.7 -> +33; -4.2 -> -4
     (5.187, "ratio", "۵٫۱۹×"),  # 5.187 -> 5.19, the '×' stays
     (0, "count", "۰"), (-0.4, "score", "۰"), (-0.0004, "percent", "۰٫۰٪"),  # zero: no sign
     (-1234.7, "count", FA_MINUS + "۱٬۲۳۵"),  # -1,235
     (None, "count", "—"), (float("nan"), "percent", "—")],
)
def test_persian_values(value, unit, text):
    with using_locale("fa"):
        assert format_value(value, unit) == text


def test_persian_and_arabic_units_words_come_from_the_catalogue():
    with using_locale("fa"):
        assert format_value(96.8, "minutes") == unit_text("{number} min", "۹۷")  # 96.8 -> 97
        assert format_value(41.3, "seconds") == unit_text("{number} s", "۴۱")
        assert format_delta(-0.0023, "percent") == unit_text("{number} pp", FA_MINUS + "۰٫۲")  # -0.23 pp -> -0.2
        assert format_delta(17, "score") == unit_text("{number} pts", FA_PLUS + "۱۷")
        assert format_delta(-0.3, "score") == unit_text("{number} pts", "۰")
    with using_locale("ar"):
        assert format_value(96.8, "minutes") == unit_text("{number} min", "٩٧")
        assert format_delta(0.0123, "percent") == unit_text("{number} pp", AR_PLUS + "١٫٢")  # +1.23 pp -> +1.2


def test_english_units_unchanged():
    assert format_value(96.8, "minutes") == "97 min" and format_delta(-0.0023, "percent") == "-0.2 pp"


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [("IRT", 1234567, "۱٬۲۳۴٬۵۶۷ تومان"),
     ("IRT", 12.6, "۱۳ تومان"),  # tomans have no decimals, even below 1,000: 12.6 -> 13
     ("IRR", -1234567.4, FA_MINUS + "۱٬۲۳۴٬۵۶۷ ریال"),  # the minus before the number, the rial after it
     ("IRR", 0.3, "۰ ریال"),  # rounds to 0: no sign, no decimals
     ("USD", 12.347, "۱۲٫۳۵ $"), ("EUR", 1234.7, "۱٬۲۳۵ €")],  # other currencies: CLDR's symbol after the number
)
def test_persian_currency(monkeypatch, code, value, text):
    monkeypatch.setenv("KPI_CURRENCY", code)
    with using_locale("fa"):
        assert format_value(value, "currency") == text


def test_persian_currency_deltas(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "IRT")
    with using_locale("fa"):
        assert format_delta(-250000.4, "currency") == FA_MINUS + "۲۵۰٬۰۰۰ تومان"
        assert format_delta(1500, "currency") == FA_PLUS + "۱٬۵۰۰ تومان"
        assert format_delta(-0.4, "currency") == "۰ تومان"  # rounds to zero: no sign


def test_rials_and_tomans_in_english_have_no_decimals_either(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "IRT")
    assert format_value(12.6, "currency") == "13 IRT" and format_value(1234567, "currency") == "1,234,567 IRT"


def test_arabic_values_and_babel_currency(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "SAR")
    sar = currency_name("SAR", "ar")
    assert sar.startswith("ر.س.")  # CLDR's symbol (Babel adds a right-to-left mark after it)
    with using_locale("ar"):
        assert format_value(1234.7, "currency") == "١٬٢٣٥ " + sar  # 1,235 riyals: whole from 1,000 up
        assert format_value(-12.347, "currency") == AR_MINUS + "١٢٫٣٥ " + sar  # cents below 1,000
        assert format_value(0.0347, "percent") == "٣٫٥" + AR_PERCENT
        assert format_value(1439, "count") == "١٬٤٣٩" and format_value(0, "count") == "٠"
        assert format_value(None, "currency") == "—"
        assert format_change(0.4516) == AR_PLUS + "٤٥٫٢" + AR_PERCENT  # +45.16% -> +45.2%
        assert format_change(-0.0004) == "٠٫٠" + AR_PERCENT
        assert format_share(0.425) == "٤٢" + AR_PERCENT  # 42.5 rounds half to even: 42
    monkeypatch.setenv("KPI_CURRENCY", "USD")
    with using_locale("ar"):
        assert format_value(-12.34, "currency") == AR_MINUS + "١٢٫٣٤ US$"


def test_arabic_with_latin_digits(monkeypatch):
    monkeypatch.setenv("KPI_DIGITS", "latn")
    monkeypatch.setenv("KPI_CURRENCY", "AED")
    aed = currency_name("AED", "ar")
    with using_locale("ar"):
        assert format_value(1234.7, "currency") == "1,235 " + aed
        assert format_value(0.0347, "percent") == "3.5" + LATN_PERCENT
        assert format_value(-4.2, "score") == LATN_MINUS + "4"
        assert format_change(None) == "—"
        assert format_tick(0.035, "percent", 0.005) == "3.5" + LATN_PERCENT


def test_persian_changes_and_shares():
    with using_locale("fa"):
        assert format_change(0.4516) == FA_PLUS + "۴۵٫۲٪"
        assert format_change(-0.0006) == FA_MINUS + "۰٫۱٪"  # -0.06% -> -0.1%
        assert format_change(-0.0004) == "۰٫۰٪" and format_change(None) == "—"
        assert format_share(0.425) == "۴۲٪" and format_share(-0.004) == "۰٪" and format_share(None) == "—"


def test_change_sign_as_shown():
    # the direction st.metric shows: a localized minus does not start with '-', so it is given explicitly
    assert [change_sign(c) for c in (0.042, -0.042, -0.0004, 0.0006, None)] == [1, -1, 0, 1, 0]


def test_nice_steps_and_ticks_by_hand():
    assert nice_step(26, 5) == 5  # 26/5 = 5.2: nearest of 1, 2, 2.5, 5, 10 in ratio is 5
    assert nice_ticks(22, 48) == ([20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0], 5.0)
    assert nice_ticks(0, 134567) == ([0.0, 25000.0, 50000.0, 75000.0, 100000.0, 125000.0, 150000.0], 25000.0)
    assert nice_ticks(-12, 30) == ([-20.0, -10.0, 0.0, 10.0, 20.0, 30.0], 10.0)  # 42/5 = 8.4 -> 10
    assert nice_ticks(1, 1.2) == ([1.0, 1.05, 1.1, 1.15, 1.2], 0.05)  # 0.2/5 = 0.04 -> 0.05; no 1.1500000000000001
    assert nice_ticks(5, 5) == ([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 1.0)  # one value: 2.5 either side
    assert nice_ticks(0, 0)[0] == [-1.0, -0.5, 0.0, 0.5, 1.0]


def test_tick_labels_by_unit():
    with using_locale("fa"):
        assert format_tick(0.035, "percent", 0.005) == "۳٫۵٪"  # a 0.5-point step needs one decimal
        assert format_tick(0.03, "percent", 0.01) == "۳٪"
        assert format_tick(125000, "currency", 25000) == "۱۲۵٬۰۰۰"  # the currency is in the hover
        assert format_tick(2.5, "ratio", 2.5) == "۲٫۵×" and format_tick(-20, "score", 10) == FA_MINUS + "۲۰"
        assert format_tick(1.15, "count", 0.05) == "۱٫۱۵"
        assert format_tick(90, "minutes", 30) == unit_text("{number} min", "۹۰")
    assert format_tick(0.035, "percent", 0.0025) == "3.50%"  # 0.25-point steps need two


def test_date_ticks_in_the_jalali_calendar():
    # 2 Nov 2026 = 11 Aban 1405 (1 Aban = 23 Oct); Aban has 30 days, so 23 Nov = 2 Azar
    weeks = [date(2026, 11, 2) + timedelta(weeks=i) for i in range(4)]
    with using_locale("fa"), using_calendar("jalali"):
        assert date_ticks(weeks) == (weeks, ["۱۱ آبان<br>۱۴۰۵", "۱۸ آبان", "۲۵ آبان", "۲ آذر"])
        # months (first days of Jalali months): 1 Dey 1405 = 22 Dec 2026, 1 Bahman = 21 Jan 2027
        assert date_ticks([date(2026, 12, 22), date(2027, 1, 21)])[1] == ["دی<br>۱۴۰۵", "بهمن"]
    with using_calendar("jalali"):  # English with the Jalali calendar: Latin names and digits
        assert date_ticks(weeks[:1])[1] == ["11 Aban<br>1405"]
    # 26 weeks at most 6 ticks: every 5th week (ceil(26/6) = 5), the year under the first only (all in 2026)
    half_year = [date(2026, 6, 1) + timedelta(weeks=i) for i in range(26)]
    chosen, labels = date_ticks(half_year)
    assert chosen == half_year[::5] and labels[0] == "1 Jun<br>2026" and labels[-1] == "23 Nov"


def test_campaign_figures_delta_direction_comes_from_the_number():
    from ui.campaign_figures import delta_style

    with using_locale("fa"):
        assert not format_change(-0.042).startswith("-")  # why Streamlit cannot read the direction from the text
    assert delta_style(-0.042, "higher") == ("red", "down") and delta_style(-0.042, "lower") == ("green", "down")
    assert delta_style(0.05, "lower") == ("red", "up") and delta_style(0.05, "higher") == ("green", "up")
    assert delta_style(0.0004, "higher") == ("gray", "off") and delta_style(None, "higher") == ("gray", "off")
