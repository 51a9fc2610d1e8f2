"""Alembic environment: the warehouse's metadata; the connection comes from warehouse.db (or KPI_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from warehouse import schema
from warehouse.db import make_engine

config = context.config
target_metadata = schema.metadata


def run_migrations_offline() -> None:
    from warehouse.db import database_url

    context.configure(url=config.get_main_option("sqlalchemy.url") or database_url(), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")  # given by warehouse.db.init_schema
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


def _run(connection) -> None:
    # render_as_batch: ALTER TABLE on SQLite is done by copying the table, transparently
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
