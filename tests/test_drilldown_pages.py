"""AppTest on the drill-down pages (demo data): campaigns, one page per S, and the links from KPI cards."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from connectors.demo import POOR_ROAS_CAMPAIGN
from metrics.campaigns import TOTAL, performance
from metrics.catalog import KPI_BY_ID, S_MEANING, S_ORDER, kpis_for
from metrics.pacing import STATUS_LABELS
from metrics.periods import parse_period
from tests.conftest import DEMO_AS_OF, page_app
from tests.test_cli import run

WEEK = {"grain": "week", "period": "2026-W47"}


@pytest.fixture(autouse=True)
def demo(demo_url, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)


def _links(app) -> list[tuple[str, str, dict]]:
    """(page, label, query) of every page link shown."""
    return [(link.proto.page, link.proto.label, {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
            for link in app.get("page_link")]


def test_campaigns_page_sorted_by_roas_puts_the_poor_roas_campaign_first(demo_engine):
    app = page_app("campaigns", **WEEK, kpi="save.roas").run()
    assert not app.exception
    attention, channels, totals = (frame.value for frame in app.dataframe)
    assert attention["member"].iloc[0] == POOR_ROAS_CAMPAIGN
    expected = performance(demo_engine, parse_period("2026-W47"), "channel", today=DEMO_AS_OF)
    assert totals["revenue"].iloc[0] == pytest.approx(expected.loc[expected.member == TOTAL, "revenue"].iloc[0])
    roas = channels["roas"].dropna()
    assert list(roas) == sorted(roas)  # ROAS: worst first
    assert app.subheader[0].value == "Channels"
    assert app.get("download_button")


def test_campaign_level_shows_source_medium_rows_and_days():
    app = page_app("campaigns", **WEEK, channel="Paid Social", campaign=POOR_ROAS_CAMPAIGN).run()
    assert not app.exception
    assert app.subheader[0].value == f"Source/medium rows of Paid Social › {POOR_ROAS_CAMPAIGN}"
    rows = app.dataframe[0].value
    assert "orders" not in rows and rows["sessions"].sum() > 0
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.parametrize("s", S_ORDER)
def test_each_s_page_has_its_meaning_cards_and_charts(s):
    app = page_app(s.lower(), **WEEK).run()
    assert not app.exception
    assert app.title[0].value == s
    assert S_MEANING[s] in app.markdown[0].value
    kpis = kpis_for(s)
    assert [m.label for m in app.metric] == [k.label for k in kpis]
    assert [h.value for h in app.subheader] == [k.label for k in kpis]
    without = [k for k in kpis if "channel" not in k.breakdowns]
    assert len(app.get("plotly_chart")) == 2 * len(kpis) - len(without)
    for kpi in without:
        assert any(f"**{kpi.label}** is not broken down by channel" in i.value for i in app.info)


def test_a_kpi_in_the_url_is_drawn_first_and_filtered_pages_break_down_by_campaign():
    app = page_app("save", **WEEK, kpi="save.roas", channel="Paid Social").run()
    assert not app.exception
    assert app.subheader[0].value == "ROAS"
    assert app.get("plotly_chart")[1].proto.spec  # the campaign breakdown is drawn
    assert "by campaign" in app.get("plotly_chart")[1].proto.spec


def test_overview_cards_link_to_the_s_page_and_the_campaigns_table():
    app = page_app("overview", **WEEK, channel="Paid Search", view="cards").run()
    links = _links(app)
    details = {q["kpi"]: page for page, label, q in links if label == "Details"}
    assert details == {k: KPI_BY_ID[k].s.lower() for k in KPI_BY_ID}
    by_campaign = {q["kpi"]: q for page, label, q in links if label == "By campaign" and page == "campaigns"}
    assert by_campaign["save.roas"] == {**WEEK, "channel": "Paid Search", "kpi": "save.roas", "set": "sales"}
    assert by_campaign["speak.engagement_rate"]["set"] == "traffic"
    assert "serve.csat" not in by_campaign  # feedback is not recorded per campaign


def test_weekly_review_cards_link_to_their_drill_downs():
    app = page_app("weekly_review", **WEEK).run()
    assert not app.exception
    pages = {page for page, _, _ in _links(app)}
    assert "campaigns" in pages and {s.lower() for s in S_ORDER} <= pages


def test_weekly_review_statuses_agree_with_the_cli_report(demo_url):
    """The meeting's page and `cli.py report --format json` (what scripts circulate) say the same."""
    app = page_app("weekly_review", **WEEK).run()
    out = run(["report", "--period", "2026-W47", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    statuses = {k["label"]: k["status"] for k in json.loads(out.stdout)["kpis"]}
    shown = {e.label.split(": ")[0]: e.label.split(": ")[1] for e in app.expander if ": " in e.label}
    expected = {label: STATUS_LABELS[s].lower() for label, s in statuses.items() if s in ("at_risk", "off_track")}
    assert shown == expected and expected
    counts = [m.value for m in app.metric[:3]]  # on track, at risk, off track
    assert counts == [str(list(statuses.values()).count(s)) for s in ("on_track", "at_risk", "off_track")]
