"""Engine factory: one database URL (``KPI_DATABASE_URL``) decides the engine."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from warehouse import schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "kpi.db"


class DatabaseError(RuntimeError):
    """The warehouse cannot be reached or created; the message says what to check."""


def database_url() -> str:
    """The configured database URL, or the default SQLite file under ``data/``."""
    url = os.environ.get("KPI_DATABASE_URL", "").strip()
    return url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def redacted(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never see a half-written load
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: :func:`database_url`)."""
    url = url or database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise DatabaseError(f"Cannot use database {redacted(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def init_schema(engine: Engine) -> None:
    """Create missing tables and the load-lock row. Safe to call every start."""
    try:
        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(schema.load_lock)).scalar() == 0:
                conn.execute(insert(schema.load_lock).values(id=1))
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"Cannot open the warehouse at {redacted(str(engine.url))}: {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', exc)}. Check KPI_DATABASE_URL and that the database server is running."
        ) from exc


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """A shared, initialised engine per URL (cached for the process)."""
    engine = make_engine(url)
    init_schema(engine)
    return engine


def is_empty(engine: Engine) -> bool:
    """True when no facts have been loaded yet (the app then loads demo data)."""
    if not inspect(engine).has_table("sync_runs"):
        return True
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.sync_runs)).scalar() == 0


def data_version(engine: Engine) -> int:
    """Increases with every finished load: part of every cache key."""
    with engine.connect() as conn:
        query = select(func.coalesce(func.max(schema.sync_runs.c.id), 0)).where(
            schema.sync_runs.c.finished_at.is_not(None)
        )
        return int(conn.execute(query).scalar())
