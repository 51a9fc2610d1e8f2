"""The canonical shape of each kind of data a connector or a file import loads.

This is the public contract for files (`python cli.py import KIND FILE`): column
names, types, which are optional, and each kind's natural key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One canonical column: ``type`` is date, datetime, int, number, text or one of a set."""

    name: str
    type: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: float | None = 0
    maximum: float | None = None


@dataclass(frozen=True)
class Dataset:
    kind: str
    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    description: str

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


DATASETS: dict[str, Dataset] = {
    d.kind: d
    for d in (
        Dataset(
            "orders",
            "orders",
            (
                Field("order_id", "text", aliases=("order id", "order number", "order no", "id", "order")),
                Field("ordered_at", "datetime", aliases=("order date", "date", "created at", "ordered", "timestamp")),
                Field("customer_id", "text", aliases=("customer id", "customer", "customer number", "email")),
                Field("revenue", "number", aliases=("amount", "net revenue", "total", "net sales", "sales")),
                Field("refunded", "number", required=False, aliases=("refund", "refunds", "refunded amount")),
                Field("channel", "text", required=False, aliases=("channel group", "default channel group")),
                Field("campaign", "text", required=False, aliases=("campaign name", "utm campaign", "utm_campaign")),
                # "returning": the customer had ordered before (the shop's history may start before the first
                # import), so this order never makes a new customer. Empty or "new": decided by the warehouse.
                Field("customer_type", "choice", required=False, choices=("new", "returning"),
                      aliases=("customer type",)),
            ),
            ("order_id",),
            "One row per order.",
        ),
        Dataset(
            "ad_spend",
            "ad_spend",
            (
                Field("date", "date", aliases=("day", "report date")),
                Field("platform", "text", aliases=("network", "ad platform", "source")),
                Field("campaign", "text", aliases=("campaign name",)),
                Field("channel", "text", required=False, aliases=("channel group",)),
                Field("impressions", "int", required=False, aliases=("impr", "impr.")),
                Field("clicks", "int", required=False, aliases=("link clicks",)),
                Field("cost", "number", aliases=("spend", "amount spent", "cost (usd)", "amount")),
            ),
            ("date", "platform", "campaign"),
            "Daily ad cost by platform and campaign.",
        ),
        Dataset(
            "email",
            "email_campaigns",
            (
                Field("date", "date", aliases=("send date", "sent at", "sent date")),
                Field("campaign", "text", aliases=("campaign name", "subject")),
                Field("sent", "int", aliases=("emails sent", "recipients")),
                Field("delivered", "int", aliases=("emails delivered",)),
                Field("unique_opens", "int", aliases=("unique opens", "opens", "opened")),
                Field("unique_clicks", "int", aliases=("unique clicks", "clicks", "clicked")),
                Field("unsubscribes", "int", aliases=("unsubscribed", "unsubs")),
                Field("bounces", "int", aliases=("bounced",)),
            ),
            ("date", "campaign"),
            "Email campaigns by send date.",
        ),
        Dataset(
            "social",
            "social",
            (
                Field("date", "date", aliases=("day",)),
                Field("network", "text", aliases=("platform", "channel")),
                Field("followers", "int", aliases=("fans", "followers count", "audience")),
                Field("impressions", "int", aliases=("reach",)),
                Field("engagements", "int", aliases=("engagement", "interactions")),
            ),
            ("date", "network"),
            "Daily social media figures by network (followers is a stock).",
        ),
        Dataset(
            "feedback",
            "feedback",
            (
                Field("response_id", "text", aliases=("response id", "id", "survey response id")),
                Field("date", "date", aliases=("submitted at", "response date", "submitted")),
                Field("kind", "choice", choices=("csat", "nps"), aliases=("type", "survey", "survey type")),
                Field("score", "int", aliases=("rating", "value")),
                Field("channel", "text", required=False),
            ),
            ("response_id",),
            "Customer feedback: CSAT (1-5) or NPS (0-10) responses.",
        ),
        Dataset(
            "tickets",
            "tickets",
            (
                Field("ticket_id", "text", aliases=("ticket id", "id", "ticket")),
                Field("opened_at", "datetime", aliases=("opened", "created at", "created")),
                Field("first_response_at", "datetime", required=False,
                      aliases=("first response at", "first response", "first reply at", "responded at")),
            ),
            ("ticket_id",),
            "Support tickets with the time of the first response.",
        ),
        Dataset(
            "web",
            "web_traffic",
            (
                Field("date", "date", aliases=("day",)),
                Field("channel", "text", aliases=("session default channel group", "default channel group")),
                # A dimension the file lacks is "(not set)"; a metric it lacks is unknown (NULL), never 0.
                Field("source_medium", "text", required=False, aliases=("session source / medium", "source / medium")),
                Field("campaign", "text", required=False, aliases=("session campaign", "campaign name")),
                Field("sessions", "int"),
                Field("engaged_sessions", "int", required=False, aliases=("engaged sessions",)),
                Field("new_users", "int", required=False, aliases=("new users",)),
                Field("page_views", "int", required=False, aliases=("views", "page views", "screen page views")),
                Field("engagement_seconds", "number", required=False,
                      aliases=("user engagement duration", "engagement time")),
                Field("key_events", "number", required=False, aliases=("key events", "conversions")),
                Field("purchases", "int", required=False, aliases=("ecommerce purchases",)),
                Field("purchase_revenue", "number", required=False, aliases=("purchase revenue",)),
                Field("add_to_carts", "int", required=False, aliases=("add to carts", "add-to-carts")),
                Field("checkouts", "int", required=False),
            ),
            ("date", "channel", "source_medium", "campaign"),
            "Daily web traffic by channel group, source/medium and campaign (GA4-shaped).",
        ),
    )
}

KINDS = tuple(DATASETS)

# Platform -> channel group, for ad spend rows without a channel.
PLATFORM_CHANNELS = {
    "google_ads": "Paid Search",
    "google": "Paid Search",
    "bing_ads": "Paid Search",
    "microsoft_ads": "Paid Search",
    "meta": "Paid Social",
    "facebook": "Paid Social",
    "instagram": "Paid Social",
    "tiktok": "Paid Social",
    "linkedin": "Paid Social",
    "snapchat": "Paid Social",
    "pinterest": "Paid Social",
    "awin": "Affiliates",
    "affiliate": "Affiliates",
    "sms": "SMS",
}
UNATTRIBUTED = "(unattributed)"
NO_CAMPAIGN = "(not set)"
