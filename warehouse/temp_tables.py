"""Session-local (temporary) tables that one load creates and drops inside its transaction."""

from __future__ import annotations

from sqlalchemy import Column, Connection, MetaData, Table, text


def temp_table(name: str, *columns: Column) -> Table:
    """A temporary table (session-local: other connections never see it)."""
    return Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])


def drop(conn: Connection, *tables: Table) -> None:
    for t in tables:
        conn.execute(text(f"DROP TABLE IF EXISTS {t.name}"))


def recreate(conn: Connection, *tables: Table) -> None:
    """Each table empty and new (one left by an earlier step of the same session is dropped first)."""
    for t in tables:
        drop(conn, t)
        t.create(conn)


def analyze(conn: Connection, *tables: Table) -> None:
    """Statistics for the planner on PostgreSQL, which never auto-analyses temporary tables."""
    if conn.dialect.name == "postgresql":
        for t in tables:
            conn.execute(text(f"ANALYZE {t.name}"))
