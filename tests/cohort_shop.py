"""A small hand-made shop for cohorts (January to March 2026), loaded through connectors.loader so that the
customers and cohort_activity tables are built the real way. The cohort figures asserted in test_cohorts.py,
test_cli_cohorts.py and test_cohorts_page.py are worked out by hand from these rows.

Orders (net = revenue - refunded):
    c1  2026-01-10 Paid Social    100      then 2026-03-05 50   (skips February)
    c2  2026-01-20 Organic Search  60      then 2026-02-03 40, 10 refunded -> 30
    c3  2026-02-15 Paid Social     80      then 2026-02-20 20 (same month), 2026-03-10 30
    c4  2026-02-25 Paid Search     50
    c5  2026-03-08 Email           40      (the last order: March is still in progress, the data ends on the 10th)
Ad cost: Paid Social 70 + 50 in January, 110 in February, 999 in March (no Paid Social customer acquired then);
Paid Search 25 in February. Email and Organic Search have no cost.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from connectors.loader import load

ORDERS = [
    ("o1", datetime(2026, 1, 10, 9, 0), "c1", 100.0, 0.0, "Paid Social", "meta_prospecting"),
    ("o2", datetime(2026, 3, 5, 9, 0), "c1", 50.0, 0.0, "Direct", "(direct)"),
    ("o3", datetime(2026, 1, 20, 9, 0), "c2", 60.0, 0.0, "Organic Search", "(organic)"),
    ("o4", datetime(2026, 2, 3, 9, 0), "c2", 40.0, 10.0, "Email", "newsletter"),
    ("o5", datetime(2026, 2, 15, 9, 0), "c3", 80.0, 0.0, "Paid Social", "meta_prospecting"),
    ("o6", datetime(2026, 2, 20, 9, 0), "c3", 20.0, 0.0, "Paid Social", "meta_prospecting"),
    ("o7", datetime(2026, 3, 10, 9, 0), "c3", 30.0, 0.0, "Direct", "(direct)"),
    ("o8", datetime(2026, 2, 25, 9, 0), "c4", 50.0, 0.0, "Paid Search", "brand"),
    ("o9", datetime(2026, 3, 8, 9, 0), "c5", 40.0, 0.0, "Email", "newsletter"),
]
ADS = [
    (date(2026, 1, 5), "meta", "meta_prospecting", "Paid Social", 1000, 10, 70.0),
    (date(2026, 1, 25), "meta", "meta_prospecting", "Paid Social", 1000, 10, 50.0),
    (date(2026, 2, 10), "meta", "meta_prospecting", "Paid Social", 1000, 10, 110.0),
    (date(2026, 3, 2), "meta", "meta_prospecting", "Paid Social", 1000, 10, 999.0),
    (date(2026, 2, 1), "google_ads", "brand", "Paid Search", 1000, 10, 25.0),
]
ORDER_COLUMNS = ["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel", "campaign"]
AD_COLUMNS = ["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"]


def load_cohort_shop(engine: Engine) -> None:
    """Load the orders and ad cost above through the common load path."""
    load(engine, "orders", pd.DataFrame(ORDERS, columns=ORDER_COLUMNS), source="test")
    load(engine, "ad_spend", pd.DataFrame(ADS, columns=AD_COLUMNS), source="test")
