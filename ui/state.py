"""The selection shared by every page, kept in the URL's query parameters.

Why not ``bind="query-params"``: Streamlit's bound widgets keep their session value
over the URL when a link or ``st.switch_page`` opens another view, and they update
the address without a history entry, so the back button skips drill-downs. Here
the URL is the truth whenever it changes from outside the page (a shared link, a
drill-down link, the back button); a widget change is written back to the URL
once per run by :func:`publish`, which adds a history entry.

Pages call :func:`sidebar` first (it calls :func:`begin`); ``app.py`` calls :func:`publish` after the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from metrics.periods import Period, last_complete, parse_period, shift
from ui import data
from ui.entry import require_entrypoint

GRAIN_LABELS = {"week": "Week", "month": "Month", "quarter": "Quarter", "year": "Year"}  # URL value -> label
ALL_CHANNELS = "All channels"
ALL_CAMPAIGNS = "All campaigns"
PERIOD_CHOICES = 104
NO_DATA = ("**No data yet**: the warehouse holds no orders, traffic or other records, so every figure is empty. "
           "Import files or sync GA4 on the Data sources page.")
_SEEN = "_url_seen"  # the query string this session last read or wrote
_EXTERNAL = "_url_external"  # this run was started by a new URL: its values win over the widgets'
_PUBLISH = "_url_publish"  # the values this run's widgets want in the URL


@dataclass(frozen=True)
class Selection:
    """What the user is looking at: a period, an optional channel and an optional campaign."""

    period: Period
    channel: str | None
    in_progress: bool = False
    campaign: str | None = None

    @property
    def scope(self) -> str:
        parts = [self.channel or ALL_CHANNELS] + ([self.campaign] if self.campaign else [])
        return " › ".join(parts)

    def query(self, **extra: str | None) -> dict[str, str]:
        """Query parameters that open this selection on any page (plus ``extra``; None drops a key)."""
        params = {"grain": self.period.grain, "period": self.period.label, "channel": self.channel,
                  "campaign": self.campaign, **extra}
        return {k: str(v) for k, v in params.items() if v is not None}


def begin() -> None:
    """Start a run: note whether the URL changed since this session last saw it (then it wins)."""
    url = st.query_params.to_dict()
    st.session_state[_EXTERNAL] = url != st.session_state.get(_SEEN)
    st.session_state[_SEEN] = url
    st.session_state[_PUBLISH] = {}


def _adopt(key: str, options: Sequence[str], default: str) -> None:
    """Set widget ``key`` to the URL's value when the URL is new, else keep it; ``default`` when it is not
    one of ``options``."""
    url = st.query_params.to_dict()
    if st.session_state.get(_EXTERNAL) and key in url and url[key] in options:
        st.session_state[key] = url[key]
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def url_selectbox(label: str, options: Sequence[str], key: str, index: int = 0, container=st, **kwargs) -> str:
    """A selectbox whose value lives in the URL as ``?key=value`` (``options[index]`` by default)."""
    options = list(options)
    _adopt(key, options, options[index])
    value = container.selectbox(label, options, key=key, **kwargs)
    st.session_state[_PUBLISH][key] = value
    return value


def url_segmented(label: str, options: dict[str, str], key: str, container=st, **kwargs) -> str:
    """A segmented control (ids -> labels) whose value lives in the URL; the first option by default."""
    _adopt(key, list(options), next(iter(options)))
    value = container.segmented_control(label, list(options), format_func=options.get, key=key, **kwargs)
    if value is None:  # clicking the selected option again clears it: treat as the default
        value = next(iter(options))
    st.session_state[_PUBLISH][key] = value
    return value


def url_toggle(label: str, key: str, container=st, **kwargs) -> bool:
    """A toggle whose value lives in the URL as ``?key=true|false``."""
    url = st.query_params.to_dict()
    if st.session_state.get(_EXTERNAL) and key in url:
        st.session_state[key] = url[key] == "true"
    value = container.toggle(label, key=key, **kwargs)
    st.session_state[_PUBLISH][key] = "true" if value else "false"
    return value


def keep_in_url(key: str, value: str) -> None:
    """Keep ``?key=value`` in the URL this run without a widget (a setting the page shows no picker for)."""
    st.session_state[_PUBLISH][key] = value


def publish() -> None:
    """Write this run's widget values to the URL (one history entry when they changed)."""
    wanted = {k: str(v) for k, v in st.session_state.get(_PUBLISH, {}).items()}
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)
    st.session_state[_SEEN] = wanted


def period_options(grain: str, today: date | None = None, ahead: int = 0) -> list[str]:
    """Labels of ``ahead`` future periods, the current (unfinished) one and the ones before it, newest first."""
    current = shift(last_complete(grain, today), 1)
    count = {"week": PERIOD_CHOICES, "month": 24, "quarter": 8, "year": 3}[grain]
    return [shift(current, -i).label for i in range(-ahead, count)]


def sidebar(version: tuple, grains: tuple[str, ...] = ("week", "month", "quarter"), ahead: int = 0,
            default_current: bool = False, campaign: bool = False) -> Selection:
    """Draw the period, channel (and, with ``campaign``, campaign) pickers, kept in the URL
    (?grain=&period=&channel=&campaign=).

    ``grains`` limits the period types (one grain: no picker); ``ahead`` offers future periods (planning).
    """
    require_entrypoint()
    begin()
    with st.sidebar:
        if data.demo_data(version):
            st.info("**Demo data**: a fictional shop. Import your own data on the Data sources page.",
                    icon=":material/science:")
        elif not data.has_data(version):
            st.info(NO_DATA, icon=":material/database:")
        grain = grains[0] if len(grains) == 1 else url_selectbox("Period type", grains, "grain",
                                                                  format_func=GRAIN_LABELS.get)
        options = period_options(grain, ahead=ahead)
        label = url_selectbox(GRAIN_LABELS[grain] if len(grains) == 1 else "Period", options, "period",
                              index=ahead if default_current else ahead + 1,
                              help=f"{options[ahead]} is still in progress.")
        if len(grains) == 1:
            keep_in_url("grain", grain)
        channel = url_selectbox("Channel", [ALL_CHANNELS, *data.channels(version)], "channel")
        chosen_campaign = None
        if campaign:
            picked = url_selectbox("Campaign", [ALL_CAMPAIGNS, *data.campaigns(version, _none(channel))],
                                   "campaign")
            chosen_campaign = None if picked == ALL_CAMPAIGNS else picked
    period = parse_period(label)
    return Selection(period, _none(channel), period.end >= date.today(), chosen_campaign)


def _none(channel: str) -> str | None:
    return None if channel == ALL_CHANNELS else channel
