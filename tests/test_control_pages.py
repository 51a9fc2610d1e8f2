"""AppTest on the Targets and Weekly review pages: a target edited in the grid changes the status shown."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics.review import actions, add_note
from metrics.targets import load_targets
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fixtures import load_fixture, set_targets


@pytest.fixture
def shop(engine, monkeypatch):
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", date(2026, 11, 2), "", 250.0)])
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _page(name: str, **params) -> AppTest:
    return page_app(name, **params)


def _attention(app: AppTest) -> list[str]:
    return [e.label for e in app.expander]


def test_editing_a_target_in_the_grid_changes_the_status(shop):
    review = _page("weekly_review", period="2026-W45").run()
    assert not review.exception
    assert review.title[0].value == "Weekly KPI review · 2026-W45"
    assert "Revenue: off track" not in _attention(review)  # 280 against 250: on track

    targets = _page("targets", grain="week", period="2026-W45").run()
    assert not targets.exception
    editor = targets.data_editor[0]
    assert editor.value["kpi"].iloc[0] == "Revenue" and editor.value["target"].iloc[0] == "$250.00"
    targets.session_state["targets-2026-W45-"] = {"edited_rows": {0: {"target": 400.0}}, "added_rows": [],
                                                 "deleted_rows": []}
    targets.run()
    save = next(b for b in targets.button if b.label.startswith("Save"))
    assert save.label == "Save 1 change"
    save.click().run()
    assert not targets.exception and not targets.error
    stored = load_targets(shop)
    assert stored.loc[stored.kpi_id == "sell.revenue", "value"].tolist() == [400.0]

    review = _page("weekly_review", period="2026-W45").run()
    assert "Revenue: off track" in _attention(review)  # 280 against 400: 30 % short
    assert review.metric[2].value == "1"  # the headline: one KPI off track


def test_a_percentage_typed_as_35_is_refused_with_the_reason(shop):
    targets = _page("targets", grain="week", period="2026-W45").run()
    targets.session_state["targets-2026-W45-"] = {"edited_rows": {2: {"target": "35"}}, "added_rows": [],
                                                 "deleted_rows": []}
    targets.run()  # the grid shows percentages as 2.6%: a bare 35 is refused before saving, saying what to type
    assert [e.value for e in targets.error] == ["Conversion rate: target for 2026-W45 '35' has no % sign: type 35%"]
    assert next(b for b in targets.button if b.label.startswith("Save")).disabled
    assert "sell.conversion_rate" not in set(load_targets(shop).kpi_id)


def test_review_page_shows_notes_and_saves_new_actions(shop):
    add_note(shop, "sell.revenue", date(2026, 11, 2), "Checkout outage on Tuesday", actor=ADMIN)
    review = _page("weekly_review", period="2026-W45").run()
    assert any("Checkout outage" in str(df.value.values) for df in review.dataframe)
    review.session_state["actions-2026-W45"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"text": "Add a status page", "owner": "Dara", "status": "open", "kpi_id": "sell.revenue"}]}
    review.run()
    next(b for b in review.button if b.label == "Save actions").click().run()
    assert not review.exception and not review.error
    saved = actions(shop, week_start=date(2026, 11, 2))
    assert saved[["text", "owner", "kpi_id"]].values.tolist() == [["Add a status page", "Dara", "sell.revenue"]]


def _editor(app: AppTest, label: str):
    """The data editor whose frame has column ``label`` (AppTest lists editors in page order)."""
    return next(e for e in app.data_editor if label in e.value.columns)


def test_review_editors_keep_what_was_typed_after_save_and_reload(shop):
    review = _page("weekly_review", period="2026-W45").run()
    review.text_area[0].input("Checkout outage on Tuesday")
    review.text_input[0].input("Sara")
    next(b for b in review.button if b.label == "Add note").click().run()
    assert not review.exception and not review.error
    # a new action with a due date as the editor sends a typed or picked one: ISO text
    review.session_state["actions-2026-W45"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"text": "Call the bank", "owner": "Dara", "due_date": "2026-11-20", "status": "open"}]}
    review.run()
    next(b for b in review.button if b.label == "Save actions").click().run()
    assert not review.exception and not review.error

    reloaded = _page("weekly_review", period="2026-W45").run()  # a new session on the same warehouse
    assert any("Checkout outage on Tuesday" in df.value["text"].tolist() for df in reloaded.dataframe
               if "text" in df.value)
    shown = _editor(reloaded, "due_date").value
    assert shown[["text", "owner"]].values.tolist() == [["Call the bank", "Dara"]]
    assert pd.Timestamp(shown["due_date"].iloc[0]).date() == date(2026, 11, 20)

    reloaded.session_state["actions-2026-W45"] = {"edited_rows": {0: {"due_date": "2026-11-27"}},
                                                  "deleted_rows": [], "added_rows": []}
    reloaded.run()
    next(b for b in reloaded.button if b.label == "Save actions").click().run()
    assert not reloaded.exception and not reloaded.error
    again = _page("weekly_review", period="2026-W45").run()
    assert pd.Timestamp(_editor(again, "due_date").value["due_date"].iloc[0]).date() == date(2026, 11, 27)
    assert actions(shop, week_start=date(2026, 11, 2))["due_date"].tolist() == [date(2026, 11, 27)]


def test_a_refused_action_names_the_row_and_field_and_keeps_the_edit(shop):
    review = _page("weekly_review", period="2026-W45").run()
    review.session_state["actions-2026-W45"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"text": "Call the bank", "owner": "Dara", "due_date": "2026-11-20"},
        {"text": "Who does this?", "due_date": "2026-11-21"}]}
    review.run()
    next(b for b in review.button if b.label == "Save actions").click().run()
    assert [e.value for e in review.error] == ["Action 2: owner is empty: who does it?"]
    assert actions(shop).empty  # all or nothing
    kept = review.session_state["actions-2026-W45"]["added_rows"]  # the editor still holds both rows
    assert [r["text"] for r in kept] == ["Call the bank", "Who does this?"]


def test_a_refused_note_keeps_its_text(shop):
    review = _page("weekly_review", period="2026-W45").run()
    review.text_input[0].input("x" * 201)
    review.text_area[0].input("Checkout outage")
    next(b for b in review.button if b.label == "Add note").click().run()
    assert [e.value for e in review.error] == ["Your name is 201 characters long; at most 200 fit."]
    assert review.text_area[0].value == "Checkout outage"


def test_a_target_edited_in_the_grid_is_there_after_a_reload(shop):
    targets = _page("targets", grain="week", period="2026-W45").run()
    row = targets.data_editor[0].value["kpi_id"].tolist().index("sell.orders")
    targets.session_state["targets-2026-W45-"] = {"edited_rows": {row: {"target": 6.0}}, "added_rows": [],
                                                 "deleted_rows": []}
    targets.run()
    next(b for b in targets.button if b.label.startswith("Save")).click().run()
    assert not targets.exception and not targets.error
    reloaded = _page("targets", grain="week", period="2026-W45").run()
    grid = reloaded.data_editor[0].value.set_index("kpi_id")["target"]
    assert grid["sell.orders"] == "6" and grid["sell.revenue"] == "$250.00"  # as the cards show them
