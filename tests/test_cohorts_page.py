"""The Cohorts page (pages/cohorts.py) through Streamlit's AppTest on the hand-made shop of tests/cohort_shop.py
(figures worked out by hand in tests/test_cohorts.py)."""

from __future__ import annotations

import pytest

from i18n import _, using_locale
from metrics.format import format_value
from tests.cohort_shop import load_cohort_shop
from tests.conftest import open_in_app, page_app

MARCH = {"grain": "month", "period": "2026-03", "cohorts": "6"}  # cohorts 2025-10 .. 2026-03


@pytest.fixture
def cohort_app(engine, monkeypatch):
    load_cohort_shop(engine)
    return open_in_app(engine, monkeypatch)


def _rows(app) -> dict[str, dict]:
    table = app.dataframe[0].value
    return {row[table.columns[0]]: row for row in table.to_dict("records")}


def test_english_page_by_hand(cohort_app):
    app = page_app("cohorts", **MARCH).run()
    assert not app.exception, app.exception
    assert app.title[0].value == "Cohorts"
    # the months by name, as the heatmap's rows call them (not their codes 2025-10 and 2026-03)
    assert "October 2025 to March 2026" in app.caption[0].value, app.caption[0].value
    assert any("March 2026 is still in progress" in i.value for i in app.info)  # the data ends on 10 March
    charts = app.get("plotly_chart")
    assert len(charts) == 2
    heatmap = charts[0].proto.spec
    # January's row: retention 100%, 50%, 50% (c1 skips February, c2 does not come back in March)
    assert "January 2026" in heatmap and "50.0%" in heatmap and "1 of 2 customers" in heatmap
    rows = _rows(app)
    assert list(rows) == ["Email", "Organic Search", "Paid Search", "Paid Social"]
    social = rows["Paid Social"]
    # Paid Social: c1 (January, CAC 120) and c3 (February, CAC 110): CAC (120 + 110) / 2 = $115.00; revenue per
    # customer (100 + 100) / 2 = $100.00 in the first month, (100 + 130) / 2 = 115 a month later: LTV:CAC 1 -> payback
    assert social["CAC"] == "$115.00" and social["New customers"] == "2"
    assert social["Revenue per customer, first order's period"] == "$100.00"
    assert social["Payback"] == "after 1 month"
    assert rows["Paid Search"]["Payback"] == "in the first month"  # $50 of revenue for a CAC of $25
    assert rows["Email"]["CAC"] == "no ad cost" and rows["Email"]["Payback"] == "—"
    assert any("No ad cost is recorded for" in i.value and "Email, Organic Search" in i.value for i in app.info)


def test_controls_change_what_is_shown(cohort_app):
    app = page_app("cohorts", **MARCH).run()
    app.selectbox(key="channel").set_value("Paid Social").run()
    assert not app.exception, app.exception
    assert list(_rows(app)) == ["Paid Social"]  # only the customers acquired through Paid Social
    assert app.query_params["channel"] == "Paid Social"
    assert not any("No ad cost" in i.value for i in app.info)
    app.selectbox(key="cohorts").set_value("24").run()
    assert "April 2024" in app.caption[0].value and app.query_params["cohorts"] == "24"
    early = page_app("cohorts", grain="month", period="2025-06").run()
    assert not early.exception and any("No new customer's first order" in i.value for i in early.info)


def test_persian_page_on_jalali_months(cohort_app):
    app = page_app("cohorts", lang="fa", **MARCH)
    with using_locale("fa"):
        app.run()
        assert not app.exception, app.exception
        assert app.title[0].value == _("Cohorts")
        # 2026-03 in the URL -> Esfand 1404 (20 Feb - 20 Mar 2026); six Jalali months back: Mehr 1404
        assert app.query_params["period"] == "1404-12"
        rows = _rows(app)
        assert set(rows) == {"Email", "Organic Search", "Paid Search", "Paid Social"}
        social = rows["Paid Social"]
        # Dey (c1, cost 70 on 5 Jan) and Bahman (c3, cost 50 + 110 = 160 on 25 Jan and 10 Feb): CAC 230 / 2 = 115;
        # revenue per customer (100 + 80) / 2 = 90 in the first month, (100 + 130) / 2 = 115 after one: payback 1
        assert social[_("CAC")] == format_value(115, "currency")
        assert social[_("Revenue per customer, first order's period")] == format_value(90, "currency")
        assert "۱۱۵" in social[_("CAC")]  # Persian digits
        heatmap = app.get("plotly_chart")[0].proto.spec
        assert "Vazirmatn" in heatmap  # the right-to-left font
