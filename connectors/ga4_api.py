"""The GA4 Data API calls: client, paged ``run_report`` with retries, errors people can act on, metadata warnings.

Everything here talks to the API; :mod:`connectors.ga4` decides what to sync and loads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pandas as pd
import requests
from google.api_core import exceptions as gexc
from google.api_core import retry as gretry

from connectors.datasets import NO_CAMPAIGN

if TYPE_CHECKING:
    from connectors.ga4 import Ga4Settings

SCOPES = ["https://www.googleapis.com/auth/analytics.readonly"]
DIMENSIONS = {"date": "date", "sessionDefaultChannelGroup": "channel", "sessionSourceMedium": "source_medium",
              "sessionCampaignName": "campaign"}
METRICS = {"sessions": "sessions", "engagedSessions": "engaged_sessions", "newUsers": "new_users",
           "screenPageViews": "page_views", "userEngagementDuration": "engagement_seconds",
           "keyEvents": "key_events", "ecommercePurchases": "purchases", "purchaseRevenue": "purchase_revenue",
           "addToCarts": "add_to_carts", "checkouts": "checkouts"}
MAX_METRICS = 10  # GA4 answers at most 10 metrics per report request: the traffic report asks for exactly 10
INTEGER_COLUMNS = ("sessions", "engaged_sessions", "new_users", "page_views", "purchases")
# Counts of e-commerce events (add_to_cart, begin_checkout) that a property may not send at all. GA4 then answers
# 0 on every row, which is not known to be 0: a report where such a metric is 0 on every row keeps it unknown (NULL).
EVENT_COLUMNS = ("add_to_carts", "checkouts")
# Purchases by transaction id: the channel and campaign of each shop order GA4 saw (connectors.attribution).
TRANSACTION_DIMENSIONS = {"date": "date", "transactionId": "transaction_id",
                          "sessionDefaultChannelGroup": "channel", "sessionSourceMedium": "source_medium",
                          "sessionCampaignName": "campaign"}
TRANSACTION_METRICS = {"ecommercePurchases": "purchases", "purchaseRevenue": "purchase_revenue"}
TRANSACTION_KEY = ("date", "transaction_id", "channel", "source_medium", "campaign")
PAGE_ROWS = 100_000  # the API allows up to 250,000 rows per request
REQUEST_TIMEOUT = 120.0
TRANSIENT = (gexc.ServiceUnavailable, gexc.InternalServerError, gexc.BadGateway, gexc.GatewayTimeout,
             gexc.DeadlineExceeded, requests.exceptions.ConnectionError, requests.exceptions.Timeout)


class Ga4Error(RuntimeError):
    """A sync that could not be done; the message says what to check."""


class Ga4QuotaExceeded(Ga4Error):
    """GA4's quota is used up (HTTP 429); ``retry_at`` says when to try again."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


@dataclass
class Fetched:
    """One date range read from GA4: canonical rows (``web``, or purchases by transaction id), plus what the API
    said about them."""

    frame: pd.DataFrame
    requests: int = 0
    tokens_used: int | None = None
    tokens_left_today: int | None = None
    warnings: list[str] = field(default_factory=list)


def is_loopback(endpoint: str | None) -> bool:
    if not endpoint:
        return False
    host = urlparse(endpoint if "://" in endpoint else f"http://{endpoint}").hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def make_client(config: Ga4Settings):
    """The official client over REST; anonymous credentials only for a loopback endpoint without credentials."""
    from google.analytics.data_v1beta import BetaAnalyticsDataClient

    options = {"api_endpoint": config.endpoint} if config.endpoint else None
    return BetaAnalyticsDataClient(credentials=_credentials(config), transport="rest", client_options=options)


def _credentials(config: Ga4Settings):
    import google.auth
    from google.auth.credentials import AnonymousCredentials
    from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError
    from google.oauth2 import service_account

    from connectors.ga4 import HOW_TO_CONFIGURE

    try:
        if config.credentials_info:
            return service_account.Credentials.from_service_account_info(dict(config.credentials_info),
                                                                         scopes=SCOPES)
        if config.credentials_file:
            return google.auth.load_credentials_from_file(config.credentials_file, scopes=SCOPES)[0]
        if is_loopback(config.endpoint):
            return AnonymousCredentials()
        return google.auth.default(scopes=SCOPES)[0]
    except DefaultCredentialsError as exc:
        where = f" ({config.credentials_file})" if config.credentials_file else ""
        raise Ga4Error(f"No usable Google credentials{where}: {_first_line(exc)}. {HOW_TO_CONFIGURE}") from None
    except (GoogleAuthError, ValueError, KeyError) as exc:  # never echo the key's content
        raise Ga4Error(f"The service-account key could not be used ({exc.__class__.__name__}); download a new JSON "
                       "key for the service account and configure it again.") from None


