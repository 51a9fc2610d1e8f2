"""Warehouse tables. Every fact table has a natural unique key so loads are idempotent.

Dates are stored as dates and timestamps as naive local timestamps of the shop;
derived columns (``order_date``, ``first_response_minutes``) are computed at load
time so that no query needs dialect-specific date functions.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

metadata = MetaData()

NAME = 200  # length of names (channels, campaigns, ids): portable across engines

web_traffic = Table(
    "web_traffic",
    metadata,
    Column("date", Date, nullable=False),
    Column("channel", String(NAME), nullable=False),
    Column("source_medium", String(NAME), nullable=False),
    Column("campaign", String(NAME), nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("engaged_sessions", Integer, nullable=True),
    Column("new_users", Integer, nullable=True),
    Column("page_views", Integer, nullable=True),
    Column("engagement_seconds", Float, nullable=True),
    Column("key_events", Float, nullable=True),
    Column("purchases", Integer, nullable=True),
    Column("purchase_revenue", Float, nullable=True),
    Column("add_to_carts", Integer, nullable=True),
    Column("checkouts", Integer, nullable=True),
    UniqueConstraint("date", "channel", "source_medium", "campaign", name="uq_web_traffic"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", String(NAME), primary_key=True),
    Column("ordered_at", DateTime, nullable=False),
    Column("order_date", Date, nullable=False, index=True),
    Column("customer_id", String(NAME), nullable=False),
    Column("revenue", Float, nullable=False),
    Column("refunded", Float, nullable=False, default=0.0),
    Column("channel", String(NAME), nullable=False),
    Column("campaign", String(NAME), nullable=False),
    Column("is_first_order", Boolean, nullable=False, default=False),
    # The export said the customer had ordered before (WooCommerce's customer type): never a new customer.
    Column("returning_customer", Boolean, nullable=False, default=False, server_default=false()),
    # channel and campaign came from the GA4 purchase with this order's id (the order had none of its own)
    Column("ga4_attributed", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_orders_customer_time", "customer_id", "ordered_at", "order_id"),
)

# Daily rollup of orders, maintained by every orders load (connectors.loader):
# KPI queries read this, never the order-level table.
orders_daily = Table(
    "orders_daily",
    metadata,
    Column("date", Date, primary_key=True),
    Column("channel", String(NAME), primary_key=True),
    Column("campaign", String(NAME), primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("revenue", Float, nullable=False),
    Column("refunded", Float, nullable=False),
    Column("new_customers", Integer, nullable=False),
    Column("repeat_orders", Integer, nullable=False),
    # revenue - refunded of new customers' first orders (sell.new_customer_revenue)
    Column("new_customer_revenue", Float, nullable=False, default=0.0, server_default="0"),
)

# One row per customer, kept by every orders load in the same transaction (connectors.customers): the first
# order and the acquisition channel (the first order's channel). ``returning_before``: the export said that
# first order's customer had ordered before (not a new customer: kept out of cohorts).
customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(NAME), primary_key=True),
    Column("first_order_id", String(NAME), nullable=False),
    Column("first_ordered_at", DateTime, nullable=False),
    Column("first_order_date", Date, nullable=False, index=True),
    Column("acquisition_channel", String(NAME), nullable=False),
    Column("acquisition_campaign", String(NAME), nullable=False),
    Column("returning_before", Boolean, nullable=False, default=False, server_default=false()),
)

# The period starts of every date the orders touch, per bucket (calendar and grain), filled in Python
# (metrics.periods.bucket_starts) so that cohort SQL needs no dialect date functions.
calendar_days = Table(
    "calendar_days",
    metadata,
    Column("date", Date, primary_key=True),
    Column("gregorian_week", Date, nullable=False),
    Column("gregorian_month", Date, nullable=False),
    Column("jalali_week", Date, nullable=False),
    Column("jalali_month", Date, nullable=False),
)

# Cohort activity rollup, kept with ``customers``: per bucket, cohort (period of the first order), acquisition
# channel and period, the cohort's customers with an order in that period, their orders and net revenue.
# Cohort reports read this (thousands of rows), never the orders.
cohort_activity = Table(
    "cohort_activity",
    metadata,
    Column("bucket", String(16), primary_key=True),
    Column("cohort_start", Date, primary_key=True),
    Column("acquisition_channel", String(NAME), primary_key=True),
    Column("period_start", Date, primary_key=True),
    Column("active_customers", Integer, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("net_revenue", Float, nullable=False),
)

# GA4 purchases by transaction id (the GA4 sync): the channel and campaign of each shop order GA4 saw.
# ``order_key`` is the transaction id without a leading '#', as orders are matched on it.
ga4_transactions = Table(
    "ga4_transactions",
    metadata,
    Column("date", Date, nullable=False),
    Column("transaction_id", String(NAME), nullable=False),
    Column("order_key", String(NAME), nullable=False, index=True),
    Column("channel", String(NAME), nullable=False),
    Column("source_medium", String(NAME), nullable=False),
    Column("campaign", String(NAME), nullable=False),
    Column("purchases", Integer, nullable=True),
    Column("purchase_revenue", Float, nullable=True),
    UniqueConstraint("date", "transaction_id", "channel", "source_medium", "campaign", name="uq_ga4_transactions"),
)

ad_spend = Table(
    "ad_spend",
    metadata,
    Column("date", Date, nullable=False),
    Column("platform", String(NAME), nullable=False),
    Column("campaign", String(NAME), nullable=False),
    Column("channel", String(NAME), nullable=False),
    Column("impressions", Integer, nullable=True),
    Column("clicks", Integer, nullable=True),
    Column("cost", Float, nullable=False),
    UniqueConstraint("date", "platform", "campaign", name="uq_ad_spend"),
)

email_campaigns = Table(
    "email_campaigns",
    metadata,
    Column("date", Date, nullable=False),
    Column("campaign", String(NAME), nullable=False),
    Column("sent", Integer, nullable=False),
    Column("delivered", Integer, nullable=False),
    Column("unique_opens", Integer, nullable=False),
    Column("unique_clicks", Integer, nullable=False),
    Column("unsubscribes", Integer, nullable=False),
    Column("bounces", Integer, nullable=False),
    UniqueConstraint("date", "campaign", name="uq_email_campaigns"),
)

social = Table(
    "social",
    metadata,
    Column("date", Date, nullable=False),
    Column("network", String(NAME), nullable=False),
    Column("followers", Integer, nullable=False),
    Column("impressions", Integer, nullable=False),
    Column("engagements", Integer, nullable=False),
    UniqueConstraint("date", "network", name="uq_social"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("response_id", String(NAME), primary_key=True),
    Column("date", Date, nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("score", Integer, nullable=False),
    Column("channel", String(NAME), nullable=True),
)

tickets = Table(
    "tickets",
    metadata,
    Column("ticket_id", String(NAME), primary_key=True),
    Column("opened_at", DateTime, nullable=False),
    Column("opened_date", Date, nullable=False, index=True),
    Column("first_response_at", DateTime, nullable=True),
    Column("first_response_minutes", Float, nullable=True),
)

# Plan targets. channel '' means all channels (NULL would defeat the unique key).
targets = Table(
    "targets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kpi_id", String(64), nullable=False),
    Column("grain", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("channel", String(NAME), nullable=False, default=""),
    Column("value", Float, nullable=False),
    Column("updated_at", DateTime, nullable=True),
    Column("version", Integer, nullable=False, default=1),
    UniqueConstraint("kpi_id", "grain", "period_start", "channel", name="uq_targets"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("cursor", String(200), nullable=True),
    Column("detail", Text, nullable=True),
)

notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kpi_id", String(64), nullable=False),
    Column("week_start", Date, nullable=False),
    Column("channel", String(NAME), nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("author", String(NAME), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("owner", String(NAME), nullable=False),
    Column("due_date", Date, nullable=True),
    Column("status", String(8), nullable=False, default="open"),
    Column("kpi_id", String(64), nullable=True),
    Column("week_start", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

# Who changed what (access/audit.py): targets, notes, actions, imports, syncs, demo removal.
# before_json/after_json are JSON text (null for a creation or a removal); object_key names the thing changed.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("role", String(16), nullable=False),
    Column("via", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("object_key", String(400), nullable=False, default=""),
    Column("before_json", Text, nullable=True),
    Column("after_json", Text, nullable=True),
    Column("detail", Text, nullable=True),
)

# What left the app (reports/delivery.py): one row per (kind, delivery_key), e.g. ("review_email", "2026-W46|a@x,b@y"),
# ("alert", "off_track|sell.revenue|2026-W46|<destination>"). A row "sent" is never sent again unless asked to
# resend; "failed" is retried by the next run; "sending" is a claim that stops a second run sending at once.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("delivery_key", String(1000), nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("actor", String(NAME), nullable=True),
    Column("claimed_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Column("error", Text, nullable=True),
    Column("detail", Text, nullable=True),
    UniqueConstraint("kind", "delivery_key", name="uq_deliveries"),
)

# One row; every load updates it first, which serialises loads on every engine.
load_lock = Table(
    "load_lock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("holder", String(200), nullable=True),
    Column("since", DateTime, nullable=True),
)

Index("ix_web_traffic_date", web_traffic.c.date)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_ad_spend_date", ad_spend.c.date)
Index("ix_email_date", email_campaigns.c.date)
Index("ix_social_date", social.c.date)
Index("ix_orders_daily_date", orders_daily.c.date)
# Each customer's one first order (a small partial index): loads find the current first orders of the
# customers they touch without reading those customers' whole history.
FIRST_ORDER = orders.c.is_first_order == true()
Index("ix_orders_first_order", orders.c.customer_id, sqlite_where=FIRST_ORDER, postgresql_where=FIRST_ORDER)
