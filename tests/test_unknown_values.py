"""Unknown is not zero: a web or ad metric that a file did not have is NULL in the warehouse, and every KPI that
needs it is null with a reason naming the days, never 0 and never a partial sum; KPIs that do not need it keep
their values. The shop is tests/fixtures.py's W45 (2-8 Nov 2026), its web and ad rows imported as files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine

from connectors.files import import_file
from connectors.ga4 import with_missing_rows_zeroed
from connectors.loader import load
from metrics.campaigns import performance, unknown_note
from metrics.catalog import KPIS, get_kpi
from metrics.contribution import contribution
from metrics.engine import Filters, compute, is_unknown
from metrics.format import format_days
from metrics.periods import parse_period
from metrics.scorecard import scorecard, unknown_headline
from metrics.trends import burn_up
from reports.review_html import render
from tests.actors import ADMIN
from tests.conftest import ROOT, page_app
from tests.fixtures import COMPLETE_THROUGH, FRAMES, WEB, WEEK, set_targets
from ui import charts
from warehouse.db import get_engine

W45 = parse_period("2026-W45")
TODAY = date(2026, 11, 30)  # W45 is over
WEB_COLUMNS = ["date", "channel", "source_medium", "campaign", "sessions", "engaged_sessions", "new_users",
               "page_views", "engagement_seconds", "key_events", "purchases", "purchase_revenue"]
# Direct rows with no traffic on 4-8 Nov: the file covers the whole week (its data is complete through the 8th)
# and every sum stays the fixture's.
QUIET_DAYS = [(date(2026, 11, d), "Direct", "(direct) / (none)", "(not set)", 0, 0, 0, 0, 0, 0, 0, 0)
              for d in range(4, 9)]
NEW_USERS_UNKNOWN = ("New users unknown: the web traffic data for 2–8 Nov 2026 has no new users (the file that "
                     "loaded it had no new users column)")


def _web_file(tmp_path: Path, name: str, rows: list[tuple], without: tuple[str, ...]) -> Path:
    frame = pd.DataFrame(rows, columns=WEB_COLUMNS).drop(columns=list(without))
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _load_others(engine: Engine, *skip: str) -> None:
    """The fixture's other sources, loaded as tests/fixtures.py does (complete through 8 Nov)."""
    for kind, frame in FRAMES.items():
        if kind not in skip:
            load(engine, kind, frame, source="test", cursor=COMPLETE_THROUGH.isoformat())


def _week(engine: Engine, ids: list[str], filters: Filters = Filters()) -> pd.DataFrame:
    return compute(engine, ids, *WEEK, filters=filters).set_index("kpi_id")


@pytest.fixture
def no_new_users(engine, tmp_path) -> Engine:
    """The shop, its web traffic imported from a file without a new users column (the week before included)."""
    _load_others(engine, "web")
    path = _web_file(tmp_path, "web_no_new_users.csv", WEB + QUIET_DAYS, ("new_users",))
    assert import_file(engine, "web", path, actor=ADMIN).inserted == len(WEB) + len(QUIET_DAYS)
    return engine


def test_new_users_from_a_file_without_them_is_null_with_the_days_named(no_new_users):
    week = _week(no_new_users, [k.id for k in KPIS])
    assert pd.isna(week.loc["sizzle.new_users", "value"])
    assert week.loc["sizzle.new_users", "reason"] == NEW_USERS_UNKNOWN
    # the KPIs that do not need new users keep the hand-worked values (the Direct rows add 0 sessions)
    assert week.loc["sell.conversion_rate", "value"] == pytest.approx(4 / 500)  # orders / (100 + 300 + 100)
    assert week.loc["speak.engagement_rate", "value"] == pytest.approx(0.6)  # (60 + 150 + 90) / 500
    assert week.loc["sizzle.earned_traffic_share", "value"] == pytest.approx(0.8)  # organic 400 / 500
    assert week.loc["sizzle.engagement_time_per_session", "value"] == pytest.approx(36.0)  # 18000 s / 500
    assert week.loc["sell.revenue", "value"] == pytest.approx(280.0)
    assert week.drop("sizzle.new_users")["value"].notna().all()


def test_unknown_for_a_channel_and_per_channel_rows(no_new_users):
    paid = _week(no_new_users, ["sizzle.new_users", "speak.engagement_rate"], Filters("Paid Search"))
    assert pd.isna(paid.loc["sizzle.new_users", "value"])
    assert "for 2 Nov 2026 has no new users" in paid.loc["sizzle.new_users", "reason"]  # its one row
    assert paid.loc["speak.engagement_rate", "value"] == pytest.approx(0.9)  # 90 / 100
    rows = compute(no_new_users, ["sizzle.new_users"], *WEEK, breakdown="channel").set_index("channel")
    assert rows["value"].isna().all()
    assert "for 2–3 Nov 2026 has" in rows.loc["Organic Search", "reason"]
    assert "for 4–8 Nov 2026 has" in rows.loc["Direct", "reason"]


