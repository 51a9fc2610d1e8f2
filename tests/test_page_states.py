"""Every page renders, without an exception, in every kind of state a user can reach: the current (unfinished)
period, future planning periods, periods before any data, week/month/quarter, channels and campaigns, a
warehouse holding only some sources, and an empty warehouse the demo was not loaded into. Where there is
nothing to draw, the page says why instead of drawing an empty chart.

The demo warehouse is the session's (read only); the others are small and built once for this module.
"""

from __future__ import annotations

import os
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy.engine import make_url

from connectors.demo import POOR_ROAS_CAMPAIGN
from connectors.loader import load, record_failure
from metrics.catalog import KPI_BY_ID, kpis_for
from tests.conftest import _server_database, page_app
from tests.fixtures import FRAMES
from ui import charts, tables
from ui.state import NO_DATA, period_options
from warehouse.db import init_schema, is_empty, make_engine

PAGES = ("overview", "weekly_review", "campaigns", "ab_test", "sell", "serve", "speak", "save", "sizzle", "targets",
         "data_sources", "cohorts")
S_PAGES = {"sell": "Sell", "serve": "Serve", "speak": "Speak", "save": "Save", "sizzle": "Sizzle"}


def _current(grain: str) -> str:
    return period_options(grain)[0]


# (warehouse, query parameters): a handful of representative states, not every combination.
STATES = {
    "demo, current week": ("demo", lambda: {"grain": "week", "period": _current("week")}),
    "demo, current quarter, Paid Search": ("demo", lambda: {"grain": "quarter", "period": _current("quarter"),
                                                            "channel": "Paid Search"}),
    "demo, future quarter": ("demo", lambda: {"grain": "quarter",
                                              "period": period_options("quarter", ahead=4)[0]}),
    "demo, oldest week offered": ("demo", lambda: {"grain": "week", "period": period_options("week")[-1]}),
    "demo, channel and campaign": ("demo", lambda: {"grain": "week", "period": "2026-W47", "channel": "Paid Social",
                                                    "campaign": POOR_ROAS_CAMPAIGN, "kpi": "save.roas"}),
    "demo, email campaign": ("demo", lambda: {"grain": "month", "period": "2026-10", "channel": "Email",
                                              "campaign": "newsletter_weekly"}),
    "demo, organic social": ("demo", lambda: {"grain": "month", "period": "2026-10", "channel": "Organic Social"}),
    "orders and ad spend only, week with data": ("partial", lambda: {"grain": "week", "period": "2026-W45"}),
    "orders and ad spend only, current week": ("partial", lambda: {"grain": "week", "period": _current("week")}),
    "orders and ad spend only, before any data": ("partial", lambda: {"grain": "quarter", "period": "2026-Q1"}),
    "orders and ad spend only, future month": ("partial", lambda: {"grain": "month",
                                                                   "period": period_options("month", ahead=4)[0]}),
    "empty": ("empty", dict),
    "empty, current month": ("empty", lambda: {"grain": "month", "period": _current("month")}),
}


def _url(tmp_path_factory, name: str) -> str:
    server = os.environ.get("KPI_TEST_DATABASE_URL")
    if server:
        return _server_database(server, f"{make_url(server).database}_{name}")
    return f"sqlite:///{tmp_path_factory.mktemp(name) / 'warehouse.db'}"


@pytest.fixture(scope="module")
def warehouses(demo_url, tmp_path_factory) -> dict[str, str]:
    """URLs of: the demo shop; a shop that loaded orders and ad spend only; an empty warehouse whose only
    sync-log row is a failed import (so the app does not load the demo into it)."""
    urls = {"demo": demo_url, "partial": _url(tmp_path_factory, "partial"), "empty": _url(tmp_path_factory, "empty")}
    partial, empty = make_engine(urls["partial"]), make_engine(urls["empty"])
    for engine in (partial, empty):
        init_schema(engine)
    for kind in ("orders", "ad_spend"):
        load(partial, kind, FRAMES[kind], source="test")
    record_failure(empty, "import:orders", datetime(2026, 11, 20, 9, 0), "line 2: revenue 'abc' is not a number")
    assert not is_empty(empty)  # what keeps app.py from loading the demo into it
    partial.dispose()
    empty.dispose()
    return urls


def _sweep() -> list[tuple[str, str]]:
    """(state, page) pairs: every page in every state, except that the Data sources page (no period or channel
    pickers) runs once per warehouse, and future periods (offered by the Targets page only; other pages fall
    back to their default period) run on the Targets page and the overview."""
    pairs, seen = [], set()
    for state, (warehouse, _) in STATES.items():
        for page in PAGES:
            if page == "data_sources" and warehouse in seen:
                continue
            if "future" in state and page not in ("targets", "overview"):
                continue
            pairs.append((state, page))
        seen.add(warehouse)
    return pairs


