"""Own data is never mixed with demo data (issue 11, item 3), on real test warehouses.

The demo here is the real generator over 60 days (``load_demo(days=60)``, under a second), plus a target, a
note and an action written while trying it out: they are demo-time data too and go with it.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select, text
from streamlit.testing.v1 import AppTest

from cli import main
from connectors.demo import generate, load_demo, uses_demo_data
from connectors.demo_data import DEMO_SOURCE, DEMO_TABLES, REMOVAL_SOURCE, should_load_demo
from connectors.files import FileImportError, import_file
from connectors.ga4 import sync
from connectors.loader import load
from metrics.periods import parse_period
from metrics.review import add_action, add_note
from metrics.targets import import_csv, load_targets, save_period_targets, save_targets
from tests.actors import ADMIN
from tests.conftest import ROOT, content_hash, page_app
from tests.fake_ga4 import FakeGA4, sample_rows
from tests.test_ga4 import JANUARY, _config, _expected, _warehouse
from warehouse import schema
from warehouse.db import init_schema

EXAMPLES = ROOT / "examples"
AS_OF = date(2026, 11, 24)
WEEK = date(2026, 11, 16)


def _demo(engine, as_of: date = AS_OF) -> None:
    """A small demo warehouse, with a target, a note and an action added while trying it."""
    load_demo(engine, as_of=as_of, days=60)
    save_targets(engine, pd.DataFrame([{"kpi_id": "sell.revenue", "grain": "week", "period_start": WEEK,
                                        "channel": "", "value": 50_000.0}]), actor=ADMIN)
    add_note(engine, "sell.revenue", WEEK, "Black Friday teaser worked", actor=ADMIN)
    add_action(engine, "Pause TikTok prospecting", "Sam", WEEK, date(2026, 11, 30), actor=ADMIN)


def _rows(engine) -> dict[str, int]:
    """Rows per demo table, and the sync-log rows per source."""
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in DEMO_TABLES}
        runs = schema.sync_runs
        counts |= {f"sync:{s}": n for s, n in conn.execute(select(runs.c.source, func.count()).group_by(runs.c.source))}
    return counts


def _reset(engine) -> None:
    """Empty the warehouse completely (as a brand-new one)."""
    schema.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    init_schema(engine)


def test_importing_own_orders_into_the_demo_leaves_exactly_what_importing_them_alone_does(
        engine, tmp_path, cli_url, capsys):
    path = shutil.copy(EXAMPLES / "orders.csv", tmp_path / "orders.csv")
    import_file(engine, "orders", path, actor=ADMIN)
    only_mine = content_hash(engine)
    _reset(engine)

    _demo(engine)
    demo = _rows(engine)
    assert demo["orders"] > 1000 and demo["targets"] == demo["notes"] == demo["actions"] == 1
    assert demo["sync:demo"] == 7  # one run per kind of data
    assert content_hash(engine) != only_mine
    assert main(["import", "orders", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = sum(demo.values())  # every demo row, its 7 sync-log rows included
    assert out == [f"Removed the demo data ({rows:,} rows) before loading your own: the warehouse now holds only "
                   "your data.", "orders.csv: 4 rows: 4 new, 0 updated, 0 unchanged"]

    assert content_hash(engine) == only_mine
    after = _rows(engine)
    # examples/orders.csv: 4 orders of 3 customers (cust-17, -18, -19, acquired through 3 channels) on 2, 3 and
    # 4 Nov 2026, one Gregorian week (Mon 2 Nov), one Jalali week (from Sat 31 Oct), one month in either calendar:
    # 3 calendar days, 3 customers, cohort activity 3 channels x 1 cohort x 1 period x 4 buckets = 12 rows
    assert after == {**{t.name: 0 for t in DEMO_TABLES}, "orders": 4, "orders_daily": 4, "customers": 3,
                     "calendar_days": 3, "cohort_activity": 12, f"sync:{REMOVAL_SOURCE}": 1, "sync:import:orders": 1}
    assert not uses_demo_data(engine) and not should_load_demo(engine)
    # a second import is an ordinary one: nothing more removed
    assert main(["import", "orders", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["orders.csv: 4 rows: 0 new, 0 updated, 4 unchanged"]


def test_a_refused_first_import_leaves_the_demo_as_it_was(engine, tmp_path):
    _demo(engine)
    before, rows = content_hash(engine), _rows(engine)
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,ordered_at,customer_id,revenue\nA-1,yesterday,c1,10\n", encoding="utf-8")
    with pytest.raises(FileImportError, match="not imported"):
        import_file(engine, "orders", bad, actor=ADMIN)
    assert content_hash(engine) == before
    assert _rows(engine) == {**rows, "sync:import:orders": 1}  # only the refusal was logged
    assert uses_demo_data(engine)


def test_a_load_that_fails_inside_its_transaction_after_the_removal_puts_the_demo_back(engine):
    _demo(engine)
    before, rows = content_hash(engine), _rows(engine)

    def chunks():
        yield pd.DataFrame({"order_id": ["A-1"], "ordered_at": [pd.Timestamp("2026-11-02 10:00")],
                            "customer_id": ["c1"], "revenue": [10.0]})
        raise OSError("the file went away while it was read")

    with pytest.raises(OSError, match="went away"):
        load(engine, "orders", chunks(), source="import:orders")  # the first chunk is staged after the removal
    assert content_hash(engine) == before
    assert _rows(engine) == {**rows, "sync:import:orders": 1}
    with engine.connect() as conn:
        failed = conn.execute(select(schema.sync_runs.c.status, schema.sync_runs.c.error)
                              .where(schema.sync_runs.c.source == "import:orders")).one()
    assert failed == ("failed", "orders: the file went away while it was read")


def test_demo_remove_removes_everything_once_and_then_says_there_is_nothing(engine, cli_url, capsys):
    _demo(engine)
    demo = _rows(engine)
    assert main(["demo", "--remove"]) == 0
    out = capsys.readouterr().out.strip()
    tables = ", ".join(f"{t} {n:,}" for t, n in {**demo, "sync_runs": demo["sync:demo"]}.items()
                       if n and not t.startswith("sync:"))
    assert out == (f"Removed the demo data: {sum(demo.values()):,} rows ({tables}). "
                   "The app will not load the demo into this warehouse again.")
    assert "orders " in tables and "targets 1, notes 1, actions 1, sync_runs 7" in tables
    emptied = {**{t.name: 0 for t in DEMO_TABLES}, f"sync:{REMOVAL_SOURCE}": 1}
    assert _rows(engine) == emptied
    assert not should_load_demo(engine)

    assert main(["demo", "--remove"]) == 0
    assert capsys.readouterr().out.strip() == "This warehouse holds no demo data: nothing was removed."
    assert _rows(engine) == emptied


def test_the_demo_is_refused_into_a_warehouse_holding_own_data(engine, cli_url, capsys):
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)
    before = content_hash(engine)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "holds your own data (import:orders): the demo would mix with it, so nothing was loaded" in err
    assert content_hash(engine) == before and not uses_demo_data(engine)


def test_demo_remove_refuses_when_own_data_was_loaded_before_the_demo(engine, cli_url, capsys):
    """A warehouse mixed by an older version (own data, then the demo on top) is never cleared: the rows cannot
    be told apart."""
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)
    demo_orders = generate(AS_OF, days=30)["orders"]
    load(engine, "orders", demo_orders, source=DEMO_SOURCE)  # as the demo loaded before it refused to mix
    before = content_hash(engine)
    assert main(["demo", "--remove"]) == 2
    assert "also holds your own data (import:orders), loaded before the demo" in capsys.readouterr().err
    assert content_hash(engine) == before
    result = import_file(engine, "tickets", EXAMPLES / "tickets.csv", actor=ADMIN)  # never cleared automatically either
    assert result.demo_removed == {} and uses_demo_data(engine)


def test_the_app_loads_the_demo_only_into_a_warehouse_never_used(engine, tmp_path):
    assert should_load_demo(engine)  # brand new
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,ordered_at,customer_id,revenue\nA-1,yesterday,c1,10\n", encoding="utf-8")
    with pytest.raises(FileImportError):
        import_file(engine, "orders", bad, actor=ADMIN)
    assert not should_load_demo(engine)  # a failed first import: the owner is here

    _reset(engine)
    plan = tmp_path / "plan.csv"
    plan.write_text("kpi_id,grain,period,channel,target\nsell.revenue,month,2026-11,,90000\n", encoding="utf-8")
    import_csv(engine, plan, actor=ADMIN)
    assert not should_load_demo(engine)  # a plan only

    _reset(engine)
    _demo(engine)
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)  # own data: the demo goes
    assert not should_load_demo(engine)


def test_the_app_does_not_bring_the_demo_back_after_it_was_removed(engine, cli_url, monkeypatch):
    load_demo(engine, as_of=AS_OF, days=60)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert any("Demo data" in i.value for i in app.info)
    assert main(["demo", "--remove"]) == 0
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not any("Demo data" in i.value for i in app.info)
    assert _rows(engine) == {**{t.name: 0 for t in DEMO_TABLES}, f"sync:{REMOVAL_SOURCE}": 1}


def test_a_first_ga4_sync_into_the_demo_removes_it_and_holds_exactly_the_servers_rows(
        engine, cli_url, monkeypatch, capsys):
    _demo(engine, as_of=date(2026, 2, 1))  # demo web traffic through 31 January, as GA4's
    demo = _rows(engine)
    assert demo["web_traffic"] > 124
    with FakeGA4(sample_rows(*JANUARY)) as fake:
        monkeypatch.setenv("GA4_API_ENDPOINT", fake.url)
        monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        assert main(["sync", "ga4", "--property", "123", "--start", "2026-01-01", "--end", "2026-01-31"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == (f"Removed the demo data ({sum(demo.values()):,} rows) before loading your own: "
                          "the warehouse now holds only your data.")
        assert out[1].startswith("GA4 property 123: 2026-01-01 to 2026-01-31 (31 days), 124 rows: 124 new, 0 upd")
        # the demo's January rows were removed, not zeroed and kept: the warehouse holds exactly GA4's rows
        assert _warehouse(engine) == _expected(fake.rows) and len(fake.rows) == 124
        result = sync(engine, _config(fake), *JANUARY, actor=ADMIN)  # the next sync is an ordinary one
        assert result.demo_removed == {} and result.unchanged == 124
    rows = _rows(engine)
    assert rows["orders"] == rows["targets"] == rows["notes"] == rows["actions"] == 0
    assert "sync:demo" not in rows and rows["sync:ga4:123"] == 2


def test_an_imported_plan_clears_the_demo_but_a_grid_edit_does_not(engine, tmp_path, cli_url, capsys):
    _demo(engine)
    save_period_targets(engine, parse_period("2026-W47"), "", [("sell.revenue", 50_000.0, 55_000.0)], actor=ADMIN)
    assert uses_demo_data(engine)  # trying the targets grid on the demo keeps the demo
    plan = tmp_path / "plan.csv"
    plan.write_text("kpi_id,grain,period,channel,target\nsell.revenue,month,2026-11,,90000\n"
                    "sell.orders,month,2026-11,,1200\n", encoding="utf-8")
    assert main(["targets", "import", str(plan)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Removed the demo data (") and out[1] == "targets: 2 new, 0 updated, 0 unchanged"
    assert sorted(load_targets(engine)[["kpi_id", "value"]].itertuples(index=False, name=None)) == [
        ("sell.orders", 1200.0), ("sell.revenue", 90000.0)]
    rows = _rows(engine)
    assert rows["orders"] == rows["notes"] == rows["actions"] == 0 and "sync:demo" not in rows
    assert rows["sync:targets"] == 1 and not should_load_demo(engine)


@pytest.fixture
def page(engine, monkeypatch, tmp_path) -> AppTest:
    """The Data sources page on the test warehouse (GA4 not configured)."""
    import streamlit as st

    for name in ("GA4_PROPERTY_ID", "GA4_API_ENDPOINT", "GOOGLE_APPLICATION_CREDENTIALS", "GA4_INITIAL_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.chdir(tmp_path)
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "pages" / "data_sources.py"), default_timeout=60)


def _removal_notices(page: AppTest) -> list[str]:
    return [i.value for i in page.info if i.value.startswith("Removed the demo data (")
            and i.value.endswith("the warehouse now holds only your data.")]


def test_the_data_sources_page_says_an_upload_removed_the_demo(engine, page):
    _demo(engine)
    page.run()
    page.selectbox(key="import_kind").set_value("orders").run()
    page.file_uploader(key="upload_orders").set_value(("orders.csv", (EXAMPLES / "orders.csv").read_bytes(),
                                                       "text/csv")).run()
    page.button[-1].click().run()
    assert not page.exception
    assert len(_removal_notices(page)) == 1
    assert page.success[0].value == "orders.csv: 4 rows: 4 new, 0 updated, 0 unchanged"
    assert not uses_demo_data(engine)
    page.run()
    assert _removal_notices(page) == []  # said once


def test_the_data_sources_page_says_a_ga4_sync_removed_the_demo(engine, page, monkeypatch):
    today = date.today()
    _demo(engine, as_of=today)
    with FakeGA4(sample_rows(today - timedelta(days=3), today), page_size=5) as fake:
        monkeypatch.setenv("GA4_API_ENDPOINT", fake.url)
        monkeypatch.setenv("GA4_PROPERTY_ID", "123")
        monkeypatch.setenv("GA4_INITIAL_DAYS", "3")
        page.run()
        page.button[0].click().run()
    assert not page.exception
    assert len(_removal_notices(page)) == 1
    assert "12 rows: 12 new" in page.success[0].value
    assert not uses_demo_data(engine)


def test_the_targets_page_says_an_imported_plan_removed_the_demo(engine, monkeypatch):
    _demo(engine)
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    page = page_app("targets", grain="month", period="2026-11").run()
    plan = b"kpi_id,grain,period,channel,target\nsell.revenue,month,2026-11,,90000\n"
    page.file_uploader(key="targets-upload").set_value(("plan.csv", plan, "text/csv")).run()
    next(b for b in page.button if b.label == "Import").click().run()
    assert not page.exception
    assert len(_removal_notices(page)) == 1
    assert page.success[0].value == "plan.csv: 1 new, 0 updated, 0 unchanged."
    assert not uses_demo_data(engine) and len(load_targets(engine)) == 1
