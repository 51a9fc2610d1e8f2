"""The S pages' charts through the real app (AppTest on the demo warehouse, data from 24 Nov 2024 to 23 Nov 2026):
SMS's ROAS far above the others is drawn as small multiples, the month the data starts in is partial, and the Sell
and Serve pages chart new against returning revenue."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from i18n import using_locale
from metrics.periods import parse_period
from tests.conftest import page_app

pytestmark = pytest.mark.usefixtures("demo_env")  # the app on the demo warehouse (tests/conftest.py)


def _figures(app) -> list[dict]:
    """The KPI sections' figures (trend, breakdown, …), in page order."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart") if chart.key != MIX]


MIX = "revenue-mix"  # the Sell and Serve pages' chart of new against returning revenue


def _numbers(values) -> list[float]:
    """A figure's y values as floats (plotly sends float arrays as base64 'bdata'; gaps are NaN)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float).tolist()
    return [float("nan") if v is None else float(v) for v in values]


def test_roas_by_channel_gets_one_panel_per_channel_and_says_so():
    app = page_app("save", grain="week", period="2026-W47", kpi="save.roas").run()
    assert not app.exception
    trend, breakdown = _figures(app)[:2]
    assert breakdown["layout"]["title"]["text"] == "ROAS by channel, last 13 weeks"
    assert "one panel per channel, each on its own scale" in breakdown["layout"]["title"]["subtitle"]["text"]
    assert breakdown["layout"]["title"]["subtitle"]["text"].startswith("SMS's ROAS is ")
    names = [t["name"] for t in breakdown["data"]]
    assert "SMS" in names and "Email" not in names  # Email has no ad cost: no ROAS, no empty panel
    assert len({t["yaxis"] for t in breakdown["data"]}) == len(names)  # each channel on its own axis
    assert "subtitle" not in trend["layout"]["title"]


def test_the_first_month_of_data_is_partial_on_the_monthly_trend():
    app = page_app("sell", grain="month", period="2026-11", kpi="sell.revenue").run()
    assert not app.exception
    trend = _figures(app)[0]
    series = trend["data"][0]
    first = [str(x)[:10] for x in series["x"]].index("2024-11-01")
    values = _numbers(series["y"])
    assert np.isnan(values[first]) and values[first + 1] > 0  # 24-30 Nov 2024 is not drawn as a month's revenue
    partial = next(t for t in trend["data"] if t["name"] == "Partial period")
    assert "data starts 2024-11-24 (23 of 30 days missing)" in partial["customdata"][0]
    assert [a["text"] for a in trend["layout"]["annotations"]] == ["partial"]


def test_charts_in_persian_carry_their_own_tick_labels_and_hovers(monkeypatch):
    """The S page in Persian (KPI_LOCALE=fa, so the Jalali calendar): the trend and breakdown give plotly ready-made
    tick labels in Persian digits and pre-formatted hovers; plotly formats no number or date itself."""
    monkeypatch.setenv("KPI_LOCALE", "fa")
    app = page_app("sell", grain="month", period="2026-11", kpi="sell.revenue").run()
    assert not app.exception
    figures = _figures(app)[:2]
    assert len(figures) == 2
    for figure in figures:
        layout = figure["layout"]
        for axis in ("xaxis", "yaxis"):
            assert layout[axis]["tickmode"] == "array" and "tickformat" not in layout[axis]
            assert not any(ch.isascii() and ch.isdigit() for text in layout[axis]["ticktext"] for ch in text)
        assert layout["font"]["family"] == "Vazirmatn, sans-serif"
        hovered = [t for t in figure["data"] if t.get("hovertemplate")]
        assert hovered and all(t["hovertemplate"].startswith("%{customdata[0]}<br>%{customdata[1]}")
                               for t in hovered)
    assert any("آبان" in text for text in figures[0]["layout"]["xaxis"]["ticktext"])  # Jalali months


def test_the_weekly_trend_shades_the_expected_range_the_statistics_give(demo_engine):
    """The S page's revenue trend to W47: the band's edges are trend_with_plan's expected_low/high for the weeks
    that have them, drawn behind the series, hovered with the range in dollars."""
    from metrics.trends import trend_with_plan
    from ui.s_page import TREND_PERIODS

    app = page_app("sell", grain="week", period="2026-W47", kpi="sell.revenue").run()
    assert not app.exception
    trend = _figures(app)[0]
    frame = trend_with_plan(demo_engine, "sell.revenue", parse_period("2026-W47"), TREND_PERIODS)
    ranged = frame.dropna(subset=["expected_low", "expected_high"])
    assert len(ranged) >= 8  # two years of demo data: most weeks have a range
    band = [t for t in trend["data"] if t.get("legendgroup") == "expected"]
    lows, highs = band[0::2], band[1::2]  # each run of weeks: its low edge, then its high edge filled to it
    assert [str(x)[:10] for t in highs for x in t["x"]] == [str(d)[:10] for d in ranged["period_start"]]
    assert np.allclose([y for t in lows for y in _numbers(t["y"])], ranged["expected_low"].to_numpy())
    assert np.allclose([y for t in highs for y in _numbers(t["y"])], ranged["expected_high"].to_numpy())
    assert all(t["fill"] == "tonexty" and t["zorder"] == -1 for t in highs)
    assert [t["showlegend"] for t in highs] == [True] + [False] * (len(highs) - 1)
    assert highs[0]["name"] == "Expected range" and trend["data"][0]["name"] == "Revenue"  # the series on top
    assert all(text.startswith("$") and " to $" in text for t in highs for text in t["customdata"])


@pytest.mark.parametrize("page", ["sell", "serve"])
def test_sell_and_serve_chart_new_against_returning_revenue_under_the_cards(page, demo_engine):
    from metrics.revenue_mix import new_and_returning
    from ui.revenue_mix import PERIODS

    app = page_app(page, grain="week", period="2026-W47").run()
    assert not app.exception
    charts = app.get("plotly_chart")
    assert charts[0].key == MIX and [c.key for c in charts].count(MIX) == 1  # above the KPI sections
    figure = json.loads(charts[0].proto.spec)
    assert figure["layout"]["title"]["text"] == "New and returning revenue by week, All channels"
    new, returning = figure["data"]
    assert (new["name"], returning["name"], new["type"], figure["layout"]["barmode"]) == (
        "New customers", "Returning customers", "bar", "relative")
    expected = new_and_returning(demo_engine, parse_period("2026-W47"), PERIODS)
    assert len(expected) == 26 and expected["revenue"].notna().all()
    assert np.allclose(_numbers(new["y"]), expected["new_revenue"].to_numpy())
    assert np.allclose(_numbers(returning["y"]), expected["returning_revenue"].to_numpy())
    assert np.allclose(expected["new_revenue"] + expected["returning_revenue"], expected["revenue"])
    share = expected["returning_share"].iloc[-1]
    assert 0.2 < share < 0.8  # the demo shop has both new and returning customers every week
    assert returning["customdata"][-1].endswith(f" · returning share {share * 100:.1f}%")
    assert any(s.value == "New and returning revenue" for s in app.subheader)


def test_the_revenue_mix_chart_for_one_channel_in_persian(monkeypatch):
    monkeypatch.setenv("KPI_LOCALE", "fa")
    with using_locale("fa"):
        app = page_app("serve", grain="month", period="2026-11", channel="Email").run()
    assert not app.exception
    chart = next(c for c in app.get("plotly_chart") if c.key == MIX)
    figure = json.loads(chart.proto.spec)
    assert figure["layout"]["font"]["family"] == "Vazirmatn, sans-serif" and figure["layout"]["title"]["x"] == 1
    assert "Email" in figure["layout"]["title"]["text"]
    day, text = figure["data"][1]["customdata"][-1]  # the month's date over its amounts, in Persian digits
    assert not any(ch.isascii() and ch.isdigit() for ch in day + text) and "٪" in text
