"""The overview shows the statistics of issue 15 on the demo shop (AppTest through app.py): the trend test and the
unusual check in the compact scorecard and on the cards for a finished demo week, and the chance of reaching the
target for the month under way. The figures are the scorecard's own (metrics/scorecard.py, worked by hand in
tests/test_trend_test.py, tests/test_unusual.py and tests/test_chance.py); what is tested here is that the page
shows each KPI's, in words, in the right row and card."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from i18n import using_locale
from metrics.catalog import KPIS
from metrics.periods import parse_period
from metrics.scorecard import scorecard
from tests.conftest import build_demo_warehouse, page_app
from ui.stats_badges import chance_share, chance_text, trend_short, unusual_cell, unusual_label
from warehouse.db import get_engine

W47 = {"grain": "week", "period": "2026-W47"}  # 16–22 Nov 2026, finished in the demo as of 24 Nov


@pytest.fixture
def demo(demo_url, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    get_engine.cache_clear()
    st.cache_data.clear()
    return get_engine()


def _week_results(engine) -> dict:
    return {r.id: r for r in scorecard(engine, parse_period("2026-W47"))}


def test_the_scorecard_shows_each_kpis_trend_and_unusual_check_for_a_demo_week(demo):
    results = _week_results(demo)
    app = page_app("overview", **W47).run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("id")
    assert {"Direction", "Unusual"} <= set(table.columns) and "Chance" not in table.columns  # the week is over
    for kpi in KPIS:
        assert table.loc[kpi.id, "Direction"] == trend_short(results[kpi.id].trend)
        assert table.loc[kpi.id, "Unusual"] == unusual_cell(results[kpi.id])
    directions = table["Direction"].tolist()
    assert any(d.endswith("significant rise") or d.endswith("significant fall") for d in directions)
    assert "→ no clear trend" in directions
    flagged = table.index[table["Unusual"] != ""].tolist()
    assert 1 <= len(flagged) <= 3  # an ordinary week: a handful at most
    # the arrow and the range: First response time, 117 min above its 66-117 min range (the edge rounds to it)
    assert all(cell[:2] in ("▲ ", "▼ ") for cell in table.loc[flagged, "Unusual"])
    assert "▲ 66–117 min" in set(table.loc[flagged, "Unusual"])


def test_the_cards_show_the_trend_and_the_unusual_badge_with_the_methods_on_hover(demo):
    results = _week_results(demo)
    app = page_app("overview", **W47, view="cards").run()
    assert not app.exception
    badges = [(m.value, m.help) for m in app.markdown if "-badge[" in m.value]
    for item in results.values():
        if label := unusual_label(item):
            hover = next(h for b, h in badges if f"-badge[:material/bolt: {label}]" in b)
            assert hover.startswith("Expected range ") and "robust z (median/MAD)" in hover
        if item.trend and item.trend.significant:
            hover = next(h for b, h in badges if b.endswith(f"-badge[{trend_short(item.trend)}]"))
            assert hover.startswith("Mann–Kendall test over the last 13 weeks (p ") and "Theil–Sen slope" in hover
    shown = [b for b, _ in badges if "no clear trend" in b]
    assert len(shown) == sum(1 for r in results.values() if r.trend and not r.trend.significant)

    with using_locale("fa"):
        persian = page_app("overview", **W47, lang="fa", view="cards").run()
    assert not persian.exception
    arrows = [m.value for m in persian.markdown if "-badge[" in m.value and any(a in m.value for a in "↗↘→")]
    assert len(arrows) == sum(1 for r in results.values() if r.trend)  # every trend shown, arrows not mirrored
    assert all("↖" not in a and "↙" not in a and "←" not in a for a in arrows)


def _running(today: date) -> dict | None:
    """The month under way when at least two of its days have passed, else the week under way (from Wednesday on);
    None on the first days of both."""
    if today.day > 2:
        return {"grain": "month", "period": f"{today:%Y-%m}"}
    if today.weekday() >= 2:
        return {"grain": "week", "period": f"{today.isocalendar()[0]}-W{today.isocalendar()[1]:02d}"}
    return None


@pytest.fixture(scope="module")
def today_url(tmp_path_factory) -> str:
    """The demo shop with data up to yesterday: the current period is under way, as in the meeting."""
    return build_demo_warehouse(tmp_path_factory, "overview_today", date.today())


def test_the_chance_of_reaching_the_target_is_shown_beside_the_forecast_for_the_period_under_way(
        today_url, monkeypatch):
    params = _running(date.today())
    if params is None:
        pytest.skip("too few days of the current month and week have passed to simulate the rest")
    monkeypatch.setenv("KPI_DATABASE_URL", today_url)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    get_engine.cache_clear()
    st.cache_data.clear()
    results = {r.id: r for r in scorecard(get_engine(), parse_period(params["period"]))}
    chances = {k: r for k, r in results.items() if r.probability_on_target is not None}
    assert chances, "the demo sets targets for the current period: some flow KPI has a chance"

    app = page_app("overview", **params).run()
    assert not app.exception
    table = app.dataframe[0].value.set_index("id")
    for kpi_id, item in results.items():
        assert table.loc[kpi_id, "Chance"] == chance_share(item.probability_on_target)
    assert all(table.loc[k, "Chance"].endswith("%") for k in chances)

    cards = page_app("overview", **params, view="cards").run()
    assert not cards.exception
    captions = [c.value for c in cards.caption]
    for item in chances.values():
        assert any(chance_text(item) in c for c in captions)
    lower = [r for r in chances.values() if r.better == "lower"]
    assert all(chance_text(r).endswith("chance to stay within the budget") for r in lower)
