"""The overview answers "what needs attention" first: the compact rows (ui/kpi_table.py) on hand-made KPI results,
and the page (AppTest through app.py) on the hand-made shop of tests/fixtures.py with targets set by hand.

The shop's week 2026-W45: revenue 280 (80 + 120 + 40 + 60 - 20 refunded), 4 orders, conversion rate 4 / 500 = 0.8 %,
marketing cost 120 (50 + 40 + 30). Tolerances: at risk beyond a 5 % shortfall, off track beyond 15 %.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pytest

from metrics.catalog import KPIS
from metrics.scorecard import KpiResult
from tests.conftest import page_app
from tests.fixtures import set_targets
from ui.kpi_table import kpi_rows, needing_attention, target_text, without_targets

W45 = {"grain": "week", "period": "2026-W45"}
MONDAY = date(2026, 11, 2)


def _item(kpi_id: str, status: str, value: float | None = 1.0, target: float | None = None, **extra) -> KpiResult:
    s, _, _ = kpi_id.partition(".")
    return KpiResult(id=kpi_id, s=s.capitalize(), label=kpi_id, unit="", value=value, previous=None,
                     change_pct=None, reason=None, status=status, target=target, expected=target, **extra)


def test_needing_attention_puts_off_track_before_at_risk_and_keeps_catalog_order_within():
    items = [_item("sell.revenue", "on_track"), _item("sell.orders", "at_risk"), _item("serve.nps", "off_track"),
             _item("speak.email_open_rate", "at_risk"), _item("save.cpa", "off_track"),
             _item("save.roas", "no_target"), _item("sizzle.new_users", "no_data")]
    assert [i.id for i in needing_attention(items)] == [
        "serve.nps", "save.cpa", "sell.orders", "speak.email_open_rate"]
    assert needing_attention([_item("sell.revenue", "on_track"), _item("save.roas", "no_target")]) == []


def test_kpi_rows_format_each_kpi_in_its_unit_with_status_mark_and_word():
    revenue = _item("sell.revenue", "off_track", 1200.0, 1500.0, sparkline=[900.0, None, 1000.0, 1200.0])
    revenue.change_pct = 0.2  # 1000 -> 1200
    rate = _item("sell.conversion_rate", "at_risk", 0.0246, 0.025, partial=True)
    nps = _item("serve.nps", "no_target", 36.4)
    frame = kpi_rows([revenue, rate, nps])
    assert list(frame.columns) == ["id", "S", "KPI", "Value", "Change", "Target", "Status", "Trend"]
    assert frame.to_dict("records")[0] == {
        "id": "sell.revenue", "S": "Sell", "KPI": "sell.revenue", "Value": "$1,200", "Change": "+20.0%",
        "Target": "$1,500", "Status": "● Off track", "Trend": [900.0, 1000.0, 1200.0]}  # gaps left out
    assert list(frame["Value"]) == ["$1,200", "2.5%", "+36"]
    assert list(frame["Change"]) == ["+20.0%", "—", "—"]
    assert list(frame["Target"]) == ["$1,500", "2.5%", "—"]
    assert list(frame["Status"]) == ["● Off track", "● At risk (partial data)", "○ No target"]


def test_kpi_rows_without_plan_leave_out_target_and_status():
    frame = kpi_rows([_item("sell.orders", "no_target", 4.0)], plan=False)
    assert list(frame.columns) == ["id", "S", "KPI", "Value", "Change", "Trend"]
    assert frame["Value"].tolist() == ["4"]


def test_the_target_of_a_running_period_says_what_is_expected_by_now():
    running = _item("sell.revenue", "on_track", 400.0, 1500.0, in_progress=True)
    running.expected = 600.0  # 12 of 30 days
    assert target_text(running) == "$1,500 (by now $600.00)"
    partial = _item("sell.revenue", "on_track", 400.0, 1500.0, partial=True)
    partial.expected = 700.0
    assert target_text(partial) == "$1,500 (for the days covered $700.00)"
    assert target_text(_item("serve.csat", "on_track", 0.8, 0.8, in_progress=True)) == "80.0%"  # a ratio: unchanged
    assert target_text(_item("serve.csat", "no_target", 0.8)) == "—"


def test_without_targets_is_true_only_when_no_kpi_has_one():
    assert without_targets([_item("sell.revenue", "no_target"), _item("serve.nps", "no_data")])
    assert not without_targets([_item("sell.revenue", "no_target"), _item("serve.nps", "no_data", None, 30.0)])


@pytest.fixture
def shop(shop_app):
    """The hand-made shop, opened by the app (conftest.shop_app)."""
    return shop_app


@pytest.fixture
def planned(shop):
    """Targets for W45: revenue 300 (280 is 6.7 % short: at risk), orders 5 (4 is 20 % short: off track),
    conversion rate 0.8 % (met: on track), marketing cost 100 (120 is 20 % over: off track)."""
    set_targets(shop, [("sell.revenue", "week", MONDAY, "", 300.0), ("sell.orders", "week", MONDAY, "", 5.0),
                       ("sell.conversion_rate", "week", MONDAY, "", 0.008),
                       ("save.marketing_cost", "week", MONDAY, "", 100.0)])
    return shop


def _links(app) -> list[tuple[str, str, dict]]:
    return [(link.proto.page, link.proto.label, {k: v[0] for k, v in parse_qs(link.proto.query_string).items()})
            for link in app.get("page_link")]


def _no_target_badges(app) -> list[str]:
    return [m.value for m in app.markdown if "-badge[" in m.value and "No target" in m.value]


def test_the_off_track_kpis_come_first_then_the_at_risk_ones_then_the_whole_scorecard(planned):
    app = page_app("overview", **W45).run()
    assert not app.exception
    assert "**1** on track · **1** at risk · **2** off track · 20 without a target" in [m.value for m in app.markdown]
    assert app.subheader[0].value == "Needs attention"
    lines = [m.value.split("**")[1] for m in app.markdown if m.value.startswith("**") and " · :gray[" in m.value]
    assert lines == ["Orders", "Marketing cost", "Revenue"]  # off track (catalog order), then at risk
    badges = [m.value for m in app.markdown if "-badge[" in m.value]
    assert ["Off track" in b for b in badges[:3]] == [True, True, False] and "At risk" in badges[2]
    assert ":red-badge[" in badges[0] and ":orange-badge[" in badges[2]  # the colour, with the word
    details = [q["kpi"] for _, label, q in _links(app) if label == "Details"]
    assert details[:3] == ["sell.orders", "save.marketing_cost", "sell.revenue"]  # each line links to its details
    by_campaign = [q for _, label, q in _links(app) if label == "By campaign"]
    assert by_campaign[:3] == [{**W45, "kpi": k, "set": "sales"}
                               for k in ("sell.orders", "save.marketing_cost", "sell.revenue")]

    table = app.dataframe[0].value
    assert list(table["KPI"]) == [k.label for k in KPIS]  # all 22, in catalog order
    rows = table.set_index("KPI")
    assert rows.loc["Revenue", ["Value", "Target", "Status"]].tolist() == ["$280.00", "$300.00", "● At risk"]
    assert rows.loc["Orders", ["Value", "Target", "Status"]].tolist() == ["4", "5", "● Off track"]
    assert rows.loc["Conversion rate", ["Value", "Status"]].tolist() == ["0.8%", "● On track"]
    assert rows.loc["Marketing cost", ["Value", "Target", "Status"]].tolist() == ["$120.00", "$100.00", "● Off track"]
    assert rows.loc["NPS", "Status"] == "○ No target"
    assert not app.metric  # no cards in the table view


def test_the_view_toggle_is_kept_in_the_url(planned):
    app = page_app("overview", **W45).run()
    assert "view" not in app.query_params  # the default (table) is not written to the URL
    assert app.segmented_control(key="view").value == "table"
    app.segmented_control(key="view").set_value("cards").run()
    assert not app.exception
    assert app.query_params["view"] == "cards"
    assert [m.label for m in app.metric] == [k.label for k in KPIS]
    assert len(app.dataframe) == 0
    assert len(_no_target_badges(app)) == 20  # a period with targets: each card says whether it has one

    shared = page_app("overview", **W45, view="cards").run()  # a shared link opens the cards
    assert not shared.exception
    assert shared.segmented_control(key="view").value == "cards"
    assert len(shared.metric) == len(KPIS)
    assert [s.value for s in shared.subheader][:2] == ["Needs attention", "All 24 KPIs"]


def test_a_period_without_targets_says_so_in_one_line(shop):
    app = page_app("overview", **W45).run()
    assert not app.exception
    said = [m.value for m in app.markdown if "No targets" in m.value]
    assert said == [":material/flag: No targets are set for 2026-W45:"]
    targets = [q for page, label, q in _links(app) if page == "targets" and label != "Targets"]  # not the sidebar
    assert targets == [{**W45}]  # the Targets page opens on the same week
    assert "Needs attention" not in [s.value for s in app.subheader]
    assert not any("on track" in m.value for m in app.markdown)  # no "0 on track · 0 at risk · …" line
    table = app.dataframe[0].value
    assert list(table.columns) == ["id", "S", "KPI", "Value", "Change", "Trend"]  # the figures, compactly
    assert len(table) == len(KPIS) and table.set_index("KPI").loc["Revenue", "Value"] == "$280.00"

    cards = page_app("overview", **W45, view="cards").run()
    assert not cards.exception
    assert len(cards.metric) == len(KPIS)
    assert not _no_target_badges(cards)  # no grey "No target" badge on every card


def test_a_channel_without_targets_names_the_channel(planned):
    app = page_app("overview", **W45, channel="Paid Search").run()
    assert not app.exception
    assert ":material/flag: No targets are set for 2026-W45 for Paid Search:" in [m.value for m in app.markdown]


def test_why_nothing_is_judged_names_missing_targets_or_missing_data():
    from metrics.scorecard import why_nothing_judged

    judged = [_item("sell.revenue", "on_track", target=300.0), _item("sell.orders", "no_data", value=None)]
    assert why_nothing_judged(judged, "for W46") is None
    assert why_nothing_judged([_item("sell.revenue", "no_target")], "for W46") == "No targets are set for W46"
    unknown = _item("sell.orders", "no_data", value=None, target=5.0)
    unknown.reason = "orders data ends 2026-11-08 (7 of 7 days missing)"
    assert why_nothing_judged([_item("sell.revenue", "no_target"), unknown], "for W46") == (
        "No KPI with a target has data for W46 (orders data ends 2026-11-08 (7 of 7 days missing))")


def test_a_week_after_the_data_ends_says_nothing_can_be_judged_not_that_all_is_on_track(shop):
    """The shop's data ends on 8 Nov; with targets for W46 (9–15 Nov) no KPI has a value to judge."""
    w46 = date(2026, 11, 9)
    set_targets(shop, [("sell.revenue", "week", w46, "", 300.0), ("sell.orders", "week", w46, "", 5.0)])
    app = page_app("overview", grain="week", period="2026-W46").run()
    assert not app.exception
    assert not app.success  # never "Every KPI with a target is on track"
    said = [i.value for i in app.info if "nothing can be judged" in i.value]
    assert said == ["No KPI with a target has data for 2026-W46 (orders data ends 2026-11-08 (7 of 7 days missing)): "
                    "nothing can be judged against plan."]
    assert "**0** on track · **0** at risk · **0** off track · 24 without data" in [m.value for m in app.markdown]
    targets = app.dataframe[0].value.set_index("KPI")["Target"]
    assert targets["Revenue"] == "$300.00" and targets["Orders"] == "5"  # no "(by now …)" for a KPI without a value

    review = page_app("weekly_review", grain="week", period="2026-W46").run()
    assert not review.exception
    assert any(i.value.startswith("No KPI with a target has data for All channels this week (")
               and i.value.endswith("import or sync newer data on the Data sources page.") for i in review.info)
