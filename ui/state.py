"""The selection shared by every page, kept in the URL's query parameters and remembered for the session.

Why not ``bind="query-params"``: Streamlit's bound widgets keep their session value
over the URL when a link or ``st.switch_page`` opens another view, and they update
the address without a history entry, so the back button skips drill-downs. Here
the URL is the truth whenever it changes from outside the page (a shared link, a
drill-down link, the back button); a widget change is written back to the URL
once per run by :func:`publish`, which adds a history entry.

Streamlit forgets the state of widgets a run does not draw (every page draws its own sidebar), so the user's
grain, period (one per grain), channel and campaign are also kept under a plain session key: a page opened
without them in its URL shows them, and the sidebar's page links (:func:`nav_query`) carry them. A link's query
is exactly what the page it opens will show, so :func:`publish` has nothing to add: one click, one history entry.

``app.py`` calls :func:`begin` before the page and :func:`publish` after it; pages call :func:`sidebar` first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from i18n import N_, _
from metrics.date_text import period_title
from metrics.periods import Period, PeriodError, in_calendar, last_complete, parse_period, period_containing, shift
from ui import data
from ui.entry import require_entrypoint

# Widget and URL values stay English (links and session memory do not depend on the language); what the user
# reads is translated through format_func.
GRAIN_LABELS = {"week": N_("Week"), "month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
ALL_CHANNELS = N_("All channels")  # a value: shown as _(ALL_CHANNELS)
ALL_CAMPAIGNS = N_("All campaigns")  # a value: shown as _(ALL_CAMPAIGNS)
PERIOD_CHOICES = 104
NO_DATA = N_("**No data yet**: the warehouse holds no orders, traffic or other records, so every figure is empty. "
             "Import files or sync GA4 on the Data sources page.")
_SEEN = "_url_seen"  # the query string this session last read or wrote
_PAGE = "_url_page"  # the page this session last ran
_EXTERNAL = "_url_external"  # this run was started by a new URL: its values win over the widgets'
_PUBLISH = "_url_publish"  # key -> (value, default) this run wants in the URL (value None: drop the key)
_MEMORY = "_selection"  # the user's last grain, period per grain, channel and campaign (not widget keys)
_CARRY = "_url_carry"  # app-wide query parameters every link keeps (?lang=), set by app.py each run
SHARED = ("grain", "period", "channel", "campaign")  # the selection every page keeps in its URL
DEFAULT_GRAINS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Selection:
    """What the user is looking at: a period, an optional channel and an optional campaign."""

    period: Period
    channel: str | None
    in_progress: bool = False
    campaign: str | None = None

    @property
    def scope(self) -> str:
        parts = [self.channel or _(ALL_CHANNELS)] + ([self.campaign] if self.campaign else [])
        return " › ".join(parts)

    def query(self, **extra: str | None) -> dict[str, str]:
        """Query parameters that open this selection on any page (plus ``extra``; None drops a key)."""
        params = {**st.session_state.get(_CARRY, {}), "grain": self.period.grain, "period": self.period.label,
                  "channel": self.channel, "campaign": self.campaign, **extra}
        return {k: str(v) for k, v in params.items() if v is not None}


def begin(page: str | None = None) -> None:
    """Start a run of ``page``: note whether the URL or the page changed since this session last saw them (then
    the URL wins, and a value another page left under a shared widget key does not)."""
    url = st.query_params.to_dict()
    st.session_state[_EXTERNAL] = url != st.session_state.get(_SEEN) or page != st.session_state.get(_PAGE, page)
    st.session_state[_SEEN] = url
    st.session_state[_PAGE] = page
    st.session_state[_PUBLISH] = {}


def _has_selection(url: dict[str, str]) -> bool:
    """Whether a URL states a view (links and :func:`publish` always write the period): then a key it leaves out
    means that key's default. A URL without one (a bare page address) shows the user's last choice."""
    return "period" in url


def _adopt(key: str, options: Sequence[str], default: str, remembered: str | None = None,
           from_url: Callable[[str], str] | None = None) -> None:
    """Set widget ``key`` for this run: on a new URL, the URL's value (its default when the URL states a view
    without it; ``remembered`` when the URL states no view); otherwise the widget's own value. When that is gone
    (the widget was not drawn last run, e.g. the campaigns' sort at the source/medium level, kept in the URL only)
    or not one of ``options``: the URL's value, else ``remembered``, else ``default``. ``from_url`` reads the
    URL's value into an option (e.g. a period written in the other calendar)."""
    url = st.query_params.to_dict()
    if from_url and key in url:
        url[key] = from_url(url[key])
    value = st.session_state.get(key)
    fallback = remembered if remembered in options else default
    if st.session_state.get(_EXTERNAL):
        value = url[key] if url.get(key) in options else default if _has_selection(url) else fallback
    elif value not in options:
        value = url[key] if url.get(key) in options else fallback
    # Always assigned: a page's widget is a new widget (other label or options) that ignores the old one's value
    # unless it is set through the Session State API in this run.
    st.session_state[key] = value


def _want(key: str, value: str | None, default: str | None = None) -> None:
    """Ask :func:`publish` for ``?key=value`` (None: drop the key); a value equal to ``default`` is only written
    when the URL already has the key, so a page opened by a link adds nothing to its URL."""
    st.session_state.setdefault(_PUBLISH, {})[key] = (value, default)


def url_selectbox(label: str, options: Sequence[str], key: str, index: int = 0, container=st,
                  remembered: str | None = None, from_url: Callable[[str], str] | None = None, **kwargs) -> str:
    """A selectbox whose value lives in the URL as ``?key=value`` (``options[index]`` by default, or
    ``remembered`` when the URL does not say; ``from_url`` reads the URL's value into an option)."""
    options = list(options)
    _adopt(key, options, options[index], remembered, from_url)
    value = container.selectbox(label, options, key=key, **kwargs)
    _want(key, value, options[index])
    return value


def url_segmented(label: str, options: dict[str, str], key: str, container=st, **kwargs) -> str:
    """A segmented control (ids -> labels) whose value lives in the URL; the first option by default."""
    default = next(iter(options))
    _adopt(key, list(options), default)
    value = container.segmented_control(label, list(options), format_func=options.get, key=key, **kwargs)
    if value is None:  # clicking the selected option again clears it: treat as the default
        value = default
    _want(key, value, default)
    return value


def url_toggle(label: str, key: str, container=st, **kwargs) -> bool:
    """A toggle whose value lives in the URL as ``?key=true|false`` (off by default)."""
    url = st.query_params.to_dict()
    if st.session_state.get(_EXTERNAL):
        st.session_state[key] = url.get(key) == "true"
    else:
        st.session_state[key] = bool(st.session_state.get(key))  # see _adopt: always assigned
    value = container.toggle(label, key=key, **kwargs)
    _want(key, "true" if value else "false", "false")
    return value


def url_multiselect(label: str, options: Sequence[str], key: str, default: Sequence[str] = (), container=st,
                    separator: str = ",", **kwargs) -> list[str]:
    """A multiselect whose values live in the URL as ``?key=x,y`` (``default`` when the URL does not say; an empty
    choice is ``?key=``). Values the options do not hold (another channel's campaigns) are dropped."""
    options = list(options)
    url = st.query_params.to_dict()

    def kept(values) -> list[str]:
        return [v for v in values if v in options]

    if st.session_state.get(_EXTERNAL) or not isinstance(st.session_state.get(key), list):
        chosen = [v.strip() for v in url[key].split(separator) if v.strip()] if key in url else list(default)
    else:
        chosen = st.session_state[key]
    st.session_state[key] = kept(chosen)  # see _adopt: always assigned
    value = container.multiselect(label, options, key=key, **kwargs)
    _want(key, separator.join(value), separator.join(kept(default)))
    return value


def keep_in_url(key: str, value: str | None) -> None:
    """Keep the URL's ``?key=value`` this run without a widget (a setting the page shows no picker for): written
    when the URL has the key (a URL without it already means ``value``, the page's default); None drops the key."""
    _want(key, value, value)


def carry_in_url(params: dict[str, str | None]) -> None:
    """Keep app-wide settings (the language) in this run's URL and in every link it draws; None: absent."""
    st.session_state[_CARRY] = params
    for key, value in params.items():
        _want(key, value)


def publish() -> None:
    """Write this run's values to the URL, one history entry when they changed. The shared selection in the URL
    stays on pages that do not set it; a value at its default is not added (see :func:`_want`)."""
    url = st.query_params.to_dict()
    wanted = {k: url[k] for k in SHARED if k in url}
    for key, (value, default) in st.session_state.get(_PUBLISH, {}).items():
        if value is None:
            wanted.pop(key, None)
        elif default is None or str(value) != str(default) or key in url:
            wanted[key] = str(value)
    if wanted != url:
        st.query_params.from_dict(wanted)
    st.session_state[_SEEN] = wanted


def period_options(grain: str, today: date | None = None, ahead: int = 0) -> list[str]:
    """Labels of ``ahead`` future periods, the current (unfinished) one and the ones before it, newest first."""
    current = shift(last_complete(grain, today), 1)
    count = {"week": PERIOD_CHOICES, "month": 24, "quarter": 8, "year": 3}[grain]
    return [shift(current, -i).label for i in range(-ahead, count)]


def default_period(grain: str, today: date | None = None, current: bool = False) -> Period:
    """The period a page shows when nothing else says: the last complete week; the current month, quarter or
    year, in progress (the last complete one is one step back) once a day of it is over (on its first day: the
    last complete one, as there is nothing to pace yet). ``current``: the current week too (planning)."""
    last = last_complete(grain, today)
    running = shift(last, 1)
    if current:
        return running
    return running if grain != "week" and running.start < (today or date.today()) else last


def carry_period(grain: str, previous: Period | None, remembered: Period | None, today: date | None = None,
                 current: bool = False) -> Period:
    """The period of ``grain`` to show after ``previous`` (another grain's, when the user changed the grain).

    The same grain keeps ``previous``. Another grain gets the user's last period of that grain (``remembered``)
    when it overlaps ``previous`` (week W45 -> month -> week shows W45 again), else the period of ``grain`` that
    holds ``previous``'s last day (W45 -> November; Q3 -> September), but not a later one than the default when
    ``previous`` has begun (November in progress -> the last complete week, not the week holding 30 November).
    """
    today = today or date.today()
    default = default_period(grain, today, current)
    if previous is None:
        return remembered or default
    if previous.grain == grain:
        return previous
    if remembered and remembered.start <= previous.end and previous.start <= remembered.end:
        return remembered
    held = period_containing(previous.end, grain)
    return default if held.start > default.start and previous.start <= today else held


def _memory() -> dict:
    return st.session_state.setdefault(_MEMORY, {"grain": None, "periods": {}, "channel": None, "campaign": None})


def _remembered(memory: dict, grain: str | None) -> Period | None:
    label = memory["periods"].get(grain) if grain else None
    return in_calendar(parse_period(label)) if label else None  # remembered before the language changed


def _fallback(memory: dict, grain: str, grains: tuple[str, ...], today: date, current: bool) -> Period:
    """The period a page with ``grains`` shows for ``grain`` when its URL does not say: a single-grain page (the
    weekly review) shows the user's last period of that grain or the default; others carry the last one over."""
    if len(grains) == 1:
        return _remembered(memory, grain) or default_period(grain, today, current)
    return carry_period(grain, _remembered(memory, memory["grain"]), _remembered(memory, grain), today, current)


def nav_query(grains: tuple[str, ...] = DEFAULT_GRAINS, default_current: bool = False,
              today: date | None = None) -> dict[str, str]:
    """The query of a link to a page whose sidebar offers ``grains``: the user's selection as that page will show
    it (so opening it adds nothing to the URL)."""
    memory = _memory()
    today = today or date.today()
    grain = memory["grain"] if memory["grain"] in grains else grains[0]
    channel = _none(memory["channel"]) if memory["channel"] else None
    query = {**st.session_state.get(_CARRY, {}), "grain": grain,
             "period": _fallback(memory, grain, grains, today, default_current).label,
             "channel": channel, "campaign": memory["campaign"]}
    return {k: v for k, v in query.items() if v is not None}


def sidebar(version: tuple, grains: tuple[str, ...] = ("week", "month", "quarter"), ahead: int = 0,
            default_current: bool = False, campaign: bool = False) -> Selection:
    """Draw the period, channel (and, with ``campaign``, campaign) pickers, kept in the URL
    (?grain=&period=&channel=&campaign=).

    ``grains`` limits the period types (one grain: no picker); ``ahead`` offers future periods (planning);
    ``default_current``: the current week by default too (see :func:`default_period`). Without values in the URL
    the page shows the user's last choice (see :func:`nav_query`). A page without a campaign picker keeps the
    campaign in its URL (while it belongs to the channel) for the next page that has one.
    """
    require_entrypoint()
    today = date.today()
    memory = _memory()
    with st.sidebar:
        if data.demo_data(version):
            st.info(_("**Demo data**: a fictional shop. Import your own data on the Data sources page."),
                    icon=":material/science:")
        elif not data.has_data(version):
            st.info(_(NO_DATA), icon=":material/database:")
        remembered_grain = memory["grain"] if memory["grain"] in grains else grains[0]
        grain = grains[0] if len(grains) == 1 else url_selectbox(_("Period type"), grains, "grain",
                                                                  remembered=remembered_grain,
                                                                  format_func=grain_label)
        options = period_options(grain, today, ahead=ahead)
        default = default_period(grain, today, default_current).label
        label = url_selectbox(grain_label(grain) if len(grains) == 1 else _("Period"), options, "period",
                              index=options.index(default),
                              remembered=_fallback(memory, grain, grains, today, default_current).label,
                              from_url=period_in_run_calendar, format_func=option_title,
                              help=_("{period} is still in progress.").format(period=option_title(options[ahead])))
        _want("grain", grain)
        _want("period", label)
        channel = url_selectbox(_("Channel"), [ALL_CHANNELS, *data.channels(version)], "channel",
                                remembered=memory["channel"], format_func=_shown)
        _want("channel", channel, ALL_CHANNELS)
        if campaign:
            picked = url_selectbox(_("Campaign"), [ALL_CAMPAIGNS, *data.campaigns(version, _none(channel))],
                                   "campaign", remembered=memory["campaign"] or ALL_CAMPAIGNS, format_func=_shown)
            chosen_campaign = None if picked == ALL_CAMPAIGNS else picked
        else:
            chosen_campaign = _carried_campaign(version, memory, _none(channel))
            _want("campaign", chosen_campaign)
    if len(grains) > 1:  # a single-grain page (the weekly review) leaves the grain the user chose
        memory["grain"] = grain
    memory["periods"][grain] = label
    memory["channel"] = channel
    memory["campaign"] = chosen_campaign
    period = parse_period(label)
    return Selection(period, _none(channel), period.end >= today, chosen_campaign)


def _carried_campaign(version: tuple, memory: dict, channel: str | None) -> str | None:
    """The campaign a page without a campaign picker keeps: the URL's when it is new, else the remembered one;
    None when it is not one of ``channel``'s campaigns."""
    url = st.query_params.to_dict()
    chosen = url.get("campaign") if st.session_state.get(_EXTERNAL) and _has_selection(url) else memory["campaign"]
    return chosen if chosen and chosen in data.campaigns(version, channel) else None


def _none(channel: str) -> str | None:
    return None if channel == ALL_CHANNELS else channel


def _shown(value: str) -> str:
    """A channel or campaign picker's option as shown: 'All channels' / 'All campaigns' translated."""
    return _(value) if value in (ALL_CHANNELS, ALL_CAMPAIGNS) else value


def grain_label(grain: str) -> str:
    """A grain ('week') as the user reads it ('Week', 'هفته')."""
    return _(GRAIN_LABELS[grain])


def option_title(label: str) -> str:
    """A period picker's option (a period label such as '1405-W35') as the user reads it (see
    :func:`metrics.date_text.period_title`)."""
    try:
        return period_title(parse_period(label))
    except PeriodError:
        return label


def period_in_run_calendar(label: str) -> str:
    """A URL's period in the run's calendar. The rule: a period written in the other calendar (``2026-W46`` in a
    Jalali run, ``1405-08`` in a Gregorian one) is shown as the period of the same grain in the run's calendar
    that contains its start (2026-W46 = 9–15 Nov 2026 -> 1405-W34, the Saturday–Friday week holding 9 Nov;
    1405-08 = 23 Oct–21 Nov 2026 -> 2026-10). Text that is not a period is left as it is."""
    try:
        return in_calendar(parse_period(label)).label
    except PeriodError:
        return label
