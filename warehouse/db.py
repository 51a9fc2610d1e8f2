"""Engine factory: one database URL (``KPI_DATABASE_URL``) decides the engine."""

from __future__ import annotations

import os
import threading
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
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: large loads update big indexes
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


MIGRATIONS = PROJECT_ROOT / "warehouse" / "migrations"
_migrate_lock = threading.Lock()


@lru_cache(maxsize=1)
def _alembic():
    """The Alembic config and the head revision(s) of warehouse/migrations (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config, frozenset(ScriptDirectory.from_config(config).get_heads())


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision, then create tables that have no migration.

    A database with an Alembic version is upgraded (``alembic upgrade head``); one without (new, or
    created before migrations existed) gets every table from ``schema.metadata`` and is stamped at head.
    Costs one small query when the database is already at head.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config, heads = _alembic()
    with _migrate_lock, engine.begin() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        config.attributes["connection"] = conn
        try:
            if current and current != heads:
                command.upgrade(config, "head")
            schema.metadata.create_all(conn)
            if not current:
                command.stamp(config, "head")
        finally:
            config.attributes.pop("connection", None)


def init_schema(engine: Engine) -> None:
    """Migrate the schema (:func:`migrate`) and create the load-lock row. Safe to call every start."""
    try:
        migrate(engine)
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
    """True when the sync log is empty: nothing was ever loaded, tried or removed here
    (``connectors.demo_data.should_load_demo`` builds the app's first-run rule on it)."""
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