def test_scorecard_and_comparisons_with_an_unknown_side_are_null(no_new_users):
    items = {i.id: i for i in scorecard(no_new_users, W45, today=TODAY)}
    new_users = items["sizzle.new_users"]
    assert new_users.value is None and new_users.previous is None and new_users.change_pct is None
    assert new_users.reason == NEW_USERS_UNKNOWN and new_users.status == "no_data" and not new_users.partial
    # the week before (its one row, 21 Oct, has no new users either): unknown, not a change from 0
    before = compute(no_new_users, ["sizzle.new_users"], date(2026, 10, 19), date(2026, 10, 25))
    assert "for 21 Oct 2026 has no new users" in before["reason"].iloc[0]
    assert items["speak.engagement_rate"].value == pytest.approx(0.6)
    assert unknown_headline(list(items.values()), "this week") == (
        "New users is unknown this week, shown as “—” (never as 0): the web traffic data for 2–8 Nov 2026 has no "
        "new users (the file that loaded it had no new users column).")


def test_a_week_with_new_users_on_some_days_only_is_null_not_the_partial_sum(engine, tmp_path):
    _load_others(engine, "web")
    known = [r for r in WEB if r[0] == date(2026, 11, 2)]  # 40 + 60 new users on the 2nd
    lacking = [r for r in WEB if r[0] == date(2026, 11, 3)] + QUIET_DAYS  # 100 on the 3rd, not in the file
    import_file(engine, "web", _web_file(tmp_path, "with.csv", known, ()), actor=ADMIN)
    import_file(engine, "web", _web_file(tmp_path, "without.csv", lacking, ("new_users",)), actor=ADMIN)
    week = _week(engine, ["sizzle.new_users", "sell.conversion_rate"])
    assert pd.isna(week.loc["sizzle.new_users", "value"])  # not 100 (the 2nd alone), not 200
    assert "the web traffic data for 3–8 Nov 2026 has no new users" in week.loc["sizzle.new_users", "reason"]
    assert week.loc["sell.conversion_rate", "value"] == pytest.approx(4 / 500)
    days = compute(engine, ["sizzle.new_users"], *WEEK, grain="day").set_index("period_start")
    assert days.loc[date(2026, 11, 2), "value"] == 100  # 40 + 60: that day's rows all know it
    assert days.loc[date(2026, 11, 3):, "value"].isna().all()  # gaps, not zeros
    assert "for 3 Nov 2026 has no new users" in days.loc[date(2026, 11, 3), "reason"]
    # the running total stops at the first unknown day: 100 on the 2nd, unknown from the 3rd on
    burn = burn_up(engine, "sizzle.new_users", W45, today=TODAY).set_index("day")["actual"]
    assert burn[date(2026, 11, 2)] == 100 and burn[date(2026, 11, 3):].isna().all()


def test_a_file_without_engaged_sessions(engine, tmp_path):
    _load_others(engine, "web")
    import_file(engine, "web", _web_file(tmp_path, "web.csv", WEB + QUIET_DAYS, ("engaged_sessions",)), actor=ADMIN)
    week = _week(engine, ["speak.engagement_rate", "sizzle.new_users", "sell.conversion_rate"])
    assert pd.isna(week.loc["speak.engagement_rate", "value"])
    assert week.loc["speak.engagement_rate", "reason"] == (
        "Engaged sessions unknown: the web traffic data for 2–8 Nov 2026 has no engaged sessions (the file that "
        "loaded it had no engaged sessions column)")
    assert week.loc["sizzle.new_users", "value"] == 200  # 40 + 100 + 60 (+ 0 on the quiet days)
    assert week.loc["sell.conversion_rate", "value"] == pytest.approx(4 / 500)


@pytest.fixture
def no_clicks(engine, tmp_path) -> Engine:
    """The shop, its ad spend imported from a file without clicks (a zero-cost row on the 8th ends the week)."""
    _load_others(engine, "ad_spend")
    import_file(engine, "ad_spend", _ads_without_clicks(tmp_path), actor=ADMIN)
    return engine


