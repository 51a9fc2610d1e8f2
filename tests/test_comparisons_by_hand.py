"""The scorecard's comparisons on a small hand-made order history, each figure worked out by hand.

Previous week / month / quarter, the same period last year (weeks 52 weeks back so weekdays align;
months and quarters the same calendar period a year earlier), and like for like in an unfinished period
(``today``: only as many days of the previous period and of last year as have passed of this one).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from connectors.loader import load
from metrics.engine import compute
from metrics.periods import parse_period
from metrics.scorecard import change_pct, comparison_windows, partial_headline, scorecard, trend

ORDERS = [  # order_id, day, revenue (no refunds; one customer per order)
    # 2026-W45, Mon 2 - Sun 8 Nov 2026
    ("a1", date(2026, 11, 2), 100.0),  # Mon
    ("a2", date(2026, 11, 3), 50.0),  # Tue
    ("a3", date(2026, 11, 5), 150.0),  # Thu
    ("d1", date(2026, 11, 20), 60.0),  # later in November
    # 2026-W44, Mon 26 Oct - Sun 1 Nov 2026 (1 Nov is in the week before but in November)
    ("b1", date(2026, 10, 26), 80.0),  # Mon
    ("b2", date(2026, 10, 29), 120.0),  # Thu
    ("b3", date(2026, 11, 1), 40.0),  # Sun
    ("e1", date(2026, 10, 5), 300.0),  # early October
    # 2026-Q3
    ("g0", date(2026, 8, 1), 200.0),
    ("g1", date(2026, 8, 15), 500.0),
    ("g2", date(2026, 9, 20), 50.0),
    # a year earlier: 52 weeks before Mon 2 Nov 2026 is Mon 3 Nov 2025; Sun 2 Nov 2025 is in the week before
    ("c1", date(2025, 11, 2), 1000.0),  # Sun: same date a year ago, but NOT the weekday-aligned week
    ("c2", date(2025, 11, 3), 250.0),  # Mon
    ("c3", date(2025, 11, 6), 40.0),  # Thu
    ("c4", date(2025, 11, 9), 160.0),  # Sun
    ("f1", date(2025, 11, 30), 50.0),
    ("h1", date(2025, 12, 10), 500.0),
    # March 2026 and the February before it (28 days)
    ("m1", date(2026, 2, 10), 70.0),
    ("m2", date(2026, 3, 1), 900.0),  # 1 March: never part of "the previous month" of March
    ("m3", date(2026, 3, 20), 30.0),
    # the last order: orders are complete through 4 Jan 2027, so no period below is partial (metrics/completeness)
    ("z1", date(2027, 1, 4), 10.0),
]
FEEDBACK = [  # NPS: promoters 9-10, detractors 0-6
    ("n1", date(2026, 10, 27), 2), ("n2", date(2026, 10, 28), 3),  # W44: 0 % - 100 % = -100
    ("n3", date(2026, 11, 2), 10), ("n4", date(2026, 11, 3), 2), ("n7", date(2026, 11, 4), 6),  # W45: 1 of 3
    # promoters, 2 of 3 detractors (6 is a detractor): 33.3 % - 66.7 % = -33.3
    ("n5", date(2025, 11, 4), 10),  # W45 2025: 100
    ("n6", date(2027, 1, 4), 8),  # feedback complete through 4 Jan 2027 too
]
WEB = [  # W45 sessions by channel; earned = Direct, Organic Search, Organic Social (not Email, not paid)
    (date(2026, 11, 2), "Direct", 100), (date(2026, 11, 2), "Organic Social", 50), (date(2026, 11, 2), "Email", 30),
    (date(2026, 11, 2), "Paid Search", 20), (date(2027, 1, 4), "Direct", 1),  # web complete through 4 Jan 2027
]
ADS = [  # ad cost ends on Wednesday 4 Nov 2026: the cost KPIs of W45 are partial
    *[(date(2026, 10, 26) + timedelta(days=i), 10.0) for i in range(10)],  # 26 Oct - 4 Nov 2026: 10 a day
    *[(date(2025, 11, 3) + timedelta(days=i), 5.0) for i in range(7)],  # 3-9 Nov 2025: 5 a day
]
AFTER = date(2027, 1, 5)  # every period below has ended: full periods
REVENUE, NPS = "sell.revenue", "serve.nps"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from tests.conftest import _fresh_engine

    engine = _fresh_engine(tmp_path_factory.mktemp("history"), "history.db")
    orders = pd.DataFrame(
        [(oid, datetime.combine(day, datetime.min.time()).replace(hour=12), f"cust-{oid}", revenue, 0.0,
          "Direct", "(direct)") for oid, day, revenue in ORDERS],
        columns=["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel", "campaign"])
    load(engine, "orders", orders, source="test")
    feedback = pd.DataFrame([(rid, day, "nps", score, None) for rid, day, score in FEEDBACK],
                            columns=["response_id", "date", "kind", "score", "channel"])
    load(engine, "feedback", feedback, source="test")
    ads = pd.DataFrame([(day, "google_ads", "brand", "Paid Search", 100, 10, cost) for day, cost in ADS],
                       columns=["date", "platform", "campaign", "channel", "impressions", "clicks", "cost"])
    load(engine, "ad_spend", ads, source="test")
    web = pd.DataFrame([(day, channel, "x / y", "(none)", sessions, sessions, 0, 0, 0, 0, 0, 0.0)
                        for day, channel, sessions in WEB],
                       columns=["date", "channel", "source_medium", "campaign", "sessions", "engaged_sessions",
                                "new_users", "page_views", "engagement_seconds", "key_events", "purchases",
                                "purchase_revenue"])
    load(engine, "web", web, source="test")
    yield engine
    engine.dispose()


def _card(engine, label: str, today: date, kpi: str = REVENUE):
    return scorecard(engine, parse_period(label), kpi_ids=[kpi], today=today)[0]


def _check(item, value, previous, last_year):
    assert item.value == pytest.approx(value)
    assert item.previous == pytest.approx(previous)
    assert item.last_year == pytest.approx(last_year)
    assert item.change_abs == pytest.approx(value - previous)
    assert item.change_pct == pytest.approx((value - previous) / abs(previous))
    assert item.change_pct_last_year == pytest.approx((value - last_year) / abs(last_year))


def test_change_pct_is_relative_to_the_size_of_the_base():
    assert change_pct(300.0, 240.0) == pytest.approx(0.25)  # 60 more on 240
    assert change_pct(240.0, 300.0) == pytest.approx(-0.2)  # 60 less on 300
    assert change_pct(0.0, -100.0) == pytest.approx(1.0)  # NPS -100 -> 0: up by 100 points on a base of 100
    assert change_pct(-50.0, -20.0) == pytest.approx(-1.5)  # -20 -> -50: worse by 30 on 20
    assert change_pct(5.0, 0.0) is None and change_pct(None, 5.0) is None and change_pct(5.0, None) is None


def test_week_against_the_week_before_and_52_weeks_back(history):
    item = _card(history, "2026-W45", AFTER)
    # value: a1 100 + a2 50 + a3 150 = 300; previous W44: b1 80 + b2 120 + b3 40 = 240
    # last year: Mon 3 - Sun 9 Nov 2025 (weekday-aligned): c2 250 + c3 40 + c4 160 = 450
    # (the calendar dates 2-8 Nov 2025 would wrongly take c1's 1,000 and drop c4)
    _check(item, 300.0, 240.0, 450.0)
    assert item.change_pct == pytest.approx(0.25)  # +60 on 240
    assert item.change_pct_last_year == pytest.approx(-1 / 3)  # -150 on 450
    assert not item.in_progress
    report = item.as_report()
    assert (report["previous"], report["last_year"]) == (240.0, 450.0)
    assert report["change_pct"] == pytest.approx(0.25)
    assert report["change_pct_last_year"] == pytest.approx(-1 / 3)


def test_week_sparkline_is_the_last_13_weeks_oldest_first(history):
    item = _card(history, "2026-W45", AFTER)
    # W33 (10-16 Aug) .. W45: g1 500 in W33, g2 50 in W38 (14-20 Sep), e1 300 in W41 (5-11 Oct), W44 240, W45 300;
    # g0 (1 Aug, W31) is before the window; weeks without orders are unknown, not 0
    assert item.sparkline == [500.0, None, None, None, None, 50.0, None, None, 300.0, None, None, 240.0, 300.0]


def test_a_score_that_was_negative_improves_by_a_positive_change(history):
    item = _card(history, "2026-W45", AFTER, NPS)
    # W45: n3 promoter, n4 and n7 (a 6) detractors -> -33.3; W44: two detractors -> -100; W45 2025: one promoter
    _check(item, -100 / 3, -100.0, 100.0)
    assert item.change_pct == pytest.approx(2 / 3)  # +66.7 points on a base of |-100|
    assert item.change_pct_last_year == pytest.approx(-4 / 3)  # -133.3 points on 100


def test_month_against_the_month_before_and_the_same_month_last_year(history):
    item = _card(history, "2026-11", AFTER)
    # November 2026: b3 40 + a1 100 + a2 50 + a3 150 + d1 60 = 400; October: e1 300 + b1 80 + b2 120 = 500
    # November 2025: c1 1000 + c2 250 + c3 40 + c4 160 + f1 50 = 1,500
    _check(item, 400.0, 500.0, 1500.0)
    assert item.change_pct == pytest.approx(-0.2)
    assert item.change_pct_last_year == pytest.approx(-1100 / 1500)


def test_quarter_against_the_quarter_before_and_the_same_quarter_last_year(history):
    item = _card(history, "2026-Q4", AFTER)
    # Q4 2026: October 500 + November 400 = 900; Q3 2026: g0 200 + g1 500 + g2 50 = 750
    # Q4 2025: November 1,500 + h1 500 = 2,000
    _check(item, 900.0, 750.0, 2000.0)
    assert item.change_pct == pytest.approx(0.2)
    assert item.change_pct_last_year == pytest.approx(-0.55)


def test_an_unfinished_week_is_compared_like_for_like(history):
    item = _card(history, "2026-W45", date(2026, 11, 5))  # Thursday: Mon-Wed (3 days) have passed
    # value 2-4 Nov: a1 100 + a2 50 = 150 (a3 on Thursday is today, not counted)
    # previous: the first 3 days of W44, 26-28 Oct: b1 80 (b2 on Thursday 29th left out)
    # last year: the first 3 days of the aligned week, 3-5 Nov 2025: c2 250 (c3 on Thursday left out)
    _check(item, 150.0, 80.0, 250.0)
    assert item.change_pct == pytest.approx(0.875)  # +70 on 80
    assert item.change_pct_last_year == pytest.approx(-0.4)  # -100 on 250
    assert item.in_progress
    assert item.sparkline[-1] == pytest.approx(150.0)  # the current week so far


def test_an_unfinished_month_is_compared_like_for_like(history):
    item = _card(history, "2026-11", date(2026, 11, 11))  # 1-10 November have passed
    # value: b3 40 + a1 100 + a2 50 + a3 150 = 340; previous 1-10 Oct: e1 300
    # last year 1-10 Nov 2025: c1 1000 + c2 250 + c3 40 + c4 160 = 1,450
    _check(item, 340.0, 300.0, 1450.0)
    assert item.change_pct == pytest.approx(40 / 300)


def test_an_unfinished_quarter_is_compared_like_for_like(history):
    item = _card(history, "2026-Q4", date(2026, 11, 11))  # 1 Oct - 10 Nov: 31 + 10 = 41 days
    # value: October 500 + 1-10 Nov 340 = 840; previous: the first 41 days of Q3, 1 Jul - 10 Aug: g0 200
    # last year: 1 Oct - 10 Nov 2025: 1,450
    _check(item, 840.0, 200.0, 1450.0)
    assert item.change_pct == pytest.approx(3.2)  # +640 on 200


def test_like_for_like_never_reaches_past_the_end_of_a_shorter_previous_period(history):
    march = parse_period("2026-03")
    done, before, ly = comparison_windows(march, date(2026, 3, 31))  # 1-30 March have passed: 30 days
    assert (done.start, done.end) == (date(2026, 3, 1), date(2026, 3, 30))
    # February has only 28 days: the comparison is all of February, never 1-2 March
    assert (before.start, before.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert (ly.start, ly.end) == (date(2025, 3, 1), date(2025, 3, 30))
    item = _card(history, "2026-03", date(2026, 3, 31))
    # value: m2 900 + m3 30 = 930; previous: m1 70 (m2's 900 on 1 March belongs to March only)
    assert item.value == pytest.approx(930.0) and item.previous == pytest.approx(70.0)
    assert item.change_pct == pytest.approx(860 / 70)


def test_a_custom_range_compares_with_the_days_just_before_and_52_weeks_back(history):
    item = _card(history, "2026-11-02..2026-11-04", AFTER)
    # value a1 100 + a2 50 = 150; previous 30 Oct - 1 Nov: b3 40; 52 weeks back, 3-5 Nov 2025: c2 250
    _check(item, 150.0, 40.0, 250.0)
    assert item.sparkline == []  # custom ranges have no sparkline


def test_no_data_to_compare_with_is_unknown_never_zero(history):
    item = _card(history, "2026-W31", AFTER)  # 27 Jul - 2 Aug 2026: g0 200; nothing the week before or a year ago
    assert item.value == pytest.approx(200.0)
    assert item.previous is None and item.change_pct is None and item.change_abs is None
    assert item.last_year is None and item.change_pct_last_year is None


def test_trend_is_the_kpi_per_period_ending_with_the_chosen_one(history):
    weeks = trend(history, REVENUE, parse_period("2026-W45"), periods=3)
    assert list(weeks.columns) == ["period_start", "value", "reason", "complete_through"]
    assert weeks["complete_through"].isna().all()  # orders run to 4 Jan 2027: every week is complete
    assert list(weeks["period_start"]) == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    # W43 has no orders (unknown, with the reason), W44 240, W45 300
    assert pd.isna(weeks["value"].iloc[0]) and weeks["reason"].iloc[0] == "no orders data in scope"
    assert list(weeks["value"].iloc[1:]) == [240.0, 300.0]
    months = trend(history, REVENUE, parse_period("2026-11"), periods=4, breakdown="channel")
    # August: g0 200 + g1 500; September: g2 50; October 500; November 400 - all of it Direct
    assert list(months["channel"]) == ["Direct"] * 4
    assert list(months["value"]) == [700.0, 50.0, 500.0, 400.0]


def test_on_the_last_day_of_a_period_it_is_still_in_progress(history):
    item = _card(history, "2026-W45", date(2026, 11, 8))  # Sunday: Mon-Sat have passed, 6 days
    # value: a1 100 + a2 50 + a3 150 = 300; previous 26-31 Oct: b1 80 + b2 120 (b3 on Sunday 1 Nov left out)
    # last year 3-8 Nov 2025: c2 250 + c3 40 (c4 on Sunday 9 Nov left out)
    _check(item, 300.0, 200.0, 290.0)
    assert item.in_progress


def test_a_period_that_has_not_started_has_no_value_yet(history):
    item = _card(history, "2026-W45", date(2026, 11, 2))  # Monday morning: no day of W45 has passed
    assert item.value is None and item.reason == "the period has not started"
    assert item.change_pct is None and item.change_abs is None and item.change_pct_last_year is None
    # what it will be compared with: all of W44 (240) and all of the aligned week last year (450)
    assert item.previous == pytest.approx(240.0) and item.last_year == pytest.approx(450.0)
    assert item.in_progress and item.status == "no_data"
    assert len(item.sparkline) == 12 and item.sparkline[-1] == 240.0  # W33..W44: W45 has no day yet


def test_a_kpi_whose_data_ends_early_is_compared_like_for_like(history):
    items = {i.id: i for i in scorecard(history, parse_period("2026-W45"), kpi_ids=[REVENUE, "save.marketing_cost",
                                                                                    "save.roas"], today=AFTER)}
    cost = items["save.marketing_cost"]
    # ad cost ends Wed 4 Nov: 2-4 Nov 3 x 10 = 30, against the first 3 days of W44 (26-28 Oct, 30) and of the
    # aligned week last year (3-5 Nov 2025, 3 x 5 = 15)
    _check(cost, 30.0, 30.0, 15.0)
    assert cost.partial and cost.complete_through == date(2026, 11, 4)
    assert cost.reason == "ad spend data ends 2026-11-04 (4 of 7 days missing)"
    assert cost.as_report()["complete_through"] == "2026-11-04" and cost.as_report()["partial"] is True
    # ROAS over the days both sources cover: revenue 2-4 Nov (a1 100 + a2 50) on that cost
    assert items["save.roas"].value == pytest.approx(150 / 30) and items["save.roas"].partial
    revenue = items[REVENUE]
    assert not revenue.partial and revenue.complete_through is None and revenue.as_report()["complete_through"] is None
    assert partial_headline(list(items.values()), "in 2026-W45") == (
        "2 KPIs have incomplete data in 2026-W45 (data through 04 Nov 2026 at the earliest): each is judged on the "
        "days its data covers and compared with as many days before, never counted as zero.")
    assert partial_headline([cost]).startswith("1 KPI has incomplete data this period (data through 04 Nov 2026")
    assert partial_headline([revenue]) is None


def test_comparison_windows_when_the_data_ends_early():
    w45 = parse_period("2026-W45")
    # data through Wed 4 Nov, looked at after the week: Mon-Wed, and the first 3 days of W44 and of last year
    done, before, ly = comparison_windows(w45, AFTER, date(2026, 11, 4))
    assert [(w.start, w.end) for w in (done, before, ly)] == [
        (date(2026, 11, 2), date(2026, 11, 4)), (date(2026, 10, 26), date(2026, 10, 28)),
        (date(2025, 11, 3), date(2025, 11, 5))]
    # data ending before the week began: nothing of it counts; the comparisons are the whole periods
    done, before, ly = comparison_windows(w45, AFTER, date(2026, 11, 1))
    assert done is None and (before.start, before.end) == (date(2026, 10, 26), date(2026, 11, 1))
    # data ending on the week's first day: that one day counts
    done, before, _ = comparison_windows(w45, AFTER, date(2026, 11, 2))
    assert (done.start, done.end, before.start, before.end) == (date(2026, 11, 2), date(2026, 11, 2),
                                                                date(2026, 10, 26), date(2026, 10, 26))
    # a finished month is compared with the whole month before, all 31 days of October
    _, before, _ = comparison_windows(parse_period("2026-11"), AFTER)
    assert (before.start, before.end) == (date(2026, 10, 1), date(2026, 10, 31))
    # data running past today: today decides (Thu 5 Nov: Mon-Wed)
    done, _, _ = comparison_windows(w45, date(2026, 11, 5), date(2026, 11, 20))
    assert (done.start, done.end) == (date(2026, 11, 2), date(2026, 11, 4))


def test_earned_traffic_is_direct_and_organic_only(history):
    item = _card(history, "2026-W45", AFTER, "sizzle.earned_traffic_share")
    assert item.value == pytest.approx(150 / 200)  # Direct 100 + Organic Social 50 of 200 (Email and paid are not)


def test_a_ratio_over_a_range_its_numerator_outlasts_uses_only_the_common_days(history):
    frame = compute(history, ["save.roas"], date(2026, 11, 2), date(2026, 11, 8)).iloc[0]
    # cost ends Wed 4 Nov: revenue of 2-4 Nov only (a1 100 + a2 50, not a3 on Thursday) over 3 x 10
    assert frame["value"] == pytest.approx(150 / 30) and frame["complete_through"] == date(2026, 11, 4)


def test_a_yearly_trend(history):
    years = trend(history, REVENUE, parse_period("2026"), periods=2)
    assert list(years["period_start"]) == [date(2025, 1, 1), date(2026, 1, 1)]
    # 2025: c1 1000 + c2 250 + c3 40 + c4 160 + f1 50 + h1 500; 2026: every other order but z1 (2027)
    assert list(years["value"]) == [2000.0, 2650.0]


def test_weekly_figures_say_partial_only_for_the_week_the_data_ends_in(history):
    frame = compute(history, ["save.marketing_cost"], date(2026, 10, 26), date(2026, 11, 15), grain="week")
    rows = {r.period_start: (r.value, r.reason, r.complete_through) for r in frame.itertuples()}
    value, reason, through = rows[date(2026, 10, 26)]  # W44: 7 x 10, complete
    assert (value, reason) == (70.0, None) and pd.isna(through)
    value, reason, through = rows[date(2026, 11, 2)]  # W45: Mon-Wed 3 x 10, partial
    assert (value, reason, through) == (30.0, "ad spend data ends 2026-11-04 (4 of 7 days missing)", date(2026, 11, 4))
    value, reason, through = rows[date(2026, 11, 9)]  # W46: after the data ends, a gap, never 0
    assert value != value and reason == "ad spend data ends 2026-11-04 (7 of 7 days missing)"


def test_a_range_starting_on_the_last_day_of_data_keeps_that_day(history):
    row = compute(history, ["save.marketing_cost"], date(2026, 11, 4), date(2026, 11, 10)).iloc[0]
    assert row["value"] == pytest.approx(10.0) and row["complete_through"] == date(2026, 11, 4)  # 4 Nov only
