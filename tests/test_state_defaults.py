"""Period defaults and the selection kept across pages (ui/state.py): the rule by hand for fixed dates, then the
real pages through Streamlit's AppTest on the demo warehouse.

The pages use ``date.today()`` (the demo warehouse is as of 2026-11-24), so the AppTest expectations are worked out
from today with ``period_containing`` alone, not with the functions under test.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl

import pytest

from metrics.periods import parse_period, period_containing
from tests.conftest import page_app
from ui.state import carry_period, default_period

TUESDAY = date(2026, 11, 24)  # in W48 (23–29 Nov 2026), Q4
FIRST_OF_DECEMBER = date(2026, 12, 1)  # a Tuesday in W49 (30 Nov – 6 Dec)


@pytest.mark.parametrize(("grain", "today", "expected"), [
    ("week", TUESDAY, "2026-W47"),  # 16–22 Nov: the last complete week
    ("month", TUESDAY, "2026-11"),  # in progress, not October
    ("quarter", TUESDAY, "2026-Q4"),  # in progress, not Q3
    ("year", TUESDAY, "2026"),
    ("week", FIRST_OF_DECEMBER, "2026-W48"),  # 23–29 Nov
    ("month", FIRST_OF_DECEMBER, "2026-11"),  # no day of December is over yet: nothing to pace
    ("month", date(2026, 12, 2), "2026-12"),  # one day over: the month in progress
    ("quarter", date(2026, 10, 1), "2026-Q3"),
    ("quarter", date(2026, 10, 2), "2026-Q4"),
    ("week", date(2026, 11, 23), "2026-W47"),  # on a Monday the week before is complete
])
def test_default_period(grain, today, expected):
    assert default_period(grain, today).label == expected


def test_planning_pages_default_to_the_current_week():
    assert default_period("week", TUESDAY, current=True).label == "2026-W48"
    assert default_period("month", TUESDAY, current=True).label == "2026-11"


@pytest.mark.parametrize(("grain", "previous", "remembered", "expected"), [
    ("week", "2026-W45", None, "2026-W45"),  # same grain: kept
    ("month", "2026-W45", None, "2026-11"),  # 2–8 Nov is in November
    ("quarter", "2026-W45", None, "2026-Q4"),
    ("month", "2026-W40", None, "2026-10"),  # 28 Sep – 4 Oct: the month of its last day
    ("week", "2026-11", "2026-W45", "2026-W45"),  # back to the week chosen before
    ("week", "2026-11", None, "2026-W47"),  # the week of 30 Nov is in the future: the default instead
    ("week", "2026-09", "2026-W45", "2026-W40"),  # the remembered week is not in September: 28 Sep – 4 Oct
    ("month", "2026-Q3", None, "2026-09"),
    ("month", "2026-Q4", "2026-10", "2026-10"),
    ("month", "2026-Q4", "2026-06", "2026-11"),  # December is ahead: the month in progress
    ("quarter", "2025-W10", "2026-Q4", "2025-Q1"),  # 3–9 Mar 2025
    ("quarter", "2027-02", None, "2027-Q1"),  # planning ahead (targets): not pulled back
    ("month", None, None, "2026-11"),
    ("week", None, "2026-W45", "2026-W45"),
])
def test_carry_period_when_the_grain_changes(grain, previous, remembered, expected):
    previous = parse_period(previous) if previous else None
    remembered = parse_period(remembered) if remembered else None
    assert carry_period(grain, previous, remembered, TUESDAY).label == expected


def _today(grain: str, weeks_back: int = 0) -> str:
    return period_containing(date.today() - timedelta(weeks=weeks_back), grain).label


def _caption(app) -> str:
    return app.caption[0].value


def test_the_overview_opens_on_the_last_complete_week_and_month_and_quarter_are_in_progress(demo_env):
    app = page_app("overview").run()
    assert not app.exception
    assert app.selectbox(key="period").value == _today("week", 1)
    assert "in progress" not in _caption(app)

    app.selectbox(key="grain").set_value("quarter").run()
    assert app.selectbox(key="period").value == _today("quarter")
    assert _caption(app).startswith(_today("quarter")) and "in progress" in _caption(app)
    app.selectbox(key="grain").set_value("month").run()
    assert app.selectbox(key="period").value == _today("month")
    assert app.selectbox(key="period").index == 0  # the month in progress is first; the last complete one is next
    assert "in progress" in _caption(app)
    app.selectbox(key="grain").set_value("week").run()
    assert app.selectbox(key="period").value == _today("week", 1)
    assert not app.exception


def test_a_week_chosen_then_month_and_back_to_week_keeps_the_week(demo_env):
    week = _today("week", 3)
    app = page_app("overview").run()
    app.selectbox(key="period").set_value(week).run()
    app.selectbox(key="grain").set_value("month").run()
    assert app.selectbox(key="period").value == period_containing(parse_period(week).end, "month").label
    app.selectbox(key="grain").set_value("week").run()
    assert app.selectbox(key="period").value == week


def _open_bare(app, page: str) -> None:
    """Open ``page`` in the same session with no query string (a bookmark of the page alone)."""
    _open_with(app, page, {})


def test_a_page_opened_without_url_values_shows_the_last_choice(demo_env):
    week = _today("week", 3)
    app = page_app("overview").run()
    app.selectbox(key="period").set_value(week).run()
    app.selectbox(key="channel").set_value("Paid Social").run()
    app.selectbox(key="grain").set_value("month").run()

    _open_bare(app, "weekly_review")  # week-only: the week chosen last, not the month
    assert not app.exception
    assert app.selectbox(key="period").value == week and app.selectbox(key="channel").value == "Paid Social"
    assert app.title[0].value == f"Weekly KPI review · {week}"
    assert dict(app.query_params) == {"grain": "week", "period": week, "channel": "Paid Social"}

    _open_bare(app, "campaigns")  # the month comes back
    assert (app.selectbox(key="grain").value, app.selectbox(key="period").value) == ("month", _today("month"))
    assert app.selectbox(key="channel").value == "Paid Social"


def test_a_url_with_values_wins_over_the_remembered_choice(demo_env):
    app = page_app("overview").run()
    app.selectbox(key="channel").set_value("Paid Social").run()
    _open_with(app, "sell", {"grain": "month", "period": "2026-09"})  # a link that states a view, all channels
    assert (app.selectbox(key="period").value, app.selectbox(key="channel").value) == ("2026-09", "All channels")


def _nav_links(app) -> dict[str, dict[str, str]]:
    """The sidebar's page links: page file name -> the query string it opens with (the default page's path is
    empty)."""
    return {link.proto.page or "overview": dict(parse_qsl(link.proto.query_string))
            for link in app.sidebar.get("page_link")}


def test_every_sidebar_link_opens_its_page_with_the_url_the_page_keeps(demo_env):
    """A link's query is what the page shows, so opening it adds no second history entry; a campaign chosen on
    the campaigns page rides along through pages without a campaign picker."""
    app = page_app("campaigns", grain="month", period="2026-10", channel="Paid Social").run()
    campaign = app.selectbox(key="campaign").options[1]
    app.selectbox(key="campaign").set_value(campaign).run()
    links = _nav_links(app)
    assert set(links) == {"overview", "weekly_review", "campaigns", "ab_test", "sell", "serve", "speak", "save",
                          "sizzle", "targets", "data_sources", "journey", "cohorts", "audit"}
    assert links["overview"] == {"grain": "month", "period": "2026-10", "channel": "Paid Social",
                                 "campaign": campaign}
    assert links["weekly_review"]["grain"] == "week" and links["weekly_review"]["period"] == _today("week", 1)

    # ends on the data sources page (no picker at all), after the audit page (the open app's admin sees it)
    for page, query in sorted(links.items(), key=lambda item: item[0] == "data_sources"):
        _open_with(app, page, query)
        assert dict(app.query_params) == query, f"/{page} rewrote its URL: a second history entry"

    _open_with(app, "campaigns", _nav_links(app)["campaigns"])
    assert (app.selectbox(key="period").value, app.selectbox(key="campaign").value) == ("2026-10", campaign)


def _open_with(app, page: str, query: dict[str, str]) -> None:
    """Open ``page`` in the same session as its link does: with exactly ``query``."""
    app.switch_page(f"pages/{page}.py")
    for key in list(app.query_params):
        del app.query_params[key]
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, page
