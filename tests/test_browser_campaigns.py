"""The campaigns drill-down in a real browser at 1440 × 900 (the laptop of a weekly meeting): the tables fit the
width without sideways scrolling, the two clicks from the overview's ROAS card reach the worst campaign's ROAS,
CPA and revenue on the first screen, and the sort survives the breadcrumb. Server and helpers: tests/test_browser.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import pytest

from connectors.demo import POOR_ROAS_CAMPAIGN
from tests.test_browser import (  # noqa: F401 (fixtures)
    FIRST_LOAD_TIMEOUT_MS,
    TIMEOUT_MS,
    _grid,
    _no_exception,
    _open,
    _picked,
    _query,
    _select_row,
    _settle,
    _shot,
    base_url,
    browser,
)

WIDTH, HEIGHT = 1440, 900
ROW_HEIGHT = 35

_WIDTHS = """grid => { const s = grid.querySelector('.dvn-scroller');
    return {scroll: s.scrollWidth, client: s.clientWidth, scrollHeight: s.scrollHeight, height: s.clientHeight}; }"""


@pytest.fixture
def laptop(browser, base_url):  # noqa: F811
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    tab = context.new_page()
    # the demo load happens on the module's first view; the cards view (the compact table is the default)
    _open(tab, f"{base_url}/?view=cards", timeout=FIRST_LOAD_TIMEOUT_MS)
    yield tab
    context.close()


def _fits(tab, key: str | None) -> dict:
    """The sizes of the grid with ``key`` (None: the last grid), asserting it does not scroll sideways."""
    grid = _grid(tab, key) if key else tab.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    tab.wait_for_timeout(500)
    size = grid.evaluate(_WIDTHS)
    assert size["scroll"] <= size["client"], f"{key} scrolls sideways at {WIDTH} px: {size}"
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= WIDTH
    return size


def _on_first_screen(tab, label: str) -> str:
    """The value of the metric labelled ``label``, asserting it is visible without scrolling."""
    metric = tab.locator("[data-testid='stMetric']").filter(
        has=tab.locator("[data-testid='stMetricLabel']").get_by_text(label, exact=True))
    box = metric.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, f"{label} is at {box}"
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_two_clicks_from_the_roas_card_show_the_worst_campaigns_money_and_tables_fit(laptop):
    page = laptop
    roas_card = page.locator("[data-testid='stMetricLabel']").filter(has_text="ROAS").locator(
        "xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
    roas_card.get_by_role("link", name="By campaign").first.click()  # click 1
    _settle(page, "Campaigns")
    assert _query(page)["kpi"] == "save.roas"
    _fits(page, "table-channel")
    attention = _fits(page, "attention")
    assert attention["scrollHeight"] > attention["height"]  # every flagged campaign, scrolling inside
    page.locator("h1").scroll_into_view_if_needed()
    _shot(page, "campaigns-channels-1440x900")
    page.locator("h3").filter(has_text="Channels").scroll_into_view_if_needed()
    _shot(page, "campaigns-channels-table-1440x900")

    _select_row(page, "attention", 0)  # click 2: the furthest from target, the worst ROAS
    page.locator("h3").filter(has_text=f"Sales and cost of Paid Social › {POOR_ROAS_CAMPAIGN}").wait_for(
        timeout=TIMEOUT_MS)
    _settle(page)
    _no_exception(page, "the drilled campaign")
    assert _query(page)["campaign"] == POOR_ROAS_CAMPAIGN and _query(page)["kpi"] == "save.roas"
    roas = _on_first_screen(page, "ROAS")
    assert roas.endswith("×") and float(roas.rstrip("×")) < 0.5
    assert _on_first_screen(page, "CPA").startswith("$") and _on_first_screen(page, "Revenue").startswith("$")
    _shot(page, "campaigns-drilled-1440x900")
    _fits(page, None)  # its source/medium rows

    page.get_by_role("button", name="Paid Social").click()  # the breadcrumb, one level up
    page.locator("h3").filter(has_text="Campaigns of Paid Social").wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert _picked(page, "kpi") == "ROAS (worst first)" and _query(page)["kpi"] == "save.roas"
    _fits(page, "table-campaign")
    page.get_by_role("button", name="All channels").click()  # and up to all channels
    page.locator("h3").filter(has_text="Channels").wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert _picked(page, "kpi") == "ROAS (worst first)" and _query(page)["kpi"] == "save.roas"
