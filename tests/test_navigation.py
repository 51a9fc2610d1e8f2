"""One selection across pages, in a real browser: the period, grain and channel the user chose survive the sidebar's
page links, in-page links and the Back and Forward buttons, and each click or Back press is one history step.

Runs against the same kind of server as tests/test_browser.py (its fixtures: ``streamlit run app.py`` on an empty
warehouse that the first view fills with the demo shop as of today).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from metrics.periods import period_containing
from tests.test_browser import (  # noqa: F401  (fixtures)
    FIRST_LOAD_TIMEOUT_MS,
    _no_exception,
    _open,
    _picked,
    _query,
    _settle,
    _shot,
    base_url,
    browser,
)
from ui.state import option_title  # the period picker shows option_title(label)

SHOTS = "navigation"


def _week_before_default() -> str:
    """Two weeks before the default (the last complete week): W45 when today is in W48."""
    return period_containing(date.today() - timedelta(days=21), "week").label


@pytest.fixture
def tab(browser, base_url):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    _open(page, base_url, "5S KPI overview", timeout=FIRST_LOAD_TIMEOUT_MS)
    yield page
    context.close()


def _history(tab) -> int:
    return tab.evaluate("history.length")


def _choose(tab, key: str, value: str) -> None:
    """Pick ``value`` in the sidebar selectbox ``key`` as a user does (type it, Enter) and wait for the run."""
    box = tab.locator(f".st-key-{key} input[role='combobox']")
    shown = option_title(value) if key == "period" else value  # periods show their title
    box.click()
    box.fill(value)
    # click the option itself once the filtered list shows it: Enter right after typing could pick the list's first
    # option before the filter applied (seen on a loaded CI machine)
    tab.get_by_role("option", name=shown, exact=True).click()
    tab.wait_for_timeout(300)
    _settle(tab)
    assert _picked(tab, key) == shown


def _sidebar_link(tab, title: str) -> None:
    """Click the sidebar's link to page ``title`` and wait for that page's run (one history entry)."""
    before = _history(tab)
    tab.locator("[data-testid='stSidebar']").get_by_role("link", name=title, exact=True).click()
    tab.wait_for_timeout(300)
    _settle(tab)
    assert _history(tab) == before + 1, f"opening {title} made {_history(tab) - before} history entries"


def _back(tab, heading: str) -> None:
    before = _history(tab)
    tab.go_back()
    tab.wait_for_timeout(300)
    _settle(tab, heading)
    assert _history(tab) == before  # going back adds no entry (a page that rewrote its URL would push one)


def _shows(tab, heading: str, period: str, channel: str, text: str) -> None:
    """The page shows ``heading``, ``period`` and ``channel`` in its sidebar, URL and ``text``."""
    assert tab.locator("h1").first.inner_text().startswith(heading)
    assert (_picked(tab, "period"), _picked(tab, "channel")) == (option_title(period), channel)
    assert (_query(tab)["period"], _query(tab).get("channel", "All channels")) == (period, channel)
    assert tab.get_by_text(text).first.is_visible(), f"{heading} does not show {text!r}"
    _no_exception(tab, heading)


def test_the_week_and_channel_survive_the_sidebar_links_and_back(tab):
    week = _week_before_default()
    _choose(tab, "period", week)
    _choose(tab, "channel", "Paid Social")
    _shows(tab, "5S KPI overview", week, "Paid Social", f"{week} · ")
    _shot(tab, f"{SHOTS}-1-overview")

    _sidebar_link(tab, "Weekly review")
    _shows(tab, f"Weekly KPI review · {week}", week, "Paid Social", "Paid Social · share this page's address")
    _shot(tab, f"{SHOTS}-2-weekly-review")
    _sidebar_link(tab, "Campaigns")
    _shows(tab, "Campaigns", week, "Paid Social", "Campaigns of Paid Social")
    assert tab.get_by_text(f"{week} · ").first.is_visible()
    _shot(tab, f"{SHOTS}-3-campaigns")
    _sidebar_link(tab, "Sell")
    _shows(tab, "Sell", week, "Paid Social", f"{week} · ")
    assert tab.get_by_text(" · Paid Social · change against the previous week").first.is_visible()
    _shot(tab, f"{SHOTS}-4-sell")

    _back(tab, "Campaigns")
    _shows(tab, "Campaigns", week, "Paid Social", "Campaigns of Paid Social")
    _back(tab, "Weekly KPI review")
    _shows(tab, f"Weekly KPI review · {week}", week, "Paid Social", "Paid Social · share this page's address")
    _back(tab, "5S KPI overview")
    _shows(tab, "5S KPI overview", week, "Paid Social", f"{week} · ")
    tab.go_forward()
    _settle(tab, "Weekly KPI review")
    _shows(tab, f"Weekly KPI review · {week}", week, "Paid Social", "Paid Social · share this page's address")


def test_back_after_a_picker_change_restores_the_previous_choice_in_one_press(tab):
    week = _week_before_default()
    default = _picked(tab, "period")
    _choose(tab, "channel", "Email")
    _choose(tab, "period", week)
    _back(tab, "5S KPI overview")
    assert (_picked(tab, "period"), _picked(tab, "channel")) == (default, "Email")
    _back(tab, "5S KPI overview")
    assert (_picked(tab, "period"), _picked(tab, "channel")) == (default, "All channels")


def test_a_month_then_the_weekly_review_shows_the_week_last_chosen_and_the_month_comes_back(tab):
    week = _week_before_default()
    month = period_containing(date.today(), "month").label  # the month in progress
    _choose(tab, "period", week)
    _choose(tab, "grain", "Month")
    assert _picked(tab, "period") == option_title(month)  # the month holding the week (here also the month in progress)
    assert tab.get_by_text("in progress").first.is_visible()

    _sidebar_link(tab, "Weekly review")
    _shows(tab, f"Weekly KPI review · {week}", week, "All channels", "All channels · share this page's address")
    _sidebar_link(tab, "Overview")
    _shows(tab, "5S KPI overview", month, "All channels", f"{month} · ")
    assert _picked(tab, "grain") == "Month"
    _back(tab, "Weekly KPI review")
    assert _picked(tab, "period") == option_title(week)


def test_a_card_link_keeps_the_selection_and_back_returns_in_one_press(tab):
    week = _week_before_default()
    _choose(tab, "period", week)
    _choose(tab, "channel", "Paid Search")
    before = _history(tab)
    tab.get_by_role("link", name="Details").first.click()
    tab.wait_for_timeout(300)
    _settle(tab)
    assert _history(tab) == before + 1
    assert "kpi" in _query(tab)
    assert (_picked(tab, "period"), _picked(tab, "channel")) == (option_title(week), "Paid Search")
    _back(tab, "5S KPI overview")
    assert (_picked(tab, "period"), _picked(tab, "channel")) == (option_title(week), "Paid Search")
