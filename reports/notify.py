"""The weekly review's summary posted to a chat channel (``python cli.py notify``), once per week and destination.

The message names the week and its counts (``reports.summary.headline``), lists the off-track KPIs with value
and target, and links to the review page when ``KPI_PUBLIC_URL`` is set. Each post is recorded in the
``deliveries`` table (kind "notify", key "<week>|<format>|<url hash>"): a cron job that runs twice posts once;
a failed post is retried by the next run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from sqlalchemy import Engine

from i18n import _, using_locale
from i18n.numerals import localize_digits
from metrics.catalog import kpi_label
from metrics.format import format_value
from metrics.scorecard import KpiResult
from reports import delivery
from reports.summary import headline
from reports.webhooks import ChatMessage, payload, post_json, url_hash

KIND = "notify"
REVIEW_PAGE = "weekly_review"  # the page's url_path (app.py)


@dataclass(frozen=True)
class Posted:
    """What ``notify`` did: 'sent', or 'skipped' (already sent, or being sent by another run)."""

    status: str
    key: str
    message: ChatMessage


def public_url() -> str | None:
    """``KPI_PUBLIC_URL`` (the address people open the app at), without a trailing slash; None when unset."""
    url = os.environ.get("KPI_PUBLIC_URL", "").strip().rstrip("/")
    return url or None


def review_link(week, base: str | None) -> str | None:
    """'{base}/weekly_review?period=2026-W46' (the page's own query parameter, ui/state.py); None without base."""
    return f"{base}/{REVIEW_PAGE}?{urlencode({'period': week.label})}" if base else None


def versus(item: KpiResult) -> str:
    """'2.1% against a target of 2.6%' (and what was expected so far when that differs), in the run's language."""
    value, target = format_value(item.value, item.unit), format_value(item.target, item.unit)
    if item.expected is not None and item.expected != item.target:
        return _("{value} against a target of {target} (expected so far: {expected})").format(
            value=value, target=target, expected=format_value(item.expected, item.unit))
    return _("{value} against a target of {target}").format(value=value, target=target)


def count_facts(counts: dict) -> list[tuple[str, str]]:
    """The headline counts as (name, number) pairs, in the reader's language and digits."""
    names = {"on_track": _("On track"), "at_risk": _("At risk"), "off_track": _("Off track"),
             "no_target": _("No target")}
    return [(name, localize_digits(str(counts.get(status, 0)))) for status, name in names.items()]


def review_message(review: dict, base: str | None = None) -> ChatMessage:
    """The chat summary of a weekly review (``metrics.review.weekly_review``), in the run's language."""
    off = [i for i in review["items"] if i.status == "off_track"]
    return ChatMessage(
        title=headline(review),
        facts=count_facts(review["counts"]),
        heading=_("Off track"),
        lines=[(kpi_label(i.id), versus(i)) for i in off],
        empty=_("No KPI is off track this week."),
        link=review_link(review["week"], base),
        link_text=_("Open the weekly review"),
    )


def notify_key(week, fmt: str, url: str) -> str:
    """The delivery key: one post per week, format and destination."""
    return f"{week.label}|{fmt}|{url_hash(url)}"


def notify(engine: Engine, week, url: str, fmt: str = "slack", *, actor: str = "", resend: bool = False,
           lang: str = "en", base: str | None = None, today: date | None = None) -> Posted:
    """Post ``week``'s summary to ``url`` once (again with ``resend``); raises WebhookError when the post fails
    (recorded as failed: the next run retries)."""
    from metrics.periods import using_calendar
    from metrics.review import weekly_review
    from warehouse.snapshot import read_snapshot

    key = notify_key(week, fmt, url)
    # Built before the claim (a failure here leaves no claim behind), from one state of the warehouse.
    with read_snapshot(engine) as db, using_locale(lang), using_calendar(week.calendar):
        message = review_message(weekly_review(db, week, today=today), base)
        body = payload(message, fmt)
    claimed = delivery.claim(engine, KIND, key, actor=actor, resend=resend)
    if claimed is None:
        return Posted("skipped", key, message)
    try:
        post_json(url, body)
    except Exception as exc:
        delivery.mark_failed(engine, claimed, str(exc))
        raise
    delivery.mark_sent(engine, claimed, detail=message.title)
    return Posted("sent", key, message)
