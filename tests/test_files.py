"""File imports: every kind's example, refusals that change nothing, --skip-invalid, re-imports, corrections,
aliases, BOM, Persian/Arabic-Indic digits, Excel, exact line numbers and files read in several chunks."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cli import main
from connectors.datasets import DATASETS, KINDS
from connectors.files import FileImportError, import_file, import_upload
from metrics.engine import compute
from tests.actors import ADMIN
from tests.conftest import ROOT, content_hash
from warehouse import schema

EXAMPLES = ROOT / "examples"

# kind -> (column, a bad value for the example's data row 2 (line 3), what the message expects)
BAD = {
    "orders": ("revenue", "12,5", "a number such as 1234.50"),
    "ad_spend": ("date", "03/11/2026", "a date as YYYY-MM-DD"),
    "email": ("delivered", "99999", "at most the number sent"),
    "social": ("followers", "-3", "a value of at least 0"),
    "feedback": ("score", "9", "a score from 1 to 5 for a CSAT response"),
    "tickets": ("opened_at", "yesterday", "a date and time as YYYY-MM-DD HH:MM:SS"),
    "web": ("sessions", "640.5", "a whole number"),
}
# kind -> (column, a corrected value for the example's data row 1)
CORRECTION = {
    "orders": ("revenue", "1300.00"), "ad_spend": ("cost", "350.00"), "email": ("unique_opens", "12000"),
    "social": ("engagements", "600"), "feedback": ("score", "4"), "tickets": ("first_response_at", "2026-11-02 09:30"),
    "web": ("purchase_revenue", "2500.00"),
}


def _example(kind: str) -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / f"{kind}.csv", dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def _last_run(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(schema.sync_runs).order_by(schema.sync_runs.c.id.desc())).mappings().first())


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.metadata.tables[table])).scalar()


@pytest.mark.parametrize("kind", KINDS)
def test_each_kinds_example_imports_and_a_reimport_changes_nothing(engine, kind):
    first = import_file(engine, kind, EXAMPLES / f"{kind}.csv", actor=ADMIN)
    assert first.inserted == first.rows == len(_example(kind)) and first.rejected == 0
    assert _count(engine, DATASETS[kind].table) == first.rows
    before = content_hash(engine)
    again = import_file(engine, kind, EXAMPLES / f"{kind}.csv", actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.rows)
    assert content_hash(engine) == before
    assert _last_run(engine)["source"] == f"import:{kind}" and _last_run(engine)["status"] == "success"


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_with_a_bad_row_is_refused_whole_and_changes_nothing(engine, tmp_path, kind):
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)
    before = content_hash(engine)
    column, value, expected = BAD[kind]
    frame = _example(kind)
    frame.loc[1, column] = value
    with pytest.raises(FileImportError) as err:
        import_file(engine, kind, _write(frame, tmp_path / f"{kind}_bad.csv"), actor=ADMIN)
    message = str(err.value)
    assert f"{kind}_bad.csv was not imported (nothing was loaded): 1 of {len(frame)} rows have problems" in message
    assert f"line 3, column “{column}”: “{value}”, expected {expected}" in message
    assert content_hash(engine) == before
    run = _last_run(engine)
    assert (run["status"], run["rows_rejected"], run["rows_inserted"]) == ("failed", 1, 0)
    assert "line 3" in run["error"] and run["source"] == f"import:{kind}"


@pytest.mark.parametrize("kind", KINDS)
def test_skip_invalid_loads_the_valid_rows_and_writes_the_rejected_ones_next_to_the_file(engine, tmp_path, kind):
    column, value, expected = BAD[kind]
    frame = _example(kind)
    frame.loc[1, column] = value
    result = import_file(engine, kind, _write(frame, tmp_path / f"{kind}.csv"), skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (len(frame) - 1, 1)
    assert _count(engine, DATASETS[kind].table) == len(frame) - 1
    rejected = pd.read_csv(tmp_path / f"{kind}.rejected.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert rejected["line"].tolist() == ["3"] and rejected[column].tolist() == [value]
    assert expected in rejected["problems"].iloc[0]
    assert _last_run(engine)["rows_rejected"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_corrected_file_updates_the_rows_it_names(engine, tmp_path, kind):
    import_file(engine, kind, EXAMPLES / f"{kind}.csv", actor=ADMIN)
    column, value = CORRECTION[kind]
    frame = _example(kind)
    frame.loc[0, column] = value
    result = import_file(engine, kind, _write(frame, tmp_path / f"{kind}.csv"), actor=ADMIN)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, len(frame) - 1)


def test_the_examples_change_the_kpis(engine):
    for kind in KINDS:
        import_file(engine, kind, EXAMPLES / f"{kind}.csv", actor=ADMIN)
    values = compute(engine, ["sell.revenue", "save.marketing_cost", "serve.first_response_minutes"],
                     date(2026, 11, 2), date(2026, 11, 8)).set_index("kpi_id")["value"]
    assert values["sell.revenue"] == pytest.approx(1250 + 89.90 + 45.50 - 45.50 + 120)
    assert values["save.marketing_cost"] == pytest.approx(342.10 + 280 + 465.75)
    assert values["serve.first_response_minutes"] == pytest.approx((42 + 110) / 2)


def test_aliases_a_bom_persian_digits_and_persian_text(engine):
    result = import_file(engine, "orders", EXAMPLES / "orders_fa.csv",
            actor=ADMIN)  # BOM, 'Order ID', 'Amount', ۱٬۲۵۰٫۵۰
    assert result.inserted == 2
    with engine.connect() as conn:
        rows = {r.order_id: r for r in conn.execute(select(schema.orders))}
    assert rows["ف-۲۰۱"].revenue == pytest.approx(1250.50)
    assert rows["ف-۲۰۱"].campaign == "کمپین_پاییز" and rows["ف-۲۰۱"].customer_id == "مشتری-۱"
    assert rows["ف-۲۰۱"].ordered_at == datetime(2026, 11, 2, 9, 15)
    assert rows["ف-۲۰۲"].refunded == 0.0 and rows["ف-۲۰۲"].revenue == 890.0


def test_ad_platform_and_ga4_export_column_names_are_recognised(engine, tmp_path):
    ads = tmp_path / "meta_export.csv"
    ads.write_text("Day,Ad Platform,Campaign Name,Impr.,Link clicks,Amount spent\n"
                   "2026-11-02,meta,autumn,\"1,200\",30,\"$1,045.10\"\n", encoding="utf-8")
    assert import_file(engine, "ad_spend", ads, actor=ADMIN).inserted == 1
    web = tmp_path / "ga4_export.csv"
    web.write_text("Date,Session default channel group,Session source / medium,Session campaign,Sessions,"
                   "Engaged sessions,New users,Views,User engagement duration,Key events,Ecommerce purchases,"
                   "Purchase revenue,Bounce rate\n"
                   "20261102,Direct,(direct) / (none),(direct),10,7,5,30,600,1,1,50,0.3\n", encoding="utf-8")
    result = import_file(engine, "web", web, actor=ADMIN)
    # GA4's labels with Date make it a GA4 report download (connectors/formats/ga4_download.py): rates are not read
    assert result.inserted == 1 and result.format == "GA4 report download" and result.warnings == []
    with engine.connect() as conn:
        spend = conn.execute(select(schema.ad_spend)).one()
        traffic = conn.execute(select(schema.web_traffic)).one()
    assert (spend.channel, spend.impressions, spend.cost) == ("Paid Social", 1200, 1045.10)  # channel from platform
    assert (traffic.date, traffic.source_medium, traffic.page_views) == (date(2026, 11, 2), "(direct) / (none)", 30)


def test_a_bom_before_the_first_column_name_and_arabic_indic_digits(engine, tmp_path):
    path = tmp_path / "social.csv"
    path.write_bytes("date,network,followers,impressions,engagements\n"
                     "٢٠٢٦-١١-٠٢,اینستاگرام,\"١٢٬٣٤٥\",٩٨٧,٦٥\n".encode("utf-8-sig"))
    assert import_file(engine, "social", path, actor=ADMIN).inserted == 1
    with engine.connect() as conn:
        row = conn.execute(select(schema.social)).one()
    assert tuple(row) == (date(2026, 11, 2), "اینستاگرام", 12345, 987, 65)


def test_missing_columns_are_named_with_the_names_that_are_accepted(engine, tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("day,campaign,clicks\n2026-11-02,x,1\n", encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "ad_spend", path, actor=ADMIN)
    message = str(err.value)
    assert "- platform (text): name the column “platform” or one of: network, ad platform, source" in message
    assert "- cost (a number): name the column “cost” or one of: spend, amount spent" in message
    assert "impressions" not in message.split("Its columns")[0]  # optional: unknown when absent, never 0
    assert "Its columns are: “day”, “campaign”, “clicks”" in message
    assert _last_run(engine)["status"] == "failed"


def test_line_numbers_are_the_editors_across_blank_lines_and_line_breaks_in_cells(engine, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text('response_id,date,kind,score,channel\nF1,2026-11-02,csat,5,"Email\nweekly"\n\n'
                    "F2,2026-11-02,csat,five,\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="line 5, column “score”: “five”, expected a whole number"):
        import_file(engine, "feedback", path, actor=ADMIN)


def test_a_jalali_date_that_does_not_exist_and_a_decimal_comma_are_refused_not_misread(engine, tmp_path):
    path = tmp_path / "social.csv"  # Jalali dates are read (tests/test_jalali_imports.py); 1405 is a common year
    path.write_text("date;network;followers;impressions;engagements\n۱۴۰۵/۱۲/۳۰;instagram;1;1;1\n"
                    "2026-11-02;instagram;1;2,5;1\n", encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "social", path, actor=ADMIN)
    assert "line 2, column “date”: “۱۴۰۵/۱۲/۳۰”, expected a Jalali (Persian calendar) date that exists: " \
           "Esfand 1405 (not a leap year) has 29 days" in str(err.value)
    assert "line 3, column “impressions”: “2,5”, expected a whole number" in str(err.value)


def test_repeated_keys_are_found_across_chunks(engine, tmp_path):
    rows = [f"O{i},2026-11-02 10:00,c{i},10" for i in range(10)] + ["O3,2026-11-03 10:00,c9,12"]
    path = tmp_path / "orders.csv"
    path.write_text("order_id,ordered_at,customer_id,revenue\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="line 12, column “order_id”: “O3”, expected each order_id only once "
                                              r"\(it is already on line 5\)"):
        import_file(engine, "orders", path, chunk_rows=4, actor=ADMIN)
    result = import_file(engine, "orders", path, chunk_rows=4, skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (10, 1)
    assert "already on line 5" in (tmp_path / "orders.rejected.csv").read_text(encoding="utf-8-sig")


def test_a_large_file_read_in_chunks_loads_in_one_transaction(engine, tmp_path):
    n = 3000
    frame = pd.DataFrame({"order_id": [f"L{i}" for i in range(n)],
                          "ordered_at": [f"2026-11-{1 + i % 28:02d} 10:{i % 60:02d}:00" for i in range(n)],
                          "customer_id": [f"c{i % 700}" for i in range(n)], "revenue": ["1,000.50"] * n})
    result = import_file(engine, "orders", _write(frame, tmp_path / "big.csv"), chunk_rows=500, actor=ADMIN)
    assert result.inserted == n
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(schema.orders_daily.c.orders))).scalar() == n
        runs = conn.execute(select(func.count()).select_from(schema.sync_runs)).scalar()
    assert runs == 1  # one load, one transaction
    assert import_file(engine, "orders", tmp_path / "big.csv", chunk_rows=500, actor=ADMIN).unchanged == n


def test_more_than_fifty_problems_lists_fifty_and_counts_the_rest(engine, tmp_path):
    path = tmp_path / "email.csv"
    lines = [f"2026-11-{1 + i % 28:02d},c{i},x,1,1,1,1,1" for i in range(60)]
    path.write_text("date,campaign,sent,delivered,unique_opens,unique_clicks,unsubscribes,bounces\n"
                    + "\n".join(lines), encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, "email", path, actor=ADMIN)
    assert len(err.value.problems) == 50 and err.value.problems[-1].line == 51
    assert "\n… and 10 more problems.\nFix these lines" in str(err.value)


def test_excel_files_import_and_problems_name_the_sheet_row(engine, tmp_path):
    assert import_file(engine, "social", EXAMPLES / "social.xlsx", actor=ADMIN).inserted == 3
    book = Workbook()
    sheet = book.active
    sheet.append(["Ticket ID", "Created at", "First reply at"])
    sheet.append(["X-1", datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 9, 30)])
    sheet.append([])
    sheet.append(["X-2", datetime(2026, 11, 2, 10, 0), datetime(2026, 11, 2, 9, 0)])
    book.save(tmp_path / "tickets.xlsx")
    with pytest.raises(FileImportError, match="row 4, column “First reply at”: “2026-11-02 09:00:00”, expected a "
                                              "time at or after the ticket was opened"):
        import_file(engine, "tickets", tmp_path / "tickets.xlsx", actor=ADMIN)


def test_a_file_that_is_not_utf8_says_how_to_save_it(engine, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("order_id,ordered_at,customer_id,revenue\nف-1,2026-11-02,c,1\n".encode("cp1256"))
    with pytest.raises(FileImportError, match="not UTF-8 text. In Excel use File → Save As"):
        import_file(engine, "orders", path, actor=ADMIN)


def test_an_upload_returns_the_rejected_rows_as_csv(engine):
    data = (EXAMPLES / "feedback.csv").read_bytes() + b"S-9,2026-11-04,ces,3,\n"
    result = import_upload(engine, "feedback", "survey.csv", data, skip_invalid=True, actor=ADMIN)
    assert (result.inserted, result.rejected) == (4, 1)
    assert b"one of csat, nps" in result.rejected_csv and result.rejected_file.name == "survey.rejected.csv"


def test_the_cli_imports_and_refuses_with_exit_code_2(engine, tmp_path, monkeypatch, capsys):
    from warehouse.db import get_engine

    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_engine.cache_clear()
    path = shutil.copy(EXAMPLES / "tickets.csv", tmp_path / "tickets.csv")
    assert main(["import", "tickets", str(path)]) == 0
    assert "tickets.csv: 3 rows: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    Path(path).write_text("ticket_id,opened_at\nT-9,tomorrow\n", encoding="utf-8")
    assert main(["import", "tickets", str(path)]) == 2
    assert "line 2, column “opened_at”: “tomorrow”" in capsys.readouterr().err
    get_engine.cache_clear()


def test_the_readme_documents_every_kinds_columns():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing your data", 1)[1].split("\n## ", 1)[0]
    for kind, dataset in DATASETS.items():
        columns = ", ".join(f"`{f.name}`" + ("" if f.required else " (optional)") for f in dataset.fields)
        assert f"| `{kind}` | {columns} | {', '.join(dataset.key)} |" in section


def test_two_imports_at_once_are_serialised_and_both_land(engine, tmp_path):
    import threading

    def orders(prefix: str) -> Path:
        frame = pd.DataFrame({"order_id": [f"{prefix}{i}" for i in range(600)], "ordered_at": "2026-11-02 10:00",
                              "customer_id": [f"c{i % 50}" for i in range(600)], "revenue": "10"})
        return _write(frame, tmp_path / f"{prefix}.csv")

    first, second = orders("A"), orders("B")
    loading, release = threading.Event(), threading.Event()

    def slow(fraction: float, message: str) -> None:  # from the second chunk on, inside the load's transaction
        if message.startswith("Loading 400"):
            loading.set()
            release.wait(10)

    results: dict[str, object] = {}

    def run(name: str, path: Path, progress=None) -> None:
        try:
            results[name] = import_file(engine, "orders", path, chunk_rows=200, progress=progress, actor=ADMIN)
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            results[name] = exc

    a = threading.Thread(target=run, args=("A", first, slow))
    a.start()
    assert loading.wait(10)
    b = threading.Thread(target=run, args=("B", second))
    b.start()
    b.join(0.5)
    assert b.is_alive()  # waiting for the first import's lock, not writing alongside it
    release.set()
    a.join(20)
    b.join(20)
    assert results["A"].inserted == 600 and results["B"].inserted == 600, results
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(schema.orders_daily.c.orders))).scalar() == 1200
