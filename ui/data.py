"""Cached access to the metrics layer for pages (``st.cache_data`` keyed by the data version).

Every function takes ``version`` (the warehouse's data version) so that a load
invalidates the cache, and returns plain data that Streamlit can pickle.
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


@st.cache_resource(show_spinner=False)
def _engine(url: str):
    return get_engine(url)


def engine():
    """The warehouse engine for KPI_DATABASE_URL, shared by the process (schema created on first use)."""
    return _engine(database_url())


def version() -> tuple:
    """Changes whenever a result could change: a finished load or an edit of the plan's targets."""
    return state_key(engine())


@st.cache_data(show_spinner=False, max_entries=256)
def scorecard_items(version: tuple, period: Period, channel: str | None, campaign: str | None = None) -> list:
    return scorecard.scorecard(engine(), period, Filters(channel, campaign))


@st.cache_data(show_spinner=False, max_entries=256)
def trend(version: tuple, kpi_id: str, last: Period, periods: int, channel: str | None,
          campaign: str | None = None, breakdown: str | None = None) -> pd.DataFrame:
    return scorecard.trend(engine(), kpi_id, last, periods, Filters(channel, campaign), breakdown)


@st.cache_data(show_spinner=False, max_entries=256)
def kpi_frame(version: tuple, kpi_ids: tuple[str, ...], start: date, end: date, grain: str,
              channel: str | None, campaign: str | None, breakdown: str | None) -> pd.DataFrame:
    return compute(engine(), list(kpi_ids), start, end, grain, Filters(channel, campaign), breakdown)


@st.cache_data(show_spinner=False)
def channels(version: tuple) -> list[str]:
    return dimensions.channels(engine())


@st.cache_data(show_spinner=False)
def campaigns(version: tuple, channel: str | None) -> list[str]:
    return dimensions.campaigns(engine(), channel)


@st.cache_data(show_spinner=False)
def has_data(version: tuple) -> bool:
    return dimensions.has_data(engine())


@st.cache_data(show_spinner=False)
def demo_data(version: tuple) -> bool:
    return uses_demo_data(engine())


@st.cache_data(show_spinner=False, max_entries=256)
def trend_with_plan(version: tuple, kpi_id: str, last: Period, periods: int, channel: str | None,
                    with_last_year: bool) -> pd.DataFrame:
    return trends.trend_with_plan(engine(), kpi_id, last, periods, Filters(channel), with_last_year)


@st.cache_data(show_spinner=False, max_entries=64)
def burn_up(version: tuple, kpi_id: str, period: Period, channel: str | None, today: date) -> pd.DataFrame:
    return trends.burn_up(engine(), kpi_id, period, Filters(channel), today)


@st.cache_data(show_spinner=False, max_entries=64)
def _review_figures(version: tuple, week: Period, channel: str | None) -> dict:
    from metrics.review import weekly_review as build

    review = build(engine(), week, channel)
    return {k: v for k, v in review.items() if k not in ("notes", "actions", "follow_up")}


def weekly_review(version: tuple, week: Period, channel: str | None) -> dict:
    """The review's figures (cached) with its notes and actions read fresh (they change during the meeting)."""
    from metrics import review

    return {**_review_figures(version, week, channel),
            "notes": review.notes(engine(), since=week.start, until=week.start, channel=channel or ""),
            "actions": review.actions(engine(), week_start=week.start),
            "follow_up": review.actions(engine(), before_week=week.start, status="open")}


@st.cache_data(show_spinner=False, max_entries=128)
def campaign_performance(version: tuple, period: Period, level: str, channel: str | None, campaign: str | None,
                         column_set: str, today: date) -> pd.DataFrame:
    return campaign_metrics.performance(engine(), period, level, Filters(channel, campaign), column_set, today)


@st.cache_data(show_spinner=False, max_entries=64)
def needs_attention(version: tuple, period: Period, channel: str | None, today: date) -> pd.DataFrame:
    return campaign_metrics.needs_attention(engine(), period, channel, today)


@st.cache_data(show_spinner=False, max_entries=64)
def campaign_daily(version: tuple, period: Period, channel: str | None, campaign: str | None,
                   today: date) -> pd.DataFrame:
    return campaign_metrics.daily(engine(), period, Filters(channel, campaign), today)
