"""A process-level cache of computed results, keyed on what the results depend on.

The key holds the run's language and calendar (results carry labels and reasons written in them), the
warehouse URL, its data version (``warehouse.db.data_version``: every finished load changes it) and a
fingerprint of the targets table (edits of the plan change the scorecard without a load). A warm scorecard
is then two tiny queries and a dictionary look-up. The Streamlit pages keep using ``st.cache_data`` on top
of this.
"""

from __future__ import annotations

import copy
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, func, select

from i18n import current_locale
from metrics.engine import Filters
from metrics.periods import Period, current_calendar  # the calendar buckets weeks/months: part of keys
from warehouse import schema
from warehouse.db import data_version
from warehouse.snapshot import read_snapshot

MAX_ENTRIES = 256
_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def state_key(engine: Engine) -> tuple:
    """(url, data version, targets fingerprint, language, calendar): changes whenever a cached result could change
    (results carry labels and reasons written in the run's language, and periods in its calendar)."""
    t = schema.targets
    with engine.connect() as conn:
        targets = tuple(conn.execute(select(func.count(), func.max(t.c.updated_at), func.sum(t.c.version))).one())
    return str(engine.url), data_version(engine), targets, current_locale(), current_calendar()


def cached(engine: Engine, name: str, args: tuple, fn: Callable):
    """``fn(db)``'s result for ``(name, args)`` at the warehouse's current state (a copy; callers may mutate it).

    The key and a computed value are read in one snapshot ``db``: a load landing in between cannot store
    new figures under the old key."""
    with read_snapshot(engine) as db:
        key = (state_key(db), name, args)
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return copy.deepcopy(_entries[key])
        value = fn(db)
    with _lock:
        _entries[key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return copy.deepcopy(value)


def scorecard(engine: Engine, period: Period, filters: Filters = Filters(), kpi_ids: list[str] | None = None,
              today: date | None = None) -> list:
    """``metrics.scorecard.scorecard`` (with sparklines), cached for the process."""
    from metrics import scorecard as sc

    today = today or date.today()
    ids = tuple(kpi_ids) if kpi_ids else None
    extra = {"today": today} if "today" in inspect.signature(sc.scorecard).parameters else {}
    return cached(engine, "scorecard", (period, filters, ids, today),
                  lambda db: sc.scorecard(db, period, filters, list(ids) if ids else None, **extra))


def compute(engine: Engine, kpi_ids, start: date, end: date, grain: str = "custom", filters: Filters = Filters(),
            breakdown: str | None = None):
    """``metrics.engine.compute``, cached for the process."""
    from metrics import engine as eng

    ids = tuple(kpi_ids)
    return cached(engine, "compute", (ids, start, end, grain, filters, breakdown),
                  lambda db: eng.compute(db, list(ids), start, end, grain, filters, breakdown))
