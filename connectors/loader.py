"""The one load path every connector uses: atomic, idempotent, logged.

``load(engine, kind, frame, source=...)`` takes rows in the canonical shape of
``connectors.datasets`` (already typed), and in ONE transaction: takes the load
lock, removes the demo shop's data if this is the owner's first own load into it
(``connectors.demo_data``), upserts by natural key (counting inserted / updated /
unchanged), keeps the orders rollup right, and writes the sync-log row. Anything
failing rolls the whole load back (the demo included) and records the failure in
the sync log.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy import Float as FloatType
from sqlalchemy.exc import IntegrityError, OperationalError

from connectors import customers as customer_table
from connectors.datasets import DATASETS, KINDS, NO_CAMPAIGN, PLATFORM_CHANNELS, UNATTRIBUTED
from connectors.demo_data import DEMO_SOURCE, clear_before_own_load
from connectors.tabular import release_memory
from warehouse import schema
from warehouse.temp_tables import analyze, temp_table

CHUNK = 5000


class LoadBusy(RuntimeError):
    """Another load holds the warehouse; try again when it finishes."""


@dataclass
class LoadResult:
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    demo_removed: dict[str, int] = field(default_factory=dict)  # {table: rows} of the demo removed first

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _python(value):
    """A value as the database driver wants it (no numpy/pandas scalars, None for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def warehouse_rows(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical rows -> table rows: defaults for optional columns and derived columns."""
    rows = frame.copy()
    if kind == "orders":
        rows["refunded"] = rows["refunded"].fillna(0.0) if "refunded" in rows else 0.0
        for col, default in (("channel", UNATTRIBUTED), ("campaign", NO_CAMPAIGN)):
            rows[col] = rows[col].fillna(default).replace("", default) if col in rows else default
        rows["ordered_at"] = pd.to_datetime(rows["ordered_at"]).dt.floor("s")
        rows["order_date"] = rows["ordered_at"].dt.date
        rows["is_first_order"] = False
        returning = rows.get("customer_type")
        rows["returning_customer"] = (returning == "returning") if returning is not None else False
        rows["ga4_attributed"] = False
    elif kind == "ad_spend":
        derived = rows["platform"].str.lower().map(PLATFORM_CHANNELS).fillna(UNATTRIBUTED)
        rows["channel"] = rows["channel"].replace("", None).fillna(derived) if "channel" in rows else derived
    elif kind == "tickets":
        rows["opened_at"] = pd.to_datetime(rows["opened_at"]).dt.floor("s")
        first = pd.to_datetime(rows["first_response_at"]).dt.floor("s") if "first_response_at" in rows else pd.NaT
        rows["first_response_at"] = first
        rows["opened_date"] = rows["opened_at"].dt.date
        rows["first_response_minutes"] = (rows["first_response_at"] - rows["opened_at"]).dt.total_seconds() / 60
    elif kind == "web":
        for col in ("source_medium", "campaign"):
            rows[col] = rows[col].fillna(NO_CAMPAIGN).replace("", NO_CAMPAIGN) if col in rows else NO_CAMPAIGN
    elif kind == "feedback" and "channel" not in rows:
        rows["channel"] = None
    table = schema.metadata.tables[DATASETS[kind].table]
    return rows[[c.name for c in table.columns if c.name in rows.columns]]


def _column_values(series: pd.Series) -> list:
    """One column as plain Python values (None for missing), vectorised: no per-value Python calls."""
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[us]").astype(object)  # datetime.datetime, NaT -> None
    else:
        values = series.astype(object).to_numpy()
    missing = pd.isna(series).to_numpy()
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values.tolist()


def _records(frame: pd.DataFrame) -> list[dict]:
    columns = list(frame.columns)
    lists = [_column_values(frame[c]) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*lists)]


def _key_clause(table, key: tuple[str, ...], keys: list[tuple]):
    if len(key) == 1:
        return table.c[key[0]].in_([k[0] for k in keys])
    return tuple_(*[table.c[k] for k in key]).in_(keys)


def _normalise(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, float):
        return round(value, 6)
    return value


def upsert(conn: Connection, table, records: list[dict], key: tuple[str, ...],
           compare_skip: Iterable[str] = (), always_set: Iterable[str] = ()
           ) -> tuple[int, int, int, list[dict], list[dict]]:
    """Insert new rows, update changed ones, leave identical ones alone.

    ``compare_skip`` columns do not make a row count as changed; ``always_set`` columns among them are
    still written when a row changes (e.g. ``updated_at``).
    Returns (inserted, updated, unchanged, rows written, previous rows of updated keys).
    """
    inserted = updated = unchanged = 0
    previous: list[dict] = []
    written: list[dict] = []
    skip = set(compare_skip)
    columns = [c for c in records[0]] if records else []
    value_columns = [c for c in columns if c not in key and c not in skip]
    set_columns = value_columns + [c for c in always_set if c in columns]
    for chunk in _chunks(records):
        keys = [tuple(r[k] for k in key) for r in chunk]
        existing = {
            tuple(row[k] for k in key): row
            for row in conn.execute(select(table).where(_key_clause(table, key, keys))).mappings()
        }
        new, changed = [], []
        for record, k in zip(chunk, keys):
            old = existing.get(k)
            if old is None:
                new.append(record)
            elif any(_normalise(old[c]) != _normalise(record[c]) for c in value_columns):
                changed.append(record)
                previous.append(dict(old))
            else:
                unchanged += 1
        written += new + changed
        if new:
            conn.execute(insert(table), new)
            inserted += len(new)
        if changed:
            stmt = (
                update(table)
                .where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in key]))
                .values({c: bindparam(f"v_{c}") for c in set_columns})
            )
            conn.execute(stmt, [
                {**{f"k_{k}": r[k] for k in key}, **{f"v_{c}": r[c] for c in set_columns}} for r in changed
            ])
            updated += len(changed)
    return inserted, updated, unchanged, written, previous


def refresh_orders_rollup(conn: Connection, customers: set, extra_dates: set) -> None:
    """Recompute first-order flags for ``customers`` and the daily rollup of every date they touch."""
    o = schema.orders
    dates = set(extra_dates)
    for chunk in _chunks(sorted(customers)):
        rank = func.row_number().over(partition_by=o.c.customer_id, order_by=(o.c.ordered_at, o.c.order_id))
        ranked = select(o.c.order_id, rank.label("rn")).where(o.c.customer_id.in_(chunk)).subquery()
        firsts = select(ranked.c.order_id).where(ranked.c.rn == 1)
        conn.execute(update(o).where(o.c.customer_id.in_(chunk)).values(is_first_order=o.c.order_id.in_(firsts)))
        dates.update(d for (d,) in conn.execute(select(o.c.order_date).where(o.c.customer_id.in_(chunk)).distinct()))
    for chunk in _chunks(sorted(dates), 500):
        _rebuild_rollup(conn, chunk)


def _rebuild_rollup(conn: Connection, dates) -> None:
    """Replace the daily rollup rows of ``dates`` (a list of dates or a one-column select; None: every date,
    the rollup already emptied) from the orders."""
    o, daily = schema.orders, schema.orders_daily
    first = case((and_(o.c.is_first_order, ~o.c.returning_customer), 1), else_=0)
    if dates is not None:
        conn.execute(delete(daily).where(daily.c.date.in_(dates)))
    conn.execute(
        insert(daily).from_select(
            ["date", "channel", "campaign", "orders", "revenue", "refunded", "new_customers", "repeat_orders",
             "new_customer_revenue"],
            select(
                o.c.order_date, o.c.channel, o.c.campaign, func.count(),
                func.sum(o.c.revenue - o.c.refunded), func.sum(o.c.refunded),
                func.sum(first), func.sum(1 - first), func.sum(first * (o.c.revenue - o.c.refunded)),
            )
            .where(o.c.order_date.in_(dates) if dates is not None else literal(True))
            .group_by(o.c.order_date, o.c.channel, o.c.campaign),
        )
    )


def _batches(first: list[dict], more: Iterable[list[dict]]) -> Iterator[list[dict]]:
    yield first
    yield from more


def _differs(old, new, is_float: bool):
    """SQL: the stored value differs from the loaded one (NULL-safe; floats to 6 decimals, like _normalise)."""
    if is_float:
        return or_(
            and_(old.is_(None), new.is_not(None)),
            and_(old.is_not(None), new.is_(None)),
            func.abs(old - new) > 5e-7,
        )
    return old.is_distinct_from(new)


def _stage_rows(conn: Connection, stage: Table, batch: list[dict]) -> None:
    """Bulk-write records into the staging table: COPY on PostgreSQL (psycopg), else the driver's
    executemany with each column's SQLAlchemy bind conversion (no per-row statement compilation)."""
    columns = [c for c in batch[0] if c in stage.c]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        names = ", ".join(f'"{c}"' for c in columns)
        with conn.connection.driver_connection.cursor().copy(f"COPY {stage.name} ({names}) FROM STDIN") as copy:
            for record in batch:
                copy.write_row([record[c] for c in columns])
        return
    if conn.dialect.paramstyle != "qmark":
        conn.execute(insert(stage), batch)
        return
    processors = [stage.c[c].type._cached_bind_processor(conn.dialect) for c in columns]
    values = []
    for c, process in zip(columns, processors):
        raw = [record[c] for record in batch]
        values.append([None if v is None else process(v) for v in raw] if process else raw)
    conn.exec_driver_sql(f"INSERT INTO {stage.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         list(zip(*values)))


def create_stage(conn: Connection, table: Table, columns: Iterable[str], extra: Iterable[Column] = ()) -> Table:
    """The session's empty staging table ``_stage``: ``columns`` of ``table`` (same types), ``extra`` columns
    (e.g. a file's line numbers) and ``_status`` ('new' until :func:`classify_stage`). No index and no
    constraint: rows go in as fast as the driver takes them."""
    stage = temp_table("_stage", *[Column(c, table.c[c].type) for c in columns], *extra,
                        Column("_status", String(8), server_default="new"))
    conn.execute(text("DROP TABLE IF EXISTS _stage"))
    stage.create(conn)
    return stage


def classify_stage(conn: Connection, table: Table, stage: Table, key: tuple[str, ...], compare_skip: Iterable[str] = (),
                   before_classify: Callable[[Connection, Table], None] | None = None) -> tuple[int, int, int]:
    """Mark each staged row new / changed / same against ``table`` by natural key; (new, changed, same).

    Only staged rows whose key is in the table are rewritten (into 'changed' or 'same'); into an empty table
    every row stays 'new' without a statement."""
    analyze(conn, stage)
    if before_classify is not None:
        before_classify(conn, stage)
    skip = set(compare_skip)
    columns = [c.name for c in stage.columns if not c.name.startswith("_")]
    if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is None:
        return conn.execute(select(func.count()).select_from(stage)).scalar(), 0, 0
    match = and_(*[table.c[k] == stage.c[k] for k in key])
    value_columns = [c for c in columns if c not in key and c not in skip]
    differ = or_(*[_differs(table.c[c], stage.c[c], isinstance(table.c[c].type, FloatType))
                   for c in value_columns]) if value_columns else literal(False)
    exists = select(literal(1)).select_from(table).where(match).exists()
    changed = select(literal(1)).select_from(table).where(match, differ).exists()
    conn.execute(update(stage).where(exists).values(_status=case((changed, "changed"), else_="same")))
    counts = dict(conn.execute(select(stage.c._status, func.count()).group_by(stage.c._status)).all())
    return counts.get("new", 0), counts.get("changed", 0), counts.get("same", 0)


TEMP_CACHE_KIB = -16384  # PRAGMA temp.cache_size during a file load (16 MiB for the stage)
SQLITE_BATCH = 20_000  # rows converted to Python values at a time
ROWS_PER_INSERT = 20  # rows per SQLite INSERT statement (multi-row VALUES: far fewer statement steps)


class DailySums:
    """The orders' daily rollup (date × channel × campaign: orders, revenue net of refunds, refunds) summed chunk
    by chunk while a file is staged, so a first load need not sort the whole table for it (new customers and
    repeat orders still come from the first-order flags, set later in SQL). Compact: numbers only (days, and
    channel and campaign as ids into one list of names), about 40 bytes a group; the chunks' partial sums are
    merged whenever they pass ``MERGE_ROWS``."""

    MERGE_ROWS = 1_000_000  # ~40 MB of partial sums; merging them costs a few times that for a moment
    KEY = ["date", "channel", "campaign"]

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.rows = 0
        self.names: dict[str, int] = {}  # channel and campaign names -> ids
        self.usable = True  # False: the stage was changed after the rows were summed (e.g. repeats dropped)

    def _ids(self, values: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(values)
        ids = np.array([self.names.setdefault(str(u), len(self.names)) for u in uniques], dtype=np.int32)
        return ids[codes]

    def add(self, rows: pd.DataFrame) -> None:
        """Sum a chunk of warehouse rows (:func:`warehouse_rows`) as they are staged."""
        if rows.empty:
            return
        days = rows["ordered_at"].to_numpy(dtype="datetime64[s]").astype("datetime64[D]").astype(np.int32)
        refunded = rows["refunded"].to_numpy(dtype="float64")
        frame = pd.DataFrame({"date": days, "channel": self._ids(rows["channel"]),
                              "campaign": self._ids(rows["campaign"]), "orders": np.ones(len(rows), np.int64),
                              "revenue": rows["revenue"].to_numpy(dtype="float64") - refunded, "refunded": refunded})
        self._keep(frame.groupby(self.KEY, sort=False).sum().reset_index())

    def _keep(self, part: pd.DataFrame) -> None:
        self.parts.append(part)
        self.rows += len(part)
        if self.rows > self.MERGE_ROWS and len(self.parts) > 1:
            self.parts = [self._merged()]
            self.rows = len(self.parts[0])

    def _merged(self) -> pd.DataFrame:
        if len(self.parts) == 1:
            return self.parts[0]
        return pd.concat(self.parts, ignore_index=True).groupby(self.KEY, sort=False).sum().reset_index()

    def total(self) -> pd.DataFrame:
        """(date, channel, campaign, orders, revenue, refunded) of every row summed, one row per group."""
        if not self.parts:
            return pd.DataFrame(columns=[*self.KEY, "orders", "revenue", "refunded"])
        whole = self._merged()
        names = np.array(list(self.names), dtype=object)
        return whole.assign(date=whole["date"].to_numpy().astype("datetime64[D]").astype("datetime64[s]"),
                            channel=names[whole["channel"].to_numpy()], campaign=names[whole["campaign"].to_numpy()])


def stage_frame(conn: Connection, stage: Table, frame: pd.DataFrame) -> None:
    """Bulk-write typed warehouse rows (columns named like the stage's) into the stage, column-wise.

    PostgreSQL (psycopg): Arrow writes the chunk as CSV, which goes in with one COPY. SQLite: each column is
    converted at once to what SQLAlchemy would store (dates and times as ISO text, booleans as 0/1) and
    the rows go in through the driver's executemany, ``ROWS_PER_INSERT`` rows per statement. Other drivers:
    as records through :func:`_stage_rows`.
    """
    if frame.empty:
        return
    columns = [c for c in frame.columns if c in stage.c]
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_frame(conn, stage, frame[columns])
    elif conn.dialect.name == "sqlite" and conn.dialect.driver == "pysqlite":
        _sqlite_insert(conn, stage, frame, columns)
    else:
        _stage_rows(conn, stage, _records(frame[columns]))


def _copy_frame(conn: Connection, stage: Table, frame: pd.DataFrame) -> None:
    data = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = pa.BufferOutputStream()
    pcsv.write_csv(data, buffer, pcsv.WriteOptions(include_header=False))
    names = ", ".join(f'"{c}"' for c in frame.columns)
    with conn.connection.driver_connection.cursor().copy(f"COPY {stage.name} ({names}) FROM STDIN (FORMAT csv)") \
            as copy:
        copy.write(buffer.getvalue().to_pybytes())


def _sqlite_column(series: pd.Series, kind) -> list:
    """One column as the values SQLite stores for its SQLAlchemy type (None for missing), vectorised: dates and
    times as the ISO text SQLAlchemy writes (Arrow casts), booleans as 0/1."""
    if isinstance(kind, (DateTime, Date)):
        if pd.api.types.is_datetime64_any_dtype(series):
            values = pa.array(series.astype("datetime64[us]"))
        else:
            try:
                values = pa.array(series, type=None if isinstance(kind, DateTime) else pa.date32())
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                values = pa.array(pd.to_datetime(series).astype("datetime64[us]"))
        if not isinstance(kind, DateTime) and values.type != pa.date32():
            values = values.cast(pa.date32())
        return values.cast(pa.string()).to_pylist()
    missing = pd.isna(series).to_numpy()
    if isinstance(kind, Boolean):
        values = series.fillna(False).astype(bool).astype(int).astype(object).to_numpy()
    elif pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        values = series.astype(object).to_numpy()
    else:
        values = series.to_numpy(dtype=object)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values.tolist()


def _sqlite_insert(conn: Connection, stage: Table, frame: pd.DataFrame, columns: list[str]) -> None:
    width = len(columns)
    row = "(" + ", ".join("?" * width) + ")"
    head = f"INSERT INTO {stage.name} ({', '.join(columns)}) VALUES "
    many = head + ", ".join([row] * ROWS_PER_INSERT)
    cursor = conn.connection.driver_connection.cursor()
    try:
        for start in range(0, len(frame), SQLITE_BATCH):  # a slice at a time: few Python objects alive at once
            part = frame.iloc[start:start + SQLITE_BATCH]
            n = len(part)
            flat: list = [None] * (n * width)
            for j, c in enumerate(columns):
                flat[j::width] = _sqlite_column(part[c], stage.c[c].type)
            step = ROWS_PER_INSERT * width
            whole = n // ROWS_PER_INSERT * step
            if whole:
                cursor.executemany(many, [tuple(flat[i:i + step]) for i in range(0, whole, step)])
            if whole < len(flat):
                cursor.executemany(head + row, [tuple(flat[i:i + width]) for i in range(whole, len(flat), width)])
    finally:
        cursor.close()


def staged_upsert(conn: Connection, table: Table, records: list[dict], key: tuple[str, ...],
                  compare_skip: Iterable[str] = (), more: Iterable[list[dict]] = (),
                  before_classify: Callable[[Connection, Table], None] | None = None) -> tuple[int, int, int, Table]:
    """Set-based upsert: rows go to a staging table, then SQL classifies and applies them.

    ``more``: further batches of records with the same columns (e.g. the chunks of a large file), staged too.
    ``before_classify(conn, stage)``: runs once every row is staged, before rows are compared with the table
    (e.g. orders take their channel from GA4 purchases there, so a re-import compares like with like).

    Returns (inserted, updated, unchanged, stage). Leaves the staging table ``_stage`` (with a ``_status`` column:
    new / changed / same) for the caller, who drops it with :func:`drop_stage`.
    Changed rows are replaced (delete + insert), so every column comes from the load.
    """
    columns = list(records[0]) if records else [c.name for c in table.columns]
    stage = create_stage(conn, table, columns)
    for batch in _batches(records, more):
        if batch:
            _stage_rows(conn, stage, batch)
    new, changed, same = classify_stage(conn, table, stage, key, compare_skip, before_classify)
    return new, changed, same, stage


def apply_stage(conn: Connection, table: Table, stage: Table, key: tuple[str, ...], updated: int = 1) -> None:
    """Replace changed rows and insert new ones from the stage (``updated``: how many rows changed)."""
    if updated:  # probe the table's unique index once per changed row, never scan the table
        changed = select(*[stage.c[k] for k in key]).where(stage.c._status == "changed")
        target = table.c[key[0]] if len(key) == 1 else tuple_(*[table.c[k] for k in key])
        conn.execute(delete(table).where(target.in_(changed)))
    columns = [c.name for c in stage.columns if not c.name.startswith("_")]
    rows = select(*[stage.c[c] for c in columns]).where(stage.c._status != "same")
    indexes = _secondary_indexes(conn, table) if not updated else []
    for index in indexes:  # a first load into an empty table: build each index once, after the rows are in
        index.drop(conn)
    conn.execute(insert(table).from_select(columns, rows))
    for index in indexes:
        index.create(conn)


def _secondary_indexes(conn: Connection, table: Table) -> list:
    """The table's indexes when dropping them for the load pays off: SQLite (whose readers keep reading the
    last committed state, indexes included) and an empty table. PostgreSQL keeps them: dropping one would
    make readers wait for the load."""
    if conn.dialect.name != "sqlite" or not table.indexes:
        return []
    if conn.execute(select(literal(1)).select_from(table).limit(1)).first() is not None:
        return []
    return sorted(table.indexes, key=lambda i: i.name)


def drop_stage(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS _stage"))


def refresh_orders_rollup_staged(conn: Connection, touched_customers: bool = True) -> None:
    """After an orders stage was classified (before it is applied): fix first-order flags and the rollup.

    Set-based: the customers and dates touched by the load go to temporary tables; first-order flags are
    recomputed (one window query) for the touched customers only, and only flags that change are written;
    the daily rollup is rebuilt for the touched dates only. A first load touches everything, which is then
    one full rebuild. ``touched_customers=False`` (a load that only inserts: :func:`flag_new_first_orders` sets the
    flags) leaves the touched-customers table empty.
    """
    o = schema.orders
    stage = temp_table("_stage", Column("order_id", o.c.order_id.type), Column("customer_id", o.c.customer_id.type),
                        Column("order_date", o.c.order_date.type), Column("_status", String(8)))
    customers = temp_table("_touched_customers", Column("customer_id", o.c.customer_id.type, primary_key=True))
    dates = temp_table("_touched_dates", Column("d", o.c.order_date.type, primary_key=True))
    flips = temp_table("_flipped_orders", Column("order_id", o.c.order_id.type, primary_key=True))
    for t in (customers, dates, flips):
        conn.execute(text(f"DROP TABLE IF EXISTS {t.name}"))
        t.create(conn)
    written = stage.c._status != "same"
    old = select(o.c.customer_id, o.c.order_date).join(stage, stage.c.order_id == o.c.order_id) \
        .where(stage.c._status == "changed")
    if touched_customers:
        conn.execute(insert(customers).from_select(
            ["customer_id"], select(stage.c.customer_id).where(written).union(select(old.subquery().c.customer_id))))
    conn.execute(insert(dates).from_select(
        ["d"], select(stage.c.order_date).where(written).union(select(old.subquery().c.order_date))))


def _earlier(a, b):
    """SQL: order ``a`` comes before order ``b`` (by time, then id), as the first-order ranking does."""
    return or_(a.c.ordered_at < b.c.ordered_at, and_(a.c.ordered_at == b.c.ordered_at, a.c.order_id < b.c.order_id))


def flag_new_first_orders(conn: Connection) -> None:
    """Inserts only (no changed rows): first-order flags without re-ranking the customers' history.

    Every customer already in the warehouse has exactly one flagged order (the loads keep it so). A new
    order is a customer's first iff it is the earliest of the customer's new orders and earlier than the
    flagged one; that flagged one is then unflagged and its date rebuilt. Reads only the stage and, per
    touched customer, that customer's orders through the (customer_id, ordered_at, order_id) index.
    """
    o = schema.orders
    stage = temp_table("_stage", *[Column(c.name, c.type) for c in o.columns], Column("_status", String(8)))
    dates = temp_table("_touched_dates", Column("d", o.c.order_date.type))
    cand = temp_table("_first_candidates", Column("customer_id", o.c.customer_id.type, primary_key=True),
                       Column("order_id", o.c.order_id.type), Column("ordered_at", o.c.ordered_at.type))
    old = temp_table("_old_firsts", Column("customer_id", o.c.customer_id.type, index=True),
                      Column("order_id", o.c.order_id.type), Column("ordered_at", o.c.ordered_at.type),
                      Column("order_date", o.c.order_date.type))
    for t in (cand, old):
        conn.execute(text(f"DROP TABLE IF EXISTS {t.name}"))
        t.create(conn)
    rank = func.row_number().over(partition_by=stage.c.customer_id, order_by=(stage.c.ordered_at, stage.c.order_id))
    ranked = select(stage.c.customer_id, stage.c.order_id, stage.c.ordered_at, rank.label("rn")) \
        .where(stage.c._status == "new").subquery()
    conn.execute(insert(cand).from_select(["customer_id", "order_id", "ordered_at"],
                                          select(ranked.c.customer_id, ranked.c.order_id, ranked.c.ordered_at)
                                          .where(ranked.c.rn == 1)))
    conn.execute(insert(old).from_select(
        ["customer_id", "order_id", "ordered_at", "order_date"],
        select(o.c.customer_id, o.c.order_id, o.c.ordered_at, o.c.order_date)
        .join(cand, cand.c.customer_id == o.c.customer_id).where(schema.FIRST_ORDER)))
    analyze(conn, cand, old)
    beaten = select(literal(1)).select_from(old).where(old.c.customer_id == cand.c.customer_id, _earlier(old, cand))
    winners = select(cand.c.order_id).where(~beaten.exists())
    conn.execute(update(stage).where(stage.c.order_id.in_(winners)).values(is_first_order=True))
    beats = select(literal(1)).select_from(cand).where(cand.c.customer_id == old.c.customer_id, _earlier(cand, old))
    demoted = select(old.c.order_id).where(beats.exists())
    conn.execute(insert(dates).from_select(
        ["d"], select(old.c.order_date).where(old.c.order_id.in_(demoted)).except_(select(dates.c.d))))
    conn.execute(update(o).where(o.c.order_id.in_(demoted)).values(is_first_order=False))
    for t in (cand, old):
        conn.execute(text(f"DROP TABLE IF EXISTS {t.name}"))


def finish_orders_rollup(conn: Connection, recompute_flags: bool = True) -> None:
    """After the stage was applied: recompute flags of touched customers (unless already set by
    :func:`flag_new_first_orders`), then rebuild the rollup of the touched dates."""
    o = schema.orders
    customers = temp_table("_touched_customers", Column("customer_id", o.c.customer_id.type))
    dates = temp_table("_touched_dates", Column("d", o.c.order_date.type))
    flips = temp_table("_flipped_orders", Column("order_id", o.c.order_id.type))
    analyze(conn, customers, dates)
    rank = func.row_number().over(partition_by=o.c.customer_id, order_by=(o.c.ordered_at, o.c.order_id))
    ranked = (select(o.c.order_id, o.c.is_first_order, rank.label("rn"))
              .where(o.c.customer_id.in_(select(customers.c.customer_id))).subquery())
    is_first = case((ranked.c.rn == 1, True), else_=False)
    if recompute_flags:
        conn.execute(insert(flips).from_select(
            ["order_id"], select(ranked.c.order_id).where(ranked.c.is_first_order != is_first)))
    conn.execute(insert(dates).from_select(
        ["d"], select(o.c.order_date).where(o.c.order_id.in_(select(flips.c.order_id)))
        .except_(select(dates.c.d))))
    conn.execute(update(o).where(o.c.order_id.in_(select(flips.c.order_id)))
                 .values(is_first_order=~o.c.is_first_order))
    analyze(conn, dates)
    _rebuild_rollup(conn, select(dates.c.d))
    for t in (customers, dates, flips):
        conn.execute(text(f"DROP TABLE IF EXISTS {t.name}"))


def acquire_load_lock(conn: Connection, holder: str) -> None:
    """Serialise loads: the first write of every load transaction is this row."""
    try:
        conn.execute(update(schema.load_lock).where(schema.load_lock.c.id == 1)
                     .values(holder=holder[:200], since=datetime.now()))
    except OperationalError as exc:
        if "locked" in str(exc).lower() or "lock" in str(getattr(exc, "orig", "")).lower():
            raise LoadBusy(
                "Another import or sync is writing to the warehouse right now. "
                "Nothing was loaded; try again when it has finished."
            ) from exc
        raise


def run_kinds(source: str, text: str | None) -> tuple[str, ...]:
    """Which kinds a sync-log row is about: from its source (import:KIND, ga4:…, demo) or its 'KIND: …' text."""
    if source.startswith("import:") and source[7:] in DATASETS:
        return (source[7:],)
    if source == "ga4" or source.startswith("ga4:"):
        return ("web",)
    if source == DEMO_SOURCE:
        return KINDS
    prefix = (text or "").split(":", 1)[0].strip()
    return (prefix,) if prefix in DATASETS else ()


def record_run(conn: Connection, *, source: str, started_at: datetime, status: str, result: LoadResult | None = None,
               error: str | None = None, cursor: str | None = None, detail: str | None = None) -> int:
    """Write one sync-log row and return its id. Never give it credentials."""
    result = result or LoadResult(kind=source)
    row = conn.execute(
        insert(schema.sync_runs).values(
            source=source, started_at=started_at, finished_at=datetime.now(), status=status,
            rows_inserted=result.inserted, rows_updated=result.updated, rows_rejected=result.rejected,
            error=error, cursor=cursor, detail=detail,
        )
    )
    return int(row.inserted_primary_key[0])


def load(engine: Engine, kind: str, frame: pd.DataFrame | Iterable[pd.DataFrame], *, source: str,
         cursor: str | None = None, detail: str | None = None, rejected: int = 0,
         also: Callable[[Connection], None] | None = None,
         on_success: Callable[[Connection, LoadResult], None] | None = None) -> LoadResult:
    """Load canonical rows of ``kind`` atomically and idempotently; log the run.

    ``frame`` may also be an iterable of frames (the chunks of a large file): all go into the one transaction.
    ``also(conn)``: more writes in the same transaction, after the rows are applied (e.g. the GA4 sync's
    purchases by transaction id and the orders they attribute).
    ``on_success(conn, result)``: last in the same transaction, with the counts (the audit trail's record).
    Orders without a channel take it from GA4's purchases as they are staged (:mod:`connectors.attribution`).
    """
    dataset = DATASETS[kind]
    table = schema.metadata.tables[dataset.table]
    started = datetime.now()
    result = LoadResult(kind=kind, rejected=rejected)
    try:
        parts = iter([frame] if isinstance(frame, pd.DataFrame) else frame)
        first = next(parts, None)
        records = _records(warehouse_rows(kind, first)) if first is not None else []
        more = (_records(warehouse_rows(kind, part)) for part in parts)
        with engine.begin() as conn:
            acquire_load_lock(conn, f"{source}:{kind}@{socket.gethostname()}")
            result.demo_removed = clear_before_own_load(conn, source)
            result.inserted, result.updated, result.unchanged, stage = staged_upsert(
                conn, table, records, dataset.key, compare_skip=("is_first_order",), more=more,
                before_classify=_staging_hook(kind),
            )
            del records
            _apply(conn, kind, table, stage, result)
            if also is not None:
                also(conn)
            result.run_id = record_run(conn, source=source, started_at=started, status="success", result=result,
                                       cursor=cursor, detail=detail or f"{kind}: {result.unchanged} unchanged")
            if on_success is not None:
                on_success(conn, result)
    except LoadBusy:
        raise
    except Exception as exc:
        with engine.begin() as conn:
            record_run(conn, source=source, started_at=started, status="failed", error=f"{kind}: {exc}"[:4000],
                       cursor=cursor)
        raise
    return result


def _apply(conn: Connection, kind: str, table: Table, stage: Table, result: LoadResult, drop: bool = True,
           daily: DailySums | None = None) -> None:
    """After classification: first-order flags and rollup (orders), the new and changed rows written, stage dropped
    (unless ``drop`` is False: the caller closes the connection, which removes its temporary tables at once).
    ``daily``: the staged rows' daily sums, if summed while staging (used by a first load)."""
    if kind == "orders" and result.inserted and not result.updated and _secondary_indexes(conn, table):
        _first_orders_load(conn, table, stage, daily)
        customer_table.rebuild_customers(conn)
    elif result.inserted or result.updated:
        if kind == "orders":
            incremental = customer_table.start_update(conn, _staged_customers(stage))
            refresh_orders_rollup_staged(conn, touched_customers=bool(result.updated))
            if not result.updated:
                flag_new_first_orders(conn)
        apply_stage(conn, table, stage, DATASETS[kind].key, result.updated)
        if kind == "orders":
            finish_orders_rollup(conn, recompute_flags=bool(result.updated))
            customer_table.finish_update(conn, incremental)
    if drop:
        drop_stage(conn)


def _staged_customers(stage: Table) -> Select:
    """SQL: the customers an orders stage touches: of its new and changed rows, and of the changed rows' current
    versions (an order may move to another customer)."""
    o = schema.orders
    return select(stage.c.customer_id).where(stage.c._status != "same").union(
        select(o.c.customer_id).join(stage, stage.c.order_id == o.c.order_id).where(stage.c._status == "changed"))


def _first_orders_load(conn: Connection, table: Table, stage: Table, daily: DailySums | None = None) -> None:
    """The first orders into an empty table on SQLite: rows copied with no index to keep, then the customer
    index built once; each customer's first order read off that index in its order (no sort, no window),
    the other indexes built, and the rollup rebuilt whole (from ``daily``, the sums made while staging, when
    given: only the first orders are then grouped in SQL). Same flags as :func:`flag_new_first_orders`:
    the earliest order by time, then id (``ordered_at`` is fixed-width ISO text in SQLite)."""
    o = schema.orders
    indexes = _secondary_indexes(conn, table)
    for index in indexes:
        index.drop(conn)
    columns = [c.name for c in stage.columns if not c.name.startswith("_")]
    conn.execute(insert(table).from_select(columns, select(*[stage.c[c] for c in columns])
                                           .where(stage.c._status == "new")))
    by_customer = [i for i in indexes if [c.name for c in i.columns][:2] == ["customer_id", "ordered_at"]]
    for index in by_customer:
        index.create(conn)
    # min() over "time, id" text: SQLite takes the other (bare) columns, here rowid, from the row holding the min
    earliest = func.min(o.c.ordered_at.op("||")(func.char(31)).op("||")(o.c.order_id))
    firsts = select(literal_column("rowid").label("r"), earliest).select_from(o).group_by(o.c.customer_id).subquery()
    conn.execute(update(o).where(literal_column("rowid").in_(select(firsts.c.r))).values(is_first_order=True))
    conn.execute(delete(schema.orders_daily))
    if daily is not None:
        _rollup_from_sums(conn, daily)  # before the other indexes: the first orders are found by one table scan
    for index in indexes:
        if index not in by_customer:
            index.create(conn)
    if daily is None:
        _rebuild_rollup(conn, None)


def _rollup_from_sums(conn: Connection, daily: DailySums) -> None:
    """The whole rollup from the sums made while staging, with new customers (and so repeat orders) counted from
    the flagged first orders: the same rows as :func:`_rebuild_rollup` without sorting every order."""
    o, rollup = schema.orders, schema.orders_daily
    sums = temp_table("_daily_sums", Column("date", rollup.c.date.type), Column("channel", rollup.c.channel.type),
                       Column("campaign", rollup.c.campaign.type), Column("orders", BigInteger),
                       Column("revenue", FloatType), Column("refunded", FloatType))
    conn.execute(text(f"DROP TABLE IF EXISTS {sums.name}"))
    sums.create(conn)
    total = daily.total()
    daily.parts.clear()
    stage_frame(conn, sums, total)
    del total
    release_memory()
    new = (select(o.c.order_date, o.c.channel, o.c.campaign, func.count().label("n"),
                  func.sum(o.c.revenue - o.c.refunded).label("net"))
           .where(o.c.is_first_order == literal(True), o.c.returning_customer == literal(False))
           .group_by(o.c.order_date, o.c.channel, o.c.campaign).subquery())
    count = func.coalesce(new.c.n, 0)
    match = and_(new.c.order_date == sums.c.date, new.c.channel == sums.c.channel, new.c.campaign == sums.c.campaign)
    conn.execute(insert(rollup).from_select(
        ["date", "channel", "campaign", "orders", "revenue", "refunded", "new_customers", "repeat_orders",
         "new_customer_revenue"],
        select(sums.c.date, sums.c.channel, sums.c.campaign, sums.c.orders, sums.c.revenue, sums.c.refunded,
               count, sums.c.orders - count, func.coalesce(new.c.net, 0.0)).select_from(sums.outerjoin(new, match))
        .order_by(sums.c.date, sums.c.channel, sums.c.campaign)))
    conn.execute(text(f"DROP TABLE IF EXISTS {sums.name}"))


def _load_pragmas(conn: Connection) -> None:
    """SQLite, for one file load: a bigger cache for the session's temporary tables (the stage). The load's
    connection is closed afterwards (or on failure, by the pool's reset), never reused with it."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA temp.cache_size={TEMP_CACHE_KIB}")


Fill = Callable[[Connection, Table], tuple[int, str]]


def load_staged(engine: Engine, kind: str, fill: Fill, *, source: str, cursor: str | None = None,
                before_classify: Callable[[Connection, Table], None] | None = None,
                explain_conflict: Callable[[Connection, Table], None] | None = None,
                daily: DailySums | None = None,
                on_success: Callable[[Connection, LoadResult], None] | None = None) -> LoadResult:
    """Like :func:`load`, for rows the caller streams into the stage itself (a file, chunk by chunk).

    In ONE transaction: the load lock, the demo's removal, an empty stage with every column of the kind's
    table plus ``_line`` (the file's line of each row), then ``fill(conn, stage)``, which writes the rows
    (:func:`stage_frame`) and returns (rows rejected, sync-log detail). Raising in ``fill`` rolls everything
    back (the warehouse is as before) and logs the failure with the exception's ``rejected_rows``, if any.
    ``explain_conflict(conn, stage)``: on SQLite, when writing the rows breaks a unique key, it may raise a
    clearer error from the stage (the statement failed, the transaction goes on until it is rolled back).
    ``daily`` (orders): the staged rows' daily sums, which ``fill`` adds up while staging (:class:`DailySums`); a
    first load into an empty SQLite table builds the rollup from them unless ``before_classify`` changed rows.
    ``on_success(conn, result)``: last in the same transaction, with the counts (the audit trail's record).
    """
    table = schema.metadata.tables[DATASETS[kind].table]
    started = datetime.now()
    result = LoadResult(kind=kind)
    before_classify = before_classify or _staging_hook(kind)
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            database = conn.engine.url.database or ""
            on_disk = sqlite and database not in ("", ":memory:") and "memory" not in database
            try:
                with conn.begin():
                    acquire_load_lock(conn, f"{source}:{kind}@{socket.gethostname()}")
                    result.demo_removed = clear_before_own_load(conn, source)
                    _load_pragmas(conn)
                    stage = create_stage(conn, table, [c.name for c in table.columns], [Column("_line", BigInteger)])
                    result.rejected, detail = fill(conn, stage)
                    result.inserted, result.updated, result.unchanged = classify_stage(
                        conn, table, stage, DATASETS[kind].key, ("is_first_order",), before_classify)
                    sums = daily if daily is not None and daily.usable and not _hook_changed(
                        conn, before_classify) else None
                    try:
                        _apply(conn, kind, table, stage, result, drop=not on_disk, daily=sums)
                    except IntegrityError:
                        if explain_conflict is not None and sqlite:
                            explain_conflict(conn, stage)
                        raise
                    result.run_id = record_run(conn, source=source, started_at=started, status="success",
                                               result=result, cursor=cursor, detail=detail)
                    if on_success is not None:
                        on_success(conn, result)
            finally:
                if on_disk:  # closing the connection deletes its temporary file: no page-by-page DROP of the stage
                    conn.invalidate()
    except LoadBusy:
        raise
    except Exception as exc:
        with engine.begin() as conn:
            record_run(conn, source=source, started_at=started, status="failed", error=f"{kind}: {exc}"[:4000],
                       result=LoadResult(kind=kind, rejected=getattr(exc, "rejected_rows", 0)), cursor=cursor)
        raise
    return result


def _staging_hook(kind: str) -> Callable[[Connection, Table], None] | None:
    """What every load of ``kind`` does to its staged rows before they are compared: orders without a channel take
    it from GA4's purchases (:mod:`connectors.attribution`)."""
    if kind != "orders":
        return None
    from connectors.attribution import attribute_staged  # late: attribution rebuilds the rollup through here

    return attribute_staged


def _hook_changed(conn: Connection, before_classify: Callable[[Connection, Table], None] | None) -> bool:
    """Whether ``before_classify`` may have changed staged rows: GA4 attribution does only when GA4 holds purchases;
    any other hook is assumed to."""
    from connectors.attribution import GA4, attribute_staged

    if before_classify is None:
        return False
    if before_classify is not attribute_staged:
        return True
    return conn.execute(select(literal(1)).select_from(GA4).limit(1)).first() is not None


def record_failure(engine: Engine, source: str, started_at: datetime, error: str, rejected: int = 0) -> None:
    """Log a load that was refused before it started (e.g. a file with invalid rows)."""
    with engine.begin() as conn:
        record_run(conn, source=source, started_at=started_at, status="failed",
                   result=LoadResult(kind=source, rejected=rejected), error=error[:4000])


def covered_dates(engine: Engine, kind: str) -> tuple[date | None, date | None, int]:
    """(first date, last date, rows) of one kind in the warehouse."""
    table = schema.metadata.tables[DATASETS[kind].table]
    column = {"orders": "order_date", "tickets": "opened_date"}.get(kind, "date")
    with engine.connect() as conn:
        first, last, rows = conn.execute(
            select(func.min(table.c[column]), func.max(table.c[column]), func.count()).select_from(table)
        ).one()
    return first, last, int(rows)
