"""Notes and actions: stored, survive a restart, and concurrent saves lose nothing."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from metrics.review import (
    ConflictError,
    ReviewError,
    actions,
    add_action,
    add_note,
    notes,
    update_action,
    update_note,
)
from warehouse.db import make_engine

WEEK, NEXT = date(2026, 11, 9), date(2026, 11, 16)


def test_notes_and_actions_survive_a_restart(engine):
    add_note(engine, "save.roas", WEEK, "TikTok prospecting burns budget", author="Sara")
    add_action(engine, "Pause tiktok_broad_prospecting", "Reza", WEEK, date(2026, 11, 18), "save.roas")
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
    action = add_action(engine, "Fix checkout copy", "Mina", WEEK)
    assert update_action(engine, action, 1, status="done") == 2  # Mina marks it done
    with pytest.raises(ConflictError, match="Someone else changed this action"):
        update_action(engine, action, 1, owner="Ali")  # Ali still had version 1 open
    row = actions(engine, week_start=WEEK).iloc[0]
    assert (row["status"], row["owner"], row["version"]) == ("done", "Mina", 2)
    note = add_note(engine, "sell.revenue", WEEK, "first")
    update_note(engine, note, 1, "second")
    with pytest.raises(ConflictError):
        update_note(engine, note, 1, "third")
    assert notes(engine)["text"].tolist() == ["second"]


def test_concurrent_saves_exactly_one_wins(engine):
    action = add_action(engine, "Refresh ad creatives", "Leila", WEEK)
    outcomes = []

    def save(owner: str) -> None:
        try:
            update_action(engine, action, 1, owner=owner)
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
    add_action(engine, "Old and open", "A", WEEK)
    done = add_action(engine, "Old and done", "B", WEEK)
    update_action(engine, done, 1, status="done")
    add_action(engine, "This week", "C", NEXT)
    follow_up = actions(engine, before_week=NEXT, status="open")
    assert follow_up["text"].tolist() == ["Old and open"]


def test_bad_input_is_explained(engine):
    with pytest.raises(ReviewError, match="owner"):
        add_action(engine, "Something", " ", WEEK)
    with pytest.raises(ReviewError, match="Unknown KPI"):
        add_note(engine, "sell.nothing", WEEK, "x")
    with pytest.raises(ReviewError, match="Status .maybe. should be one of open, done"):
        add_action(engine, "Something", "Me", WEEK, status="maybe")
    assert actions(engine).empty and notes(engine).empty