def fetch_report(client, config: Ga4Settings, start: date, end: date,
                 progress: Callable[[int, int], None] | None = None,
                 on_retry: Callable[[str], None] | None = None) -> Fetched:
    """Every row of the traffic report for [start, end] as canonical ``web`` rows (see :func:`run_pages`)."""
    fetched, rows = run_pages(client, config, start, end, DIMENSIONS, METRICS, progress, on_retry)
    fetched.frame = canonical(rows)
    return fetched


def fetch_transactions(client, config: Ga4Settings, start: date, end: date,
                       progress: Callable[[int, int], None] | None = None,
                       on_retry: Callable[[str], None] | None = None) -> Fetched:
    """GA4's purchases by transaction id for [start, end] as ``ga4_transactions`` rows (see
    :func:`canonical_transactions`), paged like the traffic report."""
    fetched, rows = run_pages(client, config, start, end, TRANSACTION_DIMENSIONS, TRANSACTION_METRICS, progress,
                              on_retry)
    fetched.frame = canonical_transactions(rows)
    return fetched


def run_pages(client, config: Ga4Settings, start: date, end: date, dimensions: dict[str, str],
              metrics: dict[str, str], progress: Callable[[int, int], None] | None = None,
              on_retry: Callable[[str], None] | None = None) -> tuple[Fetched, list[list[str]]]:
    """Every row of one report for [start, end], page by page (limit/offset until ``row_count`` rows are read):
    the rows as text (dimension then metric values) and what the API said (requests, quota, warnings).

    5xx answers and timeouts are retried with exponential backoff; ``on_retry`` hears about each one.
    """
    from google.analytics.data_v1beta.types import (
        DateRange,
        Dimension,
        Metric,
        OrderBy,
        RunReportRequest,
        RunReportResponse,
    )

    policy = gretry.Retry(predicate=gretry.if_exception_type(*TRANSIENT), initial=config.retry_initial,
                          maximum=32.0, multiplier=2.0, timeout=config.retry_deadline,
                          on_error=(lambda exc: on_retry(f"GA4 answered {_short(exc)}; retrying …")) if on_retry
                          else None)
    fetched = Fetched(frame=pd.DataFrame())
    rows: list[list[str]] = []
    total = None
    while total is None or len(rows) < total:
        request = RunReportRequest(
            property=f"properties/{config.property_id}",
            dimensions=[Dimension(name=d) for d in dimensions], metrics=[Metric(name=m) for m in metrics],
            date_ranges=[DateRange(start_date=start.isoformat(), end_date=end.isoformat())],
            order_bys=[OrderBy(dimension=OrderBy.DimensionOrderBy(dimension_name=d)) for d in dimensions],
            limit=PAGE_ROWS, offset=len(rows), return_property_quota=True, keep_empty_rows=False)
        try:
            response = client.run_report(request=request, retry=policy, timeout=REQUEST_TIMEOUT)
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            raise api_error(exc, config.property_id, config.retry_deadline) from None
        raw = RunReportResponse.pb(response)
        fetched.requests += 1
        total = raw.row_count
        page = [[v.value for v in r.dimension_values] + [v.value for v in r.metric_values] for r in raw.rows]
        if not page and len(rows) < total:
            raise Ga4Error(f"GA4 reported {total:,} rows for property {config.property_id} but returned only "
                           f"{len(rows):,}; try the sync again.")
        rows += page
        _note_quota(fetched, raw)
        _note_metadata(fetched, raw, start, end)
        if progress:
            progress(len(rows), total)
    return fetched, rows


def canonical(rows: list[list[str]]) -> pd.DataFrame:
    """GA4 rows (dimension then metric values, as text) -> canonical ``web`` rows, one per key.

    ``add_to_carts`` and ``checkouts`` that are 0 on every row of the report are None (see ``EVENT_COLUMNS``)."""
    frame = pd.DataFrame(rows, columns=[*DIMENSIONS.values(), *METRICS.values()], dtype=object)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").dt.date
    for column in ("channel", "source_medium", "campaign"):
        frame[column] = frame[column].astype(str).str.strip().replace("", NO_CAMPAIGN)
    for column in METRICS.values():
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    frame = frame.groupby(["date", "channel", "source_medium", "campaign"], as_index=False, sort=True).sum()
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].round().astype("int64")
    for column in EVENT_COLUMNS:
        counts = frame[column].round().astype("int64")
        frame[column] = counts.astype(object) if counts.any() else None  # never sent: unknown, not 0
    return frame