def test_cpc_without_clicks_is_null_and_cost_kpis_are_intact(no_clicks):
    week = _week(no_clicks, ["save.cpc", "save.marketing_cost", "save.cpa", "save.cac", "save.roas"])
    assert pd.isna(week.loc["save.cpc", "value"])
    assert week.loc["save.cpc", "reason"] == (
        "Ad clicks unknown: the ad spend data for 2–3 Nov 2026, 8 Nov 2026 has no ad clicks (the file that loaded "
        "it had no ad clicks column)")
    assert week.loc["save.marketing_cost", "value"] == pytest.approx(120.0)  # 50 + 40 + 30 + 0
    assert week.loc["save.cpa", "value"] == pytest.approx(30.0)  # 120 / 4 orders
    assert week.loc["save.cac", "value"] == pytest.approx(60.0)  # 120 / 2 new customers
    assert week.loc["save.roas", "value"] == pytest.approx(280 / 120)


def test_campaigns_table_shows_cpc_unknown_with_the_reason(no_clicks):
    table = performance(no_clicks, W45, "channel", today=TODAY).set_index("member")
    assert table["cpc"].isna().all()  # every channel with ad rows, and the total
    assert table.loc["Total", "cost"] == pytest.approx(120.0)
    assert table.loc["Paid Search", "cost"] == pytest.approx(90.0)  # 50 + 40 + 0
    note = unknown_note(table)
    assert note.startswith("CPC “—”: Ad clicks unknown: the ad spend data for ")


