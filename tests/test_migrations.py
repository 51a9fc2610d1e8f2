"""Alembic migrations and init_schema, on SQLite and (CI's second run) PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, String, inspect, text

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


def _differences(engine: Engine) -> list[tuple]:
    """How the database differs from warehouse/schema.py's metadata, as Alembic's autogenerate sees it (column
    types, nullability, server defaults, indexes, unique constraints, tables): (what, table, name) triples."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diffs = compare_metadata(context, schema.metadata)
    out = []
    for diff in diffs:
        for item in diff if isinstance(diff, list) else [diff]:  # column changes come as lists
            kind = item[0]
            if kind.startswith("modify_"):
                out.append((kind, item[2], item[3]))
            elif kind.endswith("_table"):
                out.append((kind, item[1].name, None))
            elif kind.endswith("_column"):
                out.append((kind, item[2], item[3].name))
            else:  # indexes and constraints
                out.append((kind, item[1].table.name, item[1].name))
    return out


def test_a_new_database_is_created_at_the_latest_revision(engine):
    assert _revision(engine) == set(_alembic()[1])
    assert _differences(engine) == []


def test_the_migrations_build_the_same_schema_as_the_declarations(engine):
    _reset(engine)
    _upgrade(engine, "head")
    # tables declared after the last migration (init_schema creates them) may be missing, nothing else may differ
    differences = _differences(engine)
    missing = {table for what, table, _ in differences if what == "add_table"}
    assert [d for d in differences if not (d[0] in ("add_table", "add_index") and d[1] in missing)] == []
    init_schema(engine)
    assert _differences(engine) == []


def test_the_shape_comparison_catches_a_changed_column_and_a_lost_index(engine):
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)) as op:
        with op.batch_alter_table("orders") as batch:  # revenue: a nullable VARCHAR instead of a required float
            batch.alter_column("revenue", type_=String(50), nullable=True)
        with op.batch_alter_table("ad_spend") as batch:
            batch.drop_index("ix_ad_spend_date")
    differences = _differences(engine)
    assert ("modify_type", "orders", "revenue") in differences
    assert ("modify_nullable", "orders", "revenue") in differences
    assert ("add_index", "ad_spend", "ix_ad_spend_date") in differences
    assert {d[1] for d in differences} == {"orders", "ad_spend"}  # nothing else is reported


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
