"""File imports of the funnel's cart steps: GA4's "Add to carts" and "Checkouts" columns in a report download,
and add_to_carts / checkouts in a plain web CSV. A file without them leaves them unknown (NULL), never 0."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.files import import_file
from connectors.tabular import FileImportError
from tests.actors import ADMIN
from tests.conftest import content_hash
from tests.test_formats_ga4_meta import GA4, GA4_PREAMBLE
from warehouse import schema


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _carts(engine) -> dict[tuple, tuple]:
    t = schema.web_traffic
    with engine.connect() as conn:
        return {(r.date, r.channel): (r.sessions, r.add_to_carts, r.checkouts)
                for r in conn.execute(select(t.c.date, t.c.channel, t.c.sessions, t.c.add_to_carts, t.c.checkouts))}


def test_a_ga4_download_with_add_to_carts_and_checkouts_loads_them(engine, tmp_path):
    # GA4's metric names as its report table shows them (Customize report → Metrics → Add to carts, Checkouts);
    # the rate "Add-to-cart rate"-like columns are not read. GA4 sorts by the first metric: rows in any order.
    path = _write(tmp_path, "traffic.csv", GA4_PREAMBLE
                  + "Session default channel group,Date,Sessions,Add to carts,Checkouts,Ecommerce purchases,"
                    "Purchase revenue\n"
                  + "Organic Search,20261109,\"1,200\",96,41,22,1716.5\n"
                  + "Paid Social,20261109,800,56,14,5,390\n"
                  + "Email,20261110,150,24,12,7,560\n")
    result = import_file(engine, None, path, actor=ADMIN)
    assert result.format == "GA4 report download" and result.inserted == 3
    assert _carts(engine) == {(date(2026, 11, 9), "Organic Search"): (1200, 96, 41),
                              (date(2026, 11, 9), "Paid Social"): (800, 56, 14),
                              (date(2026, 11, 10), "Email"): (150, 24, 12)}


def test_a_ga4_download_without_them_leaves_them_unknown_not_zero(engine):
    import_file(engine, None, GA4, actor=ADMIN)  # the example download has no Add to carts nor Checkouts column
    held = _carts(engine)
    assert len(held) == 42 and {(carts, checkouts) for _, carts, checkouts in held.values()} == {(None, None)}


def test_a_ga4_add_to_carts_cell_that_is_not_a_number_is_refused_naming_line_and_column(engine, tmp_path):
    path = _write(tmp_path, "traffic.csv", GA4_PREAMBLE
                  + "Session default channel group,Date,Sessions,Add to carts\n"
                  + "Direct,20261110,200,12\nOrganic Search,20261109,300,lots\n")
    before = content_hash(engine)
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, path, actor=ADMIN)
    message = str(err.value)
    # line 13: 10 preamble lines (# lines and the blank one), the header on line 11, the rows on 12 and 13
    assert "traffic.csv" in message and "line 13" in message and "Add to carts" in message and "lots" in message
    assert content_hash(engine) == before


def test_a_web_csv_with_add_to_carts_and_checkouts_columns_loads_them(engine, tmp_path):
    path = _write(tmp_path, "web.csv",
                  "date,channel,source_medium,campaign,sessions,add_to_carts,checkouts,purchases\n"
                  "2026-11-02,Organic Search,google / organic,(organic),\"1,820\",146,61,31\n"
                  "2026-11-02,Paid Social,facebook / paid_social,meta_prospecting,900,63,,4\n")
    assert import_file(engine, "web", path, actor=ADMIN).inserted == 2
    assert _carts(engine) == {(date(2026, 11, 2), "Organic Search"): (1820, 146, 61),
                              (date(2026, 11, 2), "Paid Social"): (900, 63, None)}  # an empty cell: unknown


def test_a_web_csv_without_them_leaves_them_null(engine):
    from tests.conftest import ROOT

    import_file(engine, "web", ROOT / "examples" / "web.csv", actor=ADMIN)  # the example has no cart columns
    held = _carts(engine)
    assert held and {(carts, checkouts) for _, carts, checkouts in held.values()} == {(None, None)}


def test_a_web_csv_with_a_fractional_add_to_carts_is_refused(engine, tmp_path):
    path = _write(tmp_path, "web.csv", "date,channel,sessions,add_to_carts\n2026-11-02,Direct,100,7.5\n")
    with pytest.raises(FileImportError, match=r"(?s)line 2.*add_to_carts"):
        import_file(engine, "web", path, actor=ADMIN)
    assert _carts(engine) == {}
