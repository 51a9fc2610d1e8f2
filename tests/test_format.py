import pytest

from i18n import using_locale
from metrics.format import axis_suffix, format_change, format_delta, format_p, format_share, format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    # values off the rounding ties (1234.5, 12.345, 0.0345 would test the float's binary rounding, not ours)
    [(1234.7, "currency", "$1,235"), (1234.2, "currency", "$1,234"), (12.347, "currency", "$12.35"),
     (999.994, "currency", "$999.99"), (0.0347, "percent", "3.5%"),
     (1439, "count", "1,439"), (32.7, "score", "+33"), (-4.2, "score", "-4"), (96.8, "minutes", "97 min"),
     (41.3, "seconds", "41 s"), (5.187, "ratio", "5.19×"), (None, "count", "—"), (float("nan"), "percent", "—"),
     (-12.34, "currency", "-$12.34"), (-1234.7, "currency", "-$1,235")],  # the sign before the symbol
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_changes_are_relative_and_absolute_in_the_units_points():
    assert format_change(0.4516) == "+45.2%"
    assert format_change(None) == "—"
    assert format_delta(-0.0023, "percent") == "-0.2 pp"
    assert format_delta(17, "score") == "+17 pts"
    assert format_delta(-8.03, "currency") == "-$8.03"


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [("EUR", 1234.7, "€1,235"), ("GBP", 12.347, "£12.35"), (" eur ", 8.0, "€8.00"),  # code read case-blind
     ("JPY", 1234.7, "1,235 JPY"), ("CHF", 12.347, "12.35 CHF"), ("", 8.0, "$8.00")],  # other codes after
)
def test_kpi_currency_sets_the_display_currency(monkeypatch, code, value, text):
    monkeypatch.setenv("KPI_CURRENCY", code)
    assert format_value(value, "currency") == text
    assert format_value(0.0347, "percent") == "3.5%"  # other units do not carry a currency


def test_kpi_currency_in_deltas_and_chart_axes(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "EUR")
    assert format_delta(-8.03, "currency") == "-€8.03"
    assert format_delta(1500.4, "currency") == "+€1,500"
    assert axis_suffix("currency") == {"tickprefix": "€", "tickformat": ",.2~f"}
    monkeypatch.setenv("KPI_CURRENCY", "SEK")
    assert axis_suffix("currency")["tickprefix"] == ""  # the code is in the value text, not on the axis
    monkeypatch.delenv("KPI_CURRENCY")
    assert format_value(8.0, "currency") == "$8.00" and axis_suffix("currency")["tickprefix"] == "$"


@pytest.mark.parametrize(
    ("change", "unit", "text"),
    # each rounds to zero at the unit's precision: shown as 0, without a sign
    [(-0.0004, "percent", "0.0 pp"), (0.0004, "percent", "0.0 pp"), (-0.0, "percent", "0.0 pp"),
     (-0.4, "score", "0 pts"), (0.3, "score", "0 pts"), (-0.004, "currency", "$0.00"), (0.004, "currency", "$0.00"),
     (-0.3, "count", "0"), (-0.004, "ratio", "0.00×"), (-0.2, "seconds", "0 s"),
     # just past the rounding: the sign stays
     (-0.0006, "percent", "-0.1 pp"), (-0.6, "score", "-1 pts"), (-0.006, "currency", "-$0.01")],
)
def test_a_delta_that_rounds_to_zero_has_no_sign(change, unit, text):
    assert format_delta(change, unit) == text


def test_values_changes_and_shares_that_round_to_zero_have_no_sign():
    assert format_change(-0.0004) == "0.0%" and format_change(0.0004) == "0.0%" and format_change(-0.0) == "0.0%"
    assert format_change(-0.0006) == "-0.1%"
    assert format_value(-0.0004, "percent") == "0.0%" and format_value(-0.0, "percent") == "0.0%"
    assert format_value(-0.4, "score") == "0" and format_value(0.4, "score") == "0"  # an NPS of 0 has no sign
    assert format_value(-0.003, "currency") == "$0.00" and format_value(-0.3, "minutes") == "0 min"
    assert format_value(-0.001, "ratio") == "0.00×" and format_value(-0.001, "other") == "0.00"
    assert format_share(-0.004) == "0%" and format_share(-0.006) == "-1%" and format_share(0.425) == "42%"


def test_kpi_currency_zero_change_without_a_symbol(monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "JPY")
    assert format_delta(-0.001, "currency") == "0.00 JPY"
    assert format_delta(-1500.4, "currency") == "-1,500 JPY"


def test_one_p_value_format_for_every_page_report_and_verdict():
    # two significant digits; below 0.001 only the bound; the bare value for a column headed 'p-value'
    assert [format_p(p) for p in (0.0493, 0.00421, 0.444, 0.082, 0.0004)] == [
        "p = 0.049", "p = 0.0042", "p = 0.44", "p = 0.082", "p < 0.001"]
    assert [format_p(p, label=False) for p in (0.0821, 0.0004, None)] == ["0.082", "< 0.001", "—"]
    with using_locale("fa"):
        assert format_p(0.0493) == "p = ۰٫۰۴۹" and format_p(0.0004, label=False) == "< ۰٫۰۰۱"
