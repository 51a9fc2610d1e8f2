"""The overview on a 1440×900 screen, in a real browser on the demo shop (the server and page helpers of
tests/test_browser.py): what is off track is on the first screen, all 24 KPIs within the first two, cards fill the
width."""

from __future__ import annotations

import re

from metrics.catalog import KPIS
from tests.test_browser import (  # noqa: F401 (fixtures)
    FIRST_LOAD_TIMEOUT_MS,
    ROW_HEIGHT,
    _grid,
    _no_exception,
    _open,
    _query,
    _select_row,
    _settle,
    _shot,
    base_url,
    browser,
)

SCREEN = {"width": 1440, "height": 900}
TITLE = "5S KPI overview"


def _screen(chromium, url: str):
    """A 1440×900 tab showing ``url`` once the app has finished its run."""
    tab = chromium.new_context(viewport=SCREEN).new_page()
    _open(tab, url, TITLE, timeout=FIRST_LOAD_TIMEOUT_MS)  # the module's first view loads the demo shop
    return tab


def _full_page_shot(tab, name: str) -> None:
    """The whole page (the app scrolls inside its main block: grow the window to its height)."""
    height = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    tab.set_viewport_size({"width": SCREEN["width"], "height": height})
    tab.wait_for_timeout(1000)
    _shot(tab, name)
    tab.set_viewport_size(SCREEN)


def test_the_first_screen_holds_the_off_track_kpis_and_two_screens_all_22(browser, base_url):  # noqa: F811
    tab = _screen(browser, base_url)
    try:
        counts = tab.get_by_text(re.compile(r"\d+ on track · \d+ at risk · \d+ off track")).first.inner_text()
        off_track = int(re.search(r"(\d+) off track", counts).group(1))
        assert off_track > 0, counts  # the demo shop has KPIs off track: the check below can fail

        block = tab.locator(".st-key-attention")
        badges = block.locator("[data-testid='stMarkdownContainer']").filter(
            has_text=re.compile(r"^\s*\S*\s*Off track\s*$"))
        assert badges.count() == off_track
        for i in range(off_track):
            box = badges.nth(i).bounding_box()
            assert box["y"] + box["height"] <= SCREEN["height"], f"off-track KPI {i + 1} is below the first screen"
        first_at_risk = block.get_by_text("At risk", exact=True).first
        if first_at_risk.count():  # off track first, then at risk
            assert first_at_risk.bounding_box()["y"] > badges.last.bounding_box()["y"]
        assert block.get_by_role("link", name="Details").count() >= off_track  # each line opens its details

        grid = _grid(tab, "scorecard")
        box = grid.bounding_box()
        assert box["height"] >= 23 * ROW_HEIGHT  # header and 22 rows, no inner scrolling
        assert box["y"] + box["height"] <= 2 * SCREEN["height"], "the scorecard goes past the second screen"
        assert box["width"] >= 900  # the wide layout: the table uses the width beside the sidebar
        assert grid.locator("[data-testid^='glide-cell-']").filter(has_text="Social followers").count() == 1
        _no_exception(tab, "the overview")
        _shot(tab, "overview-first-screen")
        _full_page_shot(tab, "overview-full")

        _select_row(tab, "scorecard", [k.id for k in KPIS].index("save.roas"))  # any row opens its details
        tab.get_by_text("ROAS (charted below):").wait_for(timeout=FIRST_LOAD_TIMEOUT_MS)
        _settle(tab, TITLE)
        assert _query(tab)["kpi"] == "save.roas" and _query(tab).get("view", "table") == "table"
        tab.get_by_role("link", name="By campaign").last.click()
        _settle(tab, "Campaigns")
        assert (_query(tab)["kpi"], _query(tab)["set"]) == ("save.roas", "sales")
    finally:
        tab.context.close()


def test_the_cards_fill_the_width(browser, base_url):  # noqa: F811
    tab = _screen(browser, f"{base_url}/?view=cards")
    try:
        right = tab.locator(".st-key-attention").bounding_box()
        edge = right["x"] + right["width"]
        cards = tab.locator("[data-testid='stMetric']")
        cards.nth(21).wait_for(timeout=10_000)  # metrics are drawn a moment after their containers
        assert cards.count() == 24
        rows: dict[int, list[dict]] = {}
        for i in range(cards.count()):
            box = cards.nth(i).bounding_box()
            rows.setdefault(round(box["y"]), []).append(box)
        assert len(rows) == 5  # one row per S
        for boxes in rows.values():
            last = max(b["x"] + b["width"] for b in boxes)
            assert edge - last < 40, f"the cards end {edge - last:.0f} px before the right edge"  # a card's padding
        _no_exception(tab, "the overview's cards")
        _full_page_shot(tab, "overview-cards-full")
    finally:
        tab.context.close()
