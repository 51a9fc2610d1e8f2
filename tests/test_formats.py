"""Tools' exports recognised as downloaded (connectors/formats): the framework, and the Google Ads report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

import cli
from connectors.files import import_file
from connectors.formats import FORMATS, open_source
from connectors.tabular import FileImportError
from metrics.engine import compute
from tests.actors import ADMIN
from warehouse import schema

EXPORTS = Path(__file__).resolve().parent.parent / "examples" / "exports"
ADS_CSV = EXPORTS / "google_ads_campaigns.csv"
ADS_EXCEL = EXPORTS / "variants" / "google_ads_campaigns_excel.csv"  # "Excel .csv": UTF-16 LE with BOM, tab separated
W46 = (date(2026, 11, 9), date(2026, 11, 15))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _values(engine, ids: list[str]) -> dict:
    frame = compute(engine, ids, *W46)
    return {row.kpi_id: row.value for row in frame.itertuples()}


@pytest.mark.parametrize("path", [ADS_CSV, ADS_EXCEL], ids=["csv", "excel-csv"])
def test_a_google_ads_report_imports_as_downloaded(engine, path):
    result = import_file(engine, None, path, actor=ADMIN)
    # 2 campaigns x 7 days; the three "Total: …" rows under the table are not loaded
    assert result.summary() == (f"{path.name}: Google Ads campaign report → ad_spend: 14 campaign days; "
                                "14 new, 0 updated, 0 unchanged")
    assert _count(engine, schema.ad_spend) == 14
    with engine.connect() as conn:
        platforms = set(conn.execute(select(schema.ad_spend.c.platform, schema.ad_spend.c.channel)).all())
    assert platforms == {("google_ads", "Paid Search")}
    values = _values(engine, ["save.marketing_cost", "save.cpc"])
    # Brand: 139.50+135.70+138.20+131.90+144.00+108.00+103.50 = 900.80; Generic: 68.20+75.10+63.80+66.40+71.30
    # +55.00+52.70 = 452.50; clicks 1,985 + 415 = 2,400 ("12,400"-style thousands separators read as numbers)
    assert values["save.marketing_cost"] == pytest.approx(1353.30)
    assert values["save.cpc"] == pytest.approx(1353.30 / 2400)
    with engine.connect() as conn:
        impressions = conn.execute(select(func.sum(schema.ad_spend.c.impressions))).scalar_one()
    assert impressions == 80_000 + 20_900


def test_both_download_types_are_the_same_rows_and_reimporting_changes_nothing(engine):
    import_file(engine, None, ADS_CSV, actor=ADMIN)
    again = import_file(engine, None, ADS_EXCEL, actor=ADMIN)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 14)
    assert import_file(engine, "ad_spend", ADS_CSV, actor=ADMIN).unchanged == 14


def test_the_reports_date_range_is_recorded_as_how_far_the_data_is_complete(engine):
    import_file(engine, None, ADS_CSV, actor=ADMIN)
    with engine.connect() as conn:
        cursor = conn.execute(select(schema.sync_runs.c.cursor).where(schema.sync_runs.c.status == "success")
                              ).scalar_one()
    assert cursor == "2026-11-15"  # "November 9, 2026 - November 15, 2026"


def test_a_google_ads_report_without_cost_is_refused_whole_naming_the_format(engine, tmp_path):
    lines = ADS_CSV.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "campaigns.csv"
    bad.write_text("\n".join(",".join(line.split(",")[:-1]) if i >= 2 else line
                             for i, line in enumerate(lines)) + "\n", encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, bad, actor=ADMIN)
    assert "campaigns.csv looks like a Google Ads campaign report but has no column “Cost”" in str(err.value)
    assert _count(engine, schema.ad_spend) == 0


def test_a_bad_cell_names_the_format_line_column_and_what_was_expected(engine, tmp_path):
    import_file(engine, None, ADS_CSV, actor=ADMIN)
    text = ADS_CSV.read_text(encoding="utf-8").replace("144.00", "14a.00", 1)
    bad = tmp_path / "campaigns.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, bad, actor=ADMIN)
    message = str(err.value)
    assert message.startswith("campaigns.csv (read as a Google Ads campaign report) was not imported")
    assert "line 4, column “Cost”: “14a.00”, expected a number" in message  # title, date range, header, row 1
    assert _count(engine, schema.ad_spend) == 14  # what was there before is untouched
    assert _values(engine, ["save.marketing_cost"])["save.marketing_cost"] == pytest.approx(1353.30)


def test_a_canonical_file_is_recognised_by_its_columns(engine):
    source = open_source(Path("examples/orders.csv"))
    assert (source.kind, source.format) == ("orders", None)
    result = import_file(engine, None, "examples/orders.csv", actor=ADMIN)
    assert result.summary().startswith("orders.csv: 4 rows: 4 new")


def test_a_file_of_no_known_shape_says_so_and_how_to_name_its_kind(engine, tmp_path):
    odd = tmp_path / "notes.csv"
    odd.write_text("when,what\n2026-11-09,meeting\n", encoding="utf-8")
    with pytest.raises(FileImportError) as err:
        import_file(engine, None, odd, actor=ADMIN)
    message = str(err.value)
    assert "notes.csv: cannot tell what this file holds" in message
    assert "“when”, “what”" in message and "python cli.py import KIND notes.csv" in message
    for fmt in FORMATS:
        assert fmt.name in message


def test_an_export_imported_as_another_kind_is_refused(engine):
    with pytest.raises(FileImportError, match="is a Google Ads campaign report, which holds ad_spend, not orders"):
        import_file(engine, "orders", ADS_CSV, actor=ADMIN)


def test_cli_imports_several_files_and_reports_each(engine, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    odd = tmp_path / "notes.csv"
    odd.write_text("when,what\n2026-11-09,meeting\n", encoding="utf-8")
    code = cli.main(["import", str(ADS_CSV), str(odd), "examples/orders.csv"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "google_ads_campaigns.csv: Google Ads campaign report → ad_spend: 14 campaign days" in out
    assert "orders.csv: 4 rows: 4 new" in out  # the file after the refused one is still imported
    assert "error: " in err and "notes.csv: cannot tell what this file holds" in err
    assert "error: 1 of 3 files were not imported (the others were)." in err


def test_cli_keeps_import_kind_file(engine, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_engine", lambda: engine)
    assert cli.main(["import", "ad_spend", str(ADS_CSV)]) == 0
    assert "→ ad_spend: 14 campaign days; 14 new" in capsys.readouterr().out


def test_the_readme_lists_every_export_as_declared():
    from connectors.formats import markdown_table

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "regenerate the README's exports table from connectors.formats.markdown_table()"
    for fmt in FORMATS:
        assert fmt.download and fmt.example and (Path(__file__).resolve().parent.parent / fmt.example).is_file()


def test_a_web_file_without_source_medium_or_campaign_loads_them_as_not_set(engine, tmp_path):
    path = tmp_path / "web.csv"
    path.write_text("date,channel,sessions\n2026-11-09,Direct,10\n2026-11-10,Direct,12\n", encoding="utf-8")
    result = import_file(engine, "web", path, actor=ADMIN)
    assert (result.inserted, result.rejected) == (2, 0)  # one key per day, not two rows of one "missing" key
    w = schema.web_traffic
    with engine.connect() as conn:
        rows = conn.execute(select(w.c.source_medium, w.c.campaign, w.c.sessions, w.c.new_users)).all()
    assert sorted(rows) == [("(not set)", "(not set)", 10, None), ("(not set)", "(not set)", 12, None)]
    assert import_file(engine, None, path, actor=ADMIN).unchanged == 2  # recognised as web by its columns


def test_costs_in_another_currency_than_the_warehouses_are_said(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_CURRENCY", "EUR")
    result = import_file(engine, None, ADS_CSV, actor=ADMIN)
    assert result.warnings == ["google_ads_campaigns.csv: costs are in USD, but the warehouse currency is EUR "
                               "(KPI_CURRENCY): the amounts are loaded as they are, not converted."]
    monkeypatch.setenv("KPI_CURRENCY", "USD")
    assert import_file(engine, None, ADS_CSV, actor=ADMIN).warnings == []
