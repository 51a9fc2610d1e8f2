"""Alembic migrations and init_schema, on SQLite and (CI's second run) PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from warehouse import schema
from warehouse.db import _alembic, init_schema


def _reset(engine: Engine) -> None:
    schema.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _upgrade(engine: Engine, revision: str) -> None:
    config, _ = _alembic()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, revision)
        finally:
            config.attributes.pop("connection", None)


def _revision(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def _shape(engine: Engine) -> dict:
    insp = inspect(engine)
    return {t: ({c["name"] for c in insp.get_columns(t)}, {i["name"] for i in insp.get_indexes(t)})
            for t in insp.get_table_names() if t != "alembic_version"}


def test_a_new_database_is_created_at_the_latest_revision(engine):
    assert _revision(engine) == set(_alembic()[1])


def test_the_migrations_build_the_same_schema_as_the_declarations(engine):
    declared = _shape(engine)
    _reset(engine)
    _upgrade(engine, "head")
    migrated = _shape(engine)
    for table, shape in migrated.items():  # tables declared later without a migration are created by init_schema
        assert shape == declared[table], table
    init_schema(engine)
    assert _shape(engine) == declared


def test_an_older_database_is_upgraded_on_start(engine):
    _reset(engine)
    _upgrade(engine, "0001")
    assert "ix_orders_first_order" not in {i["name"] for i in inspect(engine).get_indexes("orders")}
    init_schema(engine)
    assert _revision(engine) == set(_alembic()[1])
    assert "ix_orders_first_order" in {i["name"] for i in inspect(engine).get_indexes("orders")}


def test_a_database_from_before_migrations_is_stamped(engine):
    _reset(engine)
    schema.metadata.create_all(engine)
    init_schema(engine)
    assert _revision(engine) == set(_alembic()[1])
