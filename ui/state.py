"""The sidebar selection shared by every page, bound to the URL's query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from metrics.periods import Period, last_complete, parse_period, shift
from ui import data
from ui.entry import require_entrypoint

GRAIN_LABELS = {"week": "Week", "month": "Month", "quarter": "Quarter", "year": "Year"}  # URL value -> label
ALL_CHANNELS = "All channels"
PERIOD_CHOICES = 104


@dataclass(frozen=True)
class Selection:
    """What the user is looking at: a period and an optional channel."""

    period: Period
    channel: str | None
    in_progress: bool = False

    @property
    def scope(self) -> str:
        return self.channel or ALL_CHANNELS


def period_options(grain: str, today: date | None = None, ahead: int = 0) -> list[str]:
    """Labels of ``ahead`` future periods, the current (unfinished) one and the ones before it, newest first."""
    current = shift(last_complete(grain, today), 1)
    count = {"week": PERIOD_CHOICES, "month": 24, "quarter": 8, "year": 3}[grain]
    return [shift(current, -i).label for i in range(-ahead, count)]


def sidebar(version: tuple, grains: tuple[str, ...] = ("week", "month", "quarter"), ahead: int = 0,
            default_current: bool = False) -> Selection:
    """Draw the period and channel pickers; their values live in the URL (?grain=&period=&channel=).

    Every page calls this first, so the selection follows the user from page to page. ``grains`` limits
    the period types (one grain: no picker); ``ahead`` offers future periods (for planning).
    """
    require_entrypoint()
    with st.sidebar:
        if data.demo_data(version):
            st.info("**Demo data**: a fictional shop. Import your own data on the Data sources page.",
                    icon=":material/science:")
        # Bound widgets show their URL value, so options are the canonical ids (no format_func).
        grain = grains[0] if len(grains) == 1 else st.selectbox("Period type", list(grains), key="grain",
                                                                 bind="query-params")
        options = period_options(grain, ahead=ahead)
        current = options[ahead]
        label = st.selectbox(GRAIN_LABELS[grain] if len(grains) == 1 else "Period", options,
                             index=ahead if default_current else ahead + 1, key="period", bind="query-params",
                             help=f"{current} is still in progress.")
        channel = st.selectbox("Channel", [ALL_CHANNELS, *data.channels(version)], key="channel",
                               bind="query-params")
    period = parse_period(label)
    return Selection(period, None if channel == ALL_CHANNELS else channel, period.end >= date.today())
