"""The one-pass file import: Arrow's CSV reader (short and long rows, UTF-16, line numbers), first-order flags
and the rollup of a first load into an empty table equal those of later loads, and --skip-invalid with repeated
keys. Runs on SQLite and, in CI's second run, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import delete, select

from connectors.files import FileImportError, import_file
from connectors.loader import DailySums
from tests.actors import ADMIN
from tests.conftest import content_hash
from warehouse import schema

HEADER = "order_id,ordered_at,customer_id,revenue,refunded,channel,campaign,customer_type\n"
# c1: O2 and O1 at the same minute: O1 is the first (ties go to the smaller id); O3 later is a repeat.
# c2: its first order O4 is on 3 Nov; O5 on 2 Nov comes in the second file and takes over.
# c3: 'returning' (the shop says it ordered before): flagged first, never a new customer.
FIRST = ("O2,2026-11-04 10:00,c1,20,0,Direct,(direct),\n"
         "O1,2026-11-04 10:00,c1,10,0,Direct,(direct),\n"
         "O3,2026-11-05 09:00,c1,30,5,Email,autumn,\n"
         "O4,2026-11-03 12:00,c2,40,0,Email,autumn,\n"
         "O6,2026-11-03 13:00,c3,50,0,Direct,(direct),returning\n")
SECOND = "O5,2026-11-02 08:00,c2,60,0,Direct,(direct),\n"


def _write(path, text: str, encoding: str = "utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def _flags(engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.orders.c.order_id, schema.orders.c.is_first_order)).all())


def _rollup(engine) -> set[tuple]:
    d = schema.orders_daily
    with engine.connect() as conn:
        rows = conn.execute(select(d.c.date, d.c.channel, d.c.campaign, d.c.orders, d.c.revenue, d.c.new_customers,
                                   d.c.repeat_orders)).all()
    return {(r[0], r[1], r[2], r[3], round(r[4], 6), r[5], r[6]) for r in rows}


def _empty_orders(engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(schema.orders))
        conn.execute(delete(schema.orders_daily))


# by hand, after both files: firsts O1 (c1), O5 (c2), O6 (c3, returning: not a new customer)
EXPECTED_FLAGS = {"O1": True, "O2": False, "O3": False, "O4": False, "O5": True, "O6": True}
EXPECTED_ROLLUP = {
    (date(2026, 11, 2), "Direct", "(direct)", 1, 60.0, 1, 0),  # O5: c2's first
    (date(2026, 11, 3), "Email", "autumn", 1, 40.0, 0, 1),  # O4: no longer c2's first
    (date(2026, 11, 3), "Direct", "(direct)", 1, 50.0, 0, 1),  # O6: returning
    (date(2026, 11, 4), "Direct", "(direct)", 2, 30.0, 1, 1),  # O1 first, O2 repeat: 10 + 20
    (date(2026, 11, 5), "Email", "autumn", 1, 25.0, 0, 1),  # O3: 30 - 5 refunded
}


def test_a_first_load_and_two_later_loads_flag_the_same_first_orders_and_rollup(engine, tmp_path):
    one = import_file(engine, "orders", _write(tmp_path / "all.csv", HEADER + FIRST + SECOND),
            actor=ADMIN)  # empty table
    assert one.inserted == 6
    assert _flags(engine) == EXPECTED_FLAGS and _rollup(engine) == EXPECTED_ROLLUP
    whole = content_hash(engine)

    _empty_orders(engine)
    import_file(engine, "orders", _write(tmp_path / "first.csv", HEADER + FIRST), actor=ADMIN)
    assert _flags(engine)["O4"] is True  # before the second file, O4 is c2's first
    import_file(engine, "orders", _write(tmp_path / "second.csv", HEADER + SECOND),
            actor=ADMIN)  # inserts into a full table
    assert _flags(engine) == EXPECTED_FLAGS and _rollup(engine) == EXPECTED_ROLLUP
    assert content_hash(engine) == whole


def test_a_first_load_sums_the_rollup_over_chunks_as_the_sql_rebuild_does(engine, tmp_path, monkeypatch):
    # one row per chunk: O2 and O1 (4 Nov, Direct) are summed in different chunks and merged (MERGE_ROWS 1:
    # the partial sums are merged after every chunk); the flags and the rollup are the hand-worked ones above
    monkeypatch.setattr(DailySums, "MERGE_ROWS", 1)
    import_file(engine, "orders", _write(tmp_path / "all.csv", HEADER + FIRST + SECOND), chunk_rows=1, actor=ADMIN)
    assert _flags(engine) == EXPECTED_FLAGS and _rollup(engine) == EXPECTED_ROLLUP


def test_a_first_load_that_drops_a_repeated_row_sums_only_the_rows_loaded(engine, tmp_path):
    rows = ("R1,2026-11-02 10:00,c1,10,0,Direct,(direct),\n"
            "R1,2026-11-02 11:00,c2,99,0,Direct,(direct),\n"  # repeated key: rejected, not in the rollup
            "R2,2026-11-02 12:00,c1,5,0,Direct,(direct),\n")
    result = import_file(engine, "orders", _write(tmp_path / "orders.csv", HEADER + rows), skip_invalid=True,
            actor=ADMIN)
    assert (result.inserted, result.rejected) == (2, 1)
    # R1 is c1's first order (new customer), R2 its repeat: 2 orders, 10 + 5 = 15
    assert _rollup(engine) == {(date(2026, 11, 2), "Direct", "(direct)", 2, 15.0, 1, 1)}


def test_a_short_row_is_padded_with_empty_cells_and_a_long_row_is_refused_with_its_line(engine, tmp_path):
    short = _write(tmp_path / "short.csv", HEADER + "A1,2026-11-02 10:00,c1,10\n" + "A2,2026-11-02 11:00,c2,12,1\n")
    result = import_file(engine, "orders", short, chunk_rows=1, actor=ADMIN)
    assert result.inserted == 2
    with engine.connect() as conn:
        refunded = dict(conn.execute(select(schema.orders.c.order_id, schema.orders.c.refunded)).all())
    assert refunded == {"A1": 0.0, "A2": 1.0}  # an omitted refund is none
    before = content_hash(engine)
    long = _write(tmp_path / "long.csv", HEADER + "A3,2026-11-02 10:00,c1,10,0,Direct,x,,extra\n")
    with pytest.raises(FileImportError, match="expected 8 fields in line 2, saw 9"):
        import_file(engine, "orders", long, actor=ADMIN)
    assert content_hash(engine) == before


def test_a_utf16_tab_separated_file_with_a_line_break_in_a_cell_names_the_editors_line(engine, tmp_path):
    text = ("sep=\t\nresponse_id\tdate\tkind\tscore\tchannel\n"
            "F1\t2026-11-02\tcsat\t5\t\"Email\nweekly\"\n\nF2\t2026-11-02\tnps\t11\t\n")
    path = tmp_path / "feedback.csv"
    path.write_bytes(text.encode("utf-16"))
    # line 1 sep=, 2 header, 3-4 F1 (a line break in its channel), 5 blank, 6 F2
    with pytest.raises(FileImportError, match="line 6, column “score”: “11”, expected a score from 0 to 10"):
        import_file(engine, "feedback", path, actor=ADMIN)


def test_skip_invalid_writes_bad_and_repeated_rows_in_line_order(engine, tmp_path):
    rows = ("B1,2026-11-02 10:00,c1,10,,,,\n" "B1,2026-11-02 11:00,c1,11,,,,\n"
            "B2,yesterday,c2,12,,,,\n" "B3,2026-11-02 12:00,c3,13,,,,\n")
    path = _write(tmp_path / "orders.csv", HEADER + rows)
    result = import_file(engine, "orders", path, skip_invalid=True, chunk_rows=2, actor=ADMIN)
    assert (result.inserted, result.rejected) == (2, 2)  # B1 (line 2) and B3 loaded
    rejected = pd.read_csv(tmp_path / "orders.rejected.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert rejected["line"].tolist() == ["3", "4"]
    assert rejected["problems"].tolist()[0] == "the same order_id is already on line 2"
    assert "expected a date and time" in rejected["problems"].tolist()[1]
    with engine.connect() as conn:
        assert conn.execute(select(schema.orders.c.revenue).where(schema.orders.c.order_id == "B1")).scalar() == 10


def test_more_than_fifty_repeated_keys_are_all_counted_and_the_first_fifty_listed(engine, tmp_path):
    # 200 rows over 70 order ids: D0..D69 on lines 2-71, then each again (D0..D59 a second time, D0..D69 ...)
    rows = "".join(f"D{i % 70},2026-11-02 10:00,c{i},10,,,,\n" for i in range(200))
    path = _write(tmp_path / "orders.csv", HEADER + rows)
    with pytest.raises(FileImportError) as err:
        import_file(engine, "orders", path, actor=ADMIN)  # into an empty table: on SQLite the insert finds the repeats
    message = str(err.value)
    assert "130 of 200 rows have problems" in message  # 200 - 70 first occurrences
    assert "line 72, column “order_id”: “D0”, expected each order_id only once (it is already on line 2)" in message
    assert len(err.value.problems) == 50 and "… and 80 more problems." in message
    result = import_file(engine, "orders", path, skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (70, 130)
