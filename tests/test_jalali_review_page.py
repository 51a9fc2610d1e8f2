"""AppTest: the weekly review in a Jalali run (KPI_CALENDAR=jalali) on the demo warehouse: Saturday–Friday weeks
in the picker, a Gregorian week in the URL shown as the Jalali week holding its start, notes kept by week start."""

from __future__ import annotations

from datetime import date

import streamlit as st

from metrics.review import add_note
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fixtures import load_fixture


def test_the_weekly_review_runs_on_jalali_weeks(demo_url, monkeypatch, tmp_path):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.setenv("KPI_CALENDAR", "jalali")
    st.cache_data.clear()
    # 1405-W35 = Nowruz 1405 (Sat 2026-03-21) + 34 weeks = Sat 14 Nov .. Fri 20 Nov 2026 = 23–29 Aban 1405
    app = page_app("weekly_review", grain="week", period="1405-W35").run()
    assert not app.exception, app.exception
    picker = app.selectbox(key="period")
    assert picker.value == "1405-W35"
    assert picker.options[picker.index] == "1405-W35 · 23–29 Aban 1405"  # option text: period_title
    assert any("1405-W35" in t.value for t in app.title)
    assert app.metric, "the headline counts are drawn"

    # a Gregorian week in a shared link: shown as the Jalali week holding its start (Mon 16 Nov -> Sat 14 Nov)
    linked = page_app("weekly_review", grain="week", period="2026-W47").run()
    assert not linked.exception and linked.selectbox(key="period").value == "1405-W35"


def test_a_note_of_a_jalali_week_is_shown_on_its_review(engine, monkeypatch):
    load_fixture(engine)  # the hand-made shop of 2–8 Nov 2026
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("KPI_CALENDAR", "jalali")
    st.cache_data.clear()
    # notes and actions are keyed by the week's first day: Saturday 31 Oct 2026 for 1405-W33 (31 Oct .. 6 Nov:
    # 2026-03-21 + 32 × 7 = +224 -> 31 Oct)
    add_note(engine, "sell.revenue", date(2026, 10, 31), "Jalali week note: Aban sale ended early", "Sara", actor=ADMIN)
    app = page_app("weekly_review", grain="week", period="1405-W33").run()
    assert not app.exception, app.exception
    shown = [str(df.value.to_dict()) for df in app.dataframe] + [m.value for m in app.markdown]
    assert any("Aban sale ended early" in text for text in shown)
