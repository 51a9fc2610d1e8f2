"""WooCommerce orders, in two shapes: the Analytics → Orders download, and the Customer/Order/Coupon Export
plugin's default CSV format.

Only orders whose status is completed, processing or on-hold count; the others (pending, failed, cancelled,
refunded, checkout-draft, …) are skipped and counted by status.

**Analytics → Orders** (``Date, Order #, Status, Customer, Customer type, Payment method, Product(s), Items sold,
Coupon(s), Net sales, Attribution``): revenue = ``Net sales`` (gross sales − returns − coupons, before taxes and
shipping). The customer is the ``Customer`` name (an order without one is its own customer, ``order:<Order #>``).
``Customer type`` returning means the customer had ordered before, so the order never makes a new customer even
when the warehouse holds none of their earlier orders. A row with a negative ``Net sales`` is a refund (Analytics
lists refunds as rows of their own, not linked to their order's number): skipped and counted as "refunds".
``Attribution`` (WooCommerce's order attribution origin) becomes the order's channel through :data:`CHANNELS`.

**Customer/Order/Coupon Export, default format** (``order_id, order_number, order_number_formatted, date, status,
…, order_total, refunded_total, …, customer_id, …, billing_email, …``): revenue = ``order_total``, refunded =
``refunded_total``; the customer is the billing e-mail, else ``customer_id`` (0 is a guest), else the order itself.
It has no attribution: its orders stay ``(unattributed)`` for GA4 attribution.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from connectors.formats.base import ExportFormat, Prepared, Section, blank_dashes
from connectors.values import parse_number

COUNTED = ("completed", "processing", "on-hold")

# WooCommerce order attribution origin -> default channel group (GA4's names). The origin is written as
# "<Type>: <source>" or one word; see WooCommerce's OrderAttributionController::get_origin_label.
#
# | Attribution (origin)             | channel                                                             |
# |----------------------------------|---------------------------------------------------------------------|
# | Direct                           | Direct                                                              |
# | Organic: <search engine>         | Organic Search                                                      |
# | Referral: <social site>          | Organic Social (facebook, instagram, t.co, x.com, twitter,          |
# |                                  |   linkedin, pinterest, tiktok, youtube, reddit, threads …)         |
# | Referral: <other site>           | Referral                                                            |
# | Source: <e-mail source>          | Email (source has email, e-mail, newsletter, mailchimp, klaviyo …) |
# | Source: <social site>            | Organic Social                                                      |
# | Source: sms                      | SMS                                                                 |
# | Source: <anything else>          | (unattributed): a utm_source alone does not say the medium          |
# | Paid: <social site>              | Paid Social                                                         |
# | Paid: <anything else>            | Paid Search                                                         |
# | Web admin, Mobile app, Unknown,  | (unattributed), left for GA4 attribution                            |
# |   empty, anything else           |                                                                     |
SOCIAL = ("facebook", "fb", "instagram", "ig", "t.co", "twitter", "x.com", "linkedin", "lnkd.in", "pinterest",
          "tiktok", "youtube", "reddit", "threads", "snapchat", "messenger", "whatsapp")
EMAIL = ("email", "e-mail", "newsletter", "mailchimp", "klaviyo", "sendinblue", "brevo", "mailerlite")


def _has(source: str, words: tuple[str, ...]) -> bool:
    """Whether a source names one of ``words``: a word of it ("l.instagram.com"), or a dotted site ("t.co")."""
    host = source.lower().strip()
    tokens = set(re.split(r"[^a-z0-9]+", host))
    return any((host == w or host.endswith("." + w)) if "." in w else (w in host if "-" in w else w in tokens)
               for w in words)


def channel_of(origin: str) -> str:
    """The default channel group of a WooCommerce attribution origin; "" (unattributed) when it does not say."""
    text = origin.strip()
    kind, _, source = text.partition(":")
    kind, source = kind.strip().lower(), source.strip()
    if not source:
        return "Direct" if kind == "direct" else ""
    if kind == "organic":
        return "Organic Search"
    if kind == "referral":
        return "Organic Social" if _has(source, SOCIAL) else "Referral"
    if kind == "source":
        if _has(source, EMAIL):
            return "Email"
        if _has(source, SOCIAL):
            return "Organic Social"
        return "SMS" if source.lower() == "sms" else ""
    if kind == "paid":
        return "Paid Social" if _has(source, SOCIAL) else "Paid Search"
    return ""


def _status(text: pd.Series) -> pd.Series:
    """wc-on-hold, On hold, on-hold → on-hold."""
    return text.str.lower().str.strip().str.removeprefix("wc-").str.replace(r"\s+", "-", regex=True)


def _skipped(status: pd.Series, counted: np.ndarray) -> dict[str, int]:
    others = status[~counted].replace("", "(no status)")
    return {name: int(n) for name, n in sorted(others.value_counts().items())}


def _column(section: Section, names: tuple[str, ...]) -> tuple[pd.Series, str]:
    at = section.position(names)
    if at is None:
        return pd.Series("", index=section.rows.index, dtype=object), names[0]
    return blank_dashes(section.rows[at].str.strip()), section.header[at]


def _prepared(section: Section, fields: dict[str, tuple[pd.Series, str]], keep: np.ndarray,
              skipped: dict[str, int]) -> Prepared:
    frame = pd.DataFrame({f: s.to_numpy()[keep] for f, (s, _) in fields.items()}, dtype=object)
    return Prepared(frame, np.asarray(section.lines[keep], dtype=np.int64), {f: h for f, (_, h) in fields.items()},
                    skipped=skipped)


def _analytics(section: Section, fmt: ExportFormat) -> Prepared:
    status = _status(section.column("Status"))
    counted = status.isin(COUNTED).to_numpy()
    net, header = _column(section, ("Net sales",))
    values, _ = parse_number(net)
    refund = counted & (values < 0).fillna(False).to_numpy()
    skipped = _skipped(status, counted)
    if refund.any():
        skipped["refunds"] = int(refund.sum())
    order, order_header = _column(section, ("Order #",))
    customer, customer_header = _column(section, ("Customer",))
    kind, kind_header = _column(section, ("Customer type",))
    origin, origin_header = _column(section, ("Attribution",))
    fields = {
        "order_id": (order, order_header),
        "ordered_at": _column(section, ("Date",)),
        "customer_id": (customer.where(customer != "", "order:" + order), customer_header),
        "revenue": (net, header),
        "customer_type": (kind.str.lower(), kind_header),
        "channel": (origin.map(channel_of), origin_header),
    }
    return _prepared(section, fields, counted & ~refund, skipped)


def _plugin(section: Section, fmt: ExportFormat) -> Prepared:
    status = _status(section.column("status"))
    counted = status.isin(COUNTED).to_numpy()
    order, order_header = _column(section, ("order_id",))
    email, email_header = _column(section, ("billing_email",))
    account, _ = _column(section, ("customer_id",))
    account = account.where(~account.isin(["0", "0.0"]), "")  # 0: a guest order
    customer = email.where(email != "", account.where(account != "", "order:" + order))
    fields = {
        "order_id": (order, order_header),
        "ordered_at": _column(section, ("date",)),
        "customer_id": (customer, email_header),
        "revenue": _column(section, ("order_total",)),
        "refunded": _column(section, ("refunded_total",)),
    }
    return _prepared(section, fields, counted, _skipped(status, counted))


ANALYTICS = ExportFormat(
    name="WooCommerce Analytics orders report",
    tool="WooCommerce",
    kind="orders",
    recognise=("Date", "Order #", "Status", "Customer type"),
    columns={
        "order_id": ("Order #",),
        "ordered_at": ("Date",),
        "customer_id": ("Customer",),
        "revenue": ("Net sales",),
        "customer_type": ("Customer type",),
        "channel": ("Attribution",),
    },
    prepare=_analytics,
    noun="orders",
    download="WordPress admin → Analytics → Orders, pick the date range, then “Download” (CSV; a large report is "
             "e-mailed); read: Date, Order #, Status, Customer, Customer type, Net sales, Attribution.",
    example="examples/exports/woocommerce_orders.csv",
    skips="Orders whose status is not completed, processing or on-hold (pending, failed, cancelled, refunded …: not "
          "sales), counted by status; refund rows (negative Net sales), which the report lists apart from their order.",
)

PLUGIN = ExportFormat(
    name="WooCommerce Customer/Order/Coupon Export (default orders format)",
    tool="WooCommerce",
    kind="orders",
    recognise=("order_id", "date", "status", "order_total", "refunded_total"),
    columns={
        "order_id": ("order_id",),
        "ordered_at": ("date",),
        "customer_id": ("billing_email", "customer_id"),
        "revenue": ("order_total",),
        "refunded": ("refunded_total",),
    },
    prepare=_plugin,
    noun="orders",
    download="WooCommerce → Export (Customer/Order/Coupon Export plugin) → Orders, output format “Default” CSV; read: "
             "order_id, date, status, order_total, refunded_total, customer_id, billing_email.",
    example="examples/exports/variants/woocommerce_order_export.csv",
    skips="Orders whose status is not completed, processing or on-hold (not sales), counted by status.",
)

FORMATS = [ANALYTICS, PLUGIN]
