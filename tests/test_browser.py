"""End to end in a real browser: ``streamlit run app.py`` on a loopback port, driven by Playwright in Debian's chromium.

The server starts on an empty warehouse, so the first page view loads the demo shop (as of today) exactly as
it does for a new user. Screenshots go to ``test-artifacts/`` (git-ignored); ``docs/screenshots/`` is
refreshed from them by hand (see README).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy.engine import make_url

from connectors.demo import POOR_ROAS_CAMPAIGN
from metrics.catalog import S_ORDER
from tests.conftest import ROOT, _server_database

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PAGES = ("overview", "weekly_review", "campaigns", "ab_test", "sell", "serve", "speak", "save", "sizzle", "targets",
         "data_sources")
FIRST_LOAD_TIMEOUT_MS = 180_000  # the first view loads two years of demo data
TIMEOUT_MS = 60_000
ROW_HEIGHT = 35  # Streamlit's data grid: header and rows are 35 px high


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _empty_warehouse(tmp_path: Path) -> str:
    server = os.environ.get("KPI_TEST_DATABASE_URL")
    if server:
        return _server_database(server, make_url(server).database + "_e2e")
    return f"sqlite:///{tmp_path / 'e2e.db'}"


@contextmanager
def streamlit_server(tmp: Path, database_url: str, port: int | None = None, options: tuple[str, ...] = (),
                     unset: tuple[str, ...] = ()) -> Iterator[str]:
    """``streamlit run app.py`` on a loopback port (a free one by default), headless, on ``database_url``, with
    more command-line ``options`` and the environment variables ``unset`` left out; yields its address."""
    port = port or _free_port()
    log = (tmp / "streamlit.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none", *options],
        cwd=tmp, env={**env, "KPI_DATABASE_URL": database_url}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; its log:\n{(tmp / 'streamlit.log').read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    """A running ``streamlit run app.py`` on a free loopback port, headless, on an empty warehouse."""
    tmp = tmp_path_factory.mktemp("e2e")
    with streamlit_server(tmp, _empty_warehouse(tmp)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}: run `apt-get install chromium` "
                    "(.ci/run does this when it is missing)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1440, "height": 1100})
    tab = context.new_page()
    _open(tab, base_url, timeout=FIRST_LOAD_TIMEOUT_MS)  # the demo load happens on the module's first view
    yield tab
    context.close()


_PAGE_STATE = """() => [
    document.querySelectorAll('[data-testid="stStatusWidget"]').length,
    document.querySelectorAll('[data-stale="true"]').length,
    document.querySelectorAll('[data-testid="stElementContainer"]').length]"""


def _settle(tab, heading: str | None = None, timeout: int = TIMEOUT_MS) -> None:
    """Wait until the app shows ``heading`` (or any title) and has finished its run: no running indicator,
    no stale elements, and the same number of elements for three checks in a row."""
    title = tab.locator("h1")
    (title.filter(has_text=heading) if heading else title).first.wait_for(timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    last, stable = None, 0
    while stable < 3:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app at {tab.url} did not finish its run in {timeout / 1000:.0f} s")
        state = tab.evaluate(_PAGE_STATE)
        stable = stable + 1 if state == last and state[:2] == [0, 0] else 0
        last = state
        tab.wait_for_timeout(250)


def _open(tab, url: str, heading: str | None = None, timeout: int = TIMEOUT_MS) -> None:
    tab.goto(url)
    _settle(tab, heading, timeout)


def _no_exception(tab, where: str) -> None:
    errors = tab.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{where} shows a Streamlit exception: {errors.first.inner_text()[:500]}"


def _query(tab) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(tab.url).query).items()}


def _shot(tab, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path))
    return path


def _grid(tab, key: str):
    """The data grid of the ``st.dataframe`` with ``key``."""
    return tab.locator(f".st-key-{key} [data-testid='stDataFrame']")


def _cell(tab, key: str, column: int, row: int) -> str:
    """A cell's text from the grid's accessible table (columns count from 1 after the row selector)."""
    return _grid(tab, key).locator(f"[data-testid='glide-cell-{column}-{row}']").inner_text()


def _select_row(tab, key: str, row: int) -> None:
    """Tick a row's selection box (the grid is a canvas: click the row marker's position)."""
    grid = _grid(tab, key)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    tab.mouse.click(box["x"] + 18, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)


def _picked(tab, key: str) -> str:
    """The value a selectbox shows."""
    return tab.locator(f".st-key-{key} input[role='combobox']").input_value()


def _heading(tab, level: str) -> list[str]:
    return [h.strip() for h in tab.locator(level).all_inner_texts()]


def test_the_overview_shows_the_5s_on_demo_data(page, base_url):
    _open(page, f"{base_url}/?view=cards", "5S KPI overview")  # the cards (the compact table is the default)
    page.locator('[data-testid="stMetric"]').nth(19).wait_for(timeout=TIMEOUT_MS)  # drawn after their containers
    headings = _heading(page, "h3")
    assert [h for h in headings if h in S_ORDER] == list(S_ORDER)
    assert page.get_by_text("Demo data").first.is_visible()
    assert page.locator('[data-testid="stMetric"]').count() >= 20
    _no_exception(page, "the overview")
    _shot(page, "overview")


def test_the_poor_roas_campaign_is_two_clicks_from_the_overview(page, base_url):
    _open(page, f"{base_url}/?view=cards", "5S KPI overview")  # ROAS is on track: its card, not the attention block
    roas_card = page.locator("[data-testid='stMetricLabel']").filter(has_text="ROAS").locator(
        "xpath=ancestor::div[@data-testid='stVerticalBlock'][1]")
    roas_card.get_by_role("link", name="By campaign").click()  # click 1
    _settle(page, "Campaigns")
    assert _query(page)["kpi"] == "save.roas"
    assert _cell(page, "attention", 1, 0) == POOR_ROAS_CAMPAIGN  # first in "need attention"
    assert "ROAS" in _cell(page, "attention", 7, 0) and "below target" in _cell(page, "attention", 7, 0)
    _shot(page, "campaigns")

    _select_row(page, "attention", 0)  # click 2: open the campaign
    page.locator("h3").filter(has_text=f"› {POOR_ROAS_CAMPAIGN}").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert _query(page)["campaign"] == POOR_ROAS_CAMPAIGN and _query(page)["channel"] == "Paid Social"
    assert page.locator(".js-plotly-plot").count() >= 1  # its daily revenue, cost and orders
    _no_exception(page, "the campaign view")
    _shot(page, "campaign-source-medium")


def test_drilling_into_a_channel_is_a_shareable_url_and_back_goes_back(page, browser, base_url):
    _open(page, f"{base_url}/campaigns", "Campaigns")
    assert "Channels" in _heading(page, "h3")
    channel = _cell(page, "table-channel", 1, 0)

    _select_row(page, "table-channel", 0)
    page.locator("h3").filter(has_text=f"Campaigns of {channel}").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    shared = page.url
    assert _query(page)["channel"] == channel
    assert _picked(page, "channel") == channel

    page.go_back()
    page.locator("h3").filter(has_text="Channels").first.wait_for(timeout=TIMEOUT_MS)
    _settle(page)
    assert _query(page).get("channel", "All channels") == "All channels"
    assert _picked(page, "channel") == "All channels"

    other = browser.new_context(viewport={"width": 1440, "height": 1100}).new_page()
    try:
        _open(other, shared, "Campaigns")
        other.locator("h3").filter(has_text=f"Campaigns of {channel}").first.wait_for(timeout=TIMEOUT_MS)
        assert _query(other)["channel"] == channel and _picked(other, "channel") == channel
        assert _query(other)["period"] == parse_qs(urlparse(shared).query)["period"][0]
        _no_exception(other, "the shared campaigns URL")
    finally:
        other.context.close()


def test_a_shared_s_page_url_restores_period_channel_and_kpi(page, base_url):
    _open(page, f"{base_url}/save?grain=month&period=2026-09&channel=Paid%20Search&kpi=save.cpc", "Save")
    query = _query(page)
    assert (query["grain"], query["period"], query["channel"], query["kpi"]) == (
        "month", "2026-09", "Paid Search", "save.cpc")
    assert _heading(page, "h3")[0].startswith("Cost per click")  # the KPI from the URL is drawn first
    assert (_picked(page, "period"), _picked(page, "channel")) == ("September 2026", "Paid Search")  # its title
    assert page.get_by_text("2026-09 · 1–30 Sep 2026 · Paid Search").first.is_visible()
    _no_exception(page, "a shared Save page URL")


@pytest.mark.parametrize("name", PAGES)
def test_no_page_shows_an_exception(page, base_url, name):
    _open(page, f"{base_url}/{name}")
    _no_exception(page, f"/{name}")
    assert page.locator("[data-testid='stAppViewContainer']").get_by_text("Traceback").count() == 0
    _shot(page, f"page-{name}")


def test_the_exported_weekly_review_opens_offline(browser, demo_url, tmp_path):
    report = tmp_path / "review.html"
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "review", "--week", "2026-W47", "--out", str(report)],
                          env={**os.environ, "KPI_DATABASE_URL": demo_url}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    context = browser.new_context(viewport={"width": 1200, "height": 1600}, offline=True)
    fetched: list[str] = []
    context.route("http*://**", lambda route: (fetched.append(route.request.url), route.abort()))
    try:
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(report.as_uri())
        tab.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)  # plotly.js ran, offline
        assert tab.get_by_text("2026-W47").first.is_visible()
        assert fetched == [] and errors == []
        _shot(tab, "review-export")
    finally:
        context.close()


def _grid_cells(grid, text: str):
    """The cells of a grid's accessible table that contain ``text``."""
    return grid.locator("[data-testid^='glide-cell-']").filter(has_text=text)