def test_json_report_gives_null_with_the_reason(no_new_users):
    url = no_new_users.url.render_as_string(hide_password=False)
    env = {**os.environ, "KPI_DATABASE_URL": url}
    out = subprocess.run([sys.executable, "cli.py", "report", "--period", "2026-W45", "--format", "json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    items = {k["id"]: k for k in json.loads(out.stdout)["kpis"]}
    assert items["sizzle.new_users"]["value"] is None
    assert items["sizzle.new_users"]["reason"] == NEW_USERS_UNKNOWN
    assert items["sizzle.new_users"]["change_pct"] is None and items["sizzle.new_users"]["previous"] is None
    rate = items["speak.engagement_rate"]
    assert rate["value"] == pytest.approx(0.6) and rate["reason"] is None


def test_review_html_says_why_new_users_is_unknown(no_new_users):
    page = render(no_new_users, W45, today=TODAY)
    assert "New users is unknown this week, shown as “—” (never as 0): the web traffic data for 2–8 Nov 2026 has " \
        "no new users" in page
    assert NEW_USERS_UNKNOWN in page  # the scorecard's note column


def test_ga4_zero_rows_leave_file_nulls_outside_the_synced_days_alone(no_new_users):
    """A sync of 9-15 Nov adds zero rows only for keys the warehouse holds on those days: the file's rows of W45
    (NULL new users) are not turned into zeros."""
    frame = pd.DataFrame(columns=WEB_COLUMNS)
    assert with_missing_rows_zeroed(no_new_users, frame, date(2026, 11, 9), date(2026, 11, 15)).empty
    assert is_unknown(_week(no_new_users, ["sizzle.new_users"]).loc["sizzle.new_users", "reason"])


def test_days_as_a_person_reads_them():
    assert format_days([date(2026, 11, d) for d in (2, 3, 4)]) == "2–4 Nov 2026"
    assert format_days([date(2026, 11, 2), date(2026, 11, 6)]) == "2 Nov 2026, 6 Nov 2026"
    assert format_days([date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)]) == "30 Oct – 1 Nov 2026"
    assert format_days([date(2025, 12, 31), date(2026, 1, 1)]) == "31 Dec 2025 – 1 Jan 2026"
    assert format_days([date(2026, 11, d) for d in (1, 3, 5, 7, 9)]) == \
        "1 Nov 2026, 3 Nov 2026, 5 Nov 2026 and 2 more days"


def _ads_without_clicks(tmp_path: Path) -> Path:
    """The fixture's ad spend without clicks, and a zero-cost row on the 8th (the data covers the whole week)."""
    ads = FRAMES["ad_spend"].drop(columns="clicks")
    ads = pd.concat([ads, pd.DataFrame([{"date": date(2026, 11, 8), "platform": "google_ads", "campaign": "brand",
                                         "channel": "Paid Search", "impressions": 0, "cost": 0.0}])])
    path = tmp_path / "ads.csv"
    ads.to_csv(path, index=False)
    return path


@pytest.fixture
def unknown_url(engine, tmp_path, monkeypatch) -> str:
    """A warehouse whose web file had no new users and whose ad file had no clicks, for the pages."""
    _load_others(engine, "web", "ad_spend")
    import_file(engine, "web", _web_file(tmp_path, "web.csv", WEB + QUIET_DAYS, ("new_users",)), actor=ADMIN)
    import_file(engine, "ad_spend", _ads_without_clicks(tmp_path), actor=ADMIN)
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    get_engine.cache_clear()  # caches emptied: URLs and data versions repeat from test to test (PostgreSQL)
    st.cache_resource.clear()
    st.cache_data.clear()
    return url


@pytest.mark.parametrize("view", ["table", "cards"])
def test_overview_shows_new_users_as_a_dash_with_the_reason(unknown_url, view):
    app = page_app("overview", grain="week", period="2026-W45", view=view, kpi="sizzle.new_users").run()
    assert not app.exception, app.exception
    infos = [i.value for i in app.info]
    assert "2 KPIs are unknown in 2026-W45, shown as “—” (never as 0): Cost per click: the ad spend data for " \
        "2–3 Nov 2026, 8 Nov 2026 has no ad clicks (the file that loaded it had no ad clicks column); New users: " \
        "the web traffic data for 2–8 Nov 2026 has no new users (the file that loaded it had no new users " \
        "column)." in infos, infos
    if view == "table":
        rows = app.dataframe[0].value.set_index("id")
        assert rows.loc["sizzle.new_users", "Value"] == "—" and rows.loc["sizzle.new_users", "Change"] == "—"
        assert rows.loc["speak.engagement_rate", "Value"] == "60.0%"
    else:
        card = next(m for m in app.metric if m.label == "New users")
        assert card.value == "—" and NEW_USERS_UNKNOWN in card.proto.delta


def test_campaigns_page_shows_cpc_unknown_with_the_reason(unknown_url):
    app = page_app("campaigns", grain="week", period="2026-W45", kpi="save.cpc").run()
    assert not app.exception, app.exception
    infos = [i.value for i in app.info]
    assert any(i.startswith("CPC “—”: Ad clicks unknown: the ad spend data for 2–3 Nov 2026") for i in infos), infos
    traffic = page_app("campaigns", grain="week", period="2026-W45", set="traffic").run()
    assert not traffic.exception
    assert any("New users “—”: New users unknown" in i.value for i in traffic.info)


def test_trend_chart_draws_an_unknown_day_as_a_gap_with_its_reason(engine, tmp_path):
    _load_others(engine, "web")
    import_file(engine, "web", _web_file(tmp_path, "with.csv", [r for r in WEB if r[0] == date(2026, 11, 2)], ()),
            actor=ADMIN)
    import_file(engine, "web", _web_file(tmp_path, "without.csv", [r for r in WEB if r[0] == date(2026, 11, 3)],
                                         ("new_users",)), actor=ADMIN)
    kpi = get_kpi("sizzle.new_users")
    frame = compute(engine, [kpi.id], date(2026, 11, 2), date(2026, 11, 3), "day").drop(columns="kpi_id")
    fig = charts.trend_chart(kpi, frame)
    series = next(t for t in fig.data if t.name == kpi.label)
    assert series.y[0] == 100 and pd.isna(series.y[1])  # 40 + 60 on the 2nd; the 3rd a gap, never 0
    marker = next(t for t in fig.data if t.name == "Unknown")
    assert len(marker.x) == 1 and "for 3 Nov 2026 has no new users" in marker.customdata[0]
    assert charts.why_no_trend(kpi, frame.iloc[1:], "All channels", "these days") == (
        "No New users for All channels in these days: New users unknown: the web traffic data for 3 Nov 2026 has "
        "no new users (the file that loaded it had no new users column).")


@pytest.mark.parametrize("page", ["sizzle", "speak", "save", "weekly_review", "targets"])
def test_other_pages_render_unknown_kpis_without_an_exception(engine, unknown_url, page):
    set_targets(engine, [("sizzle.new_users", "week", date(2026, 11, 2), "", 250.0)])
    app = page_app(page, grain="week", period="2026-W45", week="2026-W45").run()
    assert not app.exception, app.exception
    texts = [i.value for i in app.info] + [m.proto.delta for m in app.metric]
    if page in ("sizzle", "save"):
        label = {"sizzle": "New users", "save": "Cost per click"}[page]
        card = next(m for m in app.metric if m.label == label)
        assert card.value == "—" and " unknown: the " in card.proto.delta
    if page == "weekly_review":  # the one KPI with a target is unknown: nothing judged, and why
        assert any(t.startswith("No KPI with a target has data for All channels this week (New users unknown: ")
                   for t in texts), texts


def test_no_contribution_split_over_an_unknown_member(no_new_users):
    """Channels' contributions to a change must add up to it: with a channel's new users unknown there is no split
    (not one that counts the unknown channel as 0); orders, which do not need new users, still split."""
    before = parse_period("2026-W44")
    assert contribution(no_new_users, "sizzle.new_users", W45, before).empty
    orders = contribution(no_new_users, "sell.orders", W45, before).set_index("member")
    assert orders.loc["Organic Search", "contribution"] == 2  # o2 and o5; none in W44
    # W44 has no web rows at all: no ratio to split (and no error)
    assert contribution(no_new_users, "speak.engagement_rate", W45, before).empty
