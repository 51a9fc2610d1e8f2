"""The chance of hitting the plan (metrics.chance), on real warehouses: hand-made daily rows loaded through the
common load path, and the demo shop."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from connectors.loader import load
from metrics.catalog import get_kpi
from metrics.chance import MIN_DAYS, probability_on_target, seasonal_factor
from metrics.engine import Filters
from metrics.periods import Period, parse_period
from metrics.scorecard import scorecard
from tests.conftest import DEMO_AS_OF
from tests.fixtures import set_targets

COST, REVENUE = get_kpi("save.marketing_cost"), get_kpi("sell.revenue")
W48 = parse_period("2026-W48")  # Mon 23 - Sun 29 Nov 2026
WED = date(2026, 11, 25)  # the last day counted: Mon-Wed done; Thu, Fri (weekdays), Sat, Sun (weekend) remain
THU = date(2026, 11, 26)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def load_costs(engine: Engine, costs: dict[date, float], through: date) -> None:
    """One ad-spend row per day in ``costs`` (days left out have no rows), complete through ``through``."""
    rows = [(day, "google_ads", "brand", "Paid Search", 1000, 10, cost) for day, cost in costs.items()]
    frame = pd.DataFrame(rows, columns=["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"])
    load(engine, "ad_spend", frame, source="test", cursor=through.isoformat())


def load_revenue(engine: Engine, revenue: dict[date, float], through: date) -> None:
    """One order per day in ``revenue`` (no refunds), complete through ``through``."""
    rows = [(f"o{day:%Y%m%d}", datetime.combine(day, datetime.min.time()).replace(hour=12), f"c{day:%Y%m%d}",
             amount, 0.0, "Organic Search", "(organic)") for day, amount in revenue.items()]
    frame = pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel",
                                        "campaign"])
    load(engine, "orders", frame, source="test", cursor=through.isoformat())


def weekdays_100(first: date, last: date) -> dict[date, float]:
    """100 on every weekday, no rows at the weekend (a weekend day counts as 0)."""
    return {d: 100.0 for d in days(first, last) if d.weekday() < 5}


def test_weekday_aware_the_remaining_days_are_drawn_from_their_own_weekday(engine):
    load_costs(engine, weekdays_100(date(2026, 9, 1), WED), WED)
    # Mon-Wed of W48 cost 3 x 100 = 300. Every Thursday and Friday of the last 8 weeks cost 100 and every weekend
    # day 0, so Thu + Fri + Sat + Sun = 100 + 100 + 0 + 0 in every draw: the final is 500 exactly. (Drawing from all
    # days regardless of weekday, each day would be 100 with chance 5/7, and the final would vary: 300..700.)
    assert probability_on_target(engine, COST, W48, Filters(), 500.0, 300.0, WED) == 1.0  # at the budget: met
    assert probability_on_target(engine, COST, W48, Filters(), 499.99, 300.0, WED) == 0.0  # just under: never
    assert probability_on_target(engine, COST, W48, Filters(), 600.0, 300.0, WED) == 1.0


def test_higher_is_better_is_met_at_or_above_the_target(engine):
    load_revenue(engine, weekdays_100(date(2026, 9, 1), WED), WED)
    # the same pattern for revenue (higher is better): the final is 300 + 200 = 500 in every draw
    assert probability_on_target(engine, REVENUE, W48, Filters(), 500.0, 300.0, WED) == 1.0
    assert probability_on_target(engine, REVENUE, W48, Filters(), 500.01, 300.0, WED) == 0.0
    assert probability_on_target(engine, REVENUE, W48, Filters(), 400.0, 300.0, WED) == 1.0


def test_a_remaining_weekday_that_varies_gives_its_share(engine):
    costs = weekdays_100(date(2026, 9, 1), THU)
    fridays = [d for d in costs if d.weekday() == 4 and d > THU - timedelta(weeks=8)]
    assert len(fridays) == 8  # the 8 Fridays of the 8 weeks ending Thu 26 Nov: 2 Oct .. 20 Nov
    for i, friday in enumerate(fridays):
        costs[friday] = 100.0 if i % 2 else 200.0  # 4 Fridays at 200, 4 at 100
    load_costs(engine, costs, THU)
    # Mon-Thu of W48: 400. Remaining: Fri (100 or 200, each with chance 4/8) + Sat 0 + Sun 0.
    # Final 500 or 600, each half the time: P(final <= 550) = 1/2 (10,000 draws: standard error 0.005)
    chance = probability_on_target(engine, COST, W48, Filters(), 550.0, 400.0, THU)
    assert chance == pytest.approx(0.5, abs=0.02)
    assert probability_on_target(engine, COST, W48, Filters(), 550.0, 400.0, THU) == chance  # fixed seed
    assert probability_on_target(engine, COST, W48, Filters(), 600.0, 400.0, THU) == 1.0
    assert probability_on_target(engine, COST, W48, Filters(), 499.0, 400.0, THU) == 0.0


def test_last_years_season_scales_the_remaining_days(engine):
    costs = weekdays_100(date(2025, 9, 1), date(2025, 11, 26))  # a year ago (52 weeks: same weekdays) ...
    costs |= {date(2025, 11, 27): 200.0, date(2025, 11, 28): 200.0}  # ... its Thu and Fri cost twice as much
    costs |= weekdays_100(date(2026, 9, 1), WED)
    load_costs(engine, costs, WED)
    # Last year's Thu 27 - Sun 30 Nov 2025 (this year's remaining days, 52 weeks back): 200 + 200 + 0 + 0 = 400,
    # against its 8 weeks before's same-weekday means 100 + 100 + 0 + 0 = 200: factor 400 / 200 = 2.
    remaining = days(THU, W48.end)
    assert seasonal_factor(engine, COST, Filters(), WED, remaining) == pytest.approx(2.0)
    # The final: 300 + 2 x (100 + 100 + 0 + 0) = 700 in every draw
    assert probability_on_target(engine, COST, W48, Filters(), 700.0, 300.0, WED) == 1.0
    assert probability_on_target(engine, COST, W48, Filters(), 699.99, 300.0, WED) == 0.0
    # no rows a year before the days of W49 (30 Nov - 6 Dec 2026 less 52 weeks = 1-7 Dec 2025): no scaling
    assert seasonal_factor(engine, COST, Filters(), WED, days(date(2026, 11, 30), date(2026, 12, 6))) == 1.0


def noisy_days(first: date, last: date, level: float) -> dict[date, float]:
    """Daily values around ``level`` on weekdays and half of it at the weekend, ±30 % noise (seeded)."""
    rng = np.random.default_rng(7)
    return {d: round(level * (0.5 if d.weekday() >= 5 else 1.0) * rng.uniform(0.7, 1.3), 2)
            for d in days(first, last)}


def test_far_from_the_run_rate_the_chance_is_near_certain(engine):
    month = parse_period("2026-11")
    through = date(2026, 11, 15)
    load_revenue(engine, noisy_days(date(2026, 8, 1), through, 1000.0), through)
    load_costs(engine, noisy_days(date(2026, 8, 1), through, 200.0), through)
    # Weekdays ~1,000, weekends ~500: about (5 x 1000 + 2 x 500) / 7 = 857 a day. 15 of 30 days done
    # (value ~12,900), 15 to come (~12,900 more): a final near 25,700, within a few hundred either way.
    done = sum(v for d, v in noisy_days(date(2026, 8, 1), through, 1000.0).items() if d >= month.start)
    assert 11_000 < done < 15_000
    assert probability_on_target(engine, REVENUE, month, Filters(), 15_000.0, done, through) > 0.99  # far below
    assert probability_on_target(engine, REVENUE, month, Filters(), 40_000.0, done, through) < 0.01  # far above
    middle = probability_on_target(engine, REVENUE, month, Filters(), 2 * done, done, through)
    assert 0.05 < middle < 0.95
    # marketing cost, lower is better (~171 a day, a final near 5,140): a budget far above the run rate is
    # met, far below it is not
    spent = sum(v for d, v in noisy_days(date(2026, 8, 1), through, 200.0).items() if d >= month.start)
    assert probability_on_target(engine, COST, month, Filters(), 8_000.0, spent, through) > 0.99
    assert probability_on_target(engine, COST, month, Filters(), 3_000.0, spent, through) < 0.01


def test_too_little_history_says_nothing(engine):
    # data from Fri 13 Nov through Wed 25 Nov: 13 days (weekend days without rows count as 0 once data began)
    load_costs(engine, weekdays_100(date(2026, 11, 13), WED), WED)
    assert len(days(date(2026, 11, 13), WED)) == MIN_DAYS - 1
    assert probability_on_target(engine, COST, W48, Filters(), 500.0, 300.0, WED) is None


def test_enough_history_starts_at_two_weeks(engine):
    # from Thu 12 Nov: 14 days, too few per weekday (2 each) -> all 14 days are drawn from, 10 of them 100.
    # Thu, Fri, Sat, Sun each 100 with chance 10/14: the final (300 + 0..400) is 700 only when all four are 100
    load_costs(engine, weekdays_100(date(2026, 11, 12), WED), WED)
    chance = probability_on_target(engine, COST, W48, Filters(), 600.0, 300.0, WED)
    # P(final <= 600) = 1 - (10/14)^4 = 1 - 0.2603 = 0.7397
    assert chance == pytest.approx(1 - (10 / 14) ** 4, abs=0.02)


def test_no_data_at_all(engine):
    assert probability_on_target(engine, COST, W48, Filters(), 500.0, 0.0, WED) is None


def test_the_scorecard_gives_the_chance_for_flows_with_a_target(engine):
    load_costs(engine, weekdays_100(date(2026, 9, 1), WED), WED)
    set_targets(engine, [("save.marketing_cost", "week", W48.start, "", 500.0),
                         ("save.cpc", "week", W48.start, "", 10.0)])
    # Thursday 26th: Mon-Wed count (300), the final is 500 in every draw: within the budget of 500
    results = {r.id: r for r in scorecard(engine, W48, kpi_ids=["save.marketing_cost", "save.cpc"], today=THU)}
    assert results["save.marketing_cost"].value == 300.0
    assert results["save.marketing_cost"].probability_on_target == 1.0
    assert results["save.cpc"].probability_on_target is None  # a ratio: no chance
    assert scorecard(engine, W48, kpi_ids=["save.marketing_cost"],
                     today=date(2026, 12, 1))[0].probability_on_target is None  # the week is over


def test_the_demo_month_in_progress(demo_engine):
    month = Period("month", date(2026, 11, 1), date(2026, 11, 30))
    started = time.perf_counter()
    results = scorecard(demo_engine, month, today=DEMO_AS_OF)
    elapsed = time.perf_counter() - started
    with_chance = {r.id: r.probability_on_target for r in results
                   if get_kpi(r.id).kind == "flow" and r.target is not None}
    assert {"sell.revenue", "save.marketing_cost"} <= set(with_chance)
    assert all(isinstance(p, float) and 0.0 <= p <= 1.0 for p in with_chance.values())
    assert all(r.probability_on_target is None for r in results if get_kpi(r.id).kind != "flow")
    assert elapsed < 30  # a generous bound for a shared machine; measured about 0.6 s in all
