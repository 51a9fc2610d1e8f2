"""The AIDA funnel worked by hand on the W45 shop (tests/fixtures.py) and on small web-only shops for desire."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from connectors.loader import load
from i18n import using_locale
from metrics.catalog import FUNNEL_STEPS
from metrics.funnel import (
    STEP_IDS,
    compare_funnels,
    compute_funnel,
    funnel_by_campaign,
    funnel_by_channel,
    funnel_json,
    weakest_steps,
)
from metrics.periods import parse_period
from tests.fixtures import FRAMES, load_fixture

W45 = parse_period("2026-W45")  # Mon 2 – Sun 8 Nov 2026


def values(funnel) -> list:
    return [s.value for s in funnel.steps]


def rates(funnel) -> list:
    return [s.rate_from_previous for s in funnel.steps]


def test_steps_are_declared_in_order():
    assert tuple(s.id for s in FUNNEL_STEPS) == STEP_IDS


def test_all_channels_by_hand(engine):
    load_fixture(engine)
    funnel = compute_funnel(engine, W45)
    # attention: ad impressions 1000 + 1000 + 2000 = 4000, social impressions 500 + 500 + 1000 = 2000,
    #            e-mails delivered 950 + 450 = 1400 → 7400
    # interest: sessions 100 + 300 + 100 = 500 (the 21 Oct row is another week)
    # desire: no add-to-carts in the web data → engaged sessions 60 + 150 + 90 = 300
    # action: orders o2, o3, o4, o5 = 4 (o1 is in October)
    # loyalty: repeat orders o2 (c1 ordered o1 before) and o4 (c2 ordered o3 before) = 2
    assert values(funnel) == [7400, 500, 300, 4, 2]
    assert rates(funnel) == pytest.approx([None, 500 / 7400, 300 / 500, 4 / 300, 2 / 4])
    attention, _, desire, _, _ = funnel.steps
    assert attention.source == "ad impressions + social impressions + emails delivered"
    assert attention.reason is None
    assert desire.fallback and desire.source.startswith("engaged sessions")
    assert "has no add-to-carts" in desire.source and "2–8 Nov 2026" in desire.source


def test_one_channel_counts_its_own_sources(engine):
    load_fixture(engine)
    paid = compute_funnel(engine, W45, "Paid Search")
    # attention: only Paid Search's ads (brand 1000 + 1000); social and e-mail belong to other channels
    # interest 100 sessions, desire 90 engaged sessions, action o3 + o4 = 2, loyalty o4 = 1
    assert values(paid) == [2000, 100, 90, 2, 1]
    assert rates(paid) == pytest.approx([None, 100 / 2000, 90 / 100, 2 / 90, 1 / 2])
    assert paid.step("attention").source == "ad impressions"
    email = compute_funnel(engine, W45, "Email")
    # attention: e-mails delivered 950 + 450 = 1400 (Email has no ads); Email has no sessions nor orders
    assert email.step("attention").value == 1400 and email.step("attention").source == "emails delivered"
    assert email.step("interest").value is None and email.step("interest").rate_from_previous is None
    assert email.step("interest").reason == "No sessions for channel Email in 2–8 Nov 2026 (no web traffic data)."
    assert email.step("action").reason == "No orders for channel Email in 2–8 Nov 2026 (no orders data)."


def test_a_missing_source_gives_no_value_and_says_which(engine):
    load_fixture(engine)
    organic = compute_funnel(engine, W45, "Organic Search")
    attention = organic.step("attention")
    assert attention.value is None and attention.source is None
    assert attention.reason == ("No ad impressions for channel Organic Search in 2–8 Nov 2026 "
                                "(no ad spend data).")
    # interest 100 + 300 = 400 has no rate (its previous step is unknown); desire 60 + 150 = 210
    assert organic.step("interest").value == 400 and organic.step("interest").rate_from_previous is None
    assert organic.step("desire").rate_from_previous == pytest.approx(210 / 400)
    with using_locale("fa"):
        reason = compute_funnel(engine, W45, "Organic Search").step("attention").reason
    assert reason and "Organic Search" in reason and "2–8 Nov" not in reason  # in Persian, with Jalali dates


def test_all_channels_without_social_counts_the_others_and_says_so(engine):
    for kind, frame in FRAMES.items():
        if kind != "social":
            load(engine, kind, frame, source="test", cursor="2026-11-08")
    attention = compute_funnel(engine, W45).step("attention")
    # ad impressions 4000 + e-mails delivered 1400 = 5400; social is named as missing
    assert attention.value == 5400
    assert attention.source == "ad impressions + emails delivered"
    assert attention.reason == "No social impressions for all channels in 2–8 Nov 2026 (no social data)."


def test_reasons_of_several_sources_are_separated(engine):
    load_fixture(engine)
    # W45 and W46: the shop's data ends on Sunday 8 Nov, so each of attention's three sources misses 7 of 14 days;
    # the three notes are separated by semicolons, not run together ("… missing) social data ends …")
    attention = compute_funnel(engine, parse_period("2026-11-02..2026-11-15")).step("attention")
    assert attention.value == 7400
    assert attention.reason == ("ad spend data ends 2026-11-08 (7 of 14 days missing); "
                                "social data ends 2026-11-08 (7 of 14 days missing); "
                                "email campaigns data ends 2026-11-08 (7 of 14 days missing)")


def test_campaign_funnel_and_drill_down(engine):
    load_fixture(engine)
    brand = compute_funnel(engine, W45, "Paid Search", "brand")
    assert values(brand) == [2000, 100, 90, 2, 1]  # Paid Search's only campaign: the same figures
    newsletter = compute_funnel(engine, W45, "Email", "newsletter")
    assert newsletter.step("attention").value == 950  # its own delivered e-mails only
    campaigns = funnel_by_campaign(engine, W45, "Email")
    assert list(campaigns) == ["newsletter", "promo"]
    assert campaigns["promo"].step("attention").value == 450


def test_funnel_by_channel_and_weakest_step(engine):
    load_fixture(engine)
    funnels = funnel_by_channel(engine, W45)
    # channels with data in W45: Email (e-mails), Organic Search, Organic Social (social), Paid Search,
    # Paid Social (the meta ads)
    assert list(funnels) == ["Email", "Organic Search", "Organic Social", "Paid Search", "Paid Social"]
    assert values(funnels["Paid Social"]) == [2000, None, None, None, None]
    assert funnels["Organic Social"].step("attention").value == 2000
    # Paid Search and Organic Search are the only channels with two known rates (desire, action, loyalty):
    # desire 0.9 vs 0.525 → median 0.7125; action 2/90 vs 2/210 (o2, o5 over 210 engaged) → median ≈ 0.01587;
    # loyalty 1/2 vs 1/2 (o2 is a repeat order) → median 0.5.
    # Paid Search: 0.9/0.7125 = 1.26, 0.0222/0.01587 = 1.40, 1.0 → no step below the median: no weakest step.
    # Organic Search: 0.525/0.7125 = 0.737, 0.00952/0.01587 = 0.60, 1.0 → its weakest is action.
    assert weakest_steps(funnels) == {"Organic Search": "action"}


def test_compare_with_the_previous_period(engine):
    load_fixture(engine)
    current = compute_funnel(engine, W45, "Organic Search")
    before = compute_funnel(engine, parse_period("2026-W44"), "Organic Search")
    # W44 (26 Oct – 1 Nov) has no Organic Search rows: every previous rate is unknown
    changes = {c.id: c for c in compare_funnels(current, before)}
    assert changes["desire"].rate == pytest.approx(210 / 400) and changes["desire"].previous_rate is None
    assert changes["desire"].change is None
    same = {c.id: c for c in compare_funnels(current, current)}
    assert same["desire"].change == 0 and same["desire"].relative_change == 0


def _web(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "channel", "source_medium", "campaign", "sessions",
                                        "engaged_sessions", "add_to_carts"])
    return frame.astype({"add_to_carts": "Int64"})  # whole numbers with gaps, as a file's validation gives them


def test_desire_counts_add_to_carts_when_the_web_data_has_them(engine):
    load(engine, "web", _web([
        (date(2026, 11, 9), "Paid Search", "google / cpc", "brand", 200, 120, 30),
        (date(2026, 11, 10), "Organic Search", "google / organic", "(organic)", 100, 50, 10),
    ]), source="test", cursor="2026-11-15")
    funnel = compute_funnel(engine, parse_period("2026-W46"))
    desire = funnel.step("desire")
    # add-to-carts 30 + 10 = 40 of 200 + 100 = 300 sessions
    assert desire.value == 40 and not desire.fallback and desire.source == "add-to-carts"
    assert desire.rate_from_previous == pytest.approx(40 / 300)
    assert compute_funnel(engine, parse_period("2026-W46"), "Organic Search").step("desire").value == 10


def test_desire_with_add_to_carts_on_some_days_only_says_so(engine):
    load(engine, "web", _web([
        (date(2026, 11, 16), "Paid Search", "google / cpc", "brand", 200, 120, 30),
        (date(2026, 11, 17), "Paid Search", "google / cpc", "brand", 100, 80, None),
    ]), source="test", cursor="2026-11-22")
    desire = compute_funnel(engine, parse_period("2026-W47")).step("desire")
    # a sum of add-to-carts would miss the 17th: engaged sessions 120 + 80 = 200 are counted throughout
    assert desire.value == 200 and desire.fallback
    assert "only part of the web data" in desire.source and "17 Nov 2026" in desire.source
    # the 16th alone records them all: add-to-carts
    day = compute_funnel(engine, parse_period("2026-11-16..2026-11-16")).step("desire")
    assert day.value == 30 and not day.fallback


def test_json_shape(engine):
    load_fixture(engine)
    doc = funnel_json(compute_funnel(engine, W45, "Paid Search"))
    assert doc["period"] == {"grain": "week", "start": "2026-11-02", "end": "2026-11-08", "label": "2026-W45"}
    assert doc["filters"] == {"channel": "Paid Search", "campaign": None}
    assert [s["id"] for s in doc["steps"]] == list(STEP_IDS)
    assert all(set(s) == {"id", "label", "value", "rate_from_previous", "source", "reason"} for s in doc["steps"])
