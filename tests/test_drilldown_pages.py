"""AppTest on the drill-down pages (demo data): campaigns, one page per S, and the links from KPI cards."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from connectors.demo import POOR_ROAS_CAMPAIGN
from metrics.campaigns import FIGURE_KPIS, TOTAL, needs_attention, performance
from metrics.catalog import KPI_BY_ID, S_MEANING, S_ORDER, kpis_for
from metrics.format import format_change, format_value
from metrics.pacing import STATUS_LABELS
from metrics.periods import parse_period
from tests.conftest import DEMO_AS_OF, page_app
from tests.test_cli import run

WEEK = {"grain": "week", "period": "2026-W47"}


pytestmark = pytest.mark.usefixtures("demo_env")  # the app on the demo warehouse (tests/conftest.py)


def _links(app) -> list[tuple[str, str, dict]]:
    """(page, label, query) of every page link shown."""
    return [(link.proto.page, link.proto.label, {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
            for link in app.get("page_link")]


def test_campaigns_page_sorted_by_roas_puts_the_poor_roas_campaign_first(demo_engine):
    app = page_app("campaigns", **WEEK, kpi="save.roas").run()
    assert not app.exception
    attention, channels = (frame.value for frame in app.dataframe)  # one table, its Total row last
    assert attention["member"].iloc[0] == POOR_ROAS_CAMPAIGN
    expected = performance(demo_engine, parse_period("2026-W47"), "channel", today=DEMO_AS_OF)
    assert channels["member"].iloc[-1] == TOTAL and (channels["member"] == TOTAL).sum() == 1
    total = expected.loc[expected.member == TOTAL].iloc[0]
    assert channels["revenue"].iloc[-1] == pytest.approx(total["revenue"])
    assert channels["roas"].iloc[-1] == pytest.approx(total["roas"])
    roas = channels["roas"].iloc[:-1].dropna()
    assert list(roas) == sorted(roas) and len(roas) >= 3  # ROAS: worst first
    assert app.subheader[0].value == "Channels"
    assert app.get("download_button")


def test_every_flagged_campaign_is_listed(demo_engine):
    app = page_app("campaigns", **WEEK, kpi="save.roas").run()
    flagged = needs_attention(demo_engine, parse_period("2026-W47"), today=DEMO_AS_OF)
    assert len(flagged) > 10  # more than the ten the page used to show
    attention = app.dataframe[0]
    assert list(attention.value["member"]) == list(flagged["member"])
    assert app.expander[0].label.startswith(f":material/warning: {len(flagged)} campaigns need attention")
    assert any(c.value.startswith(f"All {len(flagged)} are listed") for c in app.caption)


def _kept(app) -> tuple[str, str]:
    """The sort and the KPI set in the URL (?kpi=&set=) after the run."""
    values = (app.query_params["kpi"], app.query_params.get("set", "sales"))  # a set at its default is not written
    return tuple(v[0] if isinstance(v, list) else v for v in values)


def _figures(app) -> dict[str, tuple[str, str, str]]:
    """label -> (value, change, what it compares with) of the drilled campaign's metrics."""
    return {m.label: (m.value, m.proto.delta, m.proto.delta_description) for m in app.metric}


def test_a_drilled_campaign_shows_its_sales_and_cost_figures_as_the_cli_report(demo_url):
    app = page_app("campaigns", **WEEK, channel="Paid Social", campaign=POOR_ROAS_CAMPAIGN, kpi="save.roas").run()
    assert not app.exception
    assert app.subheader[0].value == f"Sales and cost of Paid Social › {POOR_ROAS_CAMPAIGN}"
    out = run(["report", "--period", "2026-W47", "--campaign", POOR_ROAS_CAMPAIGN, "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    report = {k["id"]: k for k in json.loads(out.stdout)["kpis"]}
    labels = {"sell.revenue": "Revenue", "sell.orders": "Orders", "sell.conversion_rate": "Conversion rate",
              "save.marketing_cost": "Cost", "save.roas": "ROAS", "save.cpa": "CPA", "save.cpc": "CPC"}
    assert set(labels) == set(FIGURE_KPIS)
    shown = _figures(app)
    assert list(shown) == ["Revenue", "Orders", "Conversion rate", "Cost", "ROAS", "CPA", "CPC"]
    for kpi_id, label in labels.items():
        unit, figure = KPI_BY_ID[kpi_id].unit, report[kpi_id]
        assert shown[label] == (format_value(figure["value"], unit), format_change(figure["change_pct"]),
                                f"vs {format_value(figure['previous'], unit)}"), label
    assert float(shown["ROAS"][0].rstrip("×")) < 0.5  # the demo's poor ROAS campaign
    rows = app.dataframe[0].value  # then its source/medium rows, web analytics only, with their total
    assert "orders" not in rows and rows["sessions"].iloc[:-1].sum() == rows["sessions"].iloc[-1] > 0
    assert len(app.get("plotly_chart")) == 1
    assert _kept(app) == ("save.roas", "sales")  # the sort is kept in the URL for the way back up


def test_the_sort_and_set_survive_the_drill_down_and_the_breadcrumb():
    app = page_app("campaigns", **WEEK, channel="Paid Social", kpi="save.roas", set="sales").run()
    assert app.selectbox(key="kpi").value == "save.roas"
    app.selectbox(key="campaign").set_value(POOR_ROAS_CAMPAIGN).run()  # down to its source/medium rows
    assert not app.exception and not [s for s in app.selectbox if s.key == "kpi"]  # that level sorts by traffic
    assert _kept(app) == ("save.roas", "sales")
    next(b for b in app.button if b.label == "Paid Social").click().run()  # the breadcrumb, one level up
    assert app.selectbox(key="kpi").value == "save.roas" and _kept(app) == ("save.roas", "sales")
    roas = app.dataframe[1].value["roas"].iloc[:-1].dropna()
    assert list(roas) == sorted(roas) and len(roas) >= 3  # still worst ROAS first
    next(b for b in app.button if b.label == "All channels").click().run()  # up to all channels
    assert app.subheader[0].value == "Channels"
    assert app.selectbox(key="kpi").value == "save.roas" and _kept(app) == ("save.roas", "sales")


def test_the_traffic_set_and_its_sort_survive_the_source_medium_level():
    app = page_app("campaigns", **WEEK, channel="Paid Search", kpi="speak.engagement_rate", set="traffic").run()
    app.selectbox(key="campaign").set_value(app.selectbox(key="campaign").options[1]).run()
    assert _kept(app) == ("speak.engagement_rate", "traffic")
    next(b for b in app.button if b.label == "Paid Search").click().run()
    assert app.segmented_control(key="set").value == "traffic"
    assert app.selectbox(key="kpi").value == "speak.engagement_rate"


@pytest.mark.parametrize("s", S_ORDER)
def test_each_s_page_has_its_meaning_cards_and_charts(s):
    app = page_app(s.lower(), **WEEK).run()
    assert not app.exception
    assert app.title[0].value == s
    assert S_MEANING[s] in app.markdown[0].value
    kpis = kpis_for(s)
    assert [m.label for m in app.metric] == [k.label for k in kpis]
    mix = s in ("Sell", "Serve")  # these two also chart new against returning revenue, under the cards
    assert [h.value for h in app.subheader] == ["New and returning revenue"] * mix + [k.label for k in kpis]
    without = [k for k in kpis if "channel" not in k.breakdowns]
    assert len(app.get("plotly_chart")) == 2 * len(kpis) - len(without) + mix
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