def canonical_transactions(rows: list[list[str]]) -> pd.DataFrame:
    """GA4 purchase rows -> ``ga4_transactions`` rows, one per (date, transaction id, channel, source/medium,
    campaign). A row without a transaction id (empty or ``(not set)``) names no order and is dropped;
    ``order_key`` is the id without a leading '#', as orders are matched on it."""
    frame = pd.DataFrame(rows, columns=[*TRANSACTION_DIMENSIONS.values(), *TRANSACTION_METRICS.values()],
                         dtype=object)
    frame["transaction_id"] = frame["transaction_id"].astype(str).str.strip()
    frame = frame[~frame["transaction_id"].isin(["", "#", NO_CAMPAIGN])].copy()
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").dt.date
    for column in ("channel", "source_medium", "campaign"):
        frame[column] = frame[column].astype(str).str.strip().replace("", NO_CAMPAIGN)
    for column in TRANSACTION_METRICS.values():
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    frame = frame.groupby(list(TRANSACTION_KEY), as_index=False, sort=True).sum()
    frame["purchases"] = frame["purchases"].round().astype("int64")
    frame.insert(2, "order_key", frame["transaction_id"].str.removeprefix("#"))
    return frame


def _note_quota(fetched: Fetched, raw) -> None:
    if raw.HasField("property_quota"):
        day = raw.property_quota.tokens_per_day
        fetched.tokens_used = (fetched.tokens_used or 0) + day.consumed
        fetched.tokens_left_today = day.remaining


def _note_metadata(fetched: Fetched, raw, start: date, end: date) -> None:
    meta, span = raw.metadata, f"{start} to {end}"
    notes = []
    if meta.subject_to_thresholding:
        notes.append(f"GA4 applied thresholding to {span}: rows with few users were withheld (Google signals or "
                     "demographics), so totals may be a little low.")
    for sample in meta.sampling_metadatas:
        share = sample.samples_read_count / sample.sampling_space_size if sample.sampling_space_size else 0
        notes.append(f"GA4 sampled {span}: figures are estimated from {share:.0%} of the events.")
    if meta.data_loss_from_other_row:
        notes.append(f"GA4 folded some rows of {span} into “(other)” (too many distinct source/medium or campaign "
                     "values): totals are right, but those campaigns are not shown separately.")
    fetched.warnings += [n for n in notes if n not in fetched.warnings]


def api_error(exc: Exception, property_id: str | None, deadline: float) -> Ga4Error:
    """A message that names the property and what to check, for an error of the GA4 Data API."""
    if isinstance(exc, gexc.RetryError):
        cause = exc.cause
        return Ga4Error(f"GA4 could not be reached or kept failing ({_short(cause)}), also when retried for "
                        f"{deadline:g} seconds. Check the network (and GA4_API_ENDPOINT, if set) and try the sync "
                        "again later.")
    text = _short(exc)
    if isinstance(exc, gexc.TooManyRequests | gexc.ResourceExhausted):
        retry_at, when = _retry_time(exc)
        return Ga4QuotaExceeded(f"GA4 quota used up for property {property_id}: {text} Stopped cleanly; "
                                f"try again {when}.", retry_at)
    if isinstance(exc, gexc.Forbidden | gexc.PermissionDenied):
        return Ga4Error(f"GA4 refused access to property {property_id} ({text}). Check that {property_id} is the "
                        "property ID (GA4 Admin → Property details), that the service account's e-mail has the "
                        "Viewer role on that property (Admin → Property access management), and that the Google "
                        "Analytics Data API is enabled in its Google Cloud project.")
    if isinstance(exc, gexc.BadRequest | gexc.InvalidArgument):
        return Ga4Error(f"GA4 rejected the request for property {property_id} ({text}). Check that the property ID "
                        "is a GA4 property ID (digits only) and that the dates are valid.")
    if isinstance(exc, gexc.Unauthorized | gexc.Unauthenticated):
        return Ga4Error(f"GA4 did not accept the credentials for property {property_id} ({text}). Check that the "
                        "service-account key is current (not deleted or revoked in Google Cloud).")
    if isinstance(exc, gexc.NotFound):
        return Ga4Error(f"GA4 property {property_id} was not found ({text}); check the property ID.")
    return Ga4Error(f"GA4 request for property {property_id} failed: {text}")


def _retry_time(exc: Exception, now: datetime | None = None) -> tuple[datetime | None, str]:
    """When a quota error says to retry: RetryInfo's delay if given, else the next hour or tomorrow."""
    now = now or datetime.now()
    for detail in getattr(exc, "details", None) or []:
        delay = detail.get("retryDelay") if isinstance(detail, dict) else None
        if delay:
            at = now + timedelta(seconds=float(str(delay).rstrip("s")))
            return at, f"after {at:%H:%M} (in {_minutes(at - now)})"
    message = str(exc).lower()
    if "per day" in message or "daily" in message:
        return None, "tomorrow (GA4's daily quota resets at midnight Pacific Time)"
    at = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return at, f"after {at:%H:%M} (hourly quotas refill within the hour)"


def _minutes(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _short(exc: Exception | None) -> str:
    """An API error as 'HTTP 403: the API's message', without the request URL."""
    if exc is None:
        return "no answer"
    if isinstance(exc, gexc.GoogleAPICallError):
        message = re.sub(r"^(POST|GET) \S+: ", "", exc.message or "")
        return f"HTTP {exc.code}: {message}".strip()
    return f"{exc.__class__.__name__}: {_first_line(exc)}"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0]
