"""The weekly review as an e-mail (``cli.py send-review``): the headline as the subject, a plain-text and an HTML
body (each off-track and at-risk KPI with its value, target and top moving channel, partial-week marks, then the
open actions and a link to the review page when ``KPI_PUBLIC_URL`` is set) and the self-contained review HTML
attached. Written in the reader's language (``lang``) and that language's calendar, as the review export is.

The HTML body is made for mail clients: tables, inline styles, no scripts, no images, no external files; ``dir``
on the wrapper too (some clients drop the ``<html>`` element's attributes).
"""

from __future__ import annotations

import hashlib
import html
import os
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Engine

from i18n import _, current_locale, is_rtl, using_locale
from i18n.numerals import localize_digits
from metrics.catalog import KPI_BY_ID
from metrics.date_text import format_date, format_day_range, period_code
from metrics.format import format_delta, format_value
from metrics.pacing import STATUS_LABELS
from metrics.periods import Period, PeriodError, calendar_for, last_complete, parse_period, using_calendar
from metrics.review import weekly_review
from metrics.scorecard import KpiResult, partial_headline
from reports.review_style import STATUS_ICONS
from reports.smtp import is_address
from reports.summary import HEADLINE_STATUSES, headline, open_actions, top_mover
from ui.bidi import in_reading_order, isolate
from warehouse import schema

KIND = "review_email"  # the deliveries table's kind
KEY_LENGTH = schema.deliveries.c.delivery_key.type.length  # the longest key the table holds (1000)
LAST = "last"  # --week last: the last complete week
PAGE = "weekly_review"  # the review page's URL path
STATUS_STYLE = {"off_track": "color:#a8071a;background:#fdecea;border-color:#f3b4ae",
                "at_risk": "color:#7a4a00;background:#fff4d6;border-color:#f0d08a",
                "on_track": "color:#1a6b34;background:#e7f5ec;border-color:#a9d8b8",
                "no_target": "color:#444;background:#f1f2f4;border-color:#d6d9de",
                "no_data": "color:#444;background:#f1f2f4;border-color:#d6d9de"}
FONTS = {"ltr": "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif",
         "rtl": "Vazirmatn,Tahoma,'Segoe UI','Noto Sans Arabic',Arial,sans-serif"}


class RecipientError(ValueError):
    """A --to list that is not a list of e-mail addresses; the message names the bad entry."""


@dataclass(frozen=True)
class Line:
    """One KPI to discuss, as words (the text and HTML bodies lay them out)."""

    status: str
    kpi: str
    versus: str
    mover: str | None
    partial: bool


@dataclass(frozen=True)
class ActionLine:
    owner: str
    text: str
    due: str
    overdue: bool
    kpi: str | None


def review_week(text: str, calendar: str | None = None, today: date | None = None) -> Period:
    """The week ``text`` names: ``2026-W46`` / ``1405-W35``, or ``last`` for the last complete week (in
    ``calendar``, default the run's) before ``today``. PeriodError for anything that is not a week."""
    if text.strip().lower() == LAST:
        return last_complete("week", today, calendar)
    week = parse_period(text)
    if week.grain != "week":
        raise PeriodError(f"--week {text!r} is a {week.grain}; give a week such as 2026-W46 (ISO week), "
                          "1405-W35 (Jalali) or 'last' (the last complete week).")
    return week


def parse_recipients(text: str) -> list[str]:
    """``a@x.org,b@y.org`` as a list (duplicates dropped, case-insensitively); RecipientError names a bad one."""
    out: dict[str, str] = {}
    for n, part in enumerate(text.split(","), start=1):
        address = part.strip()
        if not address:
            raise RecipientError(f"--to: recipient {n} of {text!r} is empty; give name@example.org[,other@…]")
        if not is_address(address):
            raise RecipientError(f"--to: {address!r} (recipient {n}) is not an e-mail address; "
                                 "give name@example.org[,other@example.org]")
        out.setdefault(address.lower(), address)
    return list(out.values())


def delivery_key(week: Period, to: list[str]) -> str:
    """'2026-W46|a@x.org,b@y.org': the same week to the same people (any order or case) is one delivery.

    A list too long for the deliveries table's key column (many recipients) is keyed by its count and a SHA-256
    of the sorted addresses: '2026-W46|45 recipients sha256:…' (PostgreSQL refuses a longer key)."""
    people = sorted({a.strip().lower() for a in to})
    key = f"{week.label}|{','.join(people)}"
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256("\n".join(people).encode("utf-8")).hexdigest()
    return f"{week.label}|{len(people)} recipients sha256:{digest}"


def attachment_name(week: Period) -> str:
    return f"kpi-review-{week.label}.html"


def review_link(week: Period, lang: str, base: str | None = None) -> str | None:
    """The review page of ``week`` under ``KPI_PUBLIC_URL`` (None when it is not set)."""
    base = (base if base is not None else os.environ.get("KPI_PUBLIC_URL", "")).strip().rstrip("/")
    if not base:
        return None
    return f"{base}/{PAGE}?" + urlencode({"grain": "week", "period": week.label, "lang": lang})


