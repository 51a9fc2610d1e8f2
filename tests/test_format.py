import pytest

from metrics.format import format_change, format_delta, format_value


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(1234.5, "currency", "$1,234"), (12.345, "currency", "$12.35"), (0.0345, "percent", "3.5%"),
     (1439, "count", "1,439"), (32.7, "score", "+33"), (96.8, "minutes", "97 min"), (5.187, "ratio", "5.19×"),
     (None, "count", "—"), (float("nan"), "percent", "—")],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_changes_are_relative_and_absolute_in_the_units_points():
    assert format_change(0.4516) == "+45.2%"
    assert format_change(None) == "—"
    assert format_delta(-0.0023, "percent") == "-0.2 pp"
    assert format_delta(17, "score") == "+17 pts"
    assert format_delta(-8.03, "currency") == "-$8.03"
