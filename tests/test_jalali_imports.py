"""Jalali (Persian calendar) dates in imported files (issue 14 §2), and numbers in Persian/Arabic-Indic digits.

A four-digit year below 1700 is Jalali. Every expected Gregorian day below is worked out by hand from two anchors:
1 Farvardin is Nowruz, the day of the March equinox when it falls before noon in Tehran, else the next day
(2026: the equinox is 20 March 14:46 UTC = 18:16 Tehran, so 1405/01/01 = 2026-03-21; 2025: 20 March 09:01 UTC =
12:31 Tehran, so 1404/01/01 = 2025-03-21 and 1403/12/30 = 2025-03-20, 1403 being a leap year in the official
table). Months 1–6 have 31 days, 7–11 30, Esfand 29 (30 in a leap year). So 1405/08/01 = 2026-03-21 + 6×31 + 30
= 216 days = 2026-10-23, and 1405/08/18 = 2026-11-09 (Monday of ISO week 46).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import select

from cli import main
from connectors.files import FileImportError, import_file
from connectors.values import parse_datetime, parse_number
from metrics.engine import compute
from tests.actors import ADMIN
from tests.conftest import ROOT, content_hash
from warehouse import schema

EXAMPLES = ROOT / "examples"
SOCIAL = "date,network,followers,impressions,engagements\n"
PERSIAN, ARABIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"), str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _social(path: Path, *dates: str) -> Path:
    path.write_text(SOCIAL + "".join(f"{d},instagram,{i + 1},10,1\n" for i, d in enumerate(dates)), encoding="utf-8")
    return path


def _social_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(schema.social.c.date, schema.social.c.followers)
                                               .order_by(schema.social.c.followers))]


def _orders(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.orders.c.order_id, schema.orders.c.ordered_at, schema.orders.c.revenue,
                                   schema.orders.c.refunded))
        return {r.order_id: (r.ordered_at, r.revenue, r.refunded) for r in rows}


def test_the_jalali_example_lands_on_the_right_days_of_week_46(engine, cli_url, capsys):
    assert main(["import", "orders", str(EXAMPLES / "orders_jalali.csv")]) == 0
    assert "10 rows: 10 new" in capsys.readouterr().out
    orders = _orders(engine)
    # 1405/08/18 = 2026-11-09 (module docstring); Aban has 30 days, so 1405/08/18..24 = 2026-11-09..15
    assert orders["SH-24051"] == (datetime(2026, 11, 9, 9, 12), 1_250_000, 0)  # ۱۴۰۵/۰۸/۱۸ ۰۹:۱۲:۰۰, ۱٬۲۵۰٬۰۰۰
    assert orders["SH-24055"] == (datetime(2026, 11, 11, 10, 15), 320_000, 320_000)  # ۱۴۰۵/۰۸/۲۰, refunded in full
    assert orders["SH-24057"][0] == datetime(2026, 11, 13, 8, 45)  # ۱۴۰۵/۰۸/۲۲: a Friday
    assert orders["SH-24059"] == (datetime(2026, 11, 14, 12, 10), 2_760_000, 260_000)
    assert orders["SH-24060"][0] == datetime(2026, 11, 15, 20, 55)  # ۱۴۰۵/۰۸/۲۴: Sunday, the end of W46
    values = compute(engine, ["sell.revenue", "sell.orders", "sell.new_customers"],
                     date(2026, 11, 9), date(2026, 11, 15)).set_index("kpi_id")["value"]
    # toman: 1,250,000 + 480,000 + 2,390,000 + 765,500 + 320,000 + 1,850,000 + 990,000 + 540,000 + 2,760,000
    # + 610,000 = 11,955,500, less refunds 320,000 + 260,000 = 11,375,500
    assert values["sell.revenue"] == pytest.approx(11_375_500)
    assert values["sell.orders"] == 10
    # 8 distinct customers (cust-301 and cust-302 order twice), 2 of them marked returning
    assert values["sell.new_customers"] == 6


@pytest.mark.parametrize("digits", ["latin", "persian", "arabic"])
@pytest.mark.parametrize("separator", ["/", "-"])
def test_every_digit_system_and_separator(engine, tmp_path, digits, separator):
    written = [f"1405{separator}01{separator}01", f"1405{separator}8{separator}18", f"1405{separator}02{separator}31",
               f"1405{separator}06{separator}31", f"1403{separator}12{separator}30"]
    table = {"latin": str.maketrans("", ""), "persian": PERSIAN, "arabic": ARABIC}[digits]
    import_file(engine, "social", _social(tmp_path / "social.csv", *(d.translate(table) for d in written)), actor=ADMIN)
    assert _social_rows(engine) == [
        (date(2026, 3, 21), 1),  # 1 Farvardin 1405 (module docstring)
        (date(2026, 11, 9), 2),  # one-digit month: 1405/8/18
        (date(2026, 5, 21), 3),  # 31 Ordibehesht (not a Gregorian date as 1405-02-31): 2026-03-21 + 31 + 30 days
        (date(2026, 9, 22), 4),  # 31 Shahrivar: 2026-03-21 + 6×31 − 1 = 185 days
        (date(2025, 3, 20), 5),  # 30 Esfand 1403: a leap year in the official table, the day before 1404/01/01
    ]


def test_timestamps_in_every_digit_system_keep_their_wall_clock_time(engine, tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,opened_at,first_response_at\n"
                    "T1,١٤٠٥/٠٨/٢٠ ١٤:٣٠:٠٠,١٤٠٥/٠٨/٢٠ ١٥:٠٥:٣٠\n"
                    "T2,۱۴۰۵-۰۸-۲۰T09:05,۱۴۰۵-۰۸-۲۱ ۰۰:۰۰\n"
                    "T3,1405/8/20 23:59:59.5+03:30,2026-11-12 08:00\n", encoding="utf-8")
    import_file(engine, "tickets", path, actor=ADMIN)
    with engine.connect() as conn:
        rows = {r.ticket_id: (r.opened_at, r.first_response_at) for r in conn.execute(select(schema.tickets))}
    # 1405/08/20 = 1405/08/18 + 2 = 2026-11-11; the offset is dropped as for Gregorian times (the shop's clock), and
    # the warehouse keeps whole seconds (connectors.loader), as for Gregorian times
    assert rows == {"T1": (datetime(2026, 11, 11, 14, 30), datetime(2026, 11, 11, 15, 5, 30)),
                    "T2": (datetime(2026, 11, 11, 9, 5), datetime(2026, 11, 12)),
                    "T3": (datetime(2026, 11, 11, 23, 59, 59), datetime(2026, 11, 12, 8))}
    fractions = pd.Series(["1405/8/20 23:59:59.5+03:30", "۱۴۰۵/۰۸/۲۰ ۰۷:۰۸:۰۹.۰۱۲۳۴۵"], dtype="str")
    values, bad, _ = parse_datetime(fractions)
    assert not bad.any() and values.tolist() == [pd.Timestamp(2026, 11, 11, 23, 59, 59, 500000),
                                                 pd.Timestamp(2026, 11, 11, 7, 8, 9, 12345)]


def test_a_jalali_day_that_does_not_exist_names_file_line_and_column_and_changes_nothing(engine, tmp_path):
    import_file(engine, "orders", EXAMPLES / "orders_jalali.csv", actor=ADMIN)
    before = content_hash(engine)
    rows = [f"J{i},1405/08/{10 + i:02d} 10:00,c{i},100" for i in range(8)]
    rows[6] = "J6,۱۴۰۵/۱۲/۳۰ ۱۰:۰۰,c6,100"  # line 8 (the header is line 1); 1405 is a common year
    path = tmp_path / "aban.csv"
    path.write_text("order_id,ordered_at,customer_id,revenue\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "orders", path, chunk_rows=3, actor=ADMIN)  # the bad line is in the third chunk
    message = str(err.value)
    assert message.startswith("aban.csv was not imported (nothing was loaded): 1 of 8 rows have problems.")
    assert ("line 8, column “ordered_at”: “۱۴۰۵/۱۲/۳۰ ۱۰:۰۰”, expected a Jalali (Persian calendar) date that "
            "exists: Esfand 1405 (not a leap year) has 29 days") in message
    assert content_hash(engine) == before


def test_other_impossible_jalali_dates_say_what_was_expected(engine, tmp_path):
    path = _social(tmp_path / "social.csv", "1404/12/30", "1405/13/01", "1405/07/31", "1300/01/01", "1403/12/30")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "social", path, actor=ADMIN)
    message = str(err.value)
    # 1404 is common in the official table (the 2820-year rule makes 1404 leap and 1403 common: line 6 is valid)
    assert "line 2, column “date”: “1404/12/30”, expected a Jalali (Persian calendar) date that exists: " \
           "Esfand 1404 (not a leap year) has 29 days" in message
    assert "line 3, column “date”: “1405/13/01”, expected a Jalali (Persian calendar) date with a month from 1 " \
           "to 12" in message
    assert "line 4, column “date”: “1405/07/31”, expected a Jalali (Persian calendar) date that exists: " \
           "Mehr 1405 has 30 days" in message
    assert "line 5, column “date”: “1300/01/01”, expected a date from 1970-01-01 to 2100-12-31 (in the Jalali " \
           "calendar 1348/10/11 to 1479/10/10)" in message  # 1300/01/01 = 1921-03-21, before the warehouse's range
    assert "line 6" not in message and "4 of 5 rows have problems" in message
    with pytest.raises(FileImportError, match="line 2, column “opened_at”: “1405/08/20 24:00”, expected a time of "
                                              "day from 00:00:00 to 23:59:59"):
        path = tmp_path / "tickets.csv"
        path.write_text("ticket_id,opened_at\nT1,1405/08/20 24:00\n", encoding="utf-8")
        import_file(engine, "tickets", path, actor=ADMIN)


def test_skip_invalid_loads_the_real_jalali_days_and_writes_the_reason(engine, tmp_path):
    path = _social(tmp_path / "social.csv", "1405/08/18", "1405/12/30", "1405/12/29")
    result = import_file(engine, "social", path, skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (2, 1)
    # 1405/12/29 = the day before 1406/01/01; 1406 starts on 2027-03-21 (equinox 20 March 2027 20:25 UTC, after noon
    # in Tehran): 2027-03-20
    assert _social_rows(engine) == [(date(2026, 11, 9), 1), (date(2027, 3, 20), 3)]
    rejected = pd.read_csv(tmp_path / "social.rejected.csv", dtype=str, encoding="utf-8-sig")
    assert rejected["line"].tolist() == ["3"]
    assert "Esfand 1405 (not a leap year) has 29 days" in rejected["problems"].iloc[0]


def test_an_excel_sheet_with_jalali_dates_and_persian_numbers(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Order ID", "Order Date", "Customer", "Amount", "refunded"])
    sheet.append(["X1", "۱۴۰۵/۰۸/۱۸ ۱۰:۰۰", "c1", "۱٬۲۵۰٬۰۰۰", 0])  # text cells, as a Persian sheet holds them
    sheet.append(["X2", datetime(2026, 11, 10, 11, 0), "c2", 980000, "٣٠٬٠٠٠٫٥"])  # an Excel date, a number
    sheet.append(["X3", "1405-08-20", "c3", "۴۵۰٬۰۰۰", None])
    book.save(tmp_path / "orders.xlsx")
    import_file(engine, "orders", tmp_path / "orders.xlsx", actor=ADMIN)
    assert _orders(engine) == {"X1": (datetime(2026, 11, 9, 10), 1_250_000, 0),
                               "X2": (datetime(2026, 11, 10, 11), 980_000, 30_000.5),
                               "X3": (datetime(2026, 11, 11), 450_000, 0)}
    sheet.append(["X4", "۱۴۰۵/۱۲/۳۰", "c4", "1", None])
    book.save(tmp_path / "orders.xlsx")
    with pytest.raises(FileImportError, match="row 5, column “Order Date”: “۱۴۰۵/۱۲/۳۰”, expected a Jalali"):
        import_file(engine, "orders", tmp_path / "orders.xlsx", actor=ADMIN)


def test_an_all_gregorian_file_is_read_as_before(engine):
    text = pd.Series(["2026-11-02 09:15:00", "2026-11-03 18:05:00", ""], dtype="str")
    values, bad, jalali = parse_datetime(text)
    assert jalali is None and not bad.any()  # never looked at as Jalali
    assert values.tolist()[:2] == [pd.Timestamp(2026, 11, 2, 9, 15), pd.Timestamp(2026, 11, 3, 18, 5)]
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)
    orders = _orders(engine)
    assert orders["A-1001"] == (datetime(2026, 11, 2, 9, 15), 1250.0, 0.0)
    assert orders["A-1003"] == (datetime(2026, 11, 3, 18, 5), 45.5, 45.5)
    assert orders["A-1004"][0] == datetime(2026, 11, 4, 8)


def test_gregorian_and_jalali_dates_mixed_in_one_column(engine, tmp_path):
    path = _social(tmp_path / "social.csv", "2026-11-09", "۱۴۰۵/۰۸/۱۹", "20261111", "14050821", "١٤٠٥-٠٨-٢٢",
                   "2026/11/14", "1969-12-31")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "social", path, actor=ADMIN)
    # 1969 is Gregorian (not below 1700) and before the warehouse's range: the usual message, no Jalali one
    assert "line 8, column “date”: “1969-12-31”, expected a date as YYYY-MM-DD, e.g. 2026-01-31" in str(err.value)
    path.write_text(path.read_text(encoding="utf-8").replace("1969-12-31", "۲۰۲۶-۱۱-۱۵"), encoding="utf-8")
    import_file(engine, "social", path, actor=ADMIN)
    # 1405/08/19..22 = 2026-11-10..13 (1405/08/18 = 2026-11-09): one run of days whatever the calendar and digits
    assert [d for d, _ in _social_rows(engine)] == [date(2026, 11, d) for d in range(9, 16)]


@pytest.mark.parametrize(("written", "value"), [
    ("۱٬۲۳۴٫۵", 1234.5),  # Persian digits, ٬ groups, ٫ decimals
    ("١٢٬٣٤٥٫٦٧", 12345.67),  # Arabic-Indic
    ("۲٬۴۵۰٬۰۰۰", 2_450_000),  # toman, no decimals
    ("\u200f۱۲۳٫۵\u200f", 123.5),  # wrapped in right-to-left marks
    ("−۱۲", -12),  # the minus sign
    ("١,٢٣٤.٥", 1234.5),  # Arabic-Indic digits with Latin separators
])
def test_numbers_in_persian_and_arabic_indic_digits(written, value):
    values, bad = parse_number(pd.Series([written, "10"], dtype="str"))
    assert not bad.any() and values.tolist() == [pytest.approx(value), 10.0]


@pytest.mark.parametrize("written", ["۱٫۲۳۴٬۵", "۱۲٫۵٫۰", "١٢ تومان"])
def test_numbers_written_otherwise_are_refused(written):
    values, bad = parse_number(pd.Series([written], dtype="str"))
    assert bad.tolist() == [True] and values.isna().all()  # ٫ before ٬ is 1.234,5 the other way round: not guessed
