"""Right to left (ui/bidi.py): Latin names keep their own direction inside Persian/Arabic text, and tables read
from the right (their column order reversed; Streamlit's grid itself cannot be mirrored)."""

from __future__ import annotations

import json

import pytest

from i18n import using_locale
from tests.conftest import page_app
from ui import tables
from ui.bidi import FSI, PDI, column_order, isolate
from ui.kpi_table import kpi_column_config, kpi_columns


def test_isolate_wraps_latin_names_in_a_first_strong_isolate_only_right_to_left():
    with using_locale("fa"):
        assert isolate("google / cpc") == "\u2068google / cpc\u2069" == f"{FSI}google / cpc{PDI}"
        assert isolate("") == "" and isolate(None) == ""  # nothing to isolate: no stray marks
    with using_locale("ar"):
        assert isolate("Black Friday 2026") == "\u2068Black Friday 2026\u2069"
    with using_locale("en"):
        assert isolate("google / cpc") == "google / cpc"  # English text is left as it was


def test_column_order_reads_from_the_right_in_persian_and_arabic():
    columns = ["S", "KPI", "Value", "Change", "Trend"]
    with using_locale("en"):
        assert column_order(columns) == columns
        assert kpi_columns(plan=False) == ["S", "KPI", "Value", "Change", "Trend"]
        assert kpi_column_config("week")["KPI"]["pinned"] is True
    for code in ("fa", "ar"):
        with using_locale(code):
            assert column_order(columns) == ["Trend", "Change", "Value", "KPI", "S"]
            # the KPI's name is the last column, at the grid's right edge, and not pinned to the left one
            assert kpi_columns() == ["Trend", "Status", "Target", "Change", "Value", "KPI", "S"]
            assert kpi_column_config("week")["KPI"]["pinned"] is False
            assert column_order(tables.display_columns("sales", "channel"))[-1] == "member"
    assert columns == ["S", "KPI", "Value", "Change", "Trend"]  # the caller's list is not reversed in place


@pytest.fixture
def shop(shop_app):
    """The hand-made shop, opened by the app (conftest.shop_app)."""
    return shop_app


@pytest.mark.parametrize("locale, order", [
    ("en", ["S", "KPI", "Value", "Change", "Trend"]),
    ("fa", ["Trend", "Change", "Value", "KPI", "S"]),
])
def test_the_overview_scorecard_reads_from_the_right_in_persian(shop, monkeypatch, locale, order):
    """W45 of the shop has no targets, so the scorecard has no Target and Status columns."""
    monkeypatch.setenv("KPI_LOCALE", locale)
    app = page_app("overview", grain="week", period="2026-W45").run()
    assert not app.exception
    grid = app.dataframe[0].proto
    assert list(grid.column_order) == order
    pinned = json.loads(grid.columns)["KPI"].get("pinned")
    assert pinned is (locale == "en")
