"""Targets: validation with clear errors, CSV round trip, and implied shorter-period targets (by hand)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics.periods import parse_period
from metrics.targets import (
    TargetConflict,
    TargetError,
    export_csv,
    import_csv,
    load_targets,
    resolve_target,
    validate_frame,
    validate_target,
)
from tests.actors import ADMIN
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
    assert import_csv(engine, _write(tmp_path, GOOD), actor=ADMIN) == (4, 0, 0)
    exported = export_csv(engine)
    assert sorted(exported.strip().splitlines()) == sorted(GOOD.strip().splitlines())
    assert import_csv(engine, _write(tmp_path, exported, "again.csv"), actor=ADMIN) == (0, 0, 4)  # unchanged
    only_week = export_csv(engine, parse_period("2026-W46")).strip().splitlines()
    assert len(only_week) == 1 + 4  # the week, its month and its quarter overlap W46
    assert export_csv(engine, parse_period("2026-W40")).strip().splitlines()[1:] == [
        "sell.revenue,quarter,2026-Q4,,130000", "serve.nps,quarter,2026-Q4,,35"]


def test_a_malformed_file_changes_nothing_and_says_where(engine, tmp_path):
    import_csv(engine, _write(tmp_path, GOOD), actor=ADMIN)
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
        import_csv(engine, _write(tmp_path, bad, "bad.csv"), actor=ADMIN)
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
    from metrics.targets import period_targets, save_period_targets

    q4 = parse_period("2026-Q4")
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid["target"].isna().all() and len(grid) == 24
    save_period_targets(engine, q4, "", [("sell.revenue", None, 130000.0), ("sell.aov", None, 70.0)], actor=ADMIN)
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid.at["sell.revenue", "target"] == 130000.0
    # a week of Q4 shows the implied value and how
    week = period_targets(engine, parse_period("2026-W46")).set_index("kpi_id")
    assert week.at["sell.revenue", "implied"] == pytest.approx(130000 * 7 / 92)
    assert week.at["sell.revenue", "implied_how"] == "by days from the 2026-Q4 target"
    # Ana loaded the grid before Ben changed revenue: Ana's save is refused, Ben's value stays
    save_period_targets(engine, q4, "", [("sell.revenue", 130000.0, 140000.0)], actor=ADMIN)  # Ben
    with pytest.raises(TargetConflict, match="Revenue"):
        save_period_targets(engine, q4, "", [("sell.revenue", 130000.0, 120000.0), ("sell.aov", 70.0, None)],
                actor=ADMIN)
    grid = period_targets(engine, q4).set_index("kpi_id")
    assert grid.at["sell.revenue", "target"] == 140000.0 and grid.at["sell.aov", "target"] == 70.0
    with pytest.raises(TargetError, match="Conversion rate: target 35"):
        save_period_targets(engine, q4, "", [("sell.conversion_rate", None, 35.0)], actor=ADMIN)
    save_period_targets(engine, q4, "", [("sell.aov", 70.0, None)], actor=ADMIN)  # clearing removes it
    assert pd.isna(period_targets(engine, q4).set_index("kpi_id").at["sell.aov", "target"])


def _daily_orders(engine, days: dict[date, float]) -> None:
    from datetime import datetime

    from connectors.loader import load

    rows = [(f"o{d:%Y%m%d}", datetime(d.year, d.month, d.day, 12), f"c{d:%Y%m%d}", revenue, 0.0, "Direct",
             "(direct)") for d, revenue in days.items()]
    load(engine, "orders", pd.DataFrame(rows, columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded",
                                                       "channel", "campaign"]), source="test")


def test_by_hand_a_weeks_share_follows_last_years_daily_profile(engine):
    from datetime import timedelta

    from metrics.scorecard import scorecard

    october = {date(2025, 10, 1) + timedelta(days=i): 20.0 for i in range(31)}  # 31 x 20 = 620
    november = {date(2025, 11, 1) + timedelta(days=i): 10.0 for i in range(30)}
    november[date(2025, 11, 10)] = 100.0  # a big Monday: November 2025 = 29 x 10 + 100 = 390
    december = {date(2025, 12, 1) + timedelta(days=i): 10.0 for i in range(10)}  # 1-10 Dec 2025 only
    _daily_orders(engine, {**october, **november, **december, date(2026, 11, 9): 500.0, date(2026, 11, 10): 450.0})
    set_targets(engine, [("sell.revenue", "month", date(2026, 10, 1), "", 6200.0),
                         ("sell.revenue", "month", date(2026, 11, 1), "", 3900.0),
                         ("sell.revenue", "month", date(2026, 11, 1), "Email", 3000.0),
                         ("sell.revenue", "month", date(2026, 12, 1), "", 3100.0)])
    # December 2025 has days without orders: no profile to follow, December 2026's weeks are shared by days
    december_week = resolve_target(engine, "sell.revenue", parse_period("2026-W50"))
    assert (december_week.value, december_week.method) == (pytest.approx(3100 * 7 / 31), "by days")
    # W46 = 9-15 Nov 2026 <- 9-15 Nov 2025 (same dates: a month is compared with the same month last year):
    # 6 x 10 + 100 = 160 of 390
    w46 = resolve_target(engine, "sell.revenue", parse_period("2026-W46"))
    assert w46.value == pytest.approx(3900 * 160 / 390)
    assert w46.description == "by last year's daily profile from the 2026-11 target"
    assert resolve_target(engine, "sell.revenue", parse_period("2026-W47")).value == pytest.approx(3900 * 70 / 390)
    # W44 = 26 Oct - 1 Nov spills over two months: 6 x 20 of October's 620, and 10 of November's 390
    w44 = resolve_target(engine, "sell.revenue", parse_period("2026-W44"))
    assert w44.value == pytest.approx(6200 * 120 / 620 + 3900 * 10 / 390)  # 1,200 + 100
    assert w44.description == "by last year's daily profile from the 2026-10 and 2026-11 target"
    # Email had no orders last year: its own target is shared by days
    email = resolve_target(engine, "sell.revenue", parse_period("2026-W46"), channel="Email")
    assert email.value == pytest.approx(3000 * 7 / 30) and email.method == "by days"
    # mid-week, the plan's "expected by now" follows last year's same week (52 weeks back, 10-16 Nov 2025):
    # Monday 100 + Tuesday 10 of 160; the W46 target is the one implied above, 1,600
    item = scorecard(engine, parse_period("2026-W46"), kpi_ids=["sell.revenue"], today=date(2026, 11, 11))[0]
    assert item.target == pytest.approx(1600.0)
    assert item.expected == pytest.approx(1600 * 110 / 160)  # 1,100
    assert item.value == pytest.approx(950.0)  # 500 + 450
    assert item.status == "at_risk"  # 150 short of 1,100: 13.6 %, beyond 5 % and within 15 %
    assert item.forecast == pytest.approx(950 / 2 * 7)


def test_the_demo_plan_is_last_years_quarter_improved_by_hand(engine):
    from metrics.targets import demo_targets
    from tests.fixtures import load_fixture

    load_fixture(engine)  # all of it in Q4 2026
    # on New Year's Day the plan is for the quarter that just ended (the quarter of the day before)
    assert demo_targets(engine, date(2028, 1, 1))["period_start"].iloc[0] == date(2027, 10, 1)
    plan = demo_targets(engine, date(2027, 11, 10))  # plans Q4 2027 on Q4 2026
    assert set(plan["grain"]) == {"quarter"} and set(plan["period_start"]) == {date(2027, 10, 1)}
    overall = plan[plan.channel == ""].set_index("kpi_id")["value"]
    assert len(overall) == 24  # every KPI has a value in Q4 2026
    # flows to grow: +25 %; the budget (a flow to keep low): +5 %; ratios to raise: +5 %; ratios to lower: -7 %
    assert overall["sell.revenue"] == pytest.approx(330 * 1.25)  # o1 50 + the week's 280
    assert overall["sell.orders"] == pytest.approx(5 * 1.25)
    assert overall["save.marketing_cost"] == pytest.approx(120 * 1.05)
    assert overall["sell.conversion_rate"] == pytest.approx(round(5 / 500 * 1.05, 4))
    assert overall["save.cpa"] == pytest.approx(round(120 / 5 * 0.93, 4))  # 24 -> 22.32
    assert overall["serve.nps"] == pytest.approx(round(50 * 1.05, 4))  # Q4: 4 promoters, 1 detractor of 6
    assert overall["sizzle.social_followers"] == pytest.approx(1500 * 1.05)
    # returning revenue share: Q4 revenue 330, of which first orders 210 (o1 50 + o3 120 - 20 + o5 60) -> 120 / 330
    assert overall["serve.returning_revenue_share"] == pytest.approx(round(120 / 330 * 1.05, 4))  # 0.3818
    # new customer revenue is what the revenue plan leaves to new customers: 412.5 x (1 - 0.3818) = 255.0075
    assert overall["sell.new_customer_revenue"] == pytest.approx(round(330 * 1.25 * (1 - 0.3818), 4))
    # paid channels get their own ROAS and CPA: only Paid Search has both cost and revenue
    channels = plan[plan.channel != ""]
    assert sorted(zip(channels.kpi_id, channels.channel)) == [("save.cpa", "Paid Search"),
                                                              ("save.roas", "Paid Search")]
    by_kpi = channels.set_index("kpi_id")["value"]
    assert by_kpi["save.roas"] == pytest.approx(round(140 / 90 * 1.05, 4))
    assert by_kpi["save.cpa"] == pytest.approx(round(90 / 2 * 0.93, 4))


def test_the_demo_plan_never_asks_for_more_than_99_percent(engine):
    from connectors.loader import load
    from metrics.targets import demo_targets

    rows = [(f"s{i}", date(2026, 11, 2), "csat", 5, None) for i in range(20)]  # CSAT 100 % in Q4 2026
    load(engine, "feedback", pd.DataFrame(rows, columns=["response_id", "date", "kind", "score", "channel"]),
         source="test")
    nps = [(f"p{i}", date(2026, 11, 3), "nps", score, None) for i, score in enumerate([10, 10, 3, 8, 8, 8, 8, 8, 8])]
    load(engine, "feedback", pd.DataFrame(nps, columns=["response_id", "date", "kind", "score", "channel"]),
         source="test")
    plan = demo_targets(engine, date(2027, 10, 2)).set_index("kpi_id")["value"]
    assert plan["serve.nps"] == round(100 / 9 * 1.05, 4) == 11.6667  # 2 promoters, 1 detractor of 9; 4 decimals
    assert plan["serve.csat"] == 0.99  # 1.0 x 1.05 would be 105 %
    assert list(plan.index) == ["serve.csat", "serve.nps"]  # KPIs without last year's value get none


@pytest.mark.parametrize(
    ("kpi_id", "value", "saved"),
    [("sell.conversion_rate", "0", 0.0), ("sell.conversion_rate", "1", 1.0), ("serve.nps", "-100", -100.0),
     ("serve.nps", "100", 100.0), ("sell.revenue", "0", 0.0), ("sell.revenue", " 1,500.5 ", 1500.5),
     ("serve.nps", "-5", -5.0)],
)
def test_targets_on_the_edge_of_their_range_are_accepted(kpi_id, value, saved):
    row, problems = validate_target(kpi_id, " Month ", "2026-11", " Email ", value)
    assert problems == []
    assert row == {"kpi_id": kpi_id, "grain": "month", "period_start": date(2026, 11, 1), "channel": "Email",
                   "value": saved}


@pytest.mark.parametrize(
    ("kpi_id", "grain", "value", "problem"),
    [("sell.conversion_rate", "month", "1.01", "target 1.01 for sell.conversion_rate should be a fraction between 0 "
      "and 1 (a percentage given as 1.01 instead of 0.0101?)"),
     ("sell.conversion_rate", "month", "101", "target 101 for sell.conversion_rate should be a fraction between 0 "
      "and 1"),
     ("sell.conversion_rate", "month", "-0.01", "target -0.01 for sell.conversion_rate should be a fraction between "
      "0 and 1"),
     ("serve.nps", "month", "100.5", "target 100.5 for serve.nps should be between -100 and 100"),
     ("serve.nps", "month", "-101", "target -101 for serve.nps should be between -100 and 100"),
     ("sell.revenue", "month", "-1", "target -1 for sell.revenue is negative; a target cannot be below 0"),
     ("sell.revenue", "day", "5", "grain 'day' should be one of week, month, quarter, year"),
     ("sell.revenue", "month", "nan", "target 'nan' is not a number")],
)
def test_targets_out_of_range_are_refused_with_what_to_fix(kpi_id, grain, value, problem):
    row, problems = validate_target(kpi_id, grain, "2026-11", "", value)
    assert row is None and problems == [problem]


def test_a_file_without_a_channel_column_and_with_many_problems(engine, tmp_path):
    assert import_csv(engine, _write(tmp_path, "kpi_id,grain,period,target\nsell.orders,week,2026-W46,120\n"),
            actor=ADMIN) == (
        1, 0, 0)
    assert load_targets(engine)["channel"].tolist() == [""]
    lines = "".join(f"sell.orders,week,2026-W{w},,x\n" for w in range(1, 53))  # 52 bad lines
    with pytest.raises(TargetError) as err:
        import_csv(engine, _write(tmp_path, "kpi_id,grain,period,channel,target\n" + lines, "many.csv"), actor=ADMIN)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'many.csv'}: 52 problem(s), nothing was saved:\n"
                              "line 2: target 'x' is not a number\n")
    assert message.endswith("line 51: target 'x' is not a number\n… and 2 more")  # 50 shown
    assert len(err.value.problems) == 52
    twice = "kpi_id,grain,period,channel,target\nsell.orders,week,2026-W46,,1\nsell.orders,week,2026-W46,,2\n"
    with pytest.raises(TargetError, match="line 3: the same KPI, period and channel appear twice"):
        import_csv(engine, _write(tmp_path, twice, "twice.csv"), actor=ADMIN)
    with pytest.raises(TargetError, match=r"line 1: missing column\(s\) grain, target; expected "
                                          "kpi_id,grain,period,channel,target"):
        validate_frame(pd.DataFrame({"kpi_id": ["sell.revenue"], "period": ["2026-11"]}))
    with pytest.raises(TargetError, match="cannot read the file"):
        import_csv(engine, tmp_path / "missing.csv", actor=ADMIN)


def test_export_takes_every_target_that_touches_the_period(engine):
    set_targets(engine, [("sell.revenue", "month", date(2026, 10, 1), "", 1000.0),
                         ("sell.revenue", "month", date(2026, 11, 1), "", 1100.0),
                         ("sell.revenue", "month", date(2026, 12, 1), "", 1200.0)])
    # W44 = 26 Oct - 1 Nov: October, and November by its first day; never December
    assert export_csv(engine, parse_period("2026-W44")).splitlines()[1:] == [
        "sell.revenue,month,2026-10,,1000", "sell.revenue,month,2026-11,,1100"]
    # 30 Nov - 1 Dec: November by its last day, December by its first
    assert [line.split(",")[2] for line in export_csv(engine, parse_period("2026-11-30..2026-12-01")).splitlines()[1:]
            ] == ["2026-11", "2026-12"]


def test_a_channels_grid_is_its_own(engine):
    from metrics.targets import period_targets, save_period_targets

    nov = parse_period("2026-11")
    save_period_targets(engine, nov, "Email", [("sell.revenue", None, 900.0), ("sell.orders", None, 30.0)], actor=ADMIN)
    save_period_targets(engine, nov, "", [("sell.revenue", None, 5000.0)], actor=ADMIN)
    email = period_targets(engine, nov, "Email").set_index("kpi_id")
    assert list(email.columns) == ["s", "kpi", "unit", "target", "implied", "implied_how"]
    assert tuple(email.loc["sell.revenue", ["s", "kpi", "unit", "target"]]) == ("Sell", "Revenue", "currency", 900.0)
    assert email.at["sell.orders", "target"] == 30.0
    overall = period_targets(engine, nov).set_index("kpi_id")
    assert overall.at["sell.revenue", "target"] == 5000.0 and pd.isna(overall.at["sell.orders", "target"])
    assert overall.at["sell.orders", "implied_how"] == ""
    # Email's week gets its share of Email's month only (by days: 7 of 30)
    week = period_targets(engine, parse_period("2026-W46"), "Email").set_index("kpi_id")
    assert week.at["sell.revenue", "implied"] == pytest.approx(900 * 7 / 30)
    # editing and clearing Email's grid leaves the all-channels grid alone, and is checked against Email's values
    with pytest.raises(TargetConflict):
        save_period_targets(engine, nov, "Email", [("sell.revenue", 5000.0, 950.0)], actor=ADMIN)
    save_period_targets(engine, nov, "Email", [("sell.revenue", 900.0, None), ("sell.orders", 30.0, 31.0)], actor=ADMIN)
    email = period_targets(engine, nov, "Email").set_index("kpi_id")
    assert pd.isna(email.at["sell.revenue", "target"]) and email.at["sell.orders", "target"] == 31.0
    assert period_targets(engine, nov).set_index("kpi_id").at["sell.revenue", "target"] == 5000.0


def test_messages_name_their_source_and_list_every_problem(engine, tmp_path):
    from metrics.targets import save_period_targets

    with pytest.raises(TargetError) as err:  # the default source; exactly 50 problems: all shown, no "more"
        validate_frame(pd.DataFrame({"kpi_id": ["sell.orders"] * 50, "grain": "week", "period": "2026-W46",
                                     "channel": "", "target": "x"}))
    assert str(err.value).startswith("targets: 50 problem(s), nothing was saved:\nline 2: target 'x' is not")
    assert str(err.value).endswith("line 51: target 'x' is not a number")
    with pytest.raises(TargetError) as err:
        validate_frame(pd.DataFrame({"kpi_id": ["sell.revenue"], "period": ["2026-11"]}))
    assert str(err.value).startswith("targets: 1 problem(s), nothing was saved:\nline 1: missing column(s)")
    with pytest.raises(TargetError) as err:
        import_csv(engine, tmp_path / "missing.csv", actor=ADMIN)
    assert str(err.value).startswith(f"{tmp_path / 'missing.csv'}: 1 problem(s), nothing was saved:\n"
                                     "cannot read the file: ")
    q4 = parse_period("2026-Q4")
    with pytest.raises(TargetError) as err:  # two bad values in one save: both named
        save_period_targets(engine, q4, "", [("sell.conversion_rate", None, 35.0), ("serve.nps", None, 150.0)],
                actor=ADMIN)
    assert str(err.value) == (
        "targets for 2026-Q4: 2 problem(s), nothing was saved:\n"
        "Conversion rate: target 35 for sell.conversion_rate should be a fraction between 0 and 1 (a percentage "
        "given as 35 instead of 0.35?)\nNPS: target 150 for serve.nps should be between -100 and 100")
    row, problems = validate_target("sell.conversion_rate", "month", "2026-11", "", "100")
    assert problems == ["target 100 for sell.conversion_rate should be a fraction between 0 and 1 (a percentage "
                        "given as 100 instead of 1?)"]


def test_a_file_with_a_byte_order_mark_and_empty_cells_imports(engine, tmp_path):
    path = tmp_path / "excel.csv"  # spreadsheet programs write UTF-8 with a BOM
    path.write_bytes("kpi_id,grain,period,channel,target\r\nsell.revenue,month,2026-11,,1500\r\n".encode("utf-8-sig"))
    assert tuple(import_csv(engine, path, actor=ADMIN)) == (1, 0, 0)
    assert export_csv(engine) == "kpi_id,grain,period,channel,target\nsell.revenue,month,2026-11,,1500\n"
    from sqlalchemy import select

    from warehouse import schema
    with engine.connect() as conn:  # the import is in the sync log under the file's name
        detail = conn.execute(select(schema.sync_runs.c.detail).order_by(schema.sync_runs.c.id.desc())).first()[0]
    assert detail == "targets: excel.csv, 0 unchanged"
    with engine.connect() as conn:
        run = conn.execute(select(schema.sync_runs).order_by(schema.sync_runs.c.id.desc())).mappings().first()
    assert (run["source"], run["status"], run["rows_inserted"], run["rows_updated"]) == ("targets", "success", 1, 0)
    import time

    time.sleep(1.1)  # a second later, the same file again: nothing changed (the save time is not a change)
    assert tuple(import_csv(engine, path, actor=ADMIN)) == (0, 0, 1)
    # a frame with missing cells (an uploaded sheet): empty channel means all channels
    frame = pd.DataFrame({"kpi_id": ["sell.orders"], "grain": ["week"], "period": ["2026-W46"], "channel": [None],
                          "target": ["12"]})
    assert validate_frame(frame)["channel"].tolist() == [""]


def test_a_months_grid_and_its_quarters_are_kept_apart(engine):
    from metrics.targets import period_targets, save_period_targets

    # October's month target and Q4's quarter target both start on 1 October
    set_targets(engine, [("sell.revenue", "month", date(2026, 10, 1), "", 3000.0),
                         ("sell.revenue", "quarter", date(2026, 10, 1), "", 9000.0),
                         ("sell.revenue", "month", date(2026, 11, 1), "", 3100.0),
                         ("sell.orders", "month", date(2026, 10, 1), "", 100.0)])
    october = parse_period("2026-10")
    save_period_targets(engine, october, "", [("sell.revenue", 3000.0, 3300.0)],
            actor=ADMIN)  # checked against October's 3,000
    with pytest.raises(TargetConflict) as err:
        save_period_targets(engine, october, "", [("sell.revenue", 3000.0, 3500.0)], actor=ADMIN)
    assert str(err.value) == ("Someone else changed the target of Revenue for 2026-10 since you opened it; nothing "
                              "was saved. Reload to see their values.")
    save_period_targets(engine, october, "", [("sell.revenue", 3300.0, None)],
            actor=ADMIN)  # clear October's revenue only
    stored = {(r.kpi_id, r.grain, r.period_start): r.value for r in load_targets(engine).itertuples()}
    assert stored == {("sell.revenue", "quarter", date(2026, 10, 1)): 9000.0,
                      ("sell.revenue", "month", date(2026, 11, 1)): 3100.0,
                      ("sell.orders", "month", date(2026, 10, 1)): 100.0}
    assert period_targets(engine, october).set_index("kpi_id").at["sell.orders", "target"] == 100.0


def test_grid_edits_are_the_changed_cells_and_a_cell_that_is_not_a_number_is_named(engine):
    from metrics.targets import grid_edits, period_targets, save_period_targets

    week = parse_period("2026-W46")
    save_period_targets(engine, week, "", [("sell.revenue", None, 5000.0), ("sell.aov", None, 70.0)], actor=ADMIN)
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


def test_which_longer_target_a_period_takes(engine):
    set_targets(engine, [("sell.revenue", "month", date(2026, 5, 1), "", 3100.0),
                         ("sell.revenue", "month", date(2026, 10, 1), "", 3100.0),
                         ("sell.revenue", "quarter", date(2026, 10, 1), "", 9200.0),
                         ("sell.revenue", "week", date(2026, 9, 28), "", 700.0),
                         ("sell.revenue", "week", date(2026, 11, 30), "", 600.0),  # W49 holds 1 December
                         ("sell.revenue", "week", date(2026, 12, 7), "", 650.0),
                         ("sell.conversion_rate", "quarter", date(2026, 10, 1), "", 0.03)])
    # W22 = 25-31 May ends on May's last day: May's share by days, no spill into June
    assert resolve_target(engine, "sell.revenue", parse_period("2026-W22")).value == pytest.approx(3100 * 7 / 31)
    # W44 = 26 Oct - 1 Nov spills into November, which has no month target: the quarter's share instead
    w44 = resolve_target(engine, "sell.revenue", parse_period("2026-W44"))
    assert (w44.value, w44.description) == (pytest.approx(9200 * 7 / 92), "by days from the 2026-Q4 target")
    # a month takes its quarter's share, never a week's target (W40 holds 1 October)
    october = resolve_target(engine, "sell.revenue", parse_period("2026-10"))
    assert october.description == "target set for 2026-10"
    assert resolve_target(engine, "sell.revenue", parse_period("2026-11")).value == pytest.approx(9200 * 30 / 92)
    assert resolve_target(engine, "sell.revenue", parse_period("2026-12")).value == pytest.approx(9200 * 31 / 92)
    carried = resolve_target(engine, "sell.conversion_rate", parse_period("2026-W46"))
    assert (carried.value, carried.description) == (0.03, "carried over from the 2026-Q4 target")
