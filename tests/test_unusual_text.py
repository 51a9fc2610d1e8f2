"""The unusual check's words (metrics/unusual_text.py), said once for the cards, the compact scorecard, the weekly
review page and its export."""

from __future__ import annotations

from datetime import date

from i18n import using_locale
from metrics.format import format_range_compact
from metrics.periods import parse_period
from metrics.scorecard import KpiResult
from metrics.unusual_text import format_score, half_counted, unusual_explanation, unusual_mark, unusual_side


def _item(value, low, high, unusual=True, unit="currency") -> KpiResult:
    return KpiResult("sell.revenue", "Sell", "Revenue", unit, value, None, None, None, expected_range=(low, high),
                     unusual=unusual, unusual_score=6.1, unusual_method="robust z")


def test_the_side_and_the_compact_cell():
    assert unusual_side(_item(900.0, 190.0, 270.0)) == "above" and unusual_side(_item(50.0, 100.0, 140.0)) == "below"
    assert unusual_side(_item(200.0, 190.0, 270.0)) is None
    assert unusual_mark(_item(900.0, 190.0, 270.0)) == "▲ $190–$270"  # whole amounts from 100 up
    assert unusual_mark(_item(50.0, 62.4, 90.0, unit="minutes")) == "▼ 62–90 min"  # the unit once
    assert unusual_mark(_item(900.0, 190.0, 270.0, unusual=False)) == ""  # judged usual: nothing
    assert format_range_compact(0.029, 0.034, "percent") == "2.9%–3.4%"
    assert format_range_compact(None, 1, "count") == "—"
    assert format_score(6.14) == "+6.1" and format_score(None) == "—"
    with using_locale("fa"):
        assert unusual_mark(_item(50.0, 62.4, 90.0, unit="minutes")) == "▼ ۶۲–۹۰ دقیقه"


def test_one_explanation_names_the_methods_and_the_threshold():
    text = unusual_explanation(["robust z"])
    assert text.startswith("A KPI is unusual when this week's value lies outside its expected range")
    assert text.endswith("beyond ±3.5 it is unusual. Method: robust z.")
    assert unusual_explanation([]).endswith("Method: too little history so far.")


def test_a_week_is_checked_once_half_of_it_is_counted():
    week = parse_period("2026-W48")  # Mon 23 – Sun 29 Nov 2026
    assert not half_counted(week, date(2026, 11, 24))  # one day of seven counted (the days before today)
    assert not half_counted(week, date(2026, 11, 26))  # three of seven: 0.43 < 0.5
    assert half_counted(week, date(2026, 11, 27))  # four of seven: 0.57
    assert half_counted(week, date(2026, 12, 5))  # over
