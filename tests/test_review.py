"""Notes and actions: stored, survive a restart, and concurrent saves lose nothing."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pandas as pd
import pytest

from metrics.periods import parse_period
from metrics.review import (
    ConflictError,
    ReviewError,
    actions,
    add_action,
    add_note,
    kpi_option,
    notes,
    notes_by,
    notes_table,
    parse_due_date,
    save_action_edits,
    update_action,
    update_note,
    written,
)
from tests.actors import ADMIN
from warehouse.db import make_engine

WEEK, NEXT = date(2026, 11, 9), date(2026, 11, 16)


def test_notes_and_actions_survive_a_restart(engine):
    add_note(engine, "save.roas", WEEK, "TikTok prospecting burns budget", author="Sara", actor=ADMIN)
    add_action(engine, "Pause tiktok_broad_prospecting", "Reza", WEEK, date(2026, 11, 18), "save.roas", actor=ADMIN)
    url = engine.url
    engine.dispose()
    reopened = make_engine(url.render_as_string(hide_password=False))
    stored = notes(reopened, "save.roas")
    assert stored["text"].tolist() == ["TikTok prospecting burns budget"] and stored["author"].iloc[0] == "Sara"
    todo = actions(reopened, week_start=WEEK)
    assert todo[["text", "owner", "status", "kpi_id"]].values.tolist() == [
        ["Pause tiktok_broad_prospecting", "Reza", "open", "save.roas"]]
    assert todo["due_date"].iloc[0] == date(2026, 11, 18)


def test_a_stale_save_is_refused_and_nothing_is_lost(engine):
    action = add_action(engine, "Fix checkout copy", "Mina", WEEK, actor=ADMIN)
    assert update_action(engine, action, 1, status="done", actor=ADMIN) == 2  # Mina marks it done
    with pytest.raises(ConflictError, match="Someone else changed this action"):
        update_action(engine, action, 1, owner="Ali", actor=ADMIN)  # Ali still had version 1 open
    row = actions(engine, week_start=WEEK).iloc[0]
    assert (row["status"], row["owner"], row["version"]) == ("done", "Mina", 2)
    note = add_note(engine, "sell.revenue", WEEK, "first", actor=ADMIN)
    update_note(engine, note, 1, "second", actor=ADMIN)
    with pytest.raises(ConflictError):
        update_note(engine, note, 1, "third", actor=ADMIN)
    assert notes(engine)["text"].tolist() == ["second"]


def test_concurrent_saves_exactly_one_wins(engine):
    action = add_action(engine, "Refresh ad creatives", "Leila", WEEK, actor=ADMIN)
    outcomes = []

    def save(owner: str) -> None:
        try:
            update_action(engine, action, 1, owner=owner, actor=ADMIN)
            outcomes.append(("saved", owner))
        except ConflictError:
            outcomes.append(("refused", owner))

    threads = [threading.Thread(target=save, args=(name,)) for name in ("Omid", "Nora")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o for o, _ in outcomes) == ["refused", "saved"]
    winner = next(name for o, name in outcomes if o == "saved")
    assert actions(engine).iloc[0]["owner"] == winner


def test_last_weeks_open_actions_for_follow_up(engine):
    add_action(engine, "Old and open", "A", WEEK, actor=ADMIN)
    done = add_action(engine, "Old and done", "B", WEEK, actor=ADMIN)
    update_action(engine, done, 1, status="done", actor=ADMIN)
    add_action(engine, "This week", "C", NEXT, actor=ADMIN)
    follow_up = actions(engine, before_week=NEXT, status="open")
    assert follow_up["text"].tolist() == ["Old and open"]


def test_bad_input_is_explained(engine):
    with pytest.raises(ReviewError, match="owner"):
        add_action(engine, "Something", " ", WEEK, actor=ADMIN)
    with pytest.raises(ReviewError, match="Unknown KPI"):
        add_note(engine, "sell.nothing", WEEK, "x", actor=ADMIN)
    with pytest.raises(ReviewError, match="Status .maybe. should be one of open, done"):
        add_action(engine, "Something", "Me", WEEK, status="maybe", actor=ADMIN)
    assert actions(engine).empty and notes(engine).empty


@pytest.mark.parametrize("value, expected", [
    (date(2026, 11, 20), date(2026, 11, 20)),
    (pd.Timestamp("2026-11-20"), date(2026, 11, 20)),  # a picked date in a date-time column
    (datetime(2026, 11, 20, 0, 0), date(2026, 11, 20)),
    ("2026-11-20", date(2026, 11, 20)),  # what the editor hands back for a column without dates yet
    (" 2026-11-20T00:00:00 ", date(2026, 11, 20)),
    (None, None), ("", None), (float("nan"), None), (pd.NaT, None),
])
def test_a_due_date_is_read_however_the_editor_gives_it(value, expected):
    assert parse_due_date(value) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "2026-02-31", "next friday", "20.11.2026"])
def test_a_due_date_that_is_not_a_date_is_refused_by_name(text):
    with pytest.raises(ReviewError, match=rf"due date '{text}' is not a date \(YYYY-MM-DD\)"):
        parse_due_date(text)


def _editor(rows: list[dict]) -> pd.DataFrame:
    """What the actions editor returns: its columns, ids and versions of known rows, NaN for new rows."""
    return pd.DataFrame(rows, columns=["id", "version", "text", "owner", "due_date", "status", "kpi_id"])


def test_editor_saves_new_and_edited_due_dates_typed_or_picked(engine):
    assert save_action_edits(engine, WEEK, [("Action", actions(engine, week_start=WEEK), _editor([
        {"text": "Call the bank", "owner": "Dara", "due_date": "2026-11-20", "status": "open"},  # typed text
        {"text": "Brief the agency", "owner": "Sam", "due_date": pd.Timestamp("2026-11-13")},  # picked
        {"text": "No date yet", "owner": "Sam"},
    ]))], actor=ADMIN) == (3, [])
    before = actions(engine, week_start=WEEK)
    stored = dict(zip(before["text"], before["due_date"]))
    assert stored == {"Call the bank": date(2026, 11, 20), "Brief the agency": date(2026, 11, 13), "No date yet": None}
    assert set(before["status"]) == {"open"} and len(before) == 3
    by_text = before.set_index("text")
    after = before.copy()
    after.loc[after.text == "Call the bank", "due_date"] = "2026-11-27"  # edited: a new date
    after.loc[after.text == "No date yet", "due_date"] = pd.Timestamp("2026-12-01")  # edited: a first date
    assert save_action_edits(engine, WEEK, [("Action", before, after[_editor([]).columns])], actor=ADMIN) == (2, [])
    saved = actions(engine, week_start=WEEK).set_index("text")
    assert saved.at["Call the bank", "due_date"] == date(2026, 11, 27)
    assert saved.at["No date yet", "due_date"] == date(2026, 12, 1)
    assert saved.at["Brief the agency", "due_date"] == date(2026, 11, 13)
    assert saved.at["Brief the agency", "version"] == by_text.at["Brief the agency", "version"] == 1  # unchanged
    assert saved.at["Call the bank", "version"] == 2


def test_editor_refuses_everything_with_the_row_and_field_named(engine):
    add_action(engine, "Existing", "Mina", WEEK, actor=ADMIN)
    before = actions(engine, week_start=WEEK)
    after = _editor([{**before.iloc[0][["id", "version", "text", "owner", "status"]].to_dict(),
                      "due_date": "2026-11-30"},
                     {"text": "Call the bank", "owner": "Dara", "due_date": "31/02/2026"},
                     {"text": "  ", "owner": "Dara"},
                     {"text": "Ask", "owner": "x" * 201}])
    saved, problems = save_action_edits(engine, WEEK, [("Action", before, after)], actor=ADMIN)
    assert saved == 0 and problems == [
        "Action 2: due date '31/02/2026' is not a date (YYYY-MM-DD)",
        "Action 3: action is empty: say what is to be done.",
        "Action 4: owner is 201 characters long; at most 200 fit.",
    ]
    unchanged = actions(engine, week_start=WEEK)
    assert unchanged["text"].tolist() == ["Existing"] and unchanged["due_date"].tolist() == [None]  # row 1 not saved


def test_editor_conflict_saves_nothing_and_says_which_action(engine):
    first = add_action(engine, "First", "Mina", WEEK, actor=ADMIN)
    add_action(engine, "Second", "Mina", WEEK, actor=ADMIN)
    before = actions(engine, week_start=WEEK)
    update_action(engine, first, 1, owner="Ali", actor=ADMIN)  # someone else saves First meanwhile
    after = before.copy()
    after["due_date"] = [date(2026, 11, 20), date(2026, 11, 21)]
    saved, problems = save_action_edits(engine, WEEK, [("Earlier action", before, after)], actor=ADMIN)
    assert saved == 0 and len(problems) == 1 and problems[0].startswith("Earlier action 1: someone else changed")
    assert actions(engine, week_start=WEEK)["due_date"].tolist() == [None, None]  # Second was not saved either


def test_a_note_author_that_does_not_fit_is_refused_by_name(engine):
    with pytest.raises(ReviewError, match="Your name is 201 characters long"):
        add_note(engine, "sell.revenue", WEEK, "fine", author="y" * 201, actor=ADMIN)
    assert notes(engine).empty


def test_a_note_is_edited_only_by_its_author_and_only_from_the_latest_version(engine):
    note = add_note(engine, "save.roas", WEEK, "TikTok burns budget", author="Sara", actor=ADMIN)
    assert update_note(engine, note, 1, "TikTok and Meta burn budget", author=" sara ", actor=ADMIN) == 2  # same person
    with pytest.raises(ReviewError, match=r"Only the note's author \(Sara\) can edit it"):
        update_note(engine, note, 2, "Reza was here", author="Reza", actor=ADMIN)
    with pytest.raises(ReviewError, match="Only the note's author"):
        update_note(engine, note, 2, "nameless", author="", actor=ADMIN)  # no name typed: nobody's note
    with pytest.raises(ConflictError, match="their version 2, yours 1"):
        update_note(engine, note, 1, "from a stale page", author="Sara", actor=ADMIN)
    anonymous = add_note(engine, "save.roas", WEEK, "no name given", actor=ADMIN)
    with pytest.raises(ReviewError, match=r"\(no name given\)"):
        update_note(engine, anonymous, 1, "mine now", author="Sara", actor=ADMIN)
    stored = notes(engine).set_index("id")
    assert stored.at[note, "text"] == "TikTok and Meta burn budget" and stored.at[note, "version"] == 2
    assert stored.at[anonymous, "text"] == "no name given" and stored.at[anonymous, "version"] == 1
    assert notes_by(notes(engine), "SARA")["id"].tolist() == [note]
    assert notes_by(notes(engine), "").empty


def test_a_note_shows_when_it_was_written_and_edited():
    assert written(datetime(2026, 11, 10, 14, 5), datetime(2026, 11, 10, 14, 5)) == "Tue 10 Nov 14:05"
    assert written(datetime(2026, 11, 10, 14, 5), datetime(2026, 11, 11, 9, 30)) == \
        "Tue 10 Nov 14:05 · edited Wed 11 Nov 09:30"
    assert written(None, None) == ""


def test_the_notes_list_names_kpis_by_label_and_says_when(engine):
    before = datetime.now().replace(microsecond=0)
    add_note(engine, "save.roas", WEEK, "TikTok burns budget", author="Sara", actor=ADMIN)
    shown = notes_table(notes(engine))
    assert shown[["kpi", "text", "author"]].values.tolist() == [["Save · ROAS", "TikTok burns budget", "Sara"]]
    stamp = datetime.strptime(f"{before.year} {shown['written'].iloc[0]}", "%Y %a %d %b %H:%M")
    assert abs((stamp - before.replace(second=0)).total_seconds()) <= 120  # written just now


def test_a_kpi_picker_option_reads_s_and_label():
    assert kpi_option("save.roas") == "Save · ROAS"
    assert kpi_option("serve.first_response_minutes") == "Serve · First response time"
    assert kpi_option("gone.kpi") == "gone.kpi"  # an id no longer in the catalog is shown as stored


def _result(kpi_id: str, status: str, value: float, low: float | None, high: float | None,
            unusual: bool | None, score: float | None = None):
    from metrics.catalog import KPI_BY_ID
    from metrics.scorecard import KpiResult

    kpi = KPI_BY_ID[kpi_id]
    return KpiResult(id=kpi.id, s=kpi.s, label=kpi.label, unit=kpi.unit, value=value, previous=None, change_pct=None,
                     reason=None, status=status, expected_range=(low, high) if low is not None else None,
                     unusual=unusual, unusual_score=score, unusual_method="robust z" if unusual is not None else None)


def _week_of_results() -> list:
    """Out of the catalog's order on purpose: NPS (serve) before revenue (sell) before marketing cost (save)."""
    return [
        _result("serve.nps", "no_target", 40.0, 20.0, 50.0, False, 0.8),  # within its range: not listed
        _result("sell.revenue", "on_track", 900.0, 190.0, 270.0, True, 6.1),  # on track, yet far above its range
        _result("sell.orders", "off_track", 3.0, None, None, None),  # too little history: not judged
        _result("save.marketing_cost", "at_risk", 50.0, 100.0, 140.0, True, -3.9),  # below its range
    ]


