"""File imports: every kind's example, refusals that change nothing, --skip-invalid, re-imports, aliases,
BOM, Persian/Arabic digits and Excel."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import select

from connectors.datasets import KINDS
from connectors.files import FileImportError, import_file
from metrics.engine import compute
from tests.conftest import ROOT, content_hash
from warehouse import schema

EXAMPLES = ROOT / "examples"


def _copy(tmp_path, name: str):
    target = tmp_path / name
    shutil.copy(EXAMPLES / name, target)
    return target


@pytest.mark.parametrize("kind", KINDS)
def test_each_kinds_example_imports_and_reimports_without_change(engine, kind):
    first = import_file(engine, kind, EXAMPLES / f"{kind}.csv")
    assert first.result.inserted == first.rows > 0 and not first.problems
    again = import_file(engine, kind, EXAMPLES / f"{kind}.csv")
    assert (again.result.inserted, again.result.updated, again.result.unchanged) == (0, 0, first.rows)


def test_examples_change_the_kpis_as_expected(engine):
    for kind in KINDS:
        import_file(engine, kind, EXAMPLES / f"{kind}.csv")
    values = compute(engine, ["sell.revenue", "save.marketing_cost", "serve.first_response_minutes"],
                     pd.Timestamp("2026-11-02").date(), pd.Timestamp("2026-11-08").date()).set_index("kpi_id")
    assert values.at["sell.revenue", "value"] == pytest.approx(1250 + 89.90 + 45.50 - 45.50 + 120)
    assert values.at["save.marketing_cost", "value"] == pytest.approx(342.10 + 280 + 465.75)
    assert values.at["serve.first_response_minutes", "value"] == pytest.approx((42 + 110) / 2)


def test_a_file_with_bad_rows_is_refused_whole_and_changes_nothing(engine, tmp_path):
    import_file(engine, "orders", EXAMPLES / "orders.csv")
    before = content_hash(engine)
    bad = tmp_path / "orders_bad.csv"
    bad.write_text("order_id,ordered_at,customer_id,revenue\n"
                   "B-1,2026-11-05 10:00,c1,10.00\n"              # line 2: fine, but must not land
                   "B-2,05.11.2026,c2,10.00\n"                    # line 3: bad date
                   "B-3,2026-11-05,c3,ten\n"                      # line 4: not a number
                   "B-4,2026-11-05,,10\n"                         # line 5: no customer
                   "B-1,2026-11-06,c4,5\n", encoding="utf-8")     # line 6: duplicate order id
    with pytest.raises(FileImportError) as err:
        import_file(engine, "orders", bad)
    message = str(err.value)
    assert "orders_bad.csv: 4 of 5 rows are invalid, so nothing was imported" in message
    assert "line 3, column 'ordered_at': '05.11.2026' is not a Gregorian date and time" in message
    assert "line 4, column 'revenue': 'ten' is not a number of 0 or more" in message
    assert "line 5, column 'customer_id': '' is not some text" in message
    assert "line 6, column 'order_id': 'B-1' is not unique (line 2 has it too)" in message
    assert content_hash(engine) == before
    with engine.connect() as conn:
        last = conn.execute(select(schema.sync_runs).order_by(schema.sync_runs.c.id.desc())).mappings().first()
    assert last["status"] == "failed" and last["rows_rejected"] == 4 and "line 3" in last["error"]


def test_missing_columns_are_named_with_what_was_expected(engine, tmp_path):
    bad = tmp_path / "spend.csv"
    bad.write_text("day,campaign,cost\n2026-11-02,x,1\n", encoding="utf-8")
    with pytest.raises(FileImportError, match=r"spend.csv, line 1: missing column\(s\) platform, impressions, clicks"):
        import_file(engine, "ad_spend", bad)


def test_skip_invalid_loads_the_valid_rows_and_writes_the_rejects(engine, tmp_path):
    path = tmp_path / "feedback.csv"
    path.write_text("response_id,date,kind,score\nF1,2026-11-02,csat,5\nF2,2026-11-02,csat,9\n"
                    "F3,2026-11-02,survey,3\n", encoding="utf-8")
    report = import_file(engine, "feedback", path, skip_invalid=True)
    assert report.result.inserted == 1 and report.rejected_rows == 2
    rejects = pd.read_csv(tmp_path / "feedback.rejected.csv", encoding="utf-8-sig")
    assert rejects["line"].tolist() == [3, 4]
    assert "a CSAT score from 1 to 5" in rejects["reason"].iloc[0]
    assert "one of csat, nps" in rejects["reason"].iloc[1]


def test_a_corrected_file_updates_the_rows_it_names(engine, tmp_path):
    path = _copy(tmp_path, "ad_spend.csv")
    import_file(engine, "ad_spend", path)
    path.write_text(path.read_text(encoding="utf-8").replace("465.75", "400.00"), encoding="utf-8")
    report = import_file(engine, "ad_spend", path)
    assert (report.result.inserted, report.result.updated, report.result.unchanged) == (0, 1, 2)
    with engine.connect() as conn:
        costs = dict(conn.execute(select(schema.ad_spend.c.campaign, schema.ad_spend.c.cost)).all())
    assert costs["tiktok_broad_prospecting"] == 400.0


def test_aliases_bom_persian_digits_and_text(engine):
    report = import_file(engine, "orders", EXAMPLES / "orders_fa.csv")  # BOM, 'Order ID', 'Amount', ۱٬۲۵۰٫۵۰
    assert report.result.inserted == 2
    with engine.connect() as conn:
        rows = {r.order_id: r for r in conn.execute(select(schema.orders))}
    assert rows["ف-۲۰۱"].revenue == pytest.approx(1250.50)
    assert rows["ف-۲۰۱"].campaign == "کمپین_پاییز" and rows["ف-۲۰۱"].customer_id == "مشتری-۱"
    assert rows["ف-۲۰۱"].ordered_at == pd.Timestamp("2026-11-02 09:15").to_pydatetime()
    assert rows["ف-۲۰۲"].refunded == 0.0


def test_excel_files_import(engine):
    report = import_file(engine, "social", EXAMPLES / "social.xlsx")
    assert report.result.inserted == 3


def test_a_solar_hijri_date_is_refused_not_misread(engine, tmp_path):
    path = tmp_path / "social.csv"
    path.write_text("date,network,followers,impressions,engagements\n۱۴۰۵/۰۸/۱۱,instagram,1,1,1\n",
                    encoding="utf-8")
    with pytest.raises(FileImportError, match="line 2, column 'date': '۱۴۰۵/۰۸/۱۱' is not a Gregorian date"):
        import_file(engine, "social", path)
