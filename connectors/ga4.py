"""Google Analytics 4 connector: daily web traffic by channel group, source/medium and campaign, and
purchases by transaction id (which attribute shop orders to channels, :mod:`connectors.attribution`).

``sync(engine, settings)`` calls the GA4 Data API (official ``google-analytics-data`` client,
``BetaAnalyticsDataClient.run_report`` over REST) and loads the traffic rows through
:func:`connectors.loader.load` as the ``web`` kind, one transaction per slice of dates (so a quota stop
keeps what was loaded); the slice's purchases replace its dates in ``ga4_transactions`` in that same
transaction, and the orders they name take their channel. Incremental: the first sync covers
``initial_days`` (400); later syncs restart ``RESTATE_DAYS`` (3) before the last synced date, because GA4
restates recent days. The cursor (last synced date) is kept in the sync log. Configuration: see :func:`settings`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, select

from access import audit
from access.roles import Actor, require
from connectors.attribution import replace_transactions
from connectors.demo_data import demo_to_clear
from connectors.ga4_api import Fetched, Ga4Error, Ga4QuotaExceeded, fetch_report, fetch_transactions, make_client
from connectors.loader import load, record_failure
from warehouse import schema

__all__ = ["Ga4Error", "Ga4QuotaExceeded", "Ga4Settings", "SyncResult", "settings", "streamlit_secrets", "sync"]

DEFAULT_INITIAL_DAYS = 400
RESTATE_DAYS = 3
SLICE_DAYS = 92  # one request series and one load per slice
HOW_TO_CONFIGURE = (
    "To connect Google Analytics 4: (1) in Google Cloud, create a service account, enable the "
    "“Google Analytics Data API” and download a JSON key; (2) in GA4 Admin → Property access management, give the "
    "service account's e-mail the Viewer role; (3) set GA4_PROPERTY_ID to the property ID (Admin → Property "
    "details: a number such as 123456789, not the G-… measurement ID) and GOOGLE_APPLICATION_CREDENTIALS to the "
    "key file, or put both in .streamlit/secrets.toml under [ga4] (property_id, and credentials = the key's "
    "fields).")
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Ga4Settings:
    """Where and how to reach GA4. ``credentials_info`` (from secrets) is never shown or logged."""

    property_id: str | None = None
    credentials_file: str | None = None
    credentials_info: Mapping | None = field(default=None, repr=False)
    endpoint: str | None = None
    initial_days: int = DEFAULT_INITIAL_DAYS
    retry_initial: float = 1.0  # seconds before the first retry of a 5xx or timeout; doubles up to 32 s
    retry_deadline: float = 300.0

    @property
    def source(self) -> str:
        return f"ga4:{self.property_id}"

    @property
    def configured(self) -> bool:
        """A property and some way to authenticate (a key, or a fake server on this machine)."""
        from connectors.ga4_api import is_loopback

        return bool(self.property_id) and bool(self.credentials_file or self.credentials_info
                                               or is_loopback(self.endpoint))

    def describe(self) -> str:
        via = f" at {self.endpoint}" if self.endpoint else ""
        how = ("key file " + self.credentials_file if self.credentials_file else
               "service account from secrets" if self.credentials_info else
               "no credentials (local endpoint)" if self.endpoint else "default Google credentials")
        return f"GA4 property {self.property_id}{via}, {how}"


@dataclass
class SyncResult:
    property_id: str
    start: date | None = None
    end: date | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    requests: int = 0
    tokens_used: int | None = None
    tokens_left_today: int | None = None
    warnings: list[str] = field(default_factory=list)
    cursor: date | None = None
    demo_removed: dict[str, int] = field(default_factory=dict)  # {table: rows} of the demo removed first
    transactions: int = 0  # GA4 purchases by transaction id read
    attributed: int = 0  # orders whose channel or campaign the purchases changed

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1 if self.start and self.end else 0

    def summary(self) -> str:
        if not self.days:
            return f"GA4 property {self.property_id}: already up to date (synced to {self.cursor})."
        text = (f"GA4 property {self.property_id}: {self.start} to {self.end} ({self.days} days), {self.rows:,} rows: "
                f"{self.inserted:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged; "
                + (f"{self.transactions:,} purchase{'s' if self.transactions != 1 else ''} by transaction id, "
                   f"{self.attributed:,} order{'s' if self.attributed != 1 else ''} given their channel; "
                   if self.transactions or self.attributed else "") +
                f"{self.requests} API request{'s' if self.requests != 1 else ''}")
        if self.tokens_used is not None:
            text += f", {self.tokens_used:,} quota tokens used ({self.tokens_left_today:,} left today)"
        return text + "."


def settings(property_id: str | None = None, credentials_file: str | None = None,
             secrets: Mapping | None = None, env: Mapping[str, str] | None = None) -> Ga4Settings:
    """Settings from arguments, then the environment, then Streamlit secrets (``[ga4]`` table).

    Environment: ``GA4_PROPERTY_ID``, ``GOOGLE_APPLICATION_CREDENTIALS``, ``GA4_API_ENDPOINT``,
    ``GA4_INITIAL_DAYS``. Secrets: ``[ga4]`` with ``property_id``, ``api_endpoint``, ``initial_days`` and
    ``credentials`` (the service-account key's fields), or a top-level ``[gcp_service_account]``.
    """
    env = os.environ if env is None else env
    section = dict((secrets or {}).get("ga4", {}) or {})
    info = section.get("credentials") or (secrets or {}).get("gcp_service_account")
    days = env.get("GA4_INITIAL_DAYS") or section.get("initial_days") or DEFAULT_INITIAL_DAYS
    try:
        initial_days = int(days)
    except ValueError:
        raise Ga4Error(f"GA4_INITIAL_DAYS must be a number of days, not {days!r}.") from None
    prop = property_id or env.get("GA4_PROPERTY_ID") or section.get("property_id")
    return Ga4Settings(
        property_id=normalise_property(str(prop)) if prop else None,
        credentials_file=credentials_file or env.get("GOOGLE_APPLICATION_CREDENTIALS") or None,
        credentials_info=dict(info) if info and not (credentials_file or env.get("GOOGLE_APPLICATION_CREDENTIALS"))
        else None,
        endpoint=(env.get("GA4_API_ENDPOINT") or section.get("api_endpoint") or None),
        initial_days=initial_days,
    )


def normalise_property(text: str) -> str:
    """'123' or 'properties/123' -> '123'; a measurement ID (G-…) or a UA id is refused with what to use."""
    value = text.strip().removeprefix("properties/")
    if not value.isdigit():
        raise Ga4Error(f"{text!r} is not a GA4 property ID. Use the numeric property ID from GA4 Admin → Property "
                       "details (e.g. 123456789); G-… is a measurement ID and UA-… a Universal Analytics id.")
    return value


def streamlit_secrets() -> Mapping:
    """The app's secrets as a dict ({} when there is no secrets file or outside Streamlit)."""
    try:
        import streamlit as st

        return st.secrets.to_dict()
    except Exception:  # noqa: BLE001 - no secrets.toml is a normal state
        return {}


def last_cursor(engine: Engine, source: str) -> date | None:
    """The last synced date of ``source`` (the newest successful run's cursor)."""
    runs = schema.sync_runs
    query = (select(runs.c.cursor).where(runs.c.source == source, runs.c.status == "success",
                                         runs.c.cursor.is_not(None)).order_by(runs.c.id.desc()).limit(1))
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    return date.fromisoformat(value) if value else None


def window(cursor: date | None, start: date | None, end: date | None, today: date,
           initial_days: int) -> tuple[date, date]:
    """The dates to sync: explicit ones win; else from RESTATE_DAYS before the cursor (or ``initial_days`` back)
    to yesterday."""
    end = end or today - timedelta(days=1)
    if start is None:
        start = cursor - timedelta(days=RESTATE_DAYS) if cursor else end - timedelta(days=initial_days - 1)
    return start, end


def sync(engine: Engine, config: Ga4Settings, start: date | None = None, end: date | None = None,
         progress: Progress | None = None, today: date | None = None, *, actor: Actor) -> SyncResult:
    """Fetch and load GA4 web traffic; raises :class:`Ga4Error` (recorded in the sync log) on failure."""
    require(actor, "sync")
    report = progress or (lambda fraction, message: None)
    started = datetime.now()
    if not config.property_id:
        raise Ga4Error("No GA4 property configured. " + HOW_TO_CONFIGURE)
    source = config.source
    cursor = last_cursor(engine, source)
    first, last = window(cursor, start, end, today or date.today(), config.initial_days)
    result = SyncResult(config.property_id, cursor=cursor)
    if first > last:
        if start or end:
            raise Ga4Error(f"The start date {first} is after the end date {last}.")
        return result
    result.start, result.end = first, last
    slices = [(s, min(s + timedelta(days=SLICE_DAYS - 1), last))
              for s in (first + timedelta(days=i) for i in range(0, (last - first).days + 1, SLICE_DAYS))]
    try:
        client = make_client(config)
        for i, (a, b) in enumerate(slices):
            def page_progress(done: int, total: int, i: int = i, a: date = a, b: date = b) -> None:
                report((i + 0.9 * done / max(total, 1)) / len(slices),
                       f"GA4 {a} to {b}: {done:,} of {total:,} rows read")

            on_retry = lambda message, i=i: report(i / len(slices), message)  # noqa: E731
            fetched = fetch_report(client, config, a, b, page_progress, on_retry)
            purchases = fetch_transactions(client, config, a, b, None, on_retry)
            _load_slice(engine, config, a, b, fetched, purchases, result, actor)
            report((i + 1) / len(slices), f"GA4 {a} to {b}: loaded")
    except Ga4Error as exc:
        kept = f" Dates up to {result.cursor} were loaded; the next sync continues from there." \
            if result.cursor and result.cursor != cursor else " Nothing was loaded."
        exc.args = (str(exc) + kept,)
        record_failure(engine, source, started, f"web: {exc}")
        raise
    return result


def _load_slice(engine: Engine, config: Ga4Settings, start: date, end: date, fetched: Fetched, purchases: Fetched,
                result: SyncResult, actor: Actor) -> None:
    """One transaction: the slice's traffic rows, then its purchases (replacing its dates) and the orders they
    attribute, and its audit record (one per slice: each slice is committed on its own)."""
    # rows held for these days that GA4 no longer reports are zeroed, unless they are the demo's (removed first)
    frame = fetched.frame if demo_to_clear(engine) else with_missing_rows_zeroed(engine, fetched.frame, start, end)
    cursor = max(end, result.cursor or end)
    requests = fetched.requests + purchases.requests
    tokens = (fetched.tokens_used or 0) + (purchases.tokens_used or 0)
    warnings = fetched.warnings + [w for w in purchases.warnings if w not in fetched.warnings]
    detail = (f"web: GA4 property {config.property_id}, {start} to {end}, {len(fetched.frame):,} rows, "
              f"{len(purchases.frame):,} purchases by transaction id, {requests} requests"
              + (f", {tokens} tokens" if tokens else "") + "".join(f". Warning: {w}" for w in warnings))
    attributed: list[int] = []
    key = f"GA4 property {config.property_id}"

    def audited(conn, loaded) -> None:
        audit.record_demo_cleared(conn, actor, loaded.demo_removed, f"{key}, {start} to {end}")
        audit.record(conn, actor, "sync", key, after={
            "property": config.property_id, "start": start, "end": end, "rows": len(fetched.frame),
            "inserted": loaded.inserted, "updated": loaded.updated, "unchanged": loaded.unchanged,
            "purchases": len(purchases.frame)}, detail=f"{start} to {end}")

    loaded = load(engine, "web", frame, source=config.source, cursor=cursor.isoformat(), detail=detail,
                  also=lambda conn: attributed.append(replace_transactions(conn, purchases.frame, start, end)),
                  on_success=audited)
    result.transactions += len(purchases.frame)
    result.attributed += sum(attributed)
    result.rows += len(fetched.frame)
    result.demo_removed = result.demo_removed or loaded.demo_removed
    result.inserted += loaded.inserted
    result.updated += loaded.updated
    result.unchanged += loaded.unchanged
    result.requests += requests
    for part in (fetched, purchases):
        if part.tokens_used is not None:
            result.tokens_used = (result.tokens_used or 0) + part.tokens_used
            result.tokens_left_today = part.tokens_left_today
    result.warnings += [w for w in warnings if w not in result.warnings]
    result.cursor = cursor


def with_missing_rows_zeroed(engine: Engine, frame: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Add zero rows for keys the warehouse holds in [start, end] that GA4 no longer reports (restated data),
    so that re-synced days equal what GA4 says now."""
    web = schema.web_traffic
    keys = ["date", "channel", "source_medium", "campaign"]
    with engine.connect() as conn:
        held = pd.DataFrame(conn.execute(select(*[web.c[k] for k in keys]).where(web.c.date.between(start, end)))
                            .all(), columns=keys)
    if held.empty:
        return frame
    gone = held.merge(frame[keys], on=keys, how="left", indicator=True)
    gone = gone[gone["_merge"] == "left_only"].drop(columns="_merge")
    if gone.empty:
        return frame
    zeros = gone.assign(**{c: 0 for c in frame.columns if c not in keys})
    return pd.concat([frame, zeros[frame.columns]], ignore_index=True)
