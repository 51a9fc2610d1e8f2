"""A small fake of the GA4 Data API (v1beta ``runReport`` over REST/JSON) on 127.0.0.1, for tests and demos.

It speaks the wire format the official client's REST transport uses: ``POST
/v1beta/properties/{id}:runReport`` (routed on the path without its query string) with a JSON
``RunReportRequest``, answering a JSON ``RunReportResponse`` or a Google-style JSON error. It is
scriptable: answer the next requests with errors (``fail``), return at most ``page_size`` rows per
page whatever ``limit`` asks, refuse properties it does not hold (403), report thresholding etc.
Like the real API it refuses a dimension or metric name it does not know, and more than 10 metrics (400). A
metric a row does not hold is answered 0, as GA4 answers for an event the property never sends. A report with the
``transactionId`` dimension answers from ``transactions`` (purchases by transaction id), any other from ``rows``.

    python tests/fake_ga4.py --port 8089 --start 2026-01-01 --end 2026-01-31 --page-size 40 --fail 503
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import re
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

METRIC_TYPES = {"purchaseRevenue": "TYPE_CURRENCY", "userEngagementDuration": "TYPE_SECONDS",
                "keyEvents": "TYPE_FLOAT"}
STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
MESSAGES = {
    400: "Invalid property ID.",
    403: "User does not have sufficient permissions for this property. To learn more about Property ID, see "
         "https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.",
    429: "Exhausted property tokens per hour for a project per property. These quota tokens will return in under "
         "an hour. To learn more, see https://developers.google.com/analytics/devguides/reporting/data/v1/quotas",
    503: "The service is currently unavailable.",
}
# The names the fake knows (a subset of the GA4 Data API schema); any other name is refused with a 400, as GA4 does.
DIMENSIONS = frozenset({"date", "transactionId", "sessionDefaultChannelGroup", "sessionSourceMedium",
                        "sessionCampaignName", "sessionSource", "sessionMedium", "country", "deviceCategory"})
METRICS = frozenset({"sessions", "engagedSessions", "newUsers", "screenPageViews", "userEngagementDuration",
                     "keyEvents", "ecommercePurchases", "purchaseRevenue", "totalRevenue", "activeUsers",
                     "addToCarts", "checkouts"})
MAX_METRICS = 10  # GA4 refuses a report request with more metrics (400)
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"
PATH = re.compile(r"^/v1beta/properties/([^/:]+):runReport$")
CHANNELS = (("Organic Search", "google / organic", "(organic)"), ("Direct", "(direct) / (none)", "(direct)"),
            ("Paid Search", "google / cpc", "brand_search"), ("Email", "newsletter / email", "نوروز_۱۴۰۵"))


def sample_rows(start: date, end: date) -> list[dict]:
    """Deterministic GA4 rows (dimension and metric values as the API names them) for every day and channel."""
    rows = []
    for d in range((end - start).days + 1):
        day = start + timedelta(days=d)
        for i, (channel, source_medium, campaign) in enumerate(CHANNELS):
            sessions = 100 + 37 * i + (d * 13) % 50
            rows.append({"date": day.strftime("%Y%m%d"), "sessionDefaultChannelGroup": channel,
                         "sessionSourceMedium": source_medium, "sessionCampaignName": campaign,
                         "sessions": sessions, "engagedSessions": sessions * 6 // 10, "newUsers": sessions // 2,
                         "screenPageViews": sessions * 3, "userEngagementDuration": sessions * 55,
                         "keyEvents": round(sessions * 0.04, 1), "ecommercePurchases": sessions // 40,
                         "purchaseRevenue": round(sessions / 40 * 61.5, 2),
                         "addToCarts": sessions * 8 // 100, "checkouts": sessions * 3 // 100})
    return rows


def sample_transactions(start: date, end: date, per_day: int = 2) -> list[dict]:
    """Deterministic GA4 purchases by transaction id ("T-<yyyymmdd>-<n>"), for the CLI's fake server."""
    rows = []
    for d in range((end - start).days + 1):
        day = start + timedelta(days=d)
        for n in range(per_day):
            channel, source_medium, campaign = CHANNELS[(d + n) % len(CHANNELS)]
            rows.append({"date": day.strftime("%Y%m%d"), "transactionId": f"T-{day:%Y%m%d}-{n + 1}",
                         "sessionDefaultChannelGroup": channel, "sessionSourceMedium": source_medium,
                         "sessionCampaignName": campaign, "ecommercePurchases": 1,
                         "purchaseRevenue": round(40 + 7.5 * ((d + n) % 9), 2)})
    return rows


def read_transactions(path: Path) -> list[dict]:
    """Purchases by transaction id from a CSV with GA4's dimension and metric names as its header."""
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


