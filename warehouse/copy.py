"""Copy a whole warehouse to another database (e.g. the SQLite file to a PostgreSQL server).

``python cli.py copy-warehouse --to postgresql+psycopg://user@host/kpi`` copies every table of
``warehouse.schema`` in one transaction on the target: it is all copied or nothing is. On
PostgreSQL rows go in with COPY (hundreds of thousands of rows a second) and the id sequences
are moved past the copied ids, so the team can keep working on the server where it left off.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, func, insert, inspect, select, text

from warehouse import schema
from warehouse.db import init_schema, redacted

SKIP = {"load_lock"}  # created by init_schema on the target
CHUNK = 20_000


class CopyError(RuntimeError):
    """The copy cannot start (e.g. the target already holds data); nothing was written."""


def _count(conn, table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar())


def copy_warehouse(source: Engine, target: Engine, *, replace: bool = False,
                   progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every table from ``source`` to ``target``; returns rows copied per table.

    The target's schema is created (or migrated) first. A target that already holds rows is refused
    unless ``replace`` (its rows are then deleted, in the same transaction as the copy).
    """
    if str(source.url) == str(target.url):
        raise CopyError("The source and the target are the same database.")
    init_schema(target)
    source_tables = set(inspect(source).get_table_names())
    tables = [t for t in schema.metadata.sorted_tables if t.name not in SKIP]
    copied: dict[str, int] = {}
    with target.begin() as tconn, source.connect() as sconn:
        busy = [t.name for t in tables if _count(tconn, t)]
        if busy and not replace:
            raise CopyError(f"{redacted(str(target.url))} already holds data ({', '.join(busy)}). "
                            "Nothing was copied; use --replace to overwrite it.")
        for table in reversed(tables):
            tconn.execute(table.delete())
        for table in tables:
            if table.name not in source_tables:
                continue
            present = {c["name"] for c in inspect(source).get_columns(table.name)}
            columns = [c for c in table.columns if c.name in present]
            rows = sconn.execution_options(stream_results=True, yield_per=CHUNK).execute(select(*columns))
            n = 0
            for part in rows.partitions(CHUNK):
                _write(tconn, table, [c.name for c in columns], part)
                n += len(part)
            copied[table.name] = n
            if progress:
                progress(table.name, n)
        if tconn.dialect.name == "postgresql":
            for table in tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].autoincrement is True:
                    tconn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))
        for table in tables:
            if table.name in copied and _count(tconn, table) != copied[table.name]:
                raise CopyError(f"{table.name}: {copied[table.name]} rows read but {_count(tconn, table)} written")
    return copied


def _write(conn, table, names: list[str], rows) -> None:
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        cursor = conn.connection.driver_connection.cursor()
        columns = ", ".join(f'"{n}"' for n in names)
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(tuple(row))
        return
    conn.execute(insert(table), [dict(zip(names, row)) for row in rows])
