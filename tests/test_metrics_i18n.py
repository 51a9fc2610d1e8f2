"""The metrics layer writes what people read in the run's language: KPI names, reasons and headlines in Persian
(and Arabic), numbers and dates in the reader's digits and calendar; status words and ids stay English keys; and
in English the CLI's JSON is byte for byte what it was.

These tests read the project's catalogues (locales/): they pass once the metrics messages are merged there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from connectors.loader import load
from i18n import _, using_locale
from metrics import cache
from metrics.catalog import MEASURES, kpi_label, kpi_option, s_meaning, s_name
from metrics.completeness import Coverage
from metrics.date_text import format_date
from metrics.engine import is_unknown, split_unknown, unknown_reason
from metrics.pacing import STATUS_LABELS
from metrics.periods import last_complete, parse_period, using_calendar
from metrics.scorecard import KpiResult, partial_headline, scorecard, unknown_headline
from tests.conftest import DEMO_AS_OF, ROOT
from tests.fixtures import set_targets

COST = "save.marketing_cost"
AFTER = date(2027, 1, 5)  # W45 2026 (Mon 2 - Sun 8 Nov) has ended
LATIN = re.compile(r"[A-Za-z0-9]")  # a Persian sentence with no Latin letter or digit left in it


@pytest.fixture
def shop(engine):
    """Orders through 4 Jan 2027; ad cost of 10 a day from 26 Oct to Wed 4 Nov 2026 only (W45's cost is partial),
    and a W45 budget of 70."""
    orders = pd.DataFrame(
        [(oid, datetime.combine(day, datetime.min.time()).replace(hour=12), f"c-{oid}", revenue, 0.0, "Direct",
          "(direct)") for oid, day, revenue in (("a1", date(2026, 11, 2), 100.0), ("a2", date(2026, 11, 3), 50.0),
                                                 ("z1", date(2027, 1, 4), 10.0))],
        columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel", "campaign"])
    load(engine, "orders", orders, source="test")
    ads = pd.DataFrame([(date(2026, 10, 26) + timedelta(days=i), "google_ads", "brand", "Paid Search", 100, 10, 10.0)
                        for i in range(10)],
                       columns=["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"])
    load(engine, "ad_spend", ads, source="test")
    set_targets(engine, [(COST, "week", date(2026, 11, 2), "", 70.0)])
    return engine


def test_a_scorecard_row_reads_in_persian(shop):
    week = parse_period("2026-W45")
    with using_locale("fa"), using_calendar("jalali"):
        cost = scorecard(shop, week, kpi_ids=[COST], today=AFTER)[0]
        # the cost ends Wed 4 Nov 2026 (13 Aban 1405): 3 of W45's 7 days are covered, 4 are missing
        assert cost.label == "هزینه بازاریابی" == kpi_label(COST)
        expected = "داده‌های هزینه‌کرد تبلیغات در {day} تمام می‌شود ({missing} روز از {days} روز بدون داده)"
        assert cost.reason == expected.format(day=format_date(date(2026, 11, 4)), missing="۴", days="۷")
        assert "آبان" in cost.reason and not LATIN.search(cost.reason)  # Jalali month, Persian digits
        # the budget's share of the 3 covered days is 70 * 3 / 7 = 30, and 3 x 10 = 30 were spent: on track
        assert cost.status == "on_track"  # the status is a key; its words are translated where shown
        status = _(STATUS_LABELS[cost.status])
        assert status != STATUS_LABELS[cost.status] and not LATIN.search(status)
        headline = partial_headline([cost])
        assert headline.startswith("داده‌های ۱ شاخص در این دوره ناقص است")
        assert format_date(date(2026, 11, 4)) in headline and not LATIN.search(headline)
        assert s_name(cost.s) == "صرفه‌جویی" and cost.s == "Save"
        assert kpi_option(COST) == "صرفه‌جویی · هزینه بازاریابی"
        assert not LATIN.search(s_meaning("Sell"))
    # the same row in English, as it always read
    cost = scorecard(shop, week, kpi_ids=[COST], today=AFTER)[0]
    assert (cost.label, cost.reason) == ("Marketing cost", "ad spend data ends 2026-11-04 (4 of 7 days missing)")


def test_the_same_row_in_arabic(shop):
    with using_locale("ar"), using_calendar("gregorian"):
        cost = scorecard(shop, parse_period("2026-W45"), kpi_ids=[COST], today=AFTER)[0]
        assert cost.label == "تكلفة التسويق"
        expected = "تنتهي بيانات الإنفاق الإعلاني في {day} (الأيام الناقصة: {missing} من {days})"
        assert cost.reason == expected.format(day=format_date(date(2026, 11, 4)), missing="٤", days="٧")


def test_an_unknown_reason_is_recognised_in_any_language():
    days = [date(2026, 11, 2) + timedelta(days=i) for i in range(7)]
    english = unknown_reason(MEASURES["new_users"], days)
    with using_locale("fa"):
        persian = unknown_reason(MEASURES["new_users"], days)
        item = KpiResult("sizzle.new_users", "Sizzle", kpi_label("sizzle.new_users"), "count", None, None, None,
                         persian)
        headline = unknown_headline([item])
    assert english.startswith("New users unknown: the web traffic data for ")
    assert persian != english and persian.startswith("کاربران جدید نامعلوم است: داده‌های ترافیک وب در ")
    # a reason written in either language (a cached figure, an export) still says "unknown", never "no data"
    assert is_unknown(english) and is_unknown(persian) and not is_unknown("no web traffic data in scope")
    assert split_unknown(persian)[1] in headline and headline.startswith("کاربران جدید در این دوره نامعلوم است")


def test_coverage_reason_in_english_keeps_its_iso_date():
    cover = Coverage(date(2026, 11, 2), date(2026, 11, 8), date(2026, 11, 4), (("ad spend", date(2026, 11, 4)),))
    assert cover.reason() == "ad spend data ends 2026-11-04 (4 of 7 days missing)"
    with using_locale("fa"):
        assert not LATIN.search(cover.reason())


def test_the_cache_keeps_each_language_apart(shop):
    cache.clear()
    week = parse_period("2026-W45")
    english = cache.scorecard(shop, week, kpi_ids=[COST], today=AFTER)[0]
    with using_locale("fa"):
        persian = cache.scorecard(shop, week, kpi_ids=[COST], today=AFTER)[0]
    assert (english.label, persian.label) == ("Marketing cost", "هزینه بازاریابی")
    assert cache.scorecard(shop, week, kpi_ids=[COST], today=AFTER)[0].label == "Marketing cost"
    # the pages' own caches (ui/data.py) key on state_key too: another language is another key
    english_key = cache.state_key(shop)
    with using_locale("fa"):
        assert cache.state_key(shop) != english_key


def test_the_cli_json_in_english_is_unchanged_after_a_persian_run(demo_url):
    """``report --format json`` of a real subprocess equals, byte for byte, the document built in English in this
    process right after the same report was built in Persian."""
    from cli import report_data
    from metrics.engine import Filters
    from warehouse.db import make_engine

    week = last_complete("week", DEMO_AS_OF).label
    env = {k: v for k, v in os.environ.items() if k not in ("KPI_LOCALE", "KPI_CALENDAR", "KPI_DIGITS")}
    out = subprocess.run([sys.executable, "cli.py", "report", "--period", week, "--format", "json"], cwd=ROOT,
                         env={**env, "KPI_DATABASE_URL": demo_url}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    engine = make_engine(demo_url)
    try:
        with using_locale("fa"):
            persian = report_data(engine, week, Filters())
        with using_locale("en"):
            english = report_data(engine, week, Filters())
    finally:
        engine.dispose()
    assert persian["kpis"][0]["label"] == "درآمد" and persian["kpis"][0]["id"] == "sell.revenue"
    assert json.dumps(english, indent=2, ensure_ascii=False) + "\n" == out.stdout
    assert [k["label"] for k in english["kpis"]][:2] == ["Revenue", "Orders"]
