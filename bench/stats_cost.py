"""What issue 15's statistics cost: the scorecard with and without them, and each statistic on its own.

    python cli.py demo --as-of 2026-11-24                # or any warehouse: KPI_DATABASE_URL=...
    python bench/stats_cost.py [--as-of 2026-11-24] [--repeat 5]

Times (median of ``--repeat`` runs, process cache cleared, database warm): the scorecard for a week, a month in
progress and a quarter (22 KPIs: comparisons, plan, sparklines, trend, unusual and the chance of hitting the plan);
the same scorecard's statistics alone (trend + unusual over the history it already read; the chance's simulations);
a trend chart's frame with its expected-range band; an A/B test and a sample-size plan. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics import cache  # noqa: E402
from metrics.abtest import run_abtest, sample_size_per_arm  # noqa: E402
from metrics.catalog import KPIS  # noqa: E402
from metrics.chance import probability_on_target  # noqa: E402
from metrics.engine import Filters  # noqa: E402
from metrics.periods import last_complete, period_containing, shift  # noqa: E402
from metrics.scorecard import scorecard  # noqa: E402
from metrics.targets import resolve_target  # noqa: E402
from metrics.trend_test import kpi_trend  # noqa: E402
from metrics.trends import trend_with_plan  # noqa: E402
from metrics.unusual import check_unusual, history_needed  # noqa: E402
from warehouse.db import get_engine  # noqa: E402


def median_time(fn, repeat: int) -> float:
    """The median wall time of ``fn()`` over ``repeat`` runs, the process cache cleared before each."""
    times = []
    for _ in range(repeat):
        cache.clear()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today(),
                        help="the day the data ends before (the demo's --as-of)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine, today = get_engine(), args.as_of
    week = last_complete("week", today)
    month = period_containing(today - timedelta(days=1), "month")
    quarter = last_complete("quarter", today)
    rows = []
    for name, period in (("week", week), ("month in progress", month), ("quarter", quarter)):
        seconds = median_time(lambda p=period: scorecard(engine, p, today=today), args.repeat)
        rows.append((f"scorecard, {name} {period.label}, 22 KPIs with all statistics", seconds))

    history = {k.id: [float(100 + i % 7 + (i % 13) * 0.5) for i in range(history_needed("week") + 1)] for k in KPIS}

    def stats_only() -> None:
        for kpi in KPIS:
            values = history[kpi.id]
            kpi_trend(values[-13:])
            check_unusual(values[:-1], values[-1], "week", kpi.unit)

    rows.append(("trend + unusual for 22 KPIs (the arithmetic alone, 66 weeks each)",
                 median_time(stats_only, args.repeat)))
    flows = [k for k in KPIS if k.kind == "flow"]
    done_through = today - timedelta(days=1)

    def chances() -> None:
        for kpi in flows:
            target = resolve_target(engine, kpi.id, month)
            if target:
                probability_on_target(engine, kpi, month, Filters(), target.value, 1.0, done_through)

    rows.append((f"chance of hitting the plan, {len(flows)} flow KPIs, {month.label} (10,000 simulations each)",
                 median_time(chances, args.repeat)))
    rows.append(("trend chart frame with expected-range band, revenue, 26 weeks",
                 median_time(lambda: trend_with_plan(engine, "sell.revenue", week, 26), args.repeat)))
    test_month = shift(month, -1)
    try:
        rows.append((f"A/B test, email click rate, newsletter_subject_a vs _b, {test_month.label}",
                     median_time(lambda: run_abtest(engine, "speak.email_click_rate",
                                                    {"a": ["newsletter_subject_a"], "b": ["newsletter_subject_b"]},
                                                    test_month), args.repeat)))
    except ValueError as exc:  # not the demo warehouse
        print(f"A/B test skipped: {exc}", file=sys.stderr)
    rows.append(("sample-size plan", median_time(lambda: sample_size_per_arm(0.03, 0.1, relative=True),
                                                 args.repeat)))
    print("| what | median time |\n|---|---|")
    for what, seconds in rows:
        print(f"| {what} | {seconds * 1000:,.1f} ms |" if seconds < 1 else f"| {what} | {seconds:.2f} s |")


if __name__ == "__main__":
    main()