def test_unusual_kpis_are_listed_in_catalog_order_on_track_or_not():
    from metrics.catalog import KPIS
    from metrics.review import unusual_items

    items = _week_of_results()
    listed = unusual_items(items)
    catalog = [k.id for k in KPIS]
    assert {i.id for i in listed} == {"sell.revenue", "save.marketing_cost"}  # the on-track one too
    assert [i.id for i in listed] == sorted((i.id for i in listed), key=catalog.index)
    assert [i.status for i in listed if i.id == "sell.revenue"] == ["on_track"]
    assert unusual_items([i for i in items if not i.unusual]) == []


def test_the_unusual_table_gives_value_range_side_score_and_status_in_the_kpis_unit():
    from metrics.review import unusual_table
    from metrics.unusual_text import unusual_methods

    items = _week_of_results()
    table = unusual_table(items).set_index("kpi")
    assert list(table.columns) == ["value", "expected", "side", "score", "status"]
    assert table.loc["Revenue"].tolist() == ["$900.00", "$190.00 to $270.00", "above", "+6.1", "On track"]
    # 50 < 100, the range's low end: below; -3.9 keeps its sign
    assert table.loc["Marketing cost"].tolist() == ["$50.00", "$100.00 to $140.00", "below", "-3.9", "At risk"]
    assert unusual_methods(items) == ["robust z"]  # named once however many KPIs it judged
    assert unusual_table([]).empty and list(unusual_table([]).columns) == ["kpi", "value", "expected", "side",
                                                                          "score", "status"]


