"""Every page renders with Streamlit's AppTest on demo data, and the widgets change what is shown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from metrics.catalog import KPIS, S_ORDER
from tests.conftest import ROOT


@pytest.fixture
def app(demo_url, monkeypatch) -> AppTest:
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def test_overview_shows_the_5s_scorecard(app):
    app.query_params["view"] = "cards"
    app.run()
    assert not app.exception
    assert [s.value for s in app.subheader if s.value in S_ORDER] == list(S_ORDER)
    assert [m.label for m in app.metric] == [k.label for k in KPIS]
    assert any("Demo data" in i.value for i in app.info)
    assert len(app.get("plotly_chart")) == 1


def test_period_and_channel_pickers_change_the_scorecard(app):
    app.query_params["view"] = "cards"
    app.run()
    week_revenue = app.metric[0].value
    app.selectbox(key="grain").set_value("month").run()
    assert not app.exception
    assert app.selectbox(key="period").index == 0  # the month in progress
    assert "month" in app.caption[0].value
    month_revenue = app.metric[0].value
    assert month_revenue != week_revenue
    app.selectbox(key="channel").set_value("Paid Social").run()
    assert not app.exception
    assert "Paid Social" in app.caption[0].value
    assert app.metric[0].value != month_revenue


def test_query_parameters_restore_the_view(app):
    app.query_params["grain"] = "month"
    app.query_params["period"] = "2026-09"
    app.query_params["channel"] = "Email"
    app.run()
    assert not app.exception
    assert app.caption[0].value.startswith("2026-09") and "Email" in app.caption[0].value


def test_an_empty_warehouse_gets_the_demo_data(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not app.exception
    assert list(app.dataframe[0].value["KPI"]) == [k.label for k in KPIS]  # the compact scorecard
    assert any("Demo data" in i.value for i in app.info)