def _versus(item: KpiResult) -> str:
    unit = item.unit
    value, target = isolate(format_value(item.value, unit)), isolate(format_value(item.target, unit))
    if item.expected is not None and item.expected != item.target:
        return _("{value} against a target of {target} (expected so far: {expected})").format(
            value=value, target=target, expected=isolate(format_value(item.expected, unit)))
    return _("{value} against a target of {target}").format(value=value, target=target)


def _lines(review: dict) -> list[Line]:
    out = []
    for item in review["attention"]:
        mover = top_mover(review, item)
        change = None if mover is None else format_delta(mover.contribution, item.unit)
        moved = None if change in (None, format_delta(0.0, item.unit)) else _("top mover: {channel} {change}").format(
            channel=isolate(mover.channel), change=in_reading_order(change))  # none when no channel moved it visibly
        out.append(Line(item.status, _(item.label), _versus(item), moved, item.partial))
    return out


def _actions(review: dict, today: date) -> list[ActionLine]:
    out = []
    for a in open_actions(review).itertuples():
        when = pd.Timestamp(a.due_date).date() if not pd.isna(a.due_date) else None
        due = _("due {date}").format(date=format_date(when)) if when else _("no due date")
        kpi = _(KPI_BY_ID[a.kpi_id].label) if a.kpi_id and a.kpi_id in KPI_BY_ID else None
        out.append(ActionLine(str(a.owner), str(a.text), due, when is not None and when < today, kpi))
    return out


def _counts(review: dict) -> list[tuple[str, str]]:
    """(status, 'Off track 2') for the headline statuses, worst first."""
    return [(s, f"{STATUS_ICONS[s]} {_(STATUS_LABELS[s])} {localize_digits(str(review['counts'][s]))}")
            for s in reversed(HEADLINE_STATUSES)]


def text_body(review: dict, lines: list[Line], actions: list[ActionLine], link: str | None, file: str) -> str:
    """The plain-text body."""
    week = review["week"]
    out = [headline(review), _("{days} · {scope}").format(days=isolate(format_day_range(week.start, week.end)),
                                                          scope=_("All channels")), ""]
    if (partial := partial_headline(review["items"], _("this week"))):
        out += [f"⏳ {partial}", ""]
    out.append(_("Off track and at risk"))
    if not lines:
        out.append(_("Every KPI with a target is on track."))
    for line in lines:
        parts = [line.versus] + ([line.mover] if line.mover else []) + ([_("partial week")] if line.partial else [])
        out.append(f"{STATUS_ICONS[line.status]} {line.kpi}: " + " · ".join(parts))
    out += ["", _("Open actions, by due date")]
    if not actions:
        out.append(_("None."))
    for a in actions:
        late = f" {_('overdue')}" if a.overdue else ""
        kpi = f" ({a.kpi})" if a.kpi else ""
        out.append(f"- {a.due}{late} · {isolate(a.owner)}: {isolate(a.text)}{kpi}")
    out.append("")
    if link:
        out += [_("Open the review: {url}").format(url=isolate(link)), ""]
    out.append(_("The whole review is attached ({file}): it opens offline in any browser.").format(
        file=isolate(file)))
    return "\n".join(out) + "\n"


def _badge(status: str, text: str) -> str:
    return (f'<span style="display:inline-block;padding:2px 8px;margin:0 0 4px;border:1px solid;border-radius:10px;'
            f'font-size:13px;white-space:nowrap;{STATUS_STYLE[status]}">{html.escape(text)}</span>')


