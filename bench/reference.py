"""Straightforward references for the KPI engine: the same KPIs computed from the raw rows.

Both references compute the base measures per period directly from order-level and raw
fact rows (no rollup), then evaluate the same KPI formulas from ``metrics.catalog``:

- :func:`pandas_measures` over the raw tables as pandas frames (e.g. read with ``pd.read_sql``);
- :func:`duckdb_measures` with DuckDB SQL over the CSV files that were imported.

The test ``tests/test_rollup_equals_raw.py`` uses the pandas one to prove that the
rollup-based engine gives the same numbers as the raw rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from metrics import formula as formulas
from metrics.catalog import EARNED_CHANNELS, MEASURES, SOURCES, get_kpi
from metrics.periods import bucket_starts

RAW_TABLES = ("orders", "web_traffic", "ad_spend", "email_campaigns", "social", "feedback", "tickets")
ORDER_MEASURES = ("orders", "revenue", "new_customers", "repeat_orders", "new_customer_revenue")


def read_raw(engine: Engine, tables=RAW_TABLES) -> dict[str, pd.DataFrame]:
    """Every raw table, in full, as pandas frames (what a naive implementation would do)."""
    with engine.connect() as conn:
        return {t: pd.read_sql_table(t, conn) for t in tables}


def _mask(frame: pd.DataFrame, where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, rule in where:
        col = frame[column]
        if isinstance(rule, tuple) and len(rule) == 2 and rule[0] in (">=", "<="):
            mask &= col >= rule[1] if rule[0] == ">=" else col <= rule[1]
        elif isinstance(rule, tuple):
            mask &= col.isin(rule)
        else:
            mask &= col == rule
    return mask


def pandas_measures(raw: dict[str, pd.DataFrame], start: date, end: date, grain: str,
                    channel: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(measures, row counts per source) per period_start, computed from raw rows with pandas."""
    starts = sorted(set(bucket_starts(pd.Series(pd.date_range(start, end, freq="D")), grain)))
    index = pd.Index(starts, name="period_start")
    out = pd.DataFrame(index=index)
    rows = pd.DataFrame(index=index)

    o = raw["orders"].sort_values(["customer_id", "ordered_at", "order_id"])
    o = o.assign(first=~o["customer_id"].duplicated(), day=pd.to_datetime(o["order_date"]))
    o = o[(o["day"] >= pd.Timestamp(start)) & (o["day"] <= pd.Timestamp(end))]
    if channel:
        o = o[o["channel"] == channel]
    o = o.assign(p=bucket_starts(o["day"], grain), net=o["revenue"] - o["refunded"])
    g = o.groupby("p")
    out["orders"] = g.size()
    out["revenue"] = g["net"].sum()
    out["new_customers"] = g["first"].sum()
    out["repeat_orders"] = out["orders"] - out["new_customers"]
    out["new_customer_revenue"] = o["net"].where(o["first"], 0.0).groupby(o["p"]).sum()
    rows["orders"] = g.size()

    for name, m in MEASURES.items():
        if m.source == "orders":
            continue
        src = SOURCES[m.source]
        t = raw[src.table]
        day = pd.to_datetime(t[src.date_column])
        t = t[(day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))]
        if channel and src.channel:
            t = t[t[src.channel] == channel]
        p = bucket_starts(t[src.date_column], grain)
        rows[m.source] = t.groupby(p.to_numpy()).size()
        if m.agg == "sum":
            values = (t[m.column] if m.column else pd.Series(1, index=t.index)).where(_mask(t, m.where), 0)
            out[name] = values.groupby(p.to_numpy()).sum()
        elif m.agg == "last":
            t = t.assign(p=p.to_numpy()).sort_values(src.date_column)
            out[name] = t.groupby(["p", m.stock_key])[m.column].last().groupby(level="p").sum()
        else:
            out[name] = t[m.column].groupby(p.to_numpy()).median()
    return out, rows.fillna(0)