def test_the_unusual_table_in_persian_has_persian_digits():
    from i18n import using_locale
    from metrics.review import unusual_table

    with using_locale("fa"):
        table = unusual_table(_week_of_results())
    text = " ".join(table.astype(str).to_numpy().ravel())
    assert "۹۰۰" in text and "۶٫۱" in text and not any(ch.isascii() and ch.isdigit() for ch in text)


def test_an_action_moved_off_its_kpi_stores_no_kpi_and_the_review_html_still_renders(engine):
    """update_action(kpi_id="") (a cleared picker) stores NULL, as add_action and the page's editor do; an empty
    text id would make every reader look up KPI '' (the review HTML raised KeyError: '')."""
    from reports.review_html import render

    action = add_action(engine, "Call the bank", "Sara", WEEK, kpi_id="sell.revenue", actor=ADMIN)
    update_action(engine, action, 1, kpi_id="", actor=ADMIN)
    assert actions(engine)["kpi_id"].tolist() == [None]
    page = render(engine, parse_period("2026-W46"), today=date(2026, 11, 20))
    assert "Call the bank" in page


@pytest.mark.parametrize("kpi_id", ["", None])
def test_a_note_needs_a_kpi(engine, kpi_id):
    """notes.kpi_id is NOT NULL and every reader looks the KPI up (the review HTML by KPI_BY_ID[kpi_id]): a note
    on no KPI is refused with a clear error, nothing stored (before: '' was stored and the review HTML raised
    KeyError: '')."""
    with pytest.raises(ReviewError, match="A note is on a KPI"):
        add_note(engine, kpi_id, WEEK, "General remark", actor=ADMIN)
    assert notes(engine).empty
