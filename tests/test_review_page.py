"""AppTest on the weekly review: what needs attention comes first as one table, each KPI's detail opens on
demand with its notes and actions, notes are edited by their author, KPI pickers show labels and store ids."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from metrics.catalog import KPIS
from metrics.pacing import STATUS_LABELS
from metrics.review import actions, add_note, notes
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fixtures import load_fixture, set_targets
from tests.test_cli import run

W45 = date(2026, 11, 2)


def _frame(app: AppTest, key: str):
    """The dataframe drawn with widget key ``key``."""
    return next(df for df in app.dataframe if df.proto.id.endswith(key) or f"-{key}-" in df.proto.id).value


def _by_form(app: AppTest, widgets, form: str, label: str | None = None):
    return next(w for w in widgets if w.form_id == form and (label is None or w.label == label))


def test_the_attention_table_lists_off_track_then_at_risk_as_the_cli_report_says(demo_url, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    app = page_app("weekly_review", grain="week", period="2026-W47").run()
    assert not app.exception
    out = run(["report", "--period", "2026-W47", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    status = {k["label"]: k["status"] for k in json.loads(out.stdout)["kpis"]}
    catalog = [k.label for k in KPIS]  # within a status, the catalog's order
    expected = ([label for label in catalog if status[label] == "off_track"]
                + [label for label in catalog if status[label] == "at_risk"])
    # as read on the page at 1440 px (demo shop, W47): 2 off track, 5 at risk
    assert expected == ["First response time", "Marketing cost", "Average order value", "CSAT", "Email click rate",
                        "Cost per click", "Earned traffic share"]
    table = _frame(app, "attention-2026-W47")
    assert table["KPI"].tolist() == expected
    assert table["Status"].tolist() == ["● Off track"] * 2 + ["● At risk"] * 5
    assert [m.value for m in app.metric] == ["17", "5", "2"]  # 24 KPIs; the headline only: every detail is closed
    assert [e.label for e in app.expander] == [f"{k}: {STATUS_LABELS[status[k]].lower()}" for k in expected]
    headers = [h.value for h in app.header]
    assert headers.index("Off track and at risk") < headers.index("Actions") < headers.index("Notes") \
        < headers.index("All KPIs") < headers.index("Circulate")
    every = [df.value for df in app.dataframe if "KPI" in df.value][-1]  # all KPIs, compact
    assert every["KPI"].tolist() == [k.label for k in KPIS]


def test_a_kpis_detail_opens_on_demand_with_its_movers_and_chart(demo_url, monkeypatch):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    app = page_app("weekly_review", grain="week", period="2026-W47")
    app.session_state["detail-2026-W47-save.marketing_cost"] = True  # what selecting its row or the expander does
    app.run()
    assert not app.exception
    assert [m.label for m in app.metric][3:] == ["Marketing cost"]  # its card, no other KPI's
    movers = next(df.value for df in app.dataframe if "contribution" in df.value)
    assert movers["channel"].iloc[0] == "Paid Search"
    assert len(app.get("plotly_chart")) == 1
    assert [t.label for t in app.text_area] == ["Note on Marketing cost", "Note (shown on this KPI's charts for "
                                                "this week)"]


@pytest.fixture
def shop(engine, monkeypatch):
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", W45, "", 400.0)])  # 280 against 400: Revenue is off track
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _open_revenue() -> AppTest:
    app = page_app("weekly_review", period="2026-W45")
    app.session_state["detail-2026-W45-sell.revenue"] = True
    return app.run()


def test_a_note_added_from_a_kpis_detail_is_on_that_kpi_and_its_author_is_remembered(shop):
    app = _open_revenue()
    assert [e.label for e in app.expander] == ["Revenue: off track"]
    _by_form(app, app.text_area, "note-sell.revenue").input("Checkout outage on Tuesday")
    _by_form(app, app.text_input, "note-sell.revenue", "Your name").input("Sara")
    _by_form(app, app.button, "note-sell.revenue").click().run()
    assert not app.exception and not app.error
    stored = notes(shop)
    assert stored[["kpi_id", "text", "author"]].values.tolist() == [["sell.revenue", "Checkout outage on Tuesday",
                                                                     "Sara"]]
    # the name is remembered: both note forms show it, and the text box is empty for the next note
    assert _by_form(app, app.text_input, "note-all", "Your name").value == "Sara"
    assert _by_form(app, app.text_input, "note-sell.revenue", "Your name").value == "Sara"
    assert _by_form(app, app.text_area, "note-sell.revenue").value == ""
    app.switch_page("pages/overview.py").run()  # another page and back: still remembered
    app.switch_page("pages/weekly_review.py")
    app.query_params["period"] = "2026-W45"
    app.run()
    assert not app.exception
    assert _by_form(app, app.text_input, "note-all", "Your name").value == "Sara"
    listed = next(df.value for df in app.dataframe if "written" in df.value)
    assert listed[["kpi", "text", "author"]].values.tolist() == [["Sell · Revenue", "Checkout outage on Tuesday",
                                                                  "Sara"]]
    assert listed["written"].iloc[0]  # when it was written


def test_a_note_is_editable_by_its_author_only(shop):
    add_note(shop, "sell.revenue", W45, "Checkout outage", author="Sara", actor=ADMIN)
    stranger = page_app("weekly_review", period="2026-W45").run()  # no name typed in this session
    assert not [s for s in stranger.selectbox if s.label.startswith("Edit a note of yours")]
    assert any("edited by their author" in c.value for c in stranger.caption)

    app = page_app("weekly_review", period="2026-W45").run()
    _by_form(app, app.text_area, "note-all").input("Refunds delayed")
    _by_form(app, app.text_input, "note-all", "Your name").input("Reza")
    _by_form(app, app.button, "note-all").click().run()
    picker = next(s for s in app.selectbox if s.label == "Edit a note of yours (Reza)")
    assert picker.options == ["Sell · Revenue: Refunds delayed"]  # Sara's note is not Reza's to edit
    next(t for t in app.text_area if t.label == "Note text").input("Refunds delayed by the bank")
    next(b for b in app.button if b.label == "Save note").click().run()
    assert not app.exception and not app.error
    stored = notes(shop).set_index("text")
    assert stored.loc["Refunds delayed by the bank", "version"] == 2
    assert stored.loc["Checkout outage", "version"] == 1
    listed = next(df.value for df in app.dataframe if "written" in df.value).set_index("text")
    assert " · edited " in listed.loc["Refunds delayed by the bank", "written"]
    assert " · edited " not in listed.loc["Checkout outage", "written"]


def test_an_action_added_from_a_kpis_detail_presets_the_kpi_and_the_picker_shows_labels(shop):
    app = _open_revenue()
    _by_form(app, app.text_input, "action-sell.revenue", "Action").input("Add a status page")
    _by_form(app, app.text_input, "action-sell.revenue", "Owner").input("Dara")
    _by_form(app, app.button, "action-sell.revenue").click().run()
    assert not app.exception and not app.error
    saved = actions(shop, week_start=W45)
    assert saved[["text", "owner", "kpi_id"]].values.tolist() == [["Add a status page", "Dara", "sell.revenue"]]
    editor = next(e for e in app.data_editor if "kpi_id" in e.value)
    assert editor.value["kpi_id"].tolist() == ["sell.revenue"]  # the editor holds the id ...
    kpi_column = json.loads(editor.proto.columns)["kpi_id"]
    options = {o["value"]: o["label"] for o in kpi_column["type_config"]["options"]}
    assert options["sell.revenue"] == "Sell · Revenue" and options["save.roas"] == "Save · ROAS"  # ... shows this
    assert len(options) == len(KPIS)


def test_a_kpi_picked_by_its_label_is_saved_as_its_id(shop):
    app = page_app("weekly_review", period="2026-W45").run()
    # the grid sends the option's value (the id) for the label picked, "Save · ROAS"
    app.session_state["actions-2026-W45"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"text": "Pause tiktok_broad_prospecting", "owner": "Reza", "kpi_id": "save.roas"}]}
    app.run()
    next(b for b in app.button if b.label == "Save actions").click().run()
    assert not app.exception and not app.error
    assert actions(shop, week_start=W45)["kpi_id"].tolist() == ["save.roas"]


def test_unusual_kpis_are_listed_under_the_attention_list_as_the_cli_report_says(demo_url, monkeypatch):
    """Demo shop, W47: the KPIs the report calls unusual (on track or not) are listed with value, expected range,
    side, score and status, in the catalog's order; the method is named in the block's help."""
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    app = page_app("weekly_review", grain="week", period="2026-W47").run()
    assert not app.exception
    out = run(["report", "--period", "2026-W47", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    kpis = json.loads(out.stdout)["kpis"]
    unusual = [k for k in kpis if k["unusual"]]
    assert unusual and len(unusual) <= 5  # an ordinary week: a handful at most
    block = next(s for s in app.subheader if s.value == "Unusual this week")
    assert "robust z (median/MAD)" in block.proto.help and "±3.5" in block.proto.help
    table = next(df.value for df in app.dataframe if "side" in df.value)  # columns by id; headers configured
    assert table["kpi"].tolist() == [k["label"] for k in unusual]  # the report's order: the catalog's
    for row, kpi in zip(table.to_dict("records"), unusual):
        low, high = kpi["expected_range"]
        assert row["side"] == ("above" if kpi["value"] > high else "below")
        assert row["score"] == f"{kpi['unusual_score']:+.1f}"
        assert row["status"] == STATUS_LABELS[kpi["status"]]
    # as read on the page: First response time at 117 min, above its 66-117 min range (the edge rounds to it)
    assert table.iloc[0].tolist() == ["First response time", "117 min", "66 min to 117 min", "above", "+3.5",
                                      "Off track"]
    headers = [h.value for h in app.header]
    assert headers.index("Off track and at risk") < headers.index("Actions")
