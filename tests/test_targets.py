"""Targets: validation with clear errors, CSV round trip, and implied shorter-period targets (by hand)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.periods import parse_period
from metrics.targets import (
    TargetError,
    export_csv,
    import_csv,
    load_targets,
    resolve_target,
    validate_frame,
)
from tests.conftest import content_hash
from tests.fixtures import set_targets

GOOD = """kpi_id,grain,period,channel,target
sell.revenue,quarter,2026-Q4,,130000
sell.conversion_rate,month,2026-11,,0.025
save.marketing_cost,week,2026-W46,Paid Search,4500
serve.nps,quarter,2026-Q4,,35
"""


def _write(tmp_path, text: str, name: str = "targets.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_export_round_trips(engine, tmp_path):
    assert import_csv(engine, _write(tmp_path, GOOD)) == (4, 0, 0)
    exported = export_csv(engine)
    assert sorted(exported.strip().splitlines()) == sorted(GOOD.strip().splitlines())
    assert import_csv(engine, _write(tmp_path, exported, "again.csv")) == (0, 0, 4)  # unchanged
    only_week = export_csv(engine, parse_period("2026-W46")).strip().splitlines()
    assert len(only_week) == 1 + 4  # the week, its month and its quarter overlap W46
    assert export_csv(engine, parse_period("2026-W40")).strip().splitlines()[1:] == [
        "sell.revenue,quarter,2026-Q4,,130000", "serve.nps,quarter,2026-Q4,,35"]


def test_a_malformed_file_changes_nothing_and_says_where(engine, tmp_path):
    import_csv(engine, _write(tmp_path, GOOD))
    before = content_hash(engine)
    bad = ("kpi_id,grain,period,channel,target\n"
           "sell.revenue,quarter,2026-Q4,,150000\n"          # line 2: valid, must not land either
           "sell.revenu,quarter,2026-Q4,,1\n"                # line 3: unknown KPI
           "sell.conversion_rate,month,2026-Q4,,0.03\n"      # line 4: period is not a month
           "speak.engagement_rate,week,2026-W46,,35\n"       # line 5: percentage as 35
           "save.marketing_cost,month,2026-11,,-10\n"        # line 6: negative budget
           "sell.orders,week,2026-W99,,10\n"                 # line 7: bad week
           "sell.orders,week,2026-W46,,lots\n")              # line 8: not a number
    with pytest.raises(TargetError) as err:
        import_csv(engine, _write(tmp_path, bad, "bad.csv"))
    message = str(err.value)
    assert "bad.csv" in message and "nothing was saved" in message
    assert "line 3: kpi_id 'sell.revenu' is not a KPI id" in message
    assert "line 4: period '2026-Q4' is a quarter, but grain says month" in message
    assert "line 5: target 35 for speak.engagement_rate should be a fraction between 0 and 1 " \
           "(a percentage given as 35 instead of 0.35?)" in message
    assert "line 6: target -10 for save.marketing_cost is negative; a budget cannot be below 0" in message
    assert "line 7: period" in message and "line 8: target 'lots' is not a number" in message
    assert "line 2" not in message
    assert content_hash(engine) == before


def test_missing_columns_are_named():
    with pytest.raises(TargetError, match="missing column"):
        validate_frame(pd.DataFrame({"kpi_id": ["sell.revenue"], "value": [1]}))


def test_weekly_share_of_a_quarterly_target_by_days(engine):
    set_targets(engine, [("sell.revenue", "quarter", date(2026, 10, 1), "", 130000.0)])
    week = resolve_target(engine, "sell.revenue", parse_period("2026-W46"))
    # Q4 has 92 days and the warehouse has no last-year data: the week gets 7/92 of it
    assert week.value == pytest.approx(130000 * 7 / 92)
    assert week.method == "by days" and week.description == "by days from the 2026-Q4 target"
    month = resolve_target(engine, "sell.revenue", parse_period("2026-11"))
    assert month.value == pytest.approx(130000 * 30 / 92)
    assert resolve_target(engine, "sell.revenue", parse_period("2026-W41")).value == pytest.approx(130000 * 7 / 92)
    # W40 (28 Sep - 4 Oct) spans Q3, which has no target: no target rather than a partial one
    assert resolve_target(engine, "sell.revenue", parse_period("2026-W40")) is None
    assert resolve_target(engine, "sell.revenue", parse_period("2027-W01")) is None


def test_ratios_and_stocks_carry_over_and_set_targets_win(engine):
    rows = [("sell.conversion_rate", "quarter", date(2026, 10, 1), "", 0.03),
            ("sizzle.social_followers", "quarter", date(2026, 10, 1), "", 150000.0),
            ("sell.conversion_rate", "week", date(2026, 11, 9), "", 0.04)]
    set_targets(engine, rows)
    assert resolve_target(engine, "sell.conversion_rate", parse_period("2026-W45")).value == 0.03
    assert resolve_target(engine, "sizzle.social_followers", parse_period("2026-11")).value == 150000.0
    set_week = resolve_target(engine, "sell.conversion_rate", parse_period("2026-W46"))
    assert (set_week.value, set_week.method) == (0.04, "set")
    assert resolve_target(engine, "sell.conversion_rate", parse_period("2026-W46"), channel="Email") is None


def test_weekly_share_follows_last_years_daily_profile(demo_engine):
    targets = load_targets(demo_engine)
    quarter_revenue = targets[targets.kpi_id == "sell.revenue"]["value"].iloc[0]
    black_friday_week = resolve_target(demo_engine, "sell.revenue", parse_period("2026-W48"), targets=targets)
    quiet_week = resolve_target(demo_engine, "sell.revenue", parse_period("2026-W42"), targets=targets)
    assert black_friday_week.method == quiet_week.method == "by last year's daily profile"
    assert black_friday_week.value > 1.5 * quiet_week.value  # last year's Black Friday week weighs more
    weeks = [resolve_target(demo_engine, "sell.revenue", parse_period(f"2026-W{w}"), targets=targets).value
             for w in range(41, 53)]
    # the 12 whole weeks inside Q4 (W41..W52, 5 Oct - 27 Dec) get less than the quarter; the rest is 1-4 Oct, 28-31 Dec
    assert sum(weeks) < quarter_revenue
    assert sum(weeks) > 0.8 * quarter_revenue


def test_the_grid_saves_edits_and_refuses_stale_ones(engine):
    from metrics.targets import TargetConflict, period_targets, save_period_targets

    q4 = parse_period("2026-Q4")
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid["target"].isna().all() and len(grid) == 22
    save_period_targets(engine, q4, "", [("sell.revenue", None, 130000.0), ("sell.aov", None, 70.0)])
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid.at["sell.revenue", "target"] == 130000.0
    # a week of Q4 shows the implied value and how
    week = period_targets(engine, parse_period("2026-W46")).set_index("kpi_id")
    assert week.at["sell.revenue", "implied"] == pytest.approx(130000 * 7 / 92)
    assert week.at["sell.revenue", "implied_how"] == "by days from the 2026-Q4 target"
    # Ana loaded the grid before Ben changed revenue: Ana's save is refused, Ben's value stays
    save_period_targets(engine, q4, "", [("sell.revenue", 130000.0, 140000.0)])  # Ben
    with pytest.raises(TargetConflict, match="Revenue"):
        save_period_targets(engine, q4, "", [("sell.revenue", 130000.0, 120000.0), ("sell.aov", 70.0, None)])
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid.at["sell.revenue", "target"] == 140000.0 and grid.at["sell.aov", "target"] == 70.0
    with pytest.raises(TargetError, match="Conversion rate: target 35"):
        save_period_targets(engine, q4, "", [("sell.conversion_rate", None, 35.0)])
    save_period_targets(engine, q4, "", [("sell.aov", 70.0, None)])  # clearing removes it
    assert pd.isna(period_targets(engine, q4).set_index("kpi_id").at["sell.aov", "target"])


def test_grid_edits_are_the_changed_cells_and_a_cell_that_is_not_a_number_is_named(engine):
    from metrics.targets import grid_edits, period_targets, save_period_targets

    week = parse_period("2026-W46")
    save_period_targets(engine, week, "", [("sell.revenue", None, 5000.0), ("sell.aov", None, 70.0)])
    grid = period_targets(engine, week)
    edited = grid[["kpi_id", "target"]].astype(object).copy()
    row = {k: i for i, k in enumerate(grid["kpi_id"])}
    edited.loc[row["sell.revenue"], "target"] = 5500.0  # changed
    edited.loc[row["sell.aov"], "target"] = None  # cleared
    edited.loc[row["sell.orders"], "target"] = "1,200"  # typed with a thousands separator
    assert grid_edits(grid, edited) == ([("sell.revenue", 5000.0, 5500.0), ("sell.orders", None, 1200.0),
                                         ("sell.aov", 70.0, None)], [])
    edited.loc[row["sell.orders"], "target"] = "lots"
    edits, problems = grid_edits(grid, edited)
    assert problems == ["Orders: target 'lots' is not a number"] and ("sell.revenue", 5000.0, 5500.0) in edits