@pytest.mark.parametrize(("state", "page"), _sweep())
def test_every_page_renders_in_every_state(state, page, warehouses, monkeypatch):
    warehouse, params = STATES[state]
    monkeypatch.setenv("KPI_DATABASE_URL", warehouses[warehouse])
    app = page_app(page, **params()).run()
    assert not app.exception, f"{page} in state {state!r}: {app.exception[0].message}"
    infos = [i.value for i in app.info]
    if warehouse == "empty":
        assert not app.get("plotly_chart")  # nothing to draw: no empty charts
        if page == "data_sources":
            statuses = app.dataframe[0].value["Status"]
            assert len(statuses) == 7 and set(statuses) == {"⛔ no data"}
        else:
            assert NO_DATA in infos
    if warehouse == "empty" and page in S_PAGES:
        for kpi in kpis_for(S_PAGES[page]):  # every KPI's trend says why it is not drawn
            assert any(i.startswith(f"No {kpi.label} for All channels in the 26 ") for i in infos), kpi.id
    if warehouse == "empty" and page == "overview":
        assert any(i.startswith("No Revenue for All channels in the 26 ") and "no orders data" in i for i in infos)
    if warehouse != "empty" and page != "data_sources":
        assert NO_DATA not in infos
    if page == "targets" and "future" in state:
        assert app.title[0].value == f"Targets · {params()['period']}"


@pytest.mark.parametrize("state", ["orders and ad spend only, current week",
                                   "orders and ad spend only, before any data", "empty"])
def test_campaigns_page_without_days_to_draw_says_why(state, warehouses, monkeypatch):
    """The known crash: the daily chart of a period without data (cannot convert float NaN to integer)."""
    warehouse, params = STATES[state]
    monkeypatch.setenv("KPI_DATABASE_URL", warehouses[warehouse])
    app = page_app("campaigns", **params()).run()
    assert not app.exception
    assert not app.get("plotly_chart")
    # why: no orders or cost on the days so far, or (the current week on a Monday) no day of it is over yet
    period = params().get("period", "the week")  # "empty" opens the default: the last complete week
    why = ("No orders or ad cost for All channels on the days of", f"No day of {period} is over yet")
    assert any(i.value.startswith(why) for i in app.info), [i.value for i in app.info]


def test_campaigns_page_with_orders_and_ad_spend_only_draws_its_days(warehouses, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", warehouses["partial"])
    app = page_app("campaigns", grain="week", period="2026-W45").run()
    assert not app.exception
    chart = app.get("plotly_chart")
    assert len(chart) == 1 and '"Orders"' in chart[0].proto.spec and '"Cost"' in chart[0].proto.spec


NAN = float("nan")


def test_daily_chart_draws_gaps_for_unknown_days_and_no_series_that_has_none():
    days = pd.DataFrame({"day": pd.date_range("2026-11-16", periods=4).date, "sessions": [NAN] * 4,
                         "orders": [3.0, 12.0, NAN, None], "revenue": [90.0, 300.0, NAN, NAN], "cost": [NAN] * 4})
    fig = charts.daily_chart(days, "days")
    assert [t.name for t in fig.data] == ["Orders", "Revenue"]
    assert fig.layout.yaxis2.dtick == 3  # 12 orders at most: a tick every 3
    assert list(fig.data[1].customdata) == ["$90.00", "$300.00", "—", "—"]
    nothing = charts.daily_chart(days.assign(orders=NAN, revenue=NAN), "days")
    assert list(nothing.data) == [] and nothing.layout.yaxis2.dtick == 1


def test_trend_and_breakdown_charts_take_unknown_values():
    kpi = KPI_BY_ID["save.roas"]
    frame = pd.DataFrame({"period_start": pd.date_range("2026-10-05", periods=3, freq="7D").date,
                          "value": [2.5, NAN, None], "reason": [None, "no orders data in scope", None],
                          "target": [3.0, None, NAN], "last_year": [NAN, NAN, NAN]})
    fig = charts.add_plan_lines(charts.trend_chart(kpi, frame), kpi, frame)
    assert [t.name for t in fig.data] == ["ROAS", "Target"]  # no last-year line: it has no value
    assert list(fig.data[0].customdata) == ["2.50×", "—", "—"]
    assert charts.why_no_trend(kpi, frame, "All channels", "these weeks") is None
    empty = frame.assign(value=NAN, target=None)
    assert charts.why_no_trend(kpi, empty, "Email", "these 3 weeks") == \
        "No ROAS for Email in these 3 weeks: no orders data in scope."
    parts = frame.assign(channel=["Email", "Email", "SMS"])
    assert [t.name for t in charts.breakdown_chart(kpi, parts, "channel").data] == ["Email", "SMS"]


def test_campaign_table_csv_writes_unknown_sparkline_points_as_empty():
    frame = pd.DataFrame({"member": ["Email", "Total"], "revenue": [NAN, 10.0], "revenue_trend": [[1.0, NAN, None],
                                                                                                [2.5, 3.0, 4.0]]})
    assert tables.csv_of(frame, "sales", "channel").splitlines() == [
        "member,revenue,revenue_trend", "Email,,1;;", "Total,10.0,2.5;3;4"]


def test_plotly_figures_of_unknown_values_serialise():
    """Plotly must accept the None/NaN values the metrics layer returns for gaps (no int() of NaN anywhere)."""
    kpi = KPI_BY_ID["sell.revenue"]
    burn = pd.DataFrame({"day": pd.date_range("2026-11-23", periods=3).date, "actual": [10.0, NAN, NAN],
                         "target": [NAN] * 3, "last_year": [None] * 3})
    fig = charts.burn_up_chart(kpi, burn, "so far")
    assert isinstance(fig, go.Figure) and [t.name for t in fig.data] == ["Actual (cumulative)"]
    assert fig.to_json()
