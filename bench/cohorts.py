"""The cohorts at scale: the customer/cohort build of a first load, an incremental daily load, the cohorts read.

Called by ``bench/run.py`` after the imports; ``python bench/cohorts.py --url URL --as-of DATE`` is the cold read
alone (what ``run.py`` starts in a new process: imports done, then a new engine, the OS page cache as it is).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import Engine, func, select  # noqa: E402

from access.roles import cli_actor  # noqa: E402
from connectors.customers import bucket_name, rebuild_customers  # noqa: E402
from connectors.files import import_file  # noqa: E402
from metrics.periods import period_containing, shift  # noqa: E402
from warehouse import schema  # noqa: E402
from warehouse.db import make_engine  # noqa: E402

DAILY_ORDERS = 5_000


def _count(engine: Engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def build_seconds(engine: Engine) -> float:
    """The whole customer/cohort build alone (what a first load adds): ``rebuild_customers`` in its own transaction
    (it writes the same rows back)."""
    t = time.perf_counter()
    with engine.begin() as conn:
        rebuild_customers(conn)
    return time.perf_counter() - t


def daily_file(out: Path, as_of: date, n: int = DAILY_ORDERS, seed: int = 16) -> Path:
    """A day's orders file for ``as_of``: 70% from existing customers (ids C000000000…), 30% from new ones."""
    rng = np.random.default_rng(seed)
    stamp = time.strftime("%Y%m%d%H%M%S")  # new order ids every run (a --reuse run loads new orders again)
    existing = rng.random(n) < 0.7
    ids = np.where(existing, pd.Series(rng.integers(0, 100_000, n)).map("C{:09d}".format),
                   pd.Series(np.arange(n)).map(lambda i: f"N{stamp}{i:05d}"))
    seconds = np.sort(rng.integers(0, 86_400, n))
    frame = pd.DataFrame({
        "order_id": [f"D{stamp}{i:05d}" for i in range(n)],
        "ordered_at": (pd.Timestamp(as_of) + pd.to_timedelta(seconds, unit="s")).strftime("%Y-%m-%d %H:%M:%S"),
        "customer_id": ids, "revenue": np.round(rng.lognormal(4.0, 0.6, n), 2), "refunded": 0.0,
        "channel": rng.choice(["Paid Search", "Email", "Organic Search", "Paid Social"], n),
        "campaign": "daily"})
    path = out / "orders_daily_load.csv"
    frame.to_csv(path, index=False)
    return path


def cohorts_read(engine: Engine, as_of: date) -> tuple[str, int]:
    """What the Cohorts page reads for a year of monthly cohorts, by acquisition channel: ``compute_cohorts``
    (metrics.cohorts), or while it is not written, its equivalent queries (the cohort_activity rows of the bucket
    and the year, the cohort sizes from ``customers``, the ad cost by channel and month). Returns (what, rows)."""
    last = period_containing(as_of - timedelta(days=1), "month", "gregorian")
    first = shift(last, -11)
    try:
        from metrics.cohorts import compute_cohorts

        return "metrics.cohorts.compute_cohorts", len(compute_cohorts(engine, "month", first, last, by_channel=True))
    except (ImportError, NotImplementedError):
        pass
    act, c, cal, ad = schema.cohort_activity, schema.customers, schema.calendar_days, schema.ad_spend
    bucket = bucket_name("month", "gregorian")
    month = cal.c[bucket]
    with engine.connect() as conn:
        rows = conn.execute(select(act).where(act.c.bucket == bucket,
                                              act.c.cohort_start.between(first.start, last.end))).all()
        sizes = conn.execute(
            select(month, c.c.acquisition_channel, func.count())
            .select_from(c.join(cal, cal.c.date == c.c.first_order_date))
            .where(c.c.first_order_date.between(first.start, last.end), c.c.returning_before == False)  # noqa: E712
            .group_by(month, c.c.acquisition_channel)).all()
        cost = conn.execute(
            select(month, ad.c.channel, func.sum(ad.c.cost)).select_from(ad.join(cal, cal.c.date == ad.c.date))
            .where(ad.c.date.between(first.start, last.end)).group_by(month, ad.c.channel)).all()
    return "equivalent queries (cohort_activity, customers, ad_spend)", len(rows) + len(sizes) + len(cost)


def cold_read(url: str, as_of: date) -> dict:
    """The cohorts read in a new Python process (new engine, nothing cached in the process; the OS page cache as it
    is): its first call (cold) and a second one (warm database)."""
    done = subprocess.run([sys.executable, __file__, "--url", url, "--as-of", as_of.isoformat()],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(engine: Engine, url: str, out: Path, as_of: date, orders_import_s: float | None) -> dict:
    """The cohorts figures of a loaded warehouse (see the module docstring)."""
    results: dict = {"customers": _count(engine, schema.customers),
                     "cohort_activity_rows": _count(engine, schema.cohort_activity),
                     "orders": _count(engine, schema.orders)}
    results["build_s"] = round(build_seconds(engine), 2)
    if orders_import_s is not None:
        results["orders_import_s"] = orders_import_s
    path = daily_file(out, as_of)
    t = time.perf_counter()
    daily = import_file(engine, "orders", path, actor=cli_actor())
    results["daily_load_s"] = round(time.perf_counter() - t, 2)
    results["daily_load_orders"] = daily.rows
    results["daily_load_inserted"] = daily.inserted
    engine.dispose()
    results |= cold_read(url, as_of)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="The cohorts read, timed in this (new) process.")
    parser.add_argument("--url", required=True)
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    args = parser.parse_args()
    t = time.perf_counter()
    engine = make_engine(args.url)
    what, rows = cohorts_read(engine, args.as_of)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    cohorts_read(engine, args.as_of)
    warm = time.perf_counter() - t
    print(json.dumps({"read": what, "read_rows": rows, "read_cold_s": round(cold, 3), "read_warm_s": round(warm, 3)}))


if __name__ == "__main__":
    main()
