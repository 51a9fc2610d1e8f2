"""The rollup-based engine gives the same numbers as a straightforward pandas computation over the raw rows."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from bench.reference import kpis_from_measures, pandas_measures, read_raw
from metrics.catalog import KPIS
from metrics.engine import Filters, compute

ORDER_KPIS = ["sell.revenue", "sell.orders", "sell.aov", "sell.new_customers", "serve.repeat_order_rate",
              "sell.new_customer_revenue", "serve.returning_revenue_share"]


def _engine_values(engine, ids, start, end, grain, filters=Filters()) -> pd.DataFrame:
    frame = compute(engine, ids, start, end, grain, filters)
    return frame.pivot(index="period_start", columns="kpi_id", values="value")[ids]


def _assert_same(ours: pd.DataFrame, raw: pd.DataFrame) -> None:
    raw = raw.reindex(ours.index)[ours.columns]
    assert (ours.isna() == raw.isna()).all().all(), (ours.isna() != raw.isna()).sum()
    np.testing.assert_allclose(ours.fillna(0).to_numpy(float), raw.fillna(0).to_numpy(float), rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("grain, weeks", [("week", 13), ("month", 56), ("quarter", 100)])
def test_every_kpi_from_the_rollup_equals_the_raw_rows(demo_engine, grain, weeks):
    end = date(2026, 11, 22)
    start = end - timedelta(weeks=weeks) + timedelta(days=1)
    ids = [k.id for k in KPIS]
    raw = read_raw(demo_engine)
    measures, rows = pandas_measures(raw, start, end, grain)
    _assert_same(_engine_values(demo_engine, ids, start, end, grain), kpis_from_measures(measures, rows, ids))


def test_order_kpis_for_one_channel_equal_the_raw_rows(demo_engine):
    start, end = date(2026, 8, 3), date(2026, 11, 22)
    raw = read_raw(demo_engine, ("orders",))
    measures, rows = pandas_measures({**raw, **{t: _empty_like(demo_engine, t) for t in _others()}},
                                     start, end, "week", channel="Paid Search")
    ours = _engine_values(demo_engine, ORDER_KPIS, start, end, "week", Filters(channel="Paid Search"))
    _assert_same(ours, kpis_from_measures(measures, rows, ORDER_KPIS))


def _others() -> tuple[str, ...]:
    return ("web_traffic", "ad_spend", "email_campaigns", "social", "feedback", "tickets")


def _empty_like(engine, table: str) -> pd.DataFrame:
    return read_raw(engine, (table,))[table].head(0)
