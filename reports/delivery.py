"""Each delivery is recorded and never made twice (the ``deliveries`` table).

A send first *claims* its (kind, key) — e.g. ("review_email", "2026-W46|a@x.org,b@y.org") — then sends, then
marks it sent or failed:

- sent: a later claim gets nothing (a cron job that runs twice sends once), unless ``resend``;
- failed: the next run claims it again (a failure is retried, never forgotten);
- sending: another run is sending it right now; after ``STALE`` (a run that died mid-send) it can be claimed again.

If the message leaves but the database cannot record it, the next run sends it again: a rare duplicate rather
than a silent loss. A message the server took before an error (some recipients refused, an error reply to QUIT)
left: the caller marks it sent, never failed, so nobody gets it twice (``reports.smtp.MailError.delivered_to``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from warehouse import schema

STALE = timedelta(hours=1)
T = schema.deliveries


@dataclass(frozen=True)
class Claim:
    """The right to make one delivery: pass it to ``mark_sent`` or ``mark_failed``."""

    id: int
    kind: str
    key: str
    attempt: int


def claim(engine: Engine, kind: str, key: str, actor: str = "", resend: bool = False,
          now: datetime | None = None) -> Claim | None:
    """Claim (kind, key) for sending; None when it was sent already (and not ``resend``) or is being sent."""
    now = now or datetime.now()
    with engine.begin() as conn:
        row = conn.execute(select(T).where(T.c.kind == kind, T.c.delivery_key == key)).mappings().first()
        if row is None:
            try:
                with conn.begin_nested():  # another run may insert the same key first
                    new = conn.execute(insert(T).values(kind=kind, delivery_key=key, status="sending", attempts=1,
                                                        actor=actor, claimed_at=now))
            except IntegrityError:
                return None
            return Claim(int(new.inserted_primary_key[0]), kind, key, 1)
        if row["status"] == "sent" and not resend:
            return None
        if row["status"] == "sending" and row["claimed_at"] > now - STALE:
            return None
        taken = conn.execute(update(T).where(T.c.id == row["id"], T.c.status == row["status"],
                                             T.c.claimed_at == row["claimed_at"])
                             .values(status="sending", attempts=row["attempts"] + 1, actor=actor, claimed_at=now,
                                     error=None))
        if taken.rowcount != 1:  # another run claimed it between our read and our update
            return None
        return Claim(int(row["id"]), kind, key, int(row["attempts"]) + 1)


def mark_sent(engine: Engine, claimed: Claim, detail: str | None = None) -> None:
    """Record that the claimed delivery left."""
    with engine.begin() as conn:
        conn.execute(update(T).where(T.c.id == claimed.id).values(status="sent", sent_at=datetime.now(), error=None,
                                                                  detail=detail))


def mark_failed(engine: Engine, claimed: Claim, error: str) -> None:
    """Record that the claimed delivery failed; the next run retries it."""
    with engine.begin() as conn:
        conn.execute(update(T).where(T.c.id == claimed.id).values(status="failed", error=error))


def was_sent(engine: Engine, kind: str, key: str) -> bool:
    """Whether (kind, key) was delivered."""
    with engine.connect() as conn:
        status = conn.execute(select(T.c.status).where(T.c.kind == kind, T.c.delivery_key == key)).scalar()
    return status == "sent"


def history(engine: Engine, kind: str | None = None) -> pd.DataFrame:
    """Deliveries, newest claim first."""
    query = select(T).order_by(T.c.claimed_at.desc(), T.c.id.desc())
    if kind:
        query = query.where(T.c.kind == kind)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(), columns=[c.name for c in T.columns])
