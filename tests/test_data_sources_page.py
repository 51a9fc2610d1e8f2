"""AppTest on the Data sources page: freshness per source, file uploads (loaded, refused, skip-invalid), GA4 sync
against the fake server, and how to configure GA4 when it is not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from connectors.files import import_file
from tests.actors import ADMIN
from tests.conftest import ROOT
from tests.fake_ga4 import FakeGA4, sample_rows

EXAMPLES = ROOT / "examples"


@pytest.fixture
def page(engine, monkeypatch, tmp_path):
    for name in ("GA4_PROPERTY_ID", "GA4_API_ENDPOINT", "GOOGLE_APPLICATION_CREDENTIALS", "GA4_INITIAL_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    st.cache_data.clear()  # on a shared test server, data versions repeat from test to test
    return AppTest.from_file(str(ROOT / "pages" / "data_sources.py"), default_timeout=60)


def _table(app: AppTest) -> dict[str, dict]:
    return {row["Source"]: row for row in app.dataframe[0].value.to_dict("records")}


def _upload(app: AppTest, name: str, data: bytes, kind: str = "orders", skip: bool = False) -> AppTest:
    app.selectbox(key="import_kind").set_value(kind).run()
    app.file_uploader(key=f"upload_{kind}").set_value([(name, data, "text/csv")])
    app.checkbox(key="skip_invalid").set_value(skip).run()
    return app.button[-1].click().run()


def test_an_empty_warehouse_without_ga4_renders_and_says_how_to_connect(page):
    page.run()
    assert not page.exception
    table = _table(page)
    assert len(table) == 7 and {r["Status"] for r in table.values()} == {"⛔ no data"}
    assert table["Orders"]["Rows"] == 0
    assert any("GA4 is not connected" in i.value and "Viewer role" in i.value for i in page.info)
    assert "[ga4]" in page.code[0].value and "property_id" in page.code[0].value
    assert any(w.value == "No orders loaded yet: import a file (python cli.py import orders FILE)."
               for w in page.warning)
    assert page.button[-1].disabled  # nothing uploaded yet


def test_sources_show_their_rows_range_freshness_and_last_error(page, engine, tmp_path):
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)
    bad = tmp_path / "spend.csv"
    bad.write_text("date,platform,campaign,impressions,clicks,cost\n2026-11-02,meta,x,10,1,abc\n", encoding="utf-8")
    with pytest.raises(Exception, match="not imported"):
        import_file(engine, "ad_spend", bad, actor=ADMIN)
    page.run()
    table = _table(page)
    orders = table["Orders"]
    assert (orders["Rows"], orders["Loaded by"], orders["Last successful load"]) == (4, "import:orders", "1 min ago")
    assert (str(orders["From"])[:10], str(orders["To"])[:10]) == ("2026-11-02", "2026-11-04")
    expected = "✅ up to date" if (date.today() - date(2026, 11, 4)).days <= 2 else "⚠️ stale"
    assert orders["Status"] == expected
    assert "line 2" in table["Ad spend"]["Last error"]
    assert any(e.value.startswith("**Ad spend**: the last load failed") for e in page.error)


def test_choosing_a_kind_shows_its_columns(page):
    page.run()
    exports = page.dataframe[1].value  # by default each file is recognised: the tools' exports are listed
    assert "Google Ads campaign report" in exports["export"].tolist()
    page.selectbox(key="import_kind").set_value("orders").run()
    assert "order_id" in page.dataframe[2].value["column"].tolist()
    page.selectbox(key="import_kind").set_value("ad_spend").run()
    columns = page.dataframe[2].value
    assert columns["column"].tolist() == ["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"]
    assert "amount spent" in columns.set_index("column").at["cost", "also accepted"]


def test_an_uploaded_file_is_imported_and_the_table_follows(page):
    page.run()
    _upload(page, "orders.csv", (EXAMPLES / "orders.csv").read_bytes())
    assert not page.exception
    assert [s.value for s in page.success] == ["orders.csv: 4 rows: 4 new, 0 updated, 0 unchanged"]
    assert _table(page)["Orders"]["Rows"] == 4


def test_several_files_are_recognised_and_imported_each_on_its_own(page):
    page.run()
    files = [("google_ads_campaigns.csv", (EXAMPLES / "exports" / "google_ads_campaigns.csv").read_bytes()),
             ("notes.csv", b"when,what\n2026-11-09,meeting\n"),
             ("orders.csv", (EXAMPLES / "orders.csv").read_bytes())]
    page.file_uploader(key="upload_recognise").set_value([(name, data, "text/csv") for name, data in files])
    page.run()
    assert page.button[-1].label == "Import 3 files"
    page.button[-1].click().run()
    assert not page.exception
    assert [s.value for s in page.success] == [
        "google_ads_campaigns.csv: Google Ads campaign report → ad_spend: 14 campaign days; 14 new, 0 updated, "
        "0 unchanged",
        "orders.csv: 4 rows: 4 new, 0 updated, 0 unchanged"]
    assert [e.value.split(".", 1)[0] for e in page.error] == ["notes"]
    assert "cannot tell what this file holds" in page.error[0].value
    table = _table(page)
    assert (table["Orders"]["Rows"], table["Ad spend"]["Rows"]) == (4, 14)


def test_a_bad_upload_is_refused_with_a_table_of_problems(page):
    page.run()
    data = b"order_id,ordered_at,customer_id,revenue\nA,2026-11-02,c,12\nB,02/11/2026,c,1\nC,2026-11-02,,x\n"
    _upload(page, "export.csv", data)
    assert page.error[-1].value.startswith("export.csv was not imported (nothing was loaded): 2 of 3 rows have "
                                           "problems.\n\nFix these lines")
    problems = page.dataframe[1].value  # below the message, above the columns of the kind
    assert problems[["line", "column"]].values.tolist() == [[3, "ordered_at"], [4, "customer_id"], [4, "revenue"]]
    assert _table(page)["Orders"]["Rows"] == 0


def test_skip_invalid_loads_the_rest_and_offers_the_rejected_rows(page):
    page.run()
    data = b"order_id,ordered_at,customer_id,revenue\nA,2026-11-02,c,12\nB,02/11/2026,c,1\n"
    _upload(page, "export.csv", data, skip=True)
    assert page.success[0].value == "export.csv: 2 rows: 1 new, 0 updated, 0 unchanged, 1 rejected"
    assert page.get("download_button")[0].proto.label == "Download the rejected rows (CSV)"


def test_sync_ga4_now_loads_from_the_configured_property(page, monkeypatch):
    with FakeGA4(sample_rows(date.today() - timedelta(days=3), date.today()), page_size=5) as fake:
        monkeypatch.setenv("GA4_API_ENDPOINT", fake.url)
        monkeypatch.setenv("GA4_PROPERTY_ID", "123")
        monkeypatch.setenv("GA4_INITIAL_DAYS", "3")
        page.run()
        assert any("Not synced yet: the first sync reads the last 3 days" in m.value for m in page.markdown)
        page.button[0].click().run()
        assert not page.exception
        assert page.success[0].value.startswith("GA4 property 123:") and "12 rows: 12 new" in page.success[0].value
        assert _table(page)["Web traffic"]["Rows"] == 12
        assert any("Synced through" in m.value for m in page.markdown)
        monkeypatch.setenv("GA4_PROPERTY_ID", "999")
        page.run()
        page.button[0].click().run()
        assert "GA4 refused access to property 999" in page.error[0].value
