"""Cached access to the metrics layer for pages (``st.cache_data`` keyed by the data version).

Every function takes ``version`` (the warehouse's data version) so that a load
invalidates the cache, and returns plain data that Streamlit can pickle. Every read
goes through the page's read snapshot (``app.py`` opens one per run, see
``warehouse.snapshot``), so a page's figures and its data version come from one state
of the warehouse even while a load commits.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from connectors.demo import uses_demo_data
from metrics import campaigns as campaign_metrics
from metrics import dimensions, scorecard, trends
from metrics.cache import state_key
from metrics.engine import Filters, compute
from metrics.periods import Period
from warehouse.db import database_url, get_engine
from warehouse.snapshot import read_snapshot


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return get_engine(url)


def engine():
    """The warehouse engine for KPI_DATABASE_URL, shared by the process (schema created on first use)."""
    return _engine(database_url())


def page_snapshot():
    """One read snapshot of the warehouse for a whole run of a page (``with data.page_snapshot(): ...``)."""
    return read_snapshot(engine())


def _read(fn, *args):
    """``fn(db, *args)`` with ``db`` the page's read snapshot (or one of its own when none is open)."""
    with read_snapshot(engine()) as db:
        return fn(db, *args)


def version() -> tuple:
    """Changes whenever a result could change: a finished load or an edit of the plan's targets."""
    return _read(state_key)


@st.cache_data(show_spinner=False, max_entries=256)
def scorecard_items(version: tuple, period: Period, channel: str | None, campaign: str | None = None) -> list:
    return _read(scorecard.scorecard, period, Filters(channel, campaign))


@st.cache_data(show_spinner=False, max_entries=256)
def trend(version: tuple, kpi_id: str, last: Period, periods: int, channel: str | None,
          campaign: str | None = None, breakdown: str | None = None) -> pd.DataFrame:
    return _read(scorecard.trend, kpi_id, last, periods, Filters(channel, campaign), breakdown)


@st.cache_data(show_spinner=False, max_entries=256)
def kpi_frame(version: tuple, kpi_ids: tuple[str, ...], start: date, end: date, grain: str,
              channel: str | None, campaign: str | None, breakdown: str | None) -> pd.DataFrame:
    return _read(compute, list(kpi_ids), start, end, grain, Filters(channel, campaign), breakdown)


@st.cache_data(show_spinner=False)
def channels(version: tuple) -> list[str]:
    return _read(dimensions.channels)


@st.cache_data(show_spinner=False)
def campaigns(version: tuple, channel: str | None) -> list[str]:
    return _read(dimensions.campaigns, channel)


@st.cache_data(show_spinner=False)
def has_data(version: tuple) -> bool:
    return _read(dimensions.has_data)


@st.cache_data(show_spinner=False)
def demo_data(version: tuple) -> bool:
    return _read(uses_demo_data)


@st.cache_data(show_spinner=False, max_entries=256)
def trend_with_plan(version: tuple, kpi_id: str, last: Period, periods: int, channel: str | None,
                    with_last_year: bool) -> pd.DataFrame:
    return _read(trends.trend_with_plan, kpi_id, last, periods, Filters(channel), with_last_year)


@st.cache_data(show_spinner=False, max_entries=64)
def burn_up(version: tuple, kpi_id: str, period: Period, channel: str | None, today: date) -> pd.DataFrame:
    return _read(trends.burn_up, kpi_id, period, Filters(channel), today)


@st.cache_data(show_spinner=False, max_entries=64)
def new_and_returning(version: tuple, last: Period, periods: int, channel: str | None) -> pd.DataFrame:
    from metrics.revenue_mix import new_and_returning as series

    return _read(series, last, periods, Filters(channel))


@st.cache_data(show_spinner=False, max_entries=64)
def _review_figures(version: tuple, week: Period, channel: str | None) -> dict:
    from metrics.review import weekly_review as build

    review = _read(build, week, channel)
    return {k: v for k, v in review.items() if k not in ("notes", "actions", "follow_up")}


def weekly_review(version: tuple, week: Period, channel: str | None) -> dict:
    """The review's figures (cached) with its notes and actions read fresh (they change during the meeting)."""
    from metrics import review

    def fresh(db) -> dict:
        return {"notes": review.notes(db, since=week.start, until=week.start, channel=channel or ""),
                "actions": review.actions(db, week_start=week.start),
                "follow_up": review.actions(db, before_week=week.start, status="open")}

    return {**_review_figures(version, week, channel), **_read(fresh)}


@st.cache_data(show_spinner=False, max_entries=128)
def campaign_performance(version: tuple, period: Period, level: str, channel: str | None, campaign: str | None,
                         column_set: str, today: date) -> pd.DataFrame:
    return _read(campaign_metrics.performance, period, level, Filters(channel, campaign), column_set, today)


@st.cache_data(show_spinner=False, max_entries=64)
def needs_attention(version: tuple, period: Period, channel: str | None, today: date) -> pd.DataFrame:
    return _read(campaign_metrics.needs_attention, period, channel, today)


@st.cache_data(show_spinner=False, max_entries=64)
def campaign_daily(version: tuple, period: Period, channel: str | None, campaign: str | None,
                   today: date) -> pd.DataFrame:
    return _read(campaign_metrics.daily, period, Filters(channel, campaign), today)


@st.cache_data(show_spinner=False, max_entries=64)
def campaign_figures(version: tuple, period: Period, channel: str | None, campaign: str | None,
                     today: date) -> list:
    return _read(campaign_metrics.campaign_figures, period, Filters(channel, campaign), today)
