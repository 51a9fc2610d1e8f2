"""The user's language in the app (AppTest through app.py on the demo warehouse): ``?lang=`` sets it before
anything prints, the sidebar's picker writes it to the URL, every page link carries it, an unknown one says so and
falls back; Persian and Arabic get the right-to-left stylesheet, English gets none."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from i18n import LANGUAGE_NAMES, _, using_locale
from tests.conftest import page_app
from ui import locale, rtl

PAGES = {"overview", "weekly_review", "campaigns", "journey", "cohorts", "ab_test", "sell", "serve", "speak", "save",
         "sizzle", "targets", "data_sources", "audit"}  # audit: the open app's actor is an admin
WEEK = {"grain": "week", "period": "2026-W47"}


pytestmark = pytest.mark.usefixtures("demo_env")  # the app on the demo warehouse (tests/conftest.py)


def _nav_links(app) -> dict[str, dict[str, str]]:
    """The sidebar's page links: page file name -> (label, query)."""
    return {link.proto.page or "overview": (link.proto.label, dict(parse_qsl(link.proto.query_string)))
            for link in app.sidebar.get("page_link")}


def _rtl_styled(app) -> bool:
    """Whether the run injected the right-to-left stylesheet (an st.html element holding ui.rtl.CSS)."""
    return any(rtl.CSS.strip()[:60] in element.proto.body for element in app.get("html"))


def _is_persian_or_arabic(text: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in text)


def test_the_overview_in_persian_runs_right_to_left_with_persian_page_titles():
    app = page_app("overview", lang="fa", **WEEK).run()
    assert not app.exception
    picker = app.selectbox(key=locale.PICKER)
    assert picker.value == "fa" and picker.options == list(LANGUAGE_NAMES.values())  # each in its own language
    assert _rtl_styled(app)
    links = _nav_links(app)
    assert set(links) == PAGES
    with using_locale("fa"):
        titles = {"overview": _("Overview"), "weekly_review": _("Weekly review"), "targets": _("Targets")}
    for page, title in titles.items():
        assert links[page][0] == title
    # kept in the URL, nothing else added; the calendar follows the language (Persian: Jalali), so the Gregorian
    # week 2026-W47 (Mon 16 – Sun 22 Nov) shows as the Jalali week holding its first day: 1405-W35 (Sat 14 – Fri 20)
    assert dict(app.query_params) == {**WEEK, "period": "1405-W35", "lang": "fa"}
    # Persian once the central catalogue holds app.py's titles (pages are named in the reader's language)
    assert _is_persian_or_arabic(links["overview"][0]), links["overview"][0]


def test_english_gets_no_stylesheet_and_no_lang_in_the_url():
    app = page_app("overview", **WEEK).run()
    assert not app.exception
    assert app.selectbox(key=locale.PICKER).value == "en" and not _rtl_styled(app)
    assert "lang" not in app.query_params
    assert all("lang" not in query for _label, query in _nav_links(app).values())
    assert _nav_links(app)["overview"][0] == "Overview"


def test_the_picker_writes_lang_to_the_url_and_every_sidebar_link_carries_it():
    app = page_app("overview", **WEEK).run()
    app.selectbox(key=locale.PICKER).set_value("ar").run()
    assert not app.exception
    assert app.query_params["lang"] == "ar" and _rtl_styled(app)
    links = _nav_links(app)
    assert {page: query.get("lang") for page, (_label, query) in links.items()} == dict.fromkeys(PAGES, "ar")
    assert links["overview"][1] == {**WEEK, "lang": "ar"}

    # AppTest formats the last run's widget values (format_func) in the test's own thread: in Arabic, as the app
    with using_locale("ar"):
        # a rerun (another widget) keeps it; a page opened by its link keeps it and adds nothing to its URL
        app.selectbox(key="channel").set_value("Email").run()
        assert app.query_params["lang"] == "ar" and app.selectbox(key=locale.PICKER).value == "ar"
        query = _nav_links(app)["sell"][1]
        app.switch_page("pages/sell.py")
        for key in list(app.query_params):
            del app.query_params[key]
        for key, value in query.items():
            app.query_params[key] = value
        app.run()
        assert not app.exception and dict(app.query_params) == query and query["lang"] == "ar"
        assert app.selectbox(key=locale.PICKER).value == "ar"

    # back to the default: absent from the URL and from the links
    with using_locale("ar"):  # the widgets on screen, read back before the run, are still the Arabic ones
        app.selectbox(key=locale.PICKER).set_value("en").run()
    assert "lang" not in app.query_params and not _rtl_styled(app)
    assert all("lang" not in q for _label, q in _nav_links(app).values())


def test_an_unknown_language_says_so_and_falls_back_to_the_default():
    app = page_app("overview", lang="xx", **WEEK).run()
    assert not app.exception
    warnings = [w.value for w in app.warning]
    assert any("xx" in w and "English" in w and "فارسی" in w for w in warnings), warnings
    assert app.selectbox(key=locale.PICKER).value == "en" and not _rtl_styled(app)
    assert "lang" not in app.query_params  # the bad value is dropped from the address


def test_kpi_locale_sets_the_default_and_the_url_can_still_choose_english(monkeypatch):
    monkeypatch.setenv("KPI_LOCALE", "fa")
    app = page_app("overview", **WEEK).run()
    assert not app.exception
    assert app.selectbox(key=locale.PICKER).value == "fa" and _rtl_styled(app)
    assert "lang" not in app.query_params  # the default is not written
    app.selectbox(key=locale.PICKER).set_value("en").run()
    assert app.query_params["lang"] == "en" and not _rtl_styled(app)


@pytest.mark.parametrize(("url", "picked", "chosen", "expected"), [
    (None, None, None, ("en", None)),  # nothing said: the default
    ("fa", None, None, ("fa", None)),  # the URL
    ("FA", None, None, ("fa", None)),  # read like KPI_LOCALE (case, region)
    ("fa", "ar", "fa", ("ar", None)),  # the picker changed since the last run: it wins over the URL
    ("fa", "fa", "fa", ("fa", None)),
    (None, "ar", "ar", ("ar", None)),  # a link without ?lang=: the session's language
    ("xx", None, "ar", ("ar", "xx")),  # unknown: the session's language, and the bad value to report
    ("xx", None, None, ("en", "xx")),
])
def test_resolve(url, picked, chosen, expected):
    assert locale.resolve(url, picked, chosen, "en") == expected
