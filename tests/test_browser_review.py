"""The weekly review in a real browser at 1440×900: a meeting can be run from its first two screens.

The server runs on the session's demo warehouse (as of 2026-11-24) and the test only reads it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_browser import ROW_HEIGHT, _no_exception, _open, _settle, _shot, browser, streamlit_server

__all__ = ["browser"]  # the shared chromium fixture
SCREEN = 900
WEEK = "2026-W47"


@pytest.fixture(scope="module")
def demo_server(demo_url, tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, on the demo warehouse."""
    with streamlit_server(tmp_path_factory.mktemp("review-e2e"), demo_url) as url:
        yield url


def _scroll_main(tab, y: int) -> None:
    tab.evaluate(f"() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, {y})")
    tab.wait_for_timeout(500)


def test_the_meeting_fits_the_first_two_screens_and_a_row_opens_its_detail(browser, demo_server):
    context = browser.new_context(viewport={"width": 1440, "height": SCREEN}, locale="en-US")
    tab = context.new_page()
    try:
        _open(tab, f"{demo_server}/weekly_review?period={WEEK}", "Weekly KPI review", timeout=180_000)
        _no_exception(tab, "the weekly review")
        table = tab.locator(f".st-key-attention-{WEEK} [data-testid='stDataFrame']").bounding_box()
        actions = tab.locator("h2").filter(has_text="Actions").first.bounding_box()
        assert table["y"] < SCREEN, f"the attention table starts at {table['y']} px, below the first screen"
        assert table["y"] + table["height"] < 2 * SCREEN and actions["y"] < 2 * SCREEN, (table, actions)
        assert table["height"] >= 8 * ROW_HEIGHT  # header + 7 KPIs: no scrolling inside the table
        details = tab.locator("[data-testid='stExpander']")
        assert details.count() == 7 and tab.locator("[data-testid='stExpander'] details[open]").count() == 0
        _shot(tab, "weekly-review-screen-1")
        _scroll_main(tab, SCREEN)
        _shot(tab, "weekly-review-screen-2")
        _scroll_main(tab, 0)

        box = tab.locator(f".st-key-attention-{WEEK} [data-testid='stDataFrame']").bounding_box()
        tab.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT * 2 + ROW_HEIGHT / 2)  # row 2: Marketing cost
        opened = tab.locator("[data-testid='stExpander'] details[open]")
        opened.first.wait_for(timeout=60_000)
        _settle(tab, "Weekly KPI review")
        assert opened.count() == 1 and "Marketing cost: off track" in opened.first.inner_text()
        assert opened.first.get_by_text("Channels that moved it").count() == 1
        assert opened.first.get_by_label("Note on Marketing cost").count() == 1  # its notes editor is right there
        _no_exception(tab, "the weekly review's detail")
        opened.first.scroll_into_view_if_needed()
        _shot(tab, "weekly-review-detail")
    finally:
        context.close()