def duckdb_measures(csv: dict[str, Path], start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly (ISO, Monday) measures with DuckDB SQL straight over the imported CSV files."""
    import duckdb

    con = duckdb.connect()
    s, e = start.isoformat(), end.isoformat()
    earned = ", ".join(f"'{c}'" for c in EARNED_CHANNELS)

    def q(sql: str) -> pd.DataFrame:
        return con.execute(sql).df().set_index("period_start")

    frames = [
        q(f"""
        WITH o AS (
          SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) = 1 AS first
          FROM read_csv('{csv['orders']}', types={{'ordered_at': 'TIMESTAMP'}}))
        SELECT CAST(date_trunc('week', ordered_at) AS DATE) AS period_start, count(*) AS orders,
               sum(revenue - refunded) AS revenue, sum(first::INT) AS new_customers,
               sum((NOT first)::INT) AS repeat_orders,
               sum(CASE WHEN first THEN revenue - refunded ELSE 0 END) AS new_customer_revenue, count(*) AS _rows_orders
        FROM o WHERE CAST(ordered_at AS DATE) BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
        q(f"""
        SELECT CAST(date_trunc('week', date) AS DATE) AS period_start, sum(sessions) AS sessions,
               sum(engaged_sessions) AS engaged_sessions, sum(new_users) AS new_users,
               sum(engagement_seconds) AS engagement_seconds,
               sum(CASE WHEN channel IN ({earned}) THEN sessions ELSE 0 END) AS earned_sessions, count(*) AS _rows_web
        FROM read_csv('{csv['web']}') WHERE date BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
        q(f"""
        SELECT CAST(date_trunc('week', date) AS DATE) AS period_start, sum(cost) AS ad_cost,
               sum(clicks) AS ad_clicks, count(*) AS _rows_ads
        FROM read_csv('{csv['ad_spend']}') WHERE date BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
        q(f"""
        SELECT CAST(date_trunc('week', date) AS DATE) AS period_start, sum(delivered) AS email_delivered,
               sum(unique_opens) AS email_unique_opens, sum(unique_clicks) AS email_unique_clicks,
               count(*) AS _rows_email
        FROM read_csv('{csv['email']}') WHERE date BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
        q(f"""
        WITH t AS (SELECT CAST(date_trunc('week', date) AS DATE) AS period_start, * FROM read_csv('{csv['social']}')
                   WHERE date BETWEEN DATE '{s}' AND DATE '{e}'),
             last AS (SELECT period_start, network, arg_max(followers, date) AS f FROM t GROUP BY 1, 2)
        SELECT period_start, sum(impressions) AS social_impressions, sum(engagements) AS social_engagements,
               (SELECT sum(f) FROM last WHERE last.period_start = t.period_start) AS followers,
               count(*) AS _rows_social
        FROM t GROUP BY 1"""),
        q(f"""
        SELECT CAST(date_trunc('week', date) AS DATE) AS period_start,
               sum((kind = 'csat')::INT) AS csat_responses, sum((kind = 'csat' AND score >= 4)::INT) AS csat_satisfied,
               sum((kind = 'nps')::INT) AS nps_responses, sum((kind = 'nps' AND score >= 9)::INT) AS nps_promoters,
               sum((kind = 'nps' AND score <= 6)::INT) AS nps_detractors, count(*) AS _rows_feedback
        FROM read_csv('{csv['feedback']}') WHERE date BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
        q(f"""
        SELECT CAST(date_trunc('week', opened_at) AS DATE) AS period_start,
               median(date_diff('second', opened_at, first_response_at) / 60.0) AS first_response_minutes,
               count(*) AS _rows_tickets
        FROM read_csv('{csv['tickets']}', types={{'opened_at': 'TIMESTAMP', 'first_response_at': 'TIMESTAMP'}})
        WHERE CAST(opened_at AS DATE) BETWEEN DATE '{s}' AND DATE '{e}' GROUP BY 1"""),
    ]
    con.close()
    both = pd.concat(frames, axis=1, sort=True)
    both.index = [pd.Timestamp(i).date() for i in both.index]
    both.index.name = "period_start"
    rows = both[[c for c in both.columns if c.startswith("_rows_")]].rename(columns=lambda c: c[6:]).fillna(0)
    return both.drop(columns=rows.columns.map(lambda c: f"_rows_{c}")), rows


def kpis_from_measures(measures: pd.DataFrame, rows: pd.DataFrame, kpi_ids) -> pd.DataFrame:
    """KPI values per period (columns: kpi ids) from base measures, with the catalog's formulas."""
    values = measures.copy()
    missing = {}
    for name, m in MEASURES.items():
        if name not in values:
            values[name] = np.nan
        count = rows[m.source] if m.source in rows else pd.Series(0, index=values.index)
        empty = count.reindex(values.index).fillna(0).eq(0)
        if m.agg != "sum":
            empty = values[name].isna()
        else:
            values[name] = values[name].fillna(0.0)
        missing[name] = pd.Series(None, index=values.index, dtype=object).where(~empty, "no data")
    labels = {name: name for name in MEASURES}
    out = pd.DataFrame(index=values.index)
    for kpi_id in kpi_ids:
        out[kpi_id], _ = formulas.evaluate(get_kpi(kpi_id).formula, values.astype(float), missing, labels)
    return out
