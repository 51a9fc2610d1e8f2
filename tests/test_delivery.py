"""reports/delivery.py: two runs claiming the same delivery at once get it once (SQLite and PostgreSQL); a failed
one is claimed again; a 'sending' one only after STALE; a sent one only with resend."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from reports import delivery

RUNS = 6  # runs racing for one key


def _race(engine, kind: str, key: str, now: datetime | None = None) -> list:
    """``RUNS`` threads claim (kind, key) together (a barrier releases them at once); their claims."""
    barrier, got = threading.Barrier(RUNS), []

    def run(n: int) -> None:
        barrier.wait()
        got.append(delivery.claim(engine, kind, key, actor=f"run-{n}", now=now))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RUNS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_a_new_delivery_raced_by_six_runs_is_claimed_once(engine):
    got = _race(engine, "review_email", "2026-W46|a@x.org")
    assert len(got) == RUNS and sum(c is not None for c in got) == 1  # one claim, five None
    rows = delivery.history(engine, "review_email")
    assert rows[["status", "attempts"]].values.tolist() == [["sending", 1]]


def test_a_failed_delivery_raced_by_six_runs_is_retried_once(engine):
    first = delivery.claim(engine, "notify", "2026-W46|slack|abc")
    delivery.mark_failed(engine, first, "HTTP 500")
    got = [c for c in _race(engine, "notify", "2026-W46|slack|abc") if c is not None]
    assert len(got) == 1 and got[0].attempt == 2  # the second attempt, by one run only
    assert delivery.history(engine, "notify")["status"].tolist() == ["sending"]


def test_sending_waits_for_stale_and_sent_waits_for_resend(engine):
    start = datetime(2026, 11, 30, 7, 0)
    claimed = delivery.claim(engine, "alert", "k", now=start)
    assert delivery.claim(engine, "alert", "k", now=start + timedelta(minutes=59)) is None  # being sent
    again = delivery.claim(engine, "alert", "k", now=start + timedelta(minutes=61))  # the run died: taken over
    assert again is not None and again.attempt == 2 and claimed.id == again.id
    delivery.mark_sent(engine, again)
    assert delivery.claim(engine, "alert", "k", now=start + timedelta(days=1)) is None
    assert delivery.was_sent(engine, "alert", "k")
    assert delivery.claim(engine, "alert", "k", resend=True).attempt == 3
