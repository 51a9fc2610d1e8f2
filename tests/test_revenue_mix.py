"""New against returning revenue on the hand-made shop (tests/fixtures.py), worked out by hand: the KPIs
sell.new_customer_revenue and serve.returning_revenue_share, the series the Sell and Serve pages chart, and its
figure.

W45's orders (2-8 Nov 2026): o2 c1 80 (c1 first ordered o1, 50, on 20 Oct: returning), o3 c2 120 less 20
refunded (c2's first order: new), o4 c2 40 (returning), o5 c3 60 (c3's first order: new). Revenue 280.
``returning_first_order`` adds o6: c4's first order here, 30, which the shop (WooCommerce's customer type) marks
as a returning customer's: it is not a new customer's revenue.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from connectors.loader import load
from i18n import using_locale
from metrics.engine import Filters, compute
from metrics.periods import parse_period
from metrics.revenue_mix import new_and_returning
from tests.fixtures import WEEK, load_fixture
from ui.revenue_mix import revenue_mix_chart

KPIS = ["sell.revenue", "sell.new_customer_revenue", "serve.returning_revenue_share"]
O6 = ("o6", datetime(2026, 11, 6, 15, 0), "c4", 30.0, 0.0, "Email", "newsletter", "returning")


@pytest.fixture
def shop(engine):
    load_fixture(engine)
    return engine


@pytest.fixture
def returning_first_order(shop):
    columns = ["order_id", "ordered_at", "customer_id", "revenue", "refunded", "channel", "campaign", "customer_type"]
    load(shop, "orders", pd.DataFrame([O6], columns=columns), source="test", cursor=WEEK[1].isoformat())
    return shop


def _values(engine, filters: Filters = Filters()) -> dict[str, float]:
    frame = compute(engine, KPIS, *WEEK, filters=filters)
    assert frame["reason"].isna().all(), list(frame["reason"])
    return dict(zip(frame["kpi_id"], frame["value"]))


def test_the_weeks_new_customer_revenue_and_returning_share(shop):
    values = _values(shop)
    assert values["sell.new_customer_revenue"] == pytest.approx(160.0)  # o3 (120 - 20) + o5 60
    assert values["serve.returning_revenue_share"] == pytest.approx(120 / 280)  # o2 80 + o4 40 of 280: 42.9 %


def test_a_first_order_marked_returning_is_returning_revenue(returning_first_order):
    values = _values(returning_first_order)
    assert values["sell.revenue"] == pytest.approx(310.0)  # 280 + o6 30
    assert values["sell.new_customer_revenue"] == pytest.approx(160.0)  # unchanged: o6's customer is not new
    assert values["serve.returning_revenue_share"] == pytest.approx(150 / 310)  # (310 - 160) / 310: 48.4 %
    email = _values(returning_first_order, Filters(channel="Email"))
    assert email["sell.new_customer_revenue"] == 0.0 and email["serve.returning_revenue_share"] == 1.0  # 30 / 30


def test_by_channel_and_campaign(shop):
    frame = compute(shop, KPIS[1:], *WEEK, breakdown="channel")
    by = {(r.kpi_id, r.channel): r.value for r in frame.itertuples()}
    assert by[("sell.new_customer_revenue", "Paid Search")] == pytest.approx(100.0)  # o3 120 - 20
    assert by[("serve.returning_revenue_share", "Paid Search")] == pytest.approx(40 / 140)  # o4 40 of 140
    assert by[("sell.new_customer_revenue", "Organic Search")] == pytest.approx(60.0)  # o5
    assert by[("serve.returning_revenue_share", "Organic Search")] == pytest.approx(80 / 140)  # o2 80 of 140
    brand = _values(shop, Filters(campaign="brand"))  # Paid Search's only campaign
    assert brand["serve.returning_revenue_share"] == pytest.approx(40 / 140)


def test_the_series_per_week_by_hand(shop):
    frame = new_and_returning(shop, parse_period("2026-W45"), 3)
    assert list(frame["period_start"]) == [date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2)]
    w43, w44, w45 = (row for _, row in frame.iterrows())
    # W43: o1, c1's first order (50), on Tuesday 20 Oct, the orders' first day: the week starts before the data
    assert (w43["new_revenue"], w43["returning_revenue"], w43["returning_share"]) == (50.0, 0.0, 0.0)
    assert w43["starts_late"] == date(2026, 10, 20) and "data starts" in w43["reason"]
    # W44: no order at all: unknown, never zero
    assert w44[["new_revenue", "returning_revenue", "revenue", "returning_share"]].isna().all()
    assert w44["reason"] == "no orders data in scope"
    # W45: new 160 (o3 100 + o5 60), returning 120 (o2 80 + o4 40), share 120 / 280
    assert (w45["new_revenue"], w45["returning_revenue"], w45["revenue"]) == (160.0, 120.0, 280.0)
    assert w45["returning_share"] == pytest.approx(120 / 280) and pd.isna(w45["starts_late"])


def test_the_series_for_one_channel_and_a_month(returning_first_order):
    email = new_and_returning(returning_first_order, parse_period("2026-W45"), 1, Filters(channel="Email"))
    assert email[["new_revenue", "returning_revenue", "returning_share"]].iloc[0].tolist() == [0.0, 30.0, 1.0]
    month = new_and_returning(returning_first_order, parse_period("2026-11"), 2)
    # October: o1 50, new (the month starts before the data: 20 Oct); November to the 8th: 310, of it 160 new
    assert month[["new_revenue", "returning_revenue"]].to_numpy().tolist() == [[50.0, 0.0], [160.0, 150.0]]
    assert month["returning_share"].iloc[1] == pytest.approx(150 / 310)
    assert month["complete_through"].iloc[1] == date(2026, 11, 8)  # the data ends on the 8th: November is partial


def test_a_period_whose_revenue_is_zero_has_no_share():
    frame = pd.DataFrame({"period_start": [date(2026, 11, 2)], "new_revenue": [0.0], "returning_revenue": [0.0],
                          "revenue": [0.0], "returning_share": [float("nan")], "reason": [None],
                          "complete_through": [None], "starts_late": [None]})
    fig = revenue_mix_chart(frame, "mix")
    assert fig.data[1].customdata[0] == "$0.00 of $0.00 · returning share —"


def test_the_figure_stacks_new_under_returning_with_the_share_on_hover(shop):
    frame = new_and_returning(shop, parse_period("2026-W45"), 3)
    fig = revenue_mix_chart(frame, "New and returning revenue by week, All channels")
    new, returning = fig.data
    assert (new.name, returning.name, fig.layout.barmode) == ("New customers", "Returning customers", "relative")
    assert [v if v == v else None for v in new.y] == [None, None, 160.0]  # W43 starts late: shaded, not drawn
    assert [v if v == v else None for v in returning.y] == [None, None, 120.0]
    assert returning.customdata[2] == "$120.00 of $280.00 · returning share 42.9%"
    assert new.customdata[2] == "$160.00 of $280.00 · returning share 42.9%"
    assert [a.text for a in fig.layout.annotations] == ["partial"]  # W43's shading


def test_the_figure_in_persian_reads_right_to_left_with_persian_digits(shop):
    with using_locale("fa"):
        frame = new_and_returning(shop, parse_period("2026-W45"), 3)
        fig = revenue_mix_chart(frame, "mix")
    returning = fig.data[1]
    day, text = returning.customdata[2]  # the date over the text (the reader's calendar and digits)
    assert "۱۲۰" in text and "۴۲٫۹٪" in text and not any(ch.isascii() and ch.isdigit() for ch in day + text)
    assert fig.layout.font.family == "Vazirmatn, sans-serif" and fig.layout.title.x == 1
    assert not any(ch.isascii() and ch.isdigit() for t in fig.layout.yaxis.ticktext for ch in t)


def test_the_figure_starts_at_the_first_period_with_revenue():
    """Periods before the data (revenue NaN: nothing recorded yet) are left out, not drawn as an empty axis; the
    first period with data (starting late: shaded) is kept. Three quarters: Q1 nothing, Q2 starts late with 100
    (60 new + 40 returning), Q3 200 (120 + 80)."""
    nan = float("nan")
    frame = pd.DataFrame({"period_start": [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)],
                          "new_revenue": [nan, 60.0, 120.0], "returning_revenue": [nan, 40.0, 80.0],
                          "revenue": [nan, 100.0, 200.0], "returning_share": [nan, 0.4, 0.4],
                          "reason": [None, None, None], "complete_through": [None, None, None],
                          "starts_late": [None, date(2026, 5, 10), None]})
    fig = revenue_mix_chart(frame, "mix")
    new, returning = fig.data
    assert [str(x)[:10] for x in new.x] == ["2026-04-01", "2026-07-01"]
    assert [v if v == v else None for v in returning.y] == [None, 80.0]  # Q2 starts late: shaded, not drawn
    assert [a.text for a in fig.layout.annotations] == ["partial"]