class FakeGA4:
    """The fake server: start() it, point ``GA4_API_ENDPOINT`` at ``url``, stop() it (or use ``with``)."""

    def __init__(self, rows: list[dict] | None = None, properties: tuple[str, ...] = ("123",),
                 page_size: int | None = None, port: int = 0, transactions: list[dict] | None = None) -> None:
        self.rows = rows if rows is not None else []
        self.transactions = transactions if transactions is not None else []  # purchases by transaction id
        self.properties = properties
        self.page_size = page_size
        self.fail: list[int | tuple[int, dict] | None] = []  # next answers: 503, (429, {details}) or None (normal)
        self.metadata: dict = {}  # extra response metadata, e.g. {"subjectToThresholding": True}
        self.requests: list[dict] = []  # every request body received, with its "path" and "authorization" header
        self.tokens_per_request = 7
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeGA4:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeGA4:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def answer(self, path: str, body: dict, authorization: str = "") -> tuple[int, dict]:
        """(HTTP status, JSON payload) for one request."""
        with self.lock:
            self.requests.append({"path": path, "authorization": authorization, **body})
            failure = self.fail.pop(0) if self.fail else None
        if failure is not None:
            code, details = failure if isinstance(failure, tuple) else (failure, {})
            return code, _error(code, details)
        match = PATH.match(path)
        if not match:
            return 404, _error(404, {}, f"No route for {path}.")
        if match.group(1) not in self.properties:
            return 403, _error(403, {})
        dimensions = [d.get("name", "") for d in body.get("dimensions", [])]
        metrics = [m.get("name", "") for m in body.get("metrics", [])]
        for kind, names, known in (("dimension", dimensions, DIMENSIONS), ("metric", metrics, METRICS)):
            unknown = next((n for n in names if n not in known), None)
            if unknown is not None:
                return 400, _error(400, {}, f"Field {unknown} is not a valid {kind}. For a list of valid "
                                            f"dimensions and metrics, see {SCHEMA_URL}")
        if not metrics:
            return 400, _error(400, {}, "At least one metric is required.")
        if len(metrics) > MAX_METRICS:
            return 400, _error(400, {}, f"Requested {len(metrics)} metrics; a report accepts at most {MAX_METRICS}.")
        return 200, self.report(body)

    def report(self, body: dict) -> dict:
        dimensions = [d["name"] for d in body.get("dimensions", [])]
        metrics = [m["name"] for m in body.get("metrics", [])]
        ranges = body.get("dateRanges") or [{}]
        first = ranges[0].get("startDate", "0000-00-00").replace("-", "")
        last = ranges[0].get("endDate", "9999-99-99").replace("-", "")
        source = self.transactions if "transactionId" in dimensions else self.rows
        selected = sorted((r for r in source if first <= r["date"] <= last),
                          key=lambda r: tuple(str(r.get(d, "")) for d in dimensions))
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 10000))
        page = selected[offset: offset + min(limit, self.page_size or limit)]
        payload = {
            "dimensionHeaders": [{"name": d} for d in dimensions],
            "metricHeaders": [{"name": m, "type": METRIC_TYPES.get(m, "TYPE_INTEGER")} for m in metrics],
            "rows": [{"dimensionValues": [{"value": str(r.get(d, ""))} for d in dimensions],
                      "metricValues": [{"value": str(r.get(m, 0))} for m in metrics]} for r in page],
            "rowCount": len(selected),
            "metadata": {"currencyCode": "USD", "timeZone": "Asia/Tehran", **self.metadata},
            "kind": "analyticsData#runReport",
        }
        if body.get("returnPropertyQuota"):
            used = self.tokens_per_request
            payload["propertyQuota"] = {
                "tokensPerDay": {"consumed": used, "remaining": 200000 - used * len(self.requests)},
                "tokensPerHour": {"consumed": used, "remaining": 40000 - used * len(self.requests)},
                "concurrentRequests": {"consumed": 0, "remaining": 10},
            }
        return payload


def _error(code: int, details: dict, message: str | None = None) -> dict:
    error = {"code": code, "message": message or MESSAGES.get(code, "Error."), "status": STATUS.get(code, "UNKNOWN")}
    if details:
        error["details"] = [details]
    return {"error": error}


def _handler(fake: FakeGA4) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) or b"{}"
            path = self.path.split("?", 1)[0]
            try:
                body = json.loads(data)
            except json.JSONDecodeError:
                status, payload = 400, _error(400, {}, "Invalid JSON payload received.")
            else:
                status, payload = fake.answer(path, body, self.headers.get("Authorization", ""))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # quiet
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake GA4 Data API on 127.0.0.1 (until Ctrl-C).")
    parser.add_argument("--port", type=int, default=8089)
    parser.add_argument("--property", default="123")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 1, 31))
    parser.add_argument("--page-size", type=int, default=None, help="at most this many rows per page")
    parser.add_argument("--transactions-per-day", type=int, default=2,
                        help="GA4 purchases by transaction id (T-yyyymmdd-n) per day")
    parser.add_argument("--transactions-csv", type=Path, default=None,
                        help="purchases by transaction id from a CSV whose header uses GA4's names (date as YYYYMMDD, "
                             "transactionId, sessionDefaultChannelGroup, sessionSourceMedium, sessionCampaignName, "
                             "ecommercePurchases, purchaseRevenue), instead of generated ones")
    parser.add_argument("--fail", type=int, action="append", default=[], help="answer the next request with this "
                        "HTTP status (repeatable), e.g. --fail 503")
    args = parser.parse_args()
    fake = FakeGA4(sample_rows(args.start, args.end), (args.property,), args.page_size, args.port,
                   read_transactions(args.transactions_csv) if args.transactions_csv
                   else sample_transactions(args.start, args.end, args.transactions_per_day))
    fake.fail = list(args.fail)
    print(f"fake GA4 on {fake.url}: property {args.property}, {len(fake.rows)} rows, "
          f"{len(fake.transactions)} transactions", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        fake.server.serve_forever()


if __name__ == "__main__":
    main()
