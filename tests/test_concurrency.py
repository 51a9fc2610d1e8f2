"""Concurrency: readers never see a half-loaded week, and two people editing at once lose nothing.

Runs on SQLite (WAL: readers keep reading the last committed state while a load writes) and, in CI's
second run, on PostgreSQL (every load is one transaction; edits are guarded by version columns).
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

import connectors.loader as loader
from metrics import review
from metrics.engine import compute
from metrics.targets import load_targets, save_targets
from tests.fixtures import FRAMES, WEEK, load_fixture
from warehouse import schema

N = 3000


def _new_orders() -> pd.DataFrame:
    start = datetime(2026, 11, 2, 8, 0)
    rows = [(f"n{i}", start + timedelta(minutes=3 * i), f"new{i % 700}", 10.0 + i % 7, 0.0,
             "Paid Search" if i % 2 else "Direct", "brand" if i % 2 else "(direct)") for i in range(N)]
    return pd.DataFrame(rows, columns=FRAMES["orders"].columns)


def _snapshot(engine) -> tuple[tuple, tuple]:
    """(the week's KPIs from the rollup, the order-level table's totals): each read by one query."""
    frame = compute(engine, ["sell.revenue", "sell.new_customers"], *WEEK).set_index("kpi_id")["value"]
    with engine.connect() as conn:
        orders, revenue = conn.execute(select(func.count(), func.sum(schema.orders.c.revenue))).one()
    return (round(frame["sell.revenue"], 6), frame["sell.new_customers"]), (orders, round(revenue, 6))


def test_a_reader_during_a_slow_load_sees_the_week_before_or_after_never_half(engine, monkeypatch):
    load_fixture(engine)
    before = _snapshot(engine)
    halfway, done = threading.Event(), threading.Event()
    original = loader.apply_stage

    def slow_apply(*args, **kwargs):
        original(*args, **kwargs)  # the orders are written, the rollup is not rebuilt yet
        halfway.set()
        time.sleep(1.5)

    monkeypatch.setattr(loader, "apply_stage", slow_apply)
    seen, during = [], []

    def read() -> None:
        while not done.is_set():
            snapshot = _snapshot(engine)
            seen.append(snapshot)
            if halfway.is_set() and not done.is_set():
                during.append(snapshot)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        loader.load(engine, "orders", _new_orders(), source="slow")
    finally:
        done.set()
        reader.join()
    after = _snapshot(engine)
    assert after[0] != before[0] and after[1] != before[1]
    assert during, "the reader never read while the load was half done"
    for part in (0, 1):  # the rollup and the raw rows: each always before or after the load, never between
        states = {snapshot[part] for snapshot in seen}
        assert states <= {before[part], after[part]}, states - {before[part], after[part]}


def test_two_people_editing_one_action_at_once_one_wins_the_other_is_told(engine):
    action = review.add_action(engine, "Pause the weak campaign", "Ana", date(2026, 11, 2))
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(who: str) -> None:
        barrier.wait()
        try:
            outcomes[who] = review.update_action(engine, action, 1, owner=who)
        except review.ConflictError as exc:
            outcomes[who] = exc

    threads = [threading.Thread(target=edit, args=(who,)) for who in ("Ben", "Cleo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [who for who, outcome in outcomes.items() if outcome == 2]
    losers = [who for who, outcome in outcomes.items() if isinstance(outcome, review.ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    row = review.actions(engine).set_index("id").loc[action]
    assert row["owner"] == winners[0] and row["version"] == 2


def test_many_people_adding_notes_actions_and_targets_at_once_lose_nothing(engine):
    barrier = threading.Barrier(6)
    kpis = ["sell.revenue", "sell.orders", "save.cpa"]
    errors = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for j in range(5):
                review.add_note(engine, "sell.revenue", date(2026, 11, 2), f"note {i}.{j}", author=f"u{i}")
                review.add_action(engine, f"action {i}.{j}", f"u{i}", date(2026, 11, 2))
            if i < len(kpis):
                save_targets(engine, pd.DataFrame([{"kpi_id": kpis[i], "grain": "week", "period_start": WEEK[0],
                                                    "channel": "", "value": 100.0 + i}]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(review.notes(engine)) == 30
    assert len(review.actions(engine)) == 30
    assert sorted(load_targets(engine)["kpi_id"]) == sorted(kpis)


@pytest.mark.parametrize("kind", ["web"])
def test_a_second_load_waits_for_the_first_and_both_land(engine, kind):
    frame = FRAMES[kind]
    results = []
    threads = [threading.Thread(target=lambda f=f: results.append(loader.load(engine, kind, f, source="t")))
               for f in (frame.iloc[:2], frame.iloc[2:])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.inserted for r in results) == len(frame)
