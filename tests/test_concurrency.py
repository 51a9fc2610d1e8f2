"""Concurrency: readers never see a half-loaded week, and two people editing at once lose nothing.

Runs on SQLite (WAL: readers keep reading the last committed state while a load writes) and, in CI's
second run, on PostgreSQL (every load is one transaction; edits are guarded by version columns).
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import case, func, select

import connectors.loader as loader
from metrics import review
from metrics.engine import compute
from metrics.targets import load_targets, save_targets
from tests.actors import ADMIN
from tests.fixtures import FRAMES, WEEK, load_fixture
from warehouse import schema

N = 3000


def _new_orders() -> pd.DataFrame:
    start = datetime(2026, 11, 2, 8, 0)
    rows = [(f"n{i}", start + timedelta(minutes=3 * i), f"new{i % 700}", 10.0 + i % 7, 0.0,
             "Paid Search" if i % 2 else "Direct", "brand" if i % 2 else "(direct)") for i in range(N)]
    return pd.DataFrame(rows, columns=FRAMES["orders"].columns)


def _week(column):
    return column.between(*WEEK)


def _one_read(engine) -> tuple[tuple, tuple]:
    """(the week from the daily rollup, the same week from the order-level rows), read by ONE statement, so
    both halves come from one state of the warehouse: (orders, revenue net of refunds, new customers) each."""
    o, daily = schema.orders, schema.orders_daily
    net = o.c.revenue - o.c.refunded
    first = case((o.c.is_first_order, 1), else_=0)
    rollup = [select(agg).where(_week(daily.c.date)).scalar_subquery()
              for agg in (func.sum(daily.c.orders), func.sum(daily.c.revenue), func.sum(daily.c.new_customers))]
    raw = [select(agg).where(_week(o.c.order_date)).scalar_subquery()
           for agg in (func.count(), func.sum(net), func.sum(first))]
    statement = select(*rollup, *raw)
    with engine.connect() as conn:
        row = conn.execute(statement).one()
    return tuple(_clean(v) for v in row[:3]), tuple(_clean(v) for v in row[3:])


def _clean(value) -> float:
    return round(float(value or 0), 6)


def test_a_reader_during_a_slow_load_sees_the_week_before_or_after_never_half(engine, monkeypatch):
    load_fixture(engine)
    before = _one_read(engine)
    assert before == ((4, 280.0, 2), (4, 280.0, 2))  # o2..o5: 80 + 100 + 40 + 60; c2 and c3 are new
    halfway, done = threading.Event(), threading.Event()
    original = loader.apply_stage

    def slow_apply(*args, **kwargs):
        original(*args, **kwargs)  # the orders are written, the rollup is not rebuilt yet
        halfway.set()
        time.sleep(1.5)

    monkeypatch.setattr(loader, "apply_stage", slow_apply)
    seen, during, kpis = [], [], []

    def read() -> None:
        while not done.is_set():
            snapshot = _one_read(engine)
            seen.append(snapshot)
            if halfway.is_set() and not done.is_set():
                during.append(snapshot)
                frame = compute(engine, ["sell.revenue", "sell.orders"], *WEEK).set_index("kpi_id")["value"]
                kpis.append((round(frame["sell.orders"]), round(frame["sell.revenue"], 6)))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        loader.load(engine, "orders", _new_orders(), source="slow")
    finally:
        done.set()
        reader.join()
    after = _one_read(engine)
    # by hand: N = 3000 orders every 3 minutes from Mon 08:00 to Sun 13:57, all in the week; revenue 10 + i % 7:
    # 428 full cycles of 10 + 11 + ... + 16 = 91, then 10 + 11 + 12 + 13 for i = 2996..2999; customers new0..new699
    added = (N, 428 * 91 + 46, 700)
    assert after[0] == after[1] == (4 + added[0], 280.0 + added[1], 2 + added[2])
    assert during, "the reader never read while the load was half done"
    # the rollup and the raw rows TOGETHER: every read is the pair before the load or the pair after, never a mix
    assert set(seen) <= {before, after}, set(seen) - {before, after}
    assert all(rollup == raw for rollup, raw in seen)
    # what the scorecard's engine reads mid-load is the week before or after, too
    assert set(kpis) <= {(4, 280.0), (4 + N, 280.0 + added[1])}


def test_two_people_editing_one_action_at_once_one_wins_the_other_is_told(engine):
    action = review.add_action(engine, "Pause the weak campaign", "Ana", date(2026, 11, 2), actor=ADMIN)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(who: str) -> None:
        barrier.wait()
        try:
            outcomes[who] = review.update_action(engine, action, 1, owner=who, actor=ADMIN)
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
                review.add_note(engine, "sell.revenue", date(2026, 11, 2), f"note {i}.{j}", author=f"u{i}", actor=ADMIN)
                review.add_action(engine, f"action {i}.{j}", f"u{i}", date(2026, 11, 2), actor=ADMIN)
            if i < len(kpis):
                save_targets(engine, pd.DataFrame([{"kpi_id": kpis[i], "grain": "week", "period_start": WEEK[0],
                                                    "channel": "", "value": 100.0 + i}]), actor=ADMIN)
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


def test_a_second_load_waits_for_the_first_to_commit_and_both_land(engine, monkeypatch):
    frame = FRAMES["web"]
    events: list[str] = []
    a_holds_the_lock = threading.Event()
    apply, stage = loader.apply_stage, loader.staged_upsert

    def slow_apply(*args, **kwargs):  # load A, after writing its rows, lingers in its transaction
        apply(*args, **kwargs)
        if threading.current_thread().name == "A":
            events.append("A wrote its rows")
            a_holds_the_lock.set()
            time.sleep(1.0)
            events.append("A commits")

    def watched_stage(*args, **kwargs):
        events.append(f"{threading.current_thread().name} starts writing")
        return stage(*args, **kwargs)

    monkeypatch.setattr(loader, "apply_stage", slow_apply)
    monkeypatch.setattr(loader, "staged_upsert", watched_stage)
    results, errors = {}, []

    def run(name: str, part: pd.DataFrame) -> None:
        try:
            results[name] = loader.load(engine, "web", part, source=name)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    first = threading.Thread(target=run, args=("A", frame.iloc[:2]), name="A")
    first.start()
    assert a_holds_the_lock.wait(30)
    second = threading.Thread(target=run, args=("B", frame.iloc[2:]), name="B")
    second.start()
    first.join()
    second.join()
    # B started while A held the lock, and wrote nothing until A had committed
    assert events == ["A starts writing", "A wrote its rows", "A commits", "B starts writing"], events
    assert not errors, errors
    assert (results["A"].inserted, results["B"].inserted) == (2, 2)
    with engine.connect() as conn:
        rows, sessions = conn.execute(select(func.count(), func.sum(schema.web_traffic.c.sessions))).one()
    assert (rows, sessions) == (4, 500)  # 100 + 300 + 100 + 0
