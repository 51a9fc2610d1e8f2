"""How the cards and the compact scorecard word the statistics (ui/stats_badges.py, ui/cards.py, ui/kpi_table.py),
on hand-made KPI results: the trend (arrow, significant or not, the method on hover), the "unusual" badge with the
expected range in the KPI's unit, and the chance of reaching the target beside the forecast — in English and in
Persian (the arrows are not mirrored: time runs left to right in the charts of every language), and nothing at all
where a figure is unknown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from i18n import _, using_locale
from metrics.scorecard import KpiResult
from metrics.trend_test import Trend
from ui.cards import plan_caption
from ui.kpi_table import kpi_column_config, kpi_columns, kpi_rows, stats_columns
from ui.stats_badges import (
    chance_text,
    p_text,
    range_text,
    trend_colour,
    trend_help,
    trend_short,
    unusual_cell,
    unusual_help,
    unusual_label,
)

FSI, PDI = "\u2068", "\u2069"
STL = "STL decomposition with a robust z-score"  # a method name as metrics.unusual would give it


def _item(kpi_id: str, value: float | None = 2400.0, **extra) -> KpiResult:
    s, _, _ = kpi_id.partition(".")
    return KpiResult(id=kpi_id, s=s.capitalize(), label=kpi_id, unit="", value=value, previous=None,
                     change_pct=None, reason=None, **extra)


RISING = Trend("up", 0.0123, 120.0)
FALLING = Trend("down", 0.0042, -3.5)
FLAT = Trend("flat", 0.34, 5.0)


def test_the_trend_is_an_arrow_and_says_whether_it_is_significant():
    # the arrow and the word, in the compact scorecard's cell and on the card's badge ('' with < 8 periods of data)
    assert [trend_short(t) for t in (RISING, FALLING, FLAT, None)] == [
        "↗ significant rise", "↘ significant fall", "→ no clear trend", ""]
    assert [p_text(p) for p in (0.0123, 0.0042, 0.34, 0.0004)] == [  # two significant digits
        "p = 0.012", "p = 0.0042", "p = 0.34", "p < 0.001"]


def test_the_trend_help_names_the_test_the_periods_and_the_slope_in_the_kpi_unit():
    revenue = _item("sell.revenue", trend=RISING)
    assert trend_help(revenue, "week") == (
        "Mann–Kendall test over the last 13 weeks (p = 0.012), Theil–Sen slope +$120.00 a week. "
        "Rising or falling when p < 0.05, otherwise no clear trend.")
    rate = _item("sell.conversion_rate", 0.03, trend=Trend("down", 0.02, -0.004))
    assert "Theil–Sen slope -0.4 pp a month" in trend_help(rate, "month")  # a rate's slope in points: 0.004 = 0.4 pp
    assert "over the last 13 periods" in trend_help(revenue) and "+$120.00 a period" in trend_help(revenue)
    assert trend_help(_item("sell.revenue"), "week") is None


def test_the_trend_colour_follows_the_kpi_direction():
    assert trend_colour(RISING, "higher") == "green"  # revenue rising: good
    assert trend_colour(RISING, "lower") == "red"  # cost rising: bad
    assert trend_colour(FALLING, "lower") == "green"
    assert trend_colour(FLAT, "higher") == trend_colour(FLAT, "lower") == "gray"


def test_an_unusual_value_says_which_side_with_the_expected_range_in_its_unit_and_the_method():
    high = _item("sell.revenue", 2400.0, expected_range=(1000.0, 1400.0), unusual=True, unusual_score=6.24,
                 unusual_method=STL)
    assert unusual_label(high) == "Unusually high"
    assert range_text(high) == "$1,000 to $1,400"  # metrics.format.format_range, as the review says it
    assert unusual_cell(high) == "▲ $1,000–$1,400"  # the table's cell: above, and the range, compact
    assert unusual_help(high) == (
        "Expected range $1,000 to $1,400, from STL decomposition with a robust z-score; $2,400 is outside it. "
        "Score +6.2 (a robust z: how many usual deviations away; unusual beyond ±3.5).")
    low = _item("sell.conversion_rate", 0.011, expected_range=(0.021, 0.029), unusual=True, unusual_score=-4.0)
    assert unusual_label(low) == "Unusually low"
    assert unusual_cell(low) == "▼ 2.1%–2.9%"  # below its range
    assert "from its own history; 1.1% is outside it" in unusual_help(low)  # no method named: said plainly


@pytest.mark.parametrize("item", [
    _item("sell.revenue", 1200.0, expected_range=(1000.0, 1400.0), unusual=False, unusual_score=0.5),
    _item("sell.revenue", 1200.0),  # not checked (too little history)
    _item("sell.revenue", None, expected_range=(1000.0, 1400.0), unusual=None),  # no value
])
def test_a_usual_or_unchecked_value_shows_nothing(item):
    assert unusual_label(item) is None and unusual_help(item) is None and unusual_cell(item) == ""


def test_the_chance_sits_beside_the_forecast_and_is_direction_aware():
    revenue = _item("sell.revenue", 400.0, target=1500.0, expected=600.0, forecast=1150.0, in_progress=True,
                    probability_on_target=0.72)
    assert chance_text(revenue) == "72% chance to reach the target"
    assert plan_caption(revenue) == ("target $1,500 · expected by now $600.00 · forecast $1,150 · "
                                     "72% chance to reach the target")
    cost = _item("save.marketing_cost", 400.0, target=1000.0, probability_on_target=0.3)
    assert chance_text(cost) == "30% chance to stay within the budget"  # lower is better: at or under the budget
    assert chance_text(_item("sell.revenue", probability_on_target=0.996)) == ">99% chance to reach the target"
    assert chance_text(_item("sell.revenue", probability_on_target=0.004)) == "<1% chance to reach the target"
    finished = _item("sell.revenue", 1400.0, target=1500.0, expected=1500.0, forecast=1400.0)
    assert chance_text(finished) is None and "chance" not in plan_caption(finished)


def test_the_compact_scorecard_adds_chance_trend_and_unusual_columns_only_when_known():
    revenue = _item("sell.revenue", 400.0, target=1500.0, status="on_track", trend=RISING, probability_on_target=0.72,
                    expected_range=(300.0, 500.0), unusual=False)
    orders = _item("sell.orders", 90.0, status="no_target", trend=None, expected_range=(20.0, 40.0), unusual=True)
    frame = kpi_rows([revenue, orders])
    assert list(frame.columns) == ["id", "S", "KPI", "Value", "Change", "Target", "Chance", "Status", "Direction",
                                   "Unusual", "Trend"]
    assert frame[["Chance", "Direction", "Unusual"]].to_dict("records") == [
        {"Chance": "72%", "Direction": "↗ significant rise", "Unusual": ""},
        {"Chance": "", "Direction": "", "Unusual": "▲ 20–40"}]  # 90 orders above 20 to 40
    assert stats_columns([revenue, orders], plan=False) == ["Direction", "Unusual"]  # no plan: no chance
    plain = _item("sell.revenue", 400.0)
    assert stats_columns([plain]) == [] and "Direction" not in kpi_rows([plain]).columns
    config = kpi_column_config("week", [orders.__class__(**{**orders.__dict__, "unusual_method": STL})])
    assert config["Direction"]["label"] == "Trend" and "Mann–Kendall test over the last 13 weeks" in \
        config["Direction"]["help"]
    widths = kpi_column_config("week", [], ["Direction"])
    assert widths["KPI"]["width"] == 145 and config["KPI"]["width"] == "medium"  # narrower only beside statistics
    assert config["Unusual"]["help"].endswith(f"Method: {STL}.")
    assert "simulated 10,000 times, each day drawn from the same weekday's values of the last 8 weeks" in \
        config["Chance"]["help"]


def test_in_persian_the_arrows_are_not_mirrored_and_numbers_are_persian_and_isolated():
    with using_locale("fa"):
        rising = trend_short(RISING)
        assert rising.startswith("↗") and "↖" not in rising  # read first (at the right), pointing up the time axis
        assert trend_short(FALLING).startswith("↘") and trend_short(FLAT).startswith("→")
        # 'p = 0.012' kept left to right inside the Persian sentence
        assert f"({FSI}p = ۰٫۰۱۲{PDI})" in trend_help(_item("sell.revenue", trend=RISING), "week")
        assert p_text(0.0004) == f"{FSI}p < ۰٫۰۰۱{PDI}"
        high = _item("sell.revenue", 2400.0, expected_range=(1000.0, 1400.0), unusual=True)
        assert "۱٬۰۰۰" in range_text(high) and "۱٬۴۰۰" in range_text(high)
        assert "۷۲٪" in chance_text(_item("sell.revenue", probability_on_target=0.72))
        # the table reads from the right: the KPI's name at the right edge, the statistics beside the sparkline
        assert kpi_columns(True, ["Chance", "Direction", "Unusual"]) == [
            "Trend", "Unusual", "Direction", "Status", "Chance", "Target", "Change", "Value", "KPI", "S"]


def test_in_persian_the_words_are_persian(monkeypatch):
    """The wording as translated in locales/fa (from the meeting part's catalogue), amounts in tomans."""
    monkeypatch.setenv("KPI_CURRENCY", "IRT")
    with using_locale("fa"):
        assert [trend_short(t) for t in (RISING, FALLING, FLAT)] == [
            "↗ افزایش معنادار", "↘ کاهش معنادار", "→ روند نامشخص"]
        assert trend_help(_item("sell.revenue", trend=RISING), "week").startswith(
            f"آزمون من-کندال روی ۱۳ هفته اخیر ({FSI}p = ۰٫۰۱۲{PDI})، شیب تایل-سن")
        high = _item("sell.revenue", 2400.0, expected_range=(1000.0, 1400.0), unusual=True)
        # the catalogue's words (issue-15 polish: «بالاتر از حد معمول», merged centrally), never the English
        assert unusual_label(high) == _("Unusually high") != "Unusually high"
        assert chance_text(_item("sell.revenue", probability_on_target=0.72)) == "۷۲٪ احتمال رسیدن به هدف"
        assert unusual_cell(high) == "▲ ۱٬۰۰۰ تومان–۱٬۴۰۰ تومان"
        assert range_text(high) == "۱٬۰۰۰ تومان تا ۱٬۴۰۰ تومان"
        assert chance_text(_item("save.marketing_cost", probability_on_target=0.72)) == \
            "۷۲٪ احتمال ماندن در سقف بودجه"


def _card_app(item: KpiResult) -> AppTest:
    def script(item):
        from ui.cards import kpi_card
        kpi_card(item, grain="week")

    return AppTest.from_function(script, args=(item,))


def test_the_card_shows_the_unusual_badge_and_the_trend_with_their_methods_on_hover():
    item = _item("sell.revenue", 2400.0, status="on_track", target=2000.0, trend=RISING,
                 expected_range=(1000.0, 1400.0), unusual=True, unusual_score=6.2, unusual_method=STL)
    app = _card_app(item).run()
    assert not app.exception
    badges = {m.value: m.help for m in app.markdown if "-badge[" in m.value}
    assert badges[":blue-badge[:material/bolt: Unusually high]"].startswith("Expected range $1,000 to $1,400, from STL")
    trend_hover = badges[":green-badge[↗ significant rise]"]  # revenue rising: green
    assert trend_hover.startswith("Mann–Kendall test over the last 13 weeks (p = 0.012), Theil–Sen slope +$120.00")
    plain = _card_app(_item("sell.revenue", 1200.0, status="on_track", target=1000.0)).run()
    assert [m.value for m in plain.markdown if "-badge[" in m.value] == [
        ":green-badge[:material/check_circle: On track]"]  # nothing known: no trend, no unusual badge
