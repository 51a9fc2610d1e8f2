"""Shared fixtures: every test gets its own real warehouse (SQLite file, or the server in KPI_TEST_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warehouse import schema  # noqa: E402
from warehouse.db import init_schema, make_engine  # noqa: E402

DEMO_AS_OF = date(2026, 11, 24)


def _fresh_engine(tmp_path: Path, name: str) -> Engine:
    server = os.environ.get("KPI_TEST_DATABASE_URL")
    if server:
        engine = make_engine(server)
        schema.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    else:
        engine = make_engine(f"sqlite:///{tmp_path / name}")
    init_schema(engine)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """An empty warehouse."""
    eng = _fresh_engine(tmp_path, "warehouse.db")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory) -> str:
    """A warehouse holding the demo shop as of DEMO_AS_OF (built once per session): a SQLite file, or with
    KPI_TEST_DATABASE_URL a second database ``<name>_demo`` on that server (the ``engine`` fixture empties
    the first one for every test)."""
    return build_demo_warehouse(tmp_path_factory, "demo", DEMO_AS_OF)


def build_demo_warehouse(tmp_path_factory, name: str, as_of: date) -> str:
    """A new warehouse ``name`` (SQLite file, or database ``<test db>_<name>`` on the test server) holding the
    demo shop as of ``as_of``; returns its URL."""
    from connectors.demo import load_demo

    server = os.environ.get("KPI_TEST_DATABASE_URL")
    if server:
        url = _server_database(server, f"{make_url(server).database}_{name}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'demo.db'}"
    eng = make_engine(url)
    init_schema(eng)
    load_demo(eng, as_of=as_of)
    eng.dispose()
    return url


def _server_database(server: str, name: str) -> str:
    """(Re)create database ``name`` on the server of ``server`` and return its URL."""
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def demo_env(demo_url: str, monkeypatch) -> str:
    """The app as a new user runs it on the demo warehouse: KPI_DATABASE_URL set to it, the language and calendar
    left to their defaults (English, Gregorian) whatever the shell sets. Returns the URL."""
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    monkeypatch.delenv("KPI_CALENDAR", raising=False)
    return demo_url


@pytest.fixture(scope="session")
def demo_engine(demo_url: str) -> Engine:
    return make_engine(demo_url)


def content_hash(engine: Engine) -> str:
    """A hash of every fact and target row (not the sync log nor the audit trail, which record even a load that
    changed nothing): equal hashes mean nothing changed."""
    digest = hashlib.sha256()
    skip = {"sync_runs", "load_lock", "audit_log"}
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            if table.name in skip:
                continue
            columns = [c for c in table.columns if c.name not in ("updated_at",)]
            rows = conn.execute(select(*columns).order_by(*table.primary_key.columns or columns)).all()
            digest.update(f"{table.name}:{sorted(map(repr, rows))}".encode())
    return digest.hexdigest()


def page_app(name: str, timeout: float = 120, **params: str):
    """An AppTest of page ``pages/<name>.py`` run through ``app.py`` (its navigation, so page links resolve),
    opened with query parameters ``params``."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    app.switch_page(f"pages/{name}.py")
    for key, value in params.items():
        app.query_params[key] = value
    return app


@pytest.fixture
def cli_url(engine, monkeypatch):
    """``cli.main`` works on the test warehouse (a SQLite file, or the PostgreSQL test server)."""
    from warehouse.db import get_engine

    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    yield
    get_engine.cache_clear()


def open_in_app(engine, monkeypatch):
    """Make the app open ``engine``'s warehouse, Streamlit's caches emptied (URLs and data versions repeat across
    tests, on PostgreSQL too); returns ``engine``."""
    import streamlit as st

    from warehouse.db import get_engine

    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    return engine


@pytest.fixture
def shop_app(engine, monkeypatch):
    """The hand-made shop of tests/fixtures.py, opened by the app."""
    from tests.fixtures import load_fixture

    load_fixture(engine)
    return open_in_app(engine, monkeypatch)