def html_body(review: dict, lines: list[Line], actions: list[ActionLine], link: str | None, file: str) -> str:
    """The HTML body: self-contained, inline styles only, laid out with tables as mail clients need."""
    esc = html.escape
    lang = current_locale()
    direction = "rtl" if is_rtl(lang) else "ltr"
    start = "right" if direction == "rtl" else "left"
    week = review["week"]
    h2 = f'<h2 style="font-size:16px;margin:22px 0 8px;color:#111;text-align:{start}">'

    def td(content: str, extra: str = "") -> str:
        return (f'<td style="padding:8px 10px;border-top:1px solid #e3e6ea;vertical-align:top;text-align:{start};'
                f'{extra}">{content}</td>')
    parts = [f'<h1 style="font-size:21px;line-height:1.3;margin:0 0 4px;color:#111;text-align:{start}">'
             + esc(_("Weekly KPI review · {week}")).format(week=f"<bdi>{esc(period_code(week))}</bdi>") + "</h1>",
             f'<p style="margin:0 0 14px;color:#555;font-size:14px;text-align:{start}">'
             + esc(_("{days} · {scope}")).format(days=f"<bdi>{esc(format_day_range(week.start, week.end))}</bdi>",
                                                 scope=esc(_("All channels"))) + "</p>",
             "<p style=\"margin:0 0 6px\">" + " ".join(_badge(s, t) for s, t in _counts(review)) + "</p>"]
    if (partial := partial_headline(review["items"], _("this week"))):
        parts.append(f'<p style="margin:10px 0;padding:8px 10px;background:#fff8e1;border-radius:4px;font-size:14px;'
                     f'color:#5c4400;text-align:{start}">&#9203; {esc(partial)}</p>')
    parts.append(h2 + esc(_("Off track and at risk")) + "</h2>")
    if not lines:
        parts.append(f'<p style="margin:0;text-align:{start}">' + esc(_("Every KPI with a target is on track."))
                     + "</p>")
    else:
        rows = []
        for line in lines:
            details = [esc(line.versus)] + ([f'<span style="color:#444">{esc(line.mover)}</span>'] if line.mover
                                            else [])
            if line.partial:
                details.append(f'<span style="color:#7a4a00">&#9203; {esc(_("partial week"))}</span>')
            rows.append("<tr>" + td(_badge(line.status, _(STATUS_LABELS[line.status])), "width:1%")
                        + td(f"<b>{esc(line.kpi)}</b><br>" + "<br>".join(details)) + "</tr>")
        parts.append(_table(rows))
    parts.append(h2 + esc(_("Open actions, by due date")) + "</h2>")
    if not actions:
        parts.append(f'<p style="margin:0;color:#666;text-align:{start}">' + esc(_("None.")) + "</p>")
    else:
        rows = []
        for a in actions:
            late = (' <b style="color:#a8071a">' + esc(_("overdue")) + "</b>") if a.overdue else ""
            kpi = f'<br><span style="color:#666">{esc(a.kpi)}</span>' if a.kpi else ""
            rows.append("<tr>" + td(f"<b><bdi>{esc(a.owner)}</bdi></b>") + td(f"<bdi>{esc(a.text)}</bdi>{kpi}")
                        + td(esc(a.due) + late, "white-space:nowrap") + "</tr>")
        parts.append(_table(rows))
    if link:
        parts.append(f'<p style="margin:24px 0 8px;text-align:{start}"><a href="{esc(link, quote=True)}" '
                     'style="display:inline-block;padding:10px 18px;background:#1f5fa8;color:#ffffff;'
                     'text-decoration:none;border-radius:4px;font-weight:bold">' + esc(_("Open the review page"))
                     + "</a></p>")
    parts.append(f'<p style="margin:18px 0 0;color:#666;font-size:13px;text-align:{start}">' + esc(
        _("The whole review is attached ({file}): it opens offline in any browser.")).format(
        file=f"<bdi>{esc(file)}</bdi>") + "</p>")
    subject = esc(headline(review))
    return (f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{subject}</title></head>"
            f'<body style="margin:0;padding:0;background:#f3f4f6">'
            f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            f'style="background:#f3f4f6"><tr><td align="center" style="padding:24px 12px">'
            f'<table role="presentation" dir="{direction}" width="640" cellpadding="0" cellspacing="0" border="0" '
            f'style="width:100%;max-width:640px;background:#ffffff;border:1px solid #dde1e6;border-radius:6px;'
            f'font-family:{FONTS[direction]};font-size:15px;line-height:1.5;color:#111">'
            f'<tr><td dir="{direction}" style="padding:22px 26px;text-align:{start}">'
            + "\n".join(parts) + "</td></tr></table></td></tr></table></body></html>")


def _table(rows: list[str]) -> str:
    return ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            'style="border-collapse:collapse;font-size:14px">' + "".join(rows) + "</table>")


def build_message(engine: Engine, week: Period, to: list[str], sender: str, lang: str | None = None,
                  today: date | None = None, public_url: str | None = None) -> EmailMessage:
    """The review of ``week`` as an e-mail from ``sender`` to ``to``, in ``lang`` (default: the run's language)
    and its calendar. Give ``engine`` a snapshot (``read_snapshot``) so the body and attachment agree."""
    from reports.review_html import render

    today = today or date.today()
    with ExitStack() as stack:
        if lang is not None:
            stack.enter_context(using_locale(lang))
        lang = current_locale()
        stack.enter_context(using_calendar(calendar_for(lang)))
        review = weekly_review(engine, week, None, today)
        lines, actions = _lines(review), _actions(review, today)
        link, file = review_link(week, lang, public_url), attachment_name(week)
        message = EmailMessage()
        message["Subject"] = headline(review)
        message["From"] = sender
        message["To"] = ", ".join(to)
        message["Date"] = formatdate(localtime=True)
        domain = parseaddr(sender)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid("kpi-review", domain=domain)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a robot
        message.set_content(text_body(review, lines, actions, link, file))
        message.add_alternative(html_body(review, lines, actions, link, file), subtype="html")
        message.add_attachment(render(engine, week, today=today, lang=lang), subtype="html", filename=file)
        message["Content-Language"] = lang  # after the parts: making it multipart moves Content-* headers inside
    return message
