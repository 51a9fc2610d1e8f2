"""Plan targets: storage and the demo plan. (Validation, import/export and implied targets grow here.)"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, select

from connectors.loader import acquire_load_lock, upsert
from metrics.catalog import KPIS
from metrics.engine import compute
from metrics.periods import last_year, period_containing
from warehouse import schema

TARGET_COLUMNS = ["kpi_id", "grain", "period_start", "channel", "value"]


def save_targets(engine: Engine, frame: pd.DataFrame) -> tuple[int, int, int]:
    """Upsert targets (columns ``TARGET_COLUMNS``; channel '' = all channels) in one transaction."""
    now = datetime.now()
    records = [
        {"kpi_id": r.kpi_id, "grain": r.grain, "period_start": r.period_start, "channel": r.channel or "",
         "value": float(r.value), "updated_at": now}
        for r in frame.itertuples(index=False)
    ]
    if not records:
        return 0, 0, 0
    with engine.begin() as conn:
        acquire_load_lock(conn, "targets")
        inserted, updated, unchanged, _, _ = upsert(
            conn, schema.targets, records, ("kpi_id", "grain", "period_start", "channel"), compare_skip=("updated_at",)
        )
    return inserted, updated, unchanged


def load_targets(engine: Engine) -> pd.DataFrame:
    """All stored targets."""
    with engine.connect() as conn:
        rows = conn.execute(select(*[schema.targets.c[c] for c in TARGET_COLUMNS])).mappings().all()
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def demo_targets(engine: Engine, as_of: date) -> pd.DataFrame:
    """The demo plan for the current quarter: last year's same quarter, improved by a sensible step."""
    quarter = period_containing(as_of - timedelta(days=1), "quarter")
    base = last_year(quarter)
    values = compute(engine, [k.id for k in KPIS], base.start, base.end).set_index("kpi_id")["value"]
    rows = []
    for kpi in KPIS:
        value = values.get(kpi.id)
        if value is None or pd.isna(value):
            continue
        if kpi.kind == "flow":
            factor = 1.15 if kpi.better == "higher" else 1.10  # grow 15 %; budget +10 %
        else:
            factor = 1.03 if kpi.better == "higher" else 0.95
        target = value * factor
        if kpi.unit == "percent":
            target = min(target, 0.99)
        rows.append((kpi.id, "quarter", quarter.start, "", round(target, 4)))
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)
