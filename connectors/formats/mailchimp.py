"""Mailchimp: the campaigns report export (Analytics → Reports → Export CSV / "Download all reports").

One row per sent campaign: ``Title, Subject, List, Send Date, Send Weekday, Total Recipients, Successful Deliveries,
Soft Bounces, Hard Bounces, Total Bounces, Times Forwarded, Forwarded Opens, Unique Opens, Open Rate, Total Opens,
Unique Clicks, Click Rate, Total Clicks, Unsubscribes, Abuse Complaints, …``. Each becomes one email row dated on
its send date (``Nov 10, 2026 09:30 am`` → 2026-11-10), campaign = ``Title`` (else ``Subject``): sent = Total
Recipients, delivered = Successful Deliveries, bounces = Total Bounces (hard + soft), unique opens, unique clicks,
unsubscribes. Rates (``42.50%``) are derived and not read; ``n/a`` is empty.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from connectors.formats.base import ExportFormat, Prepared, Section, mapped, problem, refuse

SEND_DATE = "a send date such as Nov 10, 2026 09:30 am"
_FORMATS = ("%b %d, %Y %I:%M %p", "%b %d, %Y %H:%M", "%b %d, %Y", "%B %d, %Y %I:%M %p", "%B %d, %Y")


def send_day(text: pd.Series) -> pd.Series:
    """Mailchimp's send dates as YYYY-MM-DD text; "" where the text is no such date."""
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    days = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for form in _FORMATS:
        todo = days.isna() & (text != "")
        if not todo.any():
            break
        days[todo] = pd.to_datetime(text[todo], format=form, errors="coerce")
    iso = days.isna() & (text != "")
    if iso.any():  # a sheet program may have rewritten it as 2026-11-10 09:30
        days[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce")
    return days.dt.strftime("%Y-%m-%d").fillna("")


def _prepare(section: Section, fmt: ExportFormat) -> Prepared:
    prepared = mapped(section, fmt)
    at = section.position(("Send Date",))
    days = send_day(section.rows[at].astype(str))
    bad = np.flatnonzero((days == "").to_numpy())
    if len(bad):
        raise refuse(section, fmt, [problem(section, i, at, SEND_DATE) for i in bad])
    prepared.frame["date"] = days.to_numpy()
    subject = section.column("Subject")
    if subject is not None and "Title" in prepared.header.values():  # an untitled campaign: its subject
        title = prepared.frame["campaign"]
        prepared.frame["campaign"] = title.where(title != "", subject.to_numpy())
    return prepared


CAMPAIGNS = ExportFormat(
    name="Mailchimp campaigns export",
    tool="Mailchimp",
    kind="email",
    recognise=("Title", "Send Date", "Total Recipients", "Successful Deliveries"),
    columns={
        "date": ("Send Date",),
        "campaign": ("Title", "Subject"),
        "sent": ("Total Recipients",),
        "delivered": ("Successful Deliveries",),
        "unique_opens": ("Unique Opens",),
        "unique_clicks": ("Unique Clicks",),
        "unsubscribes": ("Unsubscribes",),
        "bounces": ("Total Bounces",),
    },
    prepare=_prepare,
    noun="campaigns",
    download="Analytics → Reports → (select the campaigns) → Export → “Export as CSV”; read: Title, Send Date, "
             "Total Recipients, Successful Deliveries, Total Bounces, Unique Opens, Unique Clicks, Unsubscribes.",
    example="examples/exports/mailchimp_campaigns.csv",
    skips="Nothing: every sent campaign is one row. Rates and n/a cells are not read.",
    complete_when_downloaded=True,
)

FORMATS = [CAMPAIGNS]
