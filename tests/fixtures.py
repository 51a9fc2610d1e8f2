"""A small hand-made shop for week 2026-W45 (Mon 2 - Sun 8 November 2026).

Every KPI value asserted in test_kpis_by_hand.py is worked out by hand from
these rows; the comments give the arithmetic.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from connectors.loader import load
from tests.actors import ADMIN

WEEK = (date(2026, 11, 2), date(2026, 11, 8))

WEB = [
    # date, channel, source_medium, campaign, sessions, engaged, new_users, page_views, eng_sec, key_ev, purch, rev
    (date(2026, 11, 2), "Organic Search", "google / organic", "(organic)", 100, 60, 40, 300, 6000, 5, 2, 150),
    (date(2026, 11, 3), "Organic Search", "google / organic", "(organic)", 300, 150, 100, 900, 9000, 7, 3, 200),
    (date(2026, 11, 2), "Paid Search", "google / cpc", "brand", 100, 90, 60, 250, 3000, 4, 2, 160),
    # the week before: an order but zero sessions (zero denominator)
    (date(2026, 10, 21), "Organic Search", "google / organic", "(organic)", 0, 0, 0, 0, 0, 0, 0, 0),
]
ORDERS = [
    ("o1", datetime(2026, 10, 20, 9, 0), "c1", 50.0, 0.0, "Organic Search", "(organic)"),
    ("o2", datetime(2026, 11, 2, 10, 0), "c1", 80.0, 0.0, "Organic Search", "(organic)"),
    ("o3", datetime(2026, 11, 3, 11, 0), "c2", 120.0, 20.0, "Paid Search", "brand"),
    ("o4", datetime(2026, 11, 4, 12, 0), "c2", 40.0, 0.0, "Paid Search", "brand"),
    ("o5", datetime(2026, 11, 5, 13, 0), "c3", 60.0, 0.0, "Organic Search", "(organic)"),
]
ADS = [
    (date(2026, 11, 2), "google_ads", "brand", "Paid Search", 1000, 100, 50.0),
    (date(2026, 11, 3), "google_ads", "brand", "Paid Search", 1000, 60, 40.0),
    (date(2026, 11, 3), "meta", "prospecting", None, 2000, 40, 30.0),  # channel derived: Paid Social
]
EMAIL = [
    (date(2026, 11, 3), "newsletter", 1000, 950, 380, 38, 2, 50),
    (date(2026, 11, 5), "promo", 500, 450, 90, 12, 1, 50),
]
SOCIAL = [
    (date(2026, 11, 2), "instagram", 1000, 500, 50),
    (date(2026, 11, 8), "instagram", 1100, 500, 25),
    (date(2026, 11, 7), "facebook", 400, 1000, 25),  # no facebook row on the 8th: its last value is the 7th's
]
FEEDBACK = [
    ("r1", date(2026, 11, 2), "csat", 5, "Organic Search"),
    ("r2", date(2026, 11, 3), "csat", 4, "Paid Search"),
    ("r3", date(2026, 11, 4), "csat", 3, None),
    ("r4", date(2026, 11, 5), "csat", 2, None),
    ("r5", date(2026, 11, 2), "nps", 10, None),
    ("r6", date(2026, 11, 3), "nps", 9, None),
    ("r7", date(2026, 11, 4), "nps", 9, None),
    ("r8", date(2026, 11, 5), "nps", 7, None),
    ("r9", date(2026, 11, 6), "nps", 2, None),
    ("r10", date(2026, 10, 22), "nps", 9, None),  # the week before has NPS but no CSAT: CSAT denominator zero
]
TICKETS = [
    ("t1", datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 9, 30)),  # 30 min
    ("t2", datetime(2026, 11, 3, 10, 0), datetime(2026, 11, 3, 11, 0)),  # 60 min
    ("t3", datetime(2026, 11, 4, 12, 0), datetime(2026, 11, 4, 14, 0)),  # 120 min
    ("t4", datetime(2026, 11, 6, 8, 0), None),  # not answered yet: no response time
]

FRAMES = {
    "web": pd.DataFrame(WEB, columns=["date", "channel", "source_medium", "campaign", "sessions", "engaged_sessions",
                                      "new_users", "page_views", "engagement_seconds", "key_events", "purchases",
                                      "purchase_revenue"]),
    "orders": pd.DataFrame(ORDERS, columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded",
                                            "channel", "campaign"]),
    "ad_spend": pd.DataFrame(ADS, columns=["date", "platform", "campaign", "channel", "impressions", "clicks",
                                           "cost"]),
    "email": pd.DataFrame(EMAIL, columns=["date", "campaign", "sent", "delivered", "unique_opens", "unique_clicks",
                                          "unsubscribes", "bounces"]),
    "social": pd.DataFrame(SOCIAL, columns=["date", "network", "followers", "impressions", "engagements"]),
    "feedback": pd.DataFrame(FEEDBACK, columns=["response_id", "date", "kind", "score", "channel"]),
    "tickets": pd.DataFrame(TICKETS, columns=["ticket_id", "opened_at", "first_response_at"]),
}


COMPLETE_THROUGH = WEEK[1]


def load_fixture(engine: Engine) -> None:
    """Load the hand-made shop through the common load path; every load declares its data complete through the
    end of the week (its sync-log cursor), as GA4 does for days synced without rows."""
    for kind, frame in FRAMES.items():
        load(engine, kind, frame, source="test", cursor=COMPLETE_THROUGH.isoformat())


TARGET_COLUMNS = ["kpi_id", "grain", "period_start", "channel", "value"]


def set_targets(engine: Engine, rows: list[tuple]) -> None:
    """Save plan targets given as (kpi_id, grain, period_start, channel, value) rows."""
    from metrics.targets import save_targets

    save_targets(engine, pd.DataFrame(rows, columns=TARGET_COLUMNS), actor=ADMIN)