def _reloaded_grid(tab, heading: str, grid_selector: str, first_cell: str):
    """Reload the page and return its grid once ``first_cell`` is shown again (values read back from the
    warehouse)."""
    tab.reload()
    _settle(tab, heading)
    grid = tab.locator(grid_selector)
    grid.scroll_into_view_if_needed()
    _grid_cells(grid, first_cell).first.wait_for(state="attached", timeout=TIMEOUT_MS)
    return grid


def _edit_cell(tab, grid, row: int, tabs: int, keys: str) -> None:
    """Select row ``row``'s first cell, move ``tabs`` cells right, open the cell's editor, type ``keys`` and
    commit (a text cell with Tab, a date cell with Enter)."""
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    tab.mouse.click(box["x"] + 30, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    tab.wait_for_timeout(400)
    for _ in range(tabs):
        tab.keyboard.press("Tab")
        tab.wait_for_timeout(200)
    tab.keyboard.press("Enter")
    tab.wait_for_timeout(500)
    date_input = tab.locator("input[data-testid='date-picker-cell']")
    if date_input.count():
        date_input.press_sequentially(keys, delay=50)  # typed into the date field, as a user types it
        tab.keyboard.press("Enter")
    else:
        tab.keyboard.type(keys, delay=20)
        tab.keyboard.press("Tab")
    tab.wait_for_timeout(500)


def test_the_weekly_review_keeps_what_was_typed_and_shows_user_text_literally(browser, base_url):
    note = "Outage [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-US")
    tab = context.new_page()
    alerts: list[str] = []
    tab.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    url = f"{base_url}/weekly_review?period=2025-W10"  # a week no other test writes to
    try:
        _open(tab, url, "Weekly KPI review", timeout=FIRST_LOAD_TIMEOUT_MS)
        tab.get_by_label("Note (shown on this KPI's charts for this week)").fill(note)
        tab.get_by_label("Your name").fill('=HYPERLINK("http://x")')
        tab.get_by_role("button", name="Add note").click()
        _settle(tab, "Weekly KPI review")
        assert _grid_cells(tab, "javascript:alert(1)").first.inner_text() == note  # shown as typed
        assert _grid_cells(tab, "HYPERLINK").first.inner_text() == '=HYPERLINK("http://x")'

        editor = tab.locator(".st-key-actions-2025-W10")
        grid = editor.locator("[data-testid='stDataFrame']")
        editor.scroll_into_view_if_needed()
        editor.hover()
        assert editor.get_by_role("button", name="Download as CSV").count() == 0  # only the neutralised ones
        editor.get_by_role("button", name="Add row").dispatch_event("click")  # the toolbar may sit under the grid
        tab.wait_for_timeout(500)
        tab.keyboard.press("Escape")
        tab.wait_for_timeout(500)
        _edit_cell(tab, grid, 0, 0, "Call the bank")
        _edit_cell(tab, grid, 0, 1, "Dara")
        _edit_cell(tab, grid, 0, 2, "03142025")  # mm dd yyyy, typed
        _grid_cells(grid, "2025-03-14").wait_for(state="attached", timeout=TIMEOUT_MS)  # the grid took it
        _settle(tab)
        tab.get_by_role("button", name="Save actions").click()
        _settle(tab, "Weekly KPI review")
        assert tab.locator("[data-testid='stAlert']").filter(has_text="Action").count() == 0
        assert _grid_cells(grid, "Call the bank").count() == 1  # saved once, shown once
        assert tab.get_by_label("Note (shown on this KPI's charts for this week)").input_value() == ""

        grid = _reloaded_grid(tab, "Weekly KPI review", ".st-key-actions-2025-W10 [data-testid='stDataFrame']",
                              "Call the bank")
        assert _grid_cells(grid, "Call the bank").count() == 1 and _grid_cells(grid, "Dara").count() == 1
        assert _grid_cells(grid, "2025-03-14").count() == 1  # the new action's due date was saved

        _edit_cell(tab, grid, 0, 2, "03212025")  # change the saved action's due date
        _grid_cells(grid, "2025-03-21").wait_for(state="attached", timeout=TIMEOUT_MS)
        _settle(tab)
        tab.get_by_role("button", name="Save actions").click()
        _settle(tab, "Weekly KPI review")
        grid = _reloaded_grid(tab, "Weekly KPI review", ".st-key-actions-2025-W10 [data-testid='stDataFrame']",
                              "Call the bank")
        assert _grid_cells(grid, "2025-03-21").count() == 1 and _grid_cells(grid, "2025-03-14").count() == 0

        assert _grid_cells(tab, "javascript:alert(1)").first.inner_text() == note  # the note, after the reload
        assert tab.locator("a[href^='javascript']").count() == 0 and tab.locator("img[src='x']").count() == 0
        assert alerts == []
        _no_exception(tab, "the weekly review")
        _shot(tab, "weekly-review-typed")
    finally:
        context.close()


def test_a_target_typed_in_the_grid_is_there_after_a_reload(browser, base_url):
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-US")
    tab = context.new_page()
    url = f"{base_url}/targets?grain=week&period=2025-W10"  # a week no other test sets targets for
    try:
        _open(tab, url, "Targets · 2025-W10", timeout=FIRST_LOAD_TIMEOUT_MS)
        grid = tab.locator(".st-key-targets-2025-W10- [data-testid='stDataFrame']")
        _edit_cell(tab, grid, 0, 3, "1250")  # Revenue (the first row), the target column
        _grid_cells(grid, "1250").first.wait_for(state="attached", timeout=TIMEOUT_MS)
        _settle(tab)
        tab.get_by_role("button", name="Save 1 change").click()
        _settle(tab, "Targets · 2025-W10")
        grid = _reloaded_grid(tab, "Targets · 2025-W10", ".st-key-targets-2025-W10- [data-testid='stDataFrame']",
                              "Revenue")
        assert _grid_cells(grid, "$1,250").count() == 1  # saved, read back from the warehouse, shown as money
        assert tab.get_by_role("button", name="Save 0 changes").is_disabled()
        _no_exception(tab, "the targets page")
    finally:
        context.close()
