"""One consistent read of the warehouse per page or report: ``with read_snapshot(engine) as db: ...``.

Inside, ``db`` stands in for the engine: every ``db.connect()`` lends out the same open connection, in one
read transaction (REPEATABLE READ and read only on PostgreSQL; on SQLite, WAL mode, one BEGIN), opened by
the first ``connect()``, which also takes its snapshot. A load that commits meanwhile is not seen, so a
page never mixes figures from before a load with figures from after it. ``db.begin()`` refuses: writes go
through the engine, outside any snapshot. Nested use, with the snapshot or with its engine in the same
thread, reuses the open snapshot.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text


class SnapshotWriteError(RuntimeError):
    """A write was attempted through a read snapshot."""


class _Lent:
    """The snapshot's connection lent to one ``with db.connect() as conn:`` block: leaving the block or closing
    it does not end the snapshot, and it cannot commit."""

    def __init__(self, connection: Connection):
        self._connection = connection

    def __enter__(self) -> _Lent:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def close(self) -> None:
        return None

    def commit(self) -> None:
        raise SnapshotWriteError("A read snapshot cannot commit: write through the engine instead.")

    def begin(self) -> None:
        raise SnapshotWriteError("A read snapshot cannot begin a transaction: write through the engine instead.")

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


class Snapshot:
    """An engine-like view of one read transaction (``url``, ``dialect``, ``connect()``; no ``begin()``).

    The transaction opens with the first ``connect()``: a reader that never queries costs no connection."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._stack = ExitStack()
        self._connection: Connection | None = None
        self.memo: dict[str, Any] = {}  # figures derived from this one state (e.g. complete-through dates)

    @property
    def url(self):
        return self.engine.url

    @property
    def dialect(self):
        return self.engine.dialect

    @property
    def name(self) -> str:
        return self.engine.name

    def connect(self) -> _Lent:
        if self._connection is None:
            self._connection = self._stack.enter_context(_read_transaction(self.engine))
        return _Lent(self._connection)

    def begin(self):
        raise SnapshotWriteError("Writes are not allowed inside a read snapshot: write through the engine.")

    def close(self) -> None:
        """End the read transaction (if one was opened)."""
        self._connection = None
        self._stack.close()

    def __repr__(self) -> str:
        return f"Snapshot({self.engine!r})"


_active: ContextVar[Snapshot | None] = ContextVar("warehouse_read_snapshot", default=None)


def active(engine: Engine) -> Snapshot | None:
    """The snapshot open on ``engine`` in this thread (or context), if any."""
    current = _active.get()
    return current if current is not None and current.engine is engine else None


@contextmanager
def _read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a read transaction whose snapshot is already taken; rolled back at the end."""
    conn = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            conn.execute(text("SELECT 1"))  # the first statement takes the transaction's snapshot
        elif engine.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads: BEGIN one, and read so that WAL fixes its snapshot now
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")
        else:
            conn.execute(text("SELECT 1"))
        yield conn
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()


@contextmanager
def read_snapshot(engine: Engine | Snapshot) -> Iterator[Snapshot]:
    """Read ``engine`` through one consistent snapshot for the ``with`` block (see the module doc)."""
    if isinstance(engine, Snapshot):
        yield engine
        return
    outer = active(engine)
    if outer is not None:
        yield outer
        return
    snapshot = Snapshot(engine)
    token = _active.set(snapshot)
    try:
        yield snapshot
    finally:
        _active.reset(token)
        snapshot.close()


F = TypeVar("F", bound=Callable[..., Any])


def in_snapshot(fn: F) -> F:
    """Decorate a reader whose first argument is the engine: its whole body reads one snapshot (the caller's,
    when one is open). The undecorated function stays available as ``fn.__wrapped__``."""

    @functools.wraps(fn)
    def reader(engine, *args, **kwargs):
        with read_snapshot(engine) as db:
            return fn(db, *args, **kwargs)

    return reader  # type: ignore[return-value]
