"""Keeping the demo shop's data apart from the owner's: detect it, remove it, decide on the first-run load.

The demo is recognised by its sync-log rows (source ``demo``). The owner's first own load (file import, GA4
sync, plan import) into a warehouse that holds the demo removes every demo row first, inside that load's
transaction (see ``connectors.loader.load``): all facts, the orders rollup, targets, notes, actions and the
demo's sync-log rows. A removal is itself written to the sync log (source ``demo-removal``); that row, like
any other sync-log row, tells the app never to load the demo again by itself (:func:`should_load_demo`).

A warehouse whose owner loaded data BEFORE the demo (the demo then mixes into their rows) is never cleared
automatically: its rows cannot be told apart, and removing them would remove the owner's data too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select

from connectors.datasets import DATASETS
from warehouse import schema
from warehouse.db import is_empty

DEMO_SOURCE = "demo"
REMOVAL_SOURCE = "demo-removal"
# Every table the demo (or someone trying it out) writes to, children before parents.
DEMO_TABLES = (
    *(schema.metadata.tables[d.table] for d in DATASETS.values()),
    schema.orders_daily, schema.customers, schema.cohort_activity, schema.calendar_days, schema.targets, schema.notes,
    schema.actions,
)


class MixedWithOwnData(RuntimeError):
    """The warehouse holds the owner's data loaded before the demo: the two cannot be separated."""


def holds_demo(conn: Connection) -> bool:
    """True when a demo load succeeded and its rows have not been removed since."""
    runs = schema.sync_runs
    query = select(runs.c.id).where(runs.c.source == DEMO_SOURCE, runs.c.status == "success").limit(1)
    return conn.execute(query).first() is not None


def own_sources(conn: Connection) -> list[str]:
    """The sources (other than the demo) that loaded data into the warehouse successfully."""
    runs = schema.sync_runs
    query = (select(runs.c.source).where(runs.c.source.not_in((DEMO_SOURCE, REMOVAL_SOURCE)),
                                         runs.c.status == "success").distinct().order_by(runs.c.source))
    return list(conn.execute(query).scalars())


def remove_demo(conn: Connection, before: str | None = None) -> dict[str, int]:
    """Delete every demo row (all of ``DEMO_TABLES`` and the demo's sync-log rows); {table: rows deleted}.

    Empty when the warehouse holds no demo data. Raises :class:`MixedWithOwnData` when own data was loaded
    too. ``before``: what the removal makes way for (written to the sync log). Call inside the caller's
    transaction, after taking the load lock.
    """
    if not holds_demo(conn):
        return {}
    if mixed := own_sources(conn):
        raise MixedWithOwnData(
            f"This warehouse also holds your own data ({', '.join(mixed)}), loaded before the demo: their rows "
            "cannot be told apart, so nothing was removed. Keep your own data in a new warehouse "
            "(KPI_DATABASE_URL) and import it there."
        )
    started = datetime.now()
    # the removal's own log row first: its id is above every earlier one, so the data version moves on
    log = conn.execute(insert(schema.sync_runs).values(
        source=REMOVAL_SOURCE, started_at=started, finished_at=started, status="success",
        rows_inserted=0, rows_updated=0, rows_rejected=0, detail="removing the demo data"))
    removed = {t.name: conn.execute(delete(t)).rowcount for t in DEMO_TABLES}
    runs = schema.sync_runs
    removed["sync_runs"] = conn.execute(delete(runs).where(runs.c.source == DEMO_SOURCE)).rowcount
    detail = f"removed the demo data ({total(removed):,} rows)" + (f" before {before}" if before else "")
    conn.execute(runs.update().where(runs.c.id == log.inserted_primary_key[0])
                 .values(detail=detail, finished_at=datetime.now()))
    return removed


def clear_before_own_load(conn: Connection, source: str) -> dict[str, int]:
    """In an own load's transaction: remove the demo when this is the owner's first load into it.

    Nothing happens for the demo's own loads, on a warehouse without demo data, or when own data was
    loaded before the demo (never cleared automatically). Returns {table: rows deleted} (empty if none).
    """
    if source in (DEMO_SOURCE, REMOVAL_SOURCE) or not holds_demo(conn) or own_sources(conn):
        return {}
    return remove_demo(conn, before=source)


def demo_to_clear(engine: Engine) -> bool:
    """True when the next own load will remove the demo first (so nothing should be merged with its rows)."""
    with engine.connect() as conn:
        return holds_demo(conn) and not own_sources(conn)


def uses_demo_data(engine: Engine) -> bool:
    """True when the warehouse holds demo data (a successful demo load is in the sync log)."""
    with engine.connect() as conn:
        return holds_demo(conn)


def should_load_demo(engine: Engine) -> bool:
    """The app's first-run rule: load the demo only into a warehouse that was never used.

    Never used = no sync-log row at all (no load, failed import, sync or demo removal ever) and no targets,
    notes or actions. Demo removals and failed loads leave their sync-log row, so a warehouse the owner has
    touched never gets the demo back by itself.
    """
    if not is_empty(engine):
        return False
    with engine.connect() as conn:
        return all(conn.execute(select(func.count()).select_from(t)).scalar() == 0
                   for t in (schema.targets, schema.notes, schema.actions))


def total(removed: dict[str, int]) -> int:
    """Rows removed in all, sync-log rows included."""
    return sum(removed.values())


def removed_message(removed: dict[str, int]) -> str:
    """The one line that tells the owner the demo made way for their data."""
    return (f"Removed the demo data ({total(removed):,} rows) before loading your own: "
            "the warehouse now holds only your data.")
