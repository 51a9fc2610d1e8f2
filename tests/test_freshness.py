"""Freshness per kind of data: empty, up to date, stale, and the last success and failure from the sync log."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from connectors.files import FileImportError, import_file
from connectors.freshness import age_text, run_kinds, source_status, stale_or_empty
from connectors.loader import load
from tests.actors import ADMIN
from tests.conftest import DEMO_AS_OF, ROOT
from tests.fixtures import FRAMES

EXAMPLES = ROOT / "examples"


def test_an_empty_warehouse_is_empty_everywhere(engine):
    status = source_status(engine, today=date(2026, 11, 24))
    assert {s["status"] for s in status.values()} == {"empty"}
    assert status["web"]["message"] == "No web traffic loaded yet: sync GA4 (python cli.py sync ga4) or import a " \
                                       "web export."
    assert stale_or_empty(engine, date(2026, 11, 24))["ad_spend"].startswith("No ad spend loaded yet")


def test_fresh_and_stale_depend_on_each_kinds_expected_lag(engine):
    import_file(engine, "orders", EXAMPLES / "orders.csv", actor=ADMIN)  # 2 to 4 November 2026
    import_file(engine, "email", EXAMPLES / "email.csv", actor=ADMIN)  # 3 and 5 November 2026
    status = source_status(engine, today=date(2026, 11, 6))
    assert (status["orders"]["status"], status["orders"]["lag_days"], status["orders"]["rows"]) == ("ok", 2, 4)
    assert (status["orders"]["first"], status["orders"]["last"]) == (date(2026, 11, 2), date(2026, 11, 4))
    later = source_status(engine, today=date(2026, 11, 10))
    assert later["orders"]["status"] == "stale" and later["email"]["status"] == "ok"  # email may lag 14 days
    assert later["orders"]["message"] == ("Orders end on 04 Nov 2026, 6 days ago (expected within 2 days): KPIs "
                                          "using them miss the latest days. To refresh: import a file (python cli.py "
                                          "import orders FILE).")
    assert set(stale_or_empty(engine, date(2026, 11, 10))) == {"orders", "web_traffic", "ad_spend", "social",
                                                               "feedback", "tickets"}


def test_last_success_and_last_failure_come_from_the_sync_log(engine, tmp_path):
    import_file(engine, "feedback", EXAMPLES / "feedback.csv", actor=ADMIN)
    bad = tmp_path / "feedback.csv"
    bad.write_text("response_id,date,kind,score\nX,2026-11-02,ces,3\n", encoding="utf-8")
    with pytest.raises(FileImportError):
        import_file(engine, "feedback", bad, actor=ADMIN)
    status = source_status(engine, today=date(2026, 11, 5))["feedback"]
    assert status["last_source"] == "import:feedback" and status["failing"]
    assert "line 2, column “kind”: “ces”, expected one of csat, nps" in status["last_error"]
    assert status["rows"] == 4 and status["status"] == "ok"
    import_file(engine, "feedback", EXAMPLES / "feedback.csv", actor=ADMIN)
    assert not source_status(engine, today=date(2026, 11, 5))["feedback"]["failing"]


def test_runs_are_attributed_to_kinds_by_source_or_text(engine):
    load(engine, "social", FRAMES["social"], source="script")  # the loader's detail starts with the kind
    assert source_status(engine)["social"]["last_source"] == "script"
    assert run_kinds("ga4:123", None) == ("web",) and run_kinds("import:tickets", None) == ("tickets",)
    assert run_kinds("other", "orders: 3 unchanged") == ("orders",) and run_kinds("other", "hello") == ()


def test_demo_data_counts_for_every_kind(demo_engine):
    status = source_status(demo_engine, today=DEMO_AS_OF)
    assert {s["status"] for s in status.values()} == {"ok"}
    assert {s["last_source"] for s in status.values()} == {"demo"}


def test_age_text():
    now = datetime(2026, 11, 24, 12, 0)
    assert [age_text(None), age_text(datetime(2026, 11, 24, 11, 58), now), age_text(datetime(2026, 11, 24, 9), now),
            age_text(datetime(2026, 11, 23, 11), now), age_text(datetime(2026, 11, 20, 12), now)] == [
        "never", "2 min ago", "3 hours ago", "yesterday", "4 days ago"]
