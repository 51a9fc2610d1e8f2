"""Persian and Arabic in a real browser at 1440×900: the overview reads right to left in Vazirmatn (served by
Streamlit's static serving) and shows Persian digits; English is untouched; the exported review renders Vazirmatn
offline.

The server runs on the session's demo warehouse (as of 2026-11-24) and the tests only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from reports.review_html import render
from tests.test_browser import _no_exception, _open, _shot, browser, streamlit_server

__all__ = ["browser"]  # the shared chromium fixture
WEEK = "2026-W47"
MAIN = '[data-testid="stMainBlockContainer"]'
SIDEBAR = '[data-testid="stSidebarUserContent"]'
_STYLE = """([main, sidebar]) => {
    const m = document.querySelector(main), s = document.querySelector(sidebar), h = m.querySelector('h1');
    const loaded = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Vazirmatn'
                                                   && f.status === 'loaded').length;
    return {main: getComputedStyle(m).direction, sidebar: getComputedStyle(s).direction,
            bidi: getComputedStyle(m).unicodeBidi, title: getComputedStyle(h).fontFamily,
            check: document.fonts.check('16px Vazirmatn'), loaded: loaded, text: m.innerText}; }"""


@pytest.fixture(scope="module")
def demo_server(demo_url, tmp_path_factory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, on the demo warehouse."""
    with streamlit_server(tmp_path_factory.mktemp("rtl-e2e"), demo_url) as url:
        yield url


@pytest.fixture(scope="module")
def persian(browser, demo_server) -> Iterator[tuple]:
    """The overview in Persian, opened once: (tab, its computed style)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    _open(tab, f"{demo_server}/?lang=fa&grain=week&period={WEEK}", timeout=180_000)
    tab.evaluate("document.fonts.ready")
    yield tab, tab.evaluate(_STYLE, [MAIN, SIDEBAR])
    context.close()


def test_the_persian_overview_reads_right_to_left_in_vazirmatn(persian):
    tab, style = persian
    _no_exception(tab, "the Persian overview")
    assert style["main"] == "rtl" and style["sidebar"] == "rtl", style
    assert style["bidi"] != "bidi-override"
    assert "Vazirmatn" in style["title"], style["title"]
    assert style["check"] and style["loaded"] >= 1, style  # the WOFF2 came from /app/static and is in use
    _shot(tab, "overview-fa")


def test_the_persian_overview_shows_persian_digits(persian):
    """Passes once numbers are formatted in the reader's digits (i18n.numerals through metrics.format)."""
    _tab, style = persian
    text = style["text"]
    assert len(re.findall("[۰-۹]", text)) >= 20, text[:500]  # the scorecard's values, dates and counts
    assert not re.search(r"\$\d", text), text[:500]  # no value still written in Latin digits


def test_the_arabic_overview_reads_right_to_left(browser, demo_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    try:
        _open(tab, f"{demo_server}/?lang=ar&grain=week&period={WEEK}", timeout=180_000)
        _no_exception(tab, "the Arabic overview")
        tab.evaluate("document.fonts.ready")
        style = tab.evaluate(_STYLE, [MAIN, SIDEBAR])
        assert style["main"] == "rtl" and "Vazirmatn" in style["title"], style
        _shot(tab, "overview-ar")
    finally:
        context.close()


def test_english_keeps_its_layout_and_font(browser, demo_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    try:
        _open(tab, f"{demo_server}/?grain=week&period={WEEK}", timeout=180_000)
        style = tab.evaluate(_STYLE, [MAIN, SIDEBAR])
        assert style["main"] == "ltr" and style["sidebar"] == "ltr"
        assert "Vazirmatn" not in style["title"] and style["loaded"] == 0, style  # declared, never used
    finally:
        context.close()


def test_the_persian_review_export_renders_vazirmatn_offline(browser, demo_engine, tmp_path):
    from metrics.periods import parse_period

    page_file = tmp_path / "review-fa.html"
    page_file.write_text(render(demo_engine, parse_period(WEEK), lang="fa"), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1440, "height": 900}, offline=True)
    tab = context.new_page()
    try:
        tab.goto(page_file.as_uri())
        tab.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
        tab.evaluate("document.fonts.ready")
        style = tab.evaluate("""() => ({dir: getComputedStyle(document.body).direction,
            font: getComputedStyle(document.querySelector('h1')).fontFamily,
            loaded: [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Vazirmatn'
                                                    && f.status === 'loaded').length})""")
        assert style["dir"] == "rtl" and style["font"].startswith("Vazirmatn") and style["loaded"] >= 1, style
        _shot(tab, "review-export-fa")
    finally:
        context.close()
