"""The audit trail (issue 17 §3): every change recorded in its own transaction with who, role, via, before and
after; refused or failed changes record nothing; the CLI's ``audit`` command; the audit page (admins only).

Real warehouses (SQLite, or PostgreSQL with KPI_TEST_DATABASE_URL), the real GA4 client against the fake server,
the real Streamlit AppTest.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import shutil
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from access.audit import audit_frame, audit_table, change_text, detail_text, object_text
from access.roles import SYSTEM, Actor, PermissionDenied, Role, cli_actor
from cli import main
from connectors.demo import load_demo, remove_demo_data
from connectors.files import FileImportError, import_file, import_upload
from connectors.ga4 import Ga4Settings, sync
from i18n import using_locale
from metrics.periods import parse_period
from metrics.review import (
    ACTION_COLUMNS,
    ConflictError,
    actions,
    add_action,
    add_note,
    save_action_edits,
    update_action,
    update_note,
)
from metrics.targets import (
    TargetConflict,
    import_csv,
    import_frame,
    load_targets,
    save_period_targets,
    save_targets,
)
from tests.actors import ADMIN, EDITOR, VIEWER
from tests.conftest import ROOT, content_hash, open_in_app, page_app
from tests.fake_ga4 import FakeGA4, sample_rows
from tests.test_auth_app import ADMIN_EMAIL, _as
from tests.test_ga4 import JANUARY, _config
from warehouse import schema

EXAMPLES = ROOT / "examples"
WEEK = date(2026, 11, 2)  # Monday of ISO week 2026-W45
Q4 = parse_period("2026-Q4")


def _trail(engine) -> list[tuple]:
    """(actor, role, via, action, object, before, after, detail) of every audit row, oldest first."""
    frame = audit_frame(engine).iloc[::-1]
    return [tuple(r) for r in frame[["actor", "role", "via", "action", "object_key", "before", "after", "detail"]]
            .itertuples(index=False)]


def _count(engine, table=schema.audit_log) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def _plan(tmp_path, text: str, name: str = "plan.csv"):
    path = tmp_path / name
    path.write_text("kpi_id,grain,period,channel,target\n" + text, encoding="utf-8")
    return path


# --- targets ------------------------------------------------------------------------------------------------------

def test_grid_edits_record_one_row_per_target_with_before_and_after(engine):
    save_period_targets(engine, Q4, "", [("sell.revenue", None, 90000.0), ("sell.orders", None, 1200.0)],
                        actor=EDITOR)
    save_period_targets(engine, Q4, "", [("sell.revenue", 90000.0, 95000.0), ("sell.orders", 1200.0, None)],
                        actor=EDITOR)
    save_period_targets(engine, Q4, "Email", [("sell.revenue", None, 9000.0)], actor=ADMIN)
    editor = ("editor@example.com", "editor", "sign-in", "targets")
    assert _trail(engine) == [
        (*editor, "sell.revenue · quarter 2026-Q4 · all channels", None, 90000.0, None),  # created: before null
        (*editor, "sell.orders · quarter 2026-Q4 · all channels", None, 1200.0, None),
        (*editor, "sell.revenue · quarter 2026-Q4 · all channels", 90000.0, 95000.0, None),
        (*editor, "sell.orders · quarter 2026-Q4 · all channels", 1200.0, None, None),  # cleared: after null
        ("admin@example.com", "admin", "sign-in", "targets", "sell.revenue · quarter 2026-Q4 · Email", None, 9000.0,
         None),
    ]


def test_a_refused_or_conflicting_target_change_records_nothing(engine):
    save_period_targets(engine, Q4, "", [("sell.revenue", None, 90000.0)], actor=EDITOR)
    before = content_hash(engine)
    with pytest.raises(TargetConflict):  # loaded as 80,000 but it is 90,000 now
        save_period_targets(engine, Q4, "", [("sell.revenue", 80000.0, 70000.0)], actor=EDITOR)
    with pytest.raises(PermissionDenied, match="viewer@example.com is signed in as viewer and cannot change targets"):
        save_period_targets(engine, Q4, "", [("sell.revenue", 90000.0, 1.0)], actor=VIEWER)
    assert content_hash(engine) == before and _count(engine) == 1


def test_a_plan_import_records_each_changed_target_with_the_file_and_nothing_for_unchanged_ones(engine, tmp_path):
    first = _plan(tmp_path, "sell.revenue,quarter,2026-Q4,,90000\nsell.orders,quarter,2026-Q4,,1200\n")
    assert tuple(import_csv(engine, first, actor=EDITOR)) == (2, 0, 0)
    # the second plan: revenue changed, orders the same, AOV new -> 2 rows, none for orders
    second = _plan(tmp_path, "sell.revenue,quarter,2026-Q4,,95000\nsell.orders,quarter,2026-Q4,,1200\n"
                             "sell.aov,quarter,2026-Q4,,75\n", "plan2.csv")
    assert tuple(import_csv(engine, second, actor=EDITOR)) == (1, 1, 1)
    assert [(a, o, b, f, d) for _, _, _, a, o, b, f, d in _trail(engine)] == [
        ("targets", "sell.orders · quarter 2026-Q4 · all channels", None, 1200.0, "imported from plan.csv"),
        ("targets", "sell.revenue · quarter 2026-Q4 · all channels", None, 90000.0, "imported from plan.csv"),
        ("targets", "sell.aov · quarter 2026-Q4 · all channels", None, 75.0, "imported from plan2.csv"),
        ("targets", "sell.revenue · quarter 2026-Q4 · all channels", 90000.0, 95000.0, "imported from plan2.csv"),
    ]
    assert tuple(import_csv(engine, second, actor=EDITOR)) == (0, 0, 3)  # the same file again: nothing recorded
    assert _count(engine) == 4
    bad = _plan(tmp_path, "sell.revenue,quarter,2026-Q4,,1\nsell.orders,quarter,2026-Q4,,x\n", "bad.csv")
    with pytest.raises(Exception, match="line 3: target 'x' is not a number"):
        import_csv(engine, bad, actor=EDITOR)
    assert _count(engine) == 4


def test_the_products_own_plan_is_one_summary_row(engine):
    frame = pd.DataFrame([(k, "quarter", Q4.start, "", 10.0) for k in ("sell.orders", "sell.aov", "speak.followers")],
                         columns=["kpi_id", "grain", "period_start", "channel", "value"])
    save_targets(engine, frame, actor=SYSTEM)
    assert _trail(engine) == [("system", "admin", "system", "targets", "demo plan", None,
                               {"deleted": 0, "inserted": 3, "updated": 0}, "the demo's own targets")]


# --- notes and actions --------------------------------------------------------------------------------------------

def test_notes_record_their_creation_and_each_edit(engine):
    note = add_note(engine, "sell.revenue", WEEK, " Black Friday teaser worked ", author="Sam", channel="Email",
                    actor=EDITOR)
    version = update_note(engine, note, 1, "Teaser worked; repeat in December", author="sam", actor=EDITOR)
    with pytest.raises(ConflictError):  # a stale version: nothing changed, nothing recorded
        update_note(engine, note, 1, "lost edit", actor=EDITOR)
    assert version == 2
    key = f"note {note} · sell.revenue · week 2026-W45 · Email"
    assert _trail(engine) == [
        ("editor@example.com", "editor", "sign-in", "notes", key, None,
         {"text": "Black Friday teaser worked", "kpi": "sell.revenue", "week": "2026-W45", "channel": "Email",
          "author": "Sam"}, None),
        ("editor@example.com", "editor", "sign-in", "notes", key, {"text": "Black Friday teaser worked"},
         {"text": "Teaser worked; repeat in December"}, None),
    ]


def test_actions_record_the_changed_fields_only(engine):
    action = add_action(engine, "Pause TikTok prospecting", "Sam", WEEK, date(2026, 11, 13), "save.roas",
                        actor=EDITOR)
    # text unchanged, owner and status changed -> only those two are recorded
    update_action(engine, action, 1, text="Pause TikTok prospecting", owner="Ana", status="done", actor=ADMIN)
    update_action(engine, action, 2, owner="Ana", actor=ADMIN)  # nothing changes: no row
    key = f"action {action} · review 2026-W45"
    assert _trail(engine) == [
        ("editor@example.com", "editor", "sign-in", "actions", key, None,
         {"text": "Pause TikTok prospecting", "owner": "Sam", "due_date": "2026-11-13", "status": "open",
          "kpi_id": "save.roas", "week": "2026-W45"}, None),
        ("admin@example.com", "admin", "sign-in", "actions", key, {"owner": "Sam", "status": "open"},
         {"owner": "Ana", "status": "done"}, None),
    ]


def test_the_review_action_editor_records_new_and_edited_rows_all_or_nothing(engine):
    first = add_action(engine, "Fix the checkout", "Lee", WEEK, actor=EDITOR)
    shown = actions(engine, week_start=WEEK)
    edited = shown[["id", "text", "owner", "due_date", "status", "kpi_id"]].astype(object).copy()
    edited.loc[0, "due_date"] = "2026-11-20"
    edited = pd.concat([edited, pd.DataFrame([{"id": None, "text": "Brief the agency", "owner": "Kim",
                                               "due_date": None, "status": "open", "kpi_id": None}])])
    assert save_action_edits(engine, WEEK, [("Action", shown, edited)], actor=EDITOR) == (2, [])
    trail = _trail(engine)
    assert len(trail) == 3
    new_id = int(actions(engine, week_start=WEEK)["id"].max())
    assert trail[1][4:7] == (f"action {new_id} · review 2026-W45", None,
                             {"text": "Brief the agency", "owner": "Kim", "due_date": None, "status": "open",
                              "kpi_id": None, "week": "2026-W45"})
    assert trail[2][4:7] == (f"action {first} · review 2026-W45", {"due_date": None}, {"due_date": "2026-11-20"})
    # someone else saves first: the whole batch is refused, nothing recorded
    stale = actions(engine, week_start=WEEK)
    with engine.begin() as conn:
        conn.execute(update(schema.actions).where(schema.actions.c.id == first).values(version=9))
    again = stale[["id", "text", "owner", "due_date", "status", "kpi_id"]].astype(object).copy()
    again["owner"] = "Max"
    saved, problems = save_action_edits(engine, WEEK, [("Action", stale[ACTION_COLUMNS], again)], actor=EDITOR)
    assert saved == 0 and problems and _count(engine) == 3


# --- loads: file imports, GA4 sync, demo removal ------------------------------------------------------------------

def test_a_file_import_is_recorded_in_its_load_with_the_counts(engine, tmp_path):
    path = shutil.copy(EXAMPLES / "orders.csv", tmp_path / "orders.csv")
    import_file(engine, "orders", path, actor=EDITOR)
    import_file(engine, "orders", path, actor=EDITOR)  # again: 4 unchanged, recorded as such
    (tmp_path / "bad.csv").write_text("order_id,ordered_at,customer_id,revenue\nB-1,2026-11-02,c1,abc\n")
    with pytest.raises(FileImportError):
        import_file(engine, "orders", tmp_path / "bad.csv", actor=EDITOR)
    counts = {"file": "orders.csv", "kind": "orders", "format": None, "rows": 4, "rejected": 0}
    assert _trail(engine) == [
        ("editor@example.com", "editor", "sign-in", "import", "orders · orders.csv", None,
         {**counts, "inserted": 4, "updated": 0, "unchanged": 0}, None),
        ("editor@example.com", "editor", "sign-in", "import", "orders · orders.csv", None,
         {**counts, "inserted": 0, "updated": 0, "unchanged": 4}, None),
    ]  # the refused bad.csv left no record


def test_an_upload_with_skipped_rows_records_the_rejected_count(engine):
    data = (b"order_id,ordered_at,customer_id,revenue\nB-1,2026-11-02 10:00:00,c1,10\n"
            b"B-2,2026-11-02 11:00:00,c2,abc\nB-3,2026-11-03 09:00:00,c1,30\n")
    import_upload(engine, "orders", "shop.csv", data, skip_invalid=True, actor=ADMIN)
    ((*_, after, detail),) = _trail(engine)
    assert (after["rows"], after["inserted"], after["rejected"], detail) == (3, 2, 1, "skip invalid rows")


def test_a_ga4_sync_records_property_window_and_rows(engine):
    with FakeGA4(sample_rows(*JANUARY)) as fake:
        sync(engine, _config(fake), start=date(2026, 1, 1), end=date(2026, 1, 31), actor=ADMIN)
    # sample_rows: 4 channels a day x 31 days = 124 rows, all new
    assert _trail(engine) == [("admin@example.com", "admin", "sign-in", "sync", "GA4 property 123", None,
                               {"property": "123", "start": "2026-01-01", "end": "2026-01-31", "rows": 124,
                                "inserted": 124, "updated": 0, "unchanged": 0, "purchases": 0},
                               "2026-01-01 to 2026-01-31")]


def test_removing_the_demo_records_the_rows_per_table(engine):
    load_demo(engine, as_of=date(2026, 11, 24), days=30)  # 30 days: no last year, so no demo plan
    add_note(engine, "sell.orders", WEEK, "trying the demo", actor=EDITOR)
    removed = remove_demo_data(engine, actor=ADMIN)
    assert remove_demo_data(engine, actor=ADMIN) == {}  # nothing left to remove: nothing recorded
    ((actor, role, via, action, key, before, after, detail),) = _trail(engine)[1:]
    assert (actor, action, key, before, detail) == ("admin@example.com", "remove_demo", "demo data", None,
                                                    "rows removed per table")
    assert after == removed and after["orders"] > 0 and after["notes"] == 1


def test_an_import_that_clears_the_demo_records_the_removal_too(engine, tmp_path):
    load_demo(engine, as_of=date(2026, 11, 24), days=30)
    path = shutil.copy(EXAMPLES / "orders.csv", tmp_path / "orders.csv")
    result = import_file(engine, "orders", path, actor=EDITOR)
    trail = _trail(engine)
    assert [(t[3], t[4], t[7]) for t in trail] == [
        ("remove_demo", "demo data", "removed before your first own data (orders · orders.csv)"),
        ("import", "orders · orders.csv", None)]
    assert trail[0][6] == result.demo_removed and trail[0][1] == "editor"


def test_a_sync_that_clears_the_demo_records_the_removal_in_its_transaction(engine):
    load_demo(engine, as_of=date(2026, 11, 24), days=30)
    days = (date(2026, 11, 20), date(2026, 11, 22))
    with FakeGA4(sample_rows(*days)) as fake:
        sync(engine, _config(fake), start=days[0], end=days[1], actor=ADMIN)
    trail = _trail(engine)
    assert [(t[3], t[4], t[7]) for t in trail] == [
        ("remove_demo", "demo data", "removed before your first own data (GA4 property 123, 2026-11-20 to 2026-11-22)"),
        ("sync", "GA4 property 123", "2026-11-20 to 2026-11-22")]
    assert trail[1][6]["rows"] == trail[1][6]["inserted"] == 12  # 4 channels x 3 days, all new (the demo's gone)


# --- server-side refusals: every write function, the role that is not enough ----------------------------------------

REFUSED = {
    "save_targets": lambda e, p, a: save_targets(e, pd.DataFrame(
        [("sell.orders", "quarter", Q4.start, "", 5.0)], columns=["kpi_id", "grain", "period_start", "channel",
                                                                   "value"]), actor=a),
    "save_period_targets": lambda e, p, a: save_period_targets(e, Q4, "", [("sell.orders", None, 5.0)], actor=a),
    "import_csv": lambda e, p, a: import_csv(e, _plan(p, "sell.orders,quarter,2026-Q4,,5\n"), actor=a),
    "import_frame": lambda e, p, a: import_frame(e, pd.DataFrame({"kpi_id": ["sell.orders"], "grain": ["quarter"],
                                                                  "period": ["2026-Q4"], "target": ["5"]}), "x.csv",
                                                 actor=a),
    "add_note": lambda e, p, a: add_note(e, "sell.orders", WEEK, "hello", actor=a),
    "update_note": lambda e, p, a: update_note(e, 1, 1, "changed", actor=a),
    "add_action": lambda e, p, a: add_action(e, "do it", "Sam", WEEK, actor=a),
    "update_action": lambda e, p, a: update_action(e, 1, 1, owner="Max", actor=a),
    "save_action_edits": lambda e, p, a: save_action_edits(e, WEEK, [("Action", actions(e), pd.DataFrame(
        [{"id": None, "text": "new", "owner": "Kim", "due_date": None, "status": "open", "kpi_id": None}]))],
        actor=a),
    "import_file": lambda e, p, a: import_file(e, "orders", shutil.copy(EXAMPLES / "orders.csv", p / "o.csv"),
                                               actor=a),
    "import_upload": lambda e, p, a: import_upload(e, "orders", "o.csv", (EXAMPLES / "orders.csv").read_bytes(),
                                                   actor=a),
    "sync": lambda e, p, a: sync(e, Ga4Settings(property_id="123", endpoint="http://127.0.0.1:9"),
                                 start=JANUARY[0], end=JANUARY[1], actor=a),  # refused before any request
    "remove_demo_data": lambda e, p, a: remove_demo_data(e, actor=a),
}
EDITOR_MAY = {name for name in REFUSED if name not in ("sync", "remove_demo_data")}


@pytest.mark.parametrize("actor", [VIEWER, EDITOR], ids=["viewer", "editor"])
def test_every_write_function_refuses_a_role_that_is_not_enough_and_changes_nothing(engine, tmp_path, actor):
    add_note(engine, "sell.orders", WEEK, "kept", actor=ADMIN)  # a note and an action to (not) edit
    add_action(engine, "kept", "Sam", WEEK, actor=ADMIN)
    before, trail, runs = content_hash(engine), _count(engine), _count(engine, schema.sync_runs)
    refused = [name for name in REFUSED if actor is VIEWER or name not in EDITOR_MAY]
    assert len(refused) == (13 if actor is VIEWER else 2)
    for name in refused:
        with pytest.raises(PermissionDenied, match=f"signed in as {actor.role.label} and cannot"):
            REFUSED[name](engine, tmp_path, actor)
    # the warehouse is as it was: facts, targets, notes, actions, the sync log and the audit trail
    assert content_hash(engine) == before
    assert (_count(engine), _count(engine, schema.sync_runs)) == (trail, runs)
    assert load_targets(engine).empty


def test_a_missing_actor_is_a_programming_error_not_a_silent_open_door(engine):
    with pytest.raises(TypeError, match="a change needs the acting user"):
        add_note(engine, "sell.orders", WEEK, "who?", actor="admin")
    assert _count(engine, schema.notes) == 0


# --- reading: filters, the page's text, the CLI -------------------------------------------------------------------

def _three_changes(engine) -> None:
    """Three rows: EDITOR's target (today), ADMIN's note (today), an old one moved to 1 Oct 2026 by hand."""
    save_period_targets(engine, Q4, "", [("sell.conversion_rate", None, 0.025)], actor=EDITOR)
    add_note(engine, "sell.revenue", WEEK, "=HYPERLINK(\"http://x\")", author="Sam", actor=ADMIN)
    add_action(engine, "Old action", "Lee", date(2026, 9, 28), actor=EDITOR)
    log = schema.audit_log
    with engine.begin() as conn:
        conn.execute(update(log).where(log.c.action == "actions").values(at=datetime(2026, 10, 1, 9, 30)))


def test_filters_and_newest_first(engine):
    _three_changes(engine)
    frame = audit_frame(engine)
    assert frame["action"].tolist() == ["notes", "targets", "actions"]  # newest first; the moved one last
    today = date.today()
    assert audit_frame(engine, since=today)["action"].tolist() == ["notes", "targets"]
    assert audit_frame(engine, since=date(2026, 10, 1))["action"].tolist()[-1] == "actions"  # that day included
    assert audit_frame(engine, since=date(2026, 10, 2), action="actions").empty
    assert audit_frame(engine, actor="editor@example.com")["action"].tolist() == ["targets", "actions"]


def test_changes_read_in_the_readers_language(engine):
    _three_changes(engine)
    table = audit_table(audit_frame(engine, action="targets"))
    assert table.loc[0, "change"] == "— → 2.5%"  # a conversion rate, shown in its unit
    assert (table.loc[0, "role"], table.loc[0, "via"], table.loc[0, "action"]) == ("editor", "signed in", "Targets")
    assert table.loc[0, "object"] == "Conversion rate · 2026-Q4 · All channels"  # the KPI named as the reader does
    assert object_text("notes", "note 3 · sell.revenue · week 2026-W45 · Email") == \
        "Note 3 · Revenue · week 2026-W45 · Email"
    assert object_text("actions", "action 7 · review 2026-W46") == "Action 7 · review of 2026-W46"
    assert object_text("import", "orders · orders.csv") == "orders · orders.csv"  # as stored
    assert change_text("notes", "note 3 · sell.revenue · week 2026-W45 · all channels", None,
                       {"kpi": "sell.revenue", "text": "x"}) == "KPI: Revenue, text: x"
    assert change_text("actions", "action 1 · review 2026-W45", {"status": "open"}, {"status": "done"}) == \
        "status: open → done"
    assert detail_text("2026-01-01 to 2026-01-31") == "1 Jan 2026 to 31 Jan 2026"
    assert detail_text("imported from plan.csv") == "imported from plan.csv"
    assert detail_text("typed by hand") == "typed by hand" and detail_text(None) == ""
    assert change_text("actions", "action 1 · review 2026-W45", {"owner": "Sam"}, {"owner": "Ana"}) == \
        "owner: Sam → Ana"
    assert change_text("import", "orders · o.csv", None, {"rows": 1200, "inserted": 1200, "format": None}) == \
        "new: 1,200, rows: 1,200"
    assert change_text("actions", "action 1 · review 2026-W45", {"due_date": None}, {"due_date": "2026-11-20"}) == \
        "due date: — → 20 Nov 2026"  # a date as the reader writes dates
    with using_locale("fa"):
        fa = audit_table(audit_frame(engine, action="targets"))
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    at = audit_frame(engine, action="targets").loc[0, "at"]
    assert fa.loc[0, "when"].endswith(f"{at:%H:%M}".translate(persian))  # the time in Persian digits
    assert "۲٫۵" in fa.loc[0, "change"]  # 2.5% with the Persian decimal separator
    assert "۲۰۲۶-Q۴" in fa.loc[0, "object"]  # the period in Persian digits


def test_the_cli_audit_command_in_json_and_csv_with_since(engine, cli_url, capsys):
    _three_changes(engine)
    assert main(["audit", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [list(r) for r in records][0] == ["at", "actor", "role", "via", "action", "object", "before", "after",
                                             "detail"]
    assert [r["action"] for r in records] == ["notes", "targets", "actions"]
    target = records[1]
    assert (target["actor"], target["role"], target["via"], target["object"], target["before"], target["after"]) == (
        "editor@example.com", "editor", "sign-in", "sell.conversion_rate · quarter 2026-Q4 · all channels", None,
        0.025)  # before/after are JSON values, not text
    assert records[2]["at"] == "2026-10-01T09:30:00"
    assert records[0]["after"]["text"] == '=HYPERLINK("http://x")'  # JSON keeps the text as typed

    assert main(["audit", "--since", date.today().isoformat()]) == 0  # CSV by default
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["action"] for r in rows] == ["notes", "targets"]
    assert rows[1]["after"] == "0.025" and rows[1]["before"] == ""
    assert json.loads(rows[0]["after"])["author"] == "Sam"
    assert '"text": "=HYPERLINK' in rows[0]["after"]  # inside JSON text, not at the start of the cell

    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--since", "2026-13-01"])
    assert exit_.value.code == 2
    assert "argument --since: '2026-13-01' is not a date; use YYYY-MM-DD" in capsys.readouterr().err


def test_a_csv_cell_that_starts_like_a_formula_is_neutralised(engine, cli_url, capsys):
    save_period_targets(engine, Q4, "", [("sell.orders", None, 5.0)], actor=ADMIN)
    log = schema.audit_log
    with engine.begin() as conn:  # a signed-in name that a spreadsheet would run
        conn.execute(update(log).values(actor="@SUM(A1)"))
    assert main(["audit"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["actor"] == "'@SUM(A1)" and row["after"] == "5.0"


def test_a_cli_import_records_the_operating_system_user(engine, cli_url, tmp_path, capsys):
    path = shutil.copy(EXAMPLES / "orders.csv", tmp_path / "orders.csv")
    assert main(["import", "orders", str(path)]) == 0
    assert main(["targets", "import", str(_plan(tmp_path, "sell.orders,quarter,2026-Q4,,1200\n"))]) == 0
    user = getpass.getuser()
    assert cli_actor() == Actor(user, Role.ADMIN, via="cli")
    assert [(a, r, v, act) for a, r, v, act, *_ in _trail(engine)] == [
        (user, "admin", "cli", "import"), (user, "admin", "cli", "targets")]


# --- the audit page (run on its own; its link in the navigation is checked with every page's, test_locale_app) --

def _page(**params: str) -> AppTest:
    """The audit page through app.py (its navigation; the reader's language from ``?lang=``)."""
    return page_app("audit", **params)


def _routed_to_anyone(tmp_path) -> AppTest:
    """The audit page behind a navigation that routes it for everyone (as if app.py's check were lost): what the
    page itself does with a non-admin."""
    script = tmp_path / "routes_everyone.py"
    script.write_text("import streamlit as st\n"
                      f"st.navigation([st.Page({str(ROOT / 'pages' / 'audit.py')!r}, url_path='audit')]).run()\n")
    return AppTest.from_file(str(script), default_timeout=60)


def test_the_audit_page_lists_the_records_and_filters_them(engine, monkeypatch):
    open_in_app(engine, monkeypatch)
    _three_changes(engine)
    app = _page().run()
    assert not app.exception
    assert "audit" in {link.proto.page for link in app.sidebar.get("page_link")}  # the open app's admin sees it
    shown = app.dataframe[0].value
    # the default window is the last 30 days: the note and the target of today (the 1 Oct action is older)
    assert shown["action"].tolist() == ["Notes", "Targets"]
    assert shown["who"].tolist() == ["admin@example.com", "editor@example.com"]
    assert shown["change"].tolist()[1] == "— → 2.5%"
    app.date_input(key="audit-since").set_value(date(2026, 9, 1)).run()
    assert app.dataframe[0].value["action"].tolist() == ["Notes", "Targets", "Actions"]
    app.selectbox(key="audit-who").set_value("editor@example.com").run()
    assert app.dataframe[0].value["action"].tolist() == ["Targets", "Actions"]
    app.selectbox(key="audit-action").set_value("notes").run()
    assert not app.dataframe and app.info[0].value == "No changes recorded for these filters."
    download = app.get("download_button")
    assert not download  # nothing listed, nothing to download


def test_the_audit_page_in_persian(engine, monkeypatch):
    open_in_app(engine, monkeypatch)
    _three_changes(engine)
    app = _page(lang="fa").run()
    assert not app.exception
    shown = app.dataframe[0].value
    assert len(shown) == 2
    # when and the values in Persian digits (the words follow once the central catalogue holds this part's .po)
    assert all(any("\u06f0" <= c <= "\u06f9" for c in when) for when in shown["when"])
    assert "۲٫۵" in shown["change"].tolist()[1]


def test_the_audit_page_refuses_a_non_admin_server_side(engine, monkeypatch, tmp_path):
    open_in_app(engine, monkeypatch)
    _three_changes(engine)
    # signed in for real: AppTest's user (what the run reads as st.user) and [auth]/[roles] in its secrets, as
    # tests/test_auth_app.py does; ROLES: admins boss@shop.example, editors @shop.example, everyone else a viewer
    for email, role in (("ana@shop.example", "editor"), ("guest@agency.example", "viewer")):
        overview = _as(page_app("overview"), email).run()
        assert f"Role: {role}" in "\n".join(str(c.value) for c in overview.sidebar.caption)  # signed in, that role
        links = {link.proto.page for link in overview.sidebar.get("page_link")}
        assert "targets" in links and "audit" not in links  # app.py does not route it for them
        app = _as(_routed_to_anyone(tmp_path), email).run()
        assert not app.exception
        assert not app.dataframe and not app.get("download_button")
        assert app.error[0].value == ("Only admins can read the audit trail. "
                                      f"{email} is signed in as {role} and cannot read the audit trail: that needs "
                                      "the admin role. Ask an admin to add you to [roles] "
                                      "admins in .streamlit/secrets.toml.")  # a signed-in user is told how
    # the same page, the same way, for the admin: the records are listed (the refusal above is the role's)
    admin = _as(_routed_to_anyone(tmp_path), ADMIN_EMAIL).run()
    assert not admin.exception and not admin.error
    assert admin.dataframe[0].value["action"].tolist() == ["Notes", "Targets"]  # the last 30 days (see above)


def test_yesterdays_change_shows_on_the_page_with_its_date(engine, monkeypatch):
    open_in_app(engine, monkeypatch)
    add_note(engine, "sell.orders", WEEK, "yesterday's note", actor=EDITOR)
    yesterday = datetime.combine(date.today() - timedelta(days=1), datetime.min.time()).replace(hour=8, minute=5)
    with engine.begin() as conn:
        conn.execute(update(schema.audit_log).values(at=yesterday))
    app = _page().run()
    from metrics.date_text import format_date

    assert app.dataframe[0].value["when"].tolist() == [f"{format_date(yesterday.date())} 08:05"]
