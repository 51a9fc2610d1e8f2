"""``python cli.py funnel``: its JSON shape, its table and its errors (real subprocesses)."""

from __future__ import annotations

import json

import pytest

from tests.fixtures import load_fixture
from tests.test_cli import run


@pytest.fixture
def shop_url(engine) -> str:
    load_fixture(engine)
    return engine.url.render_as_string(hide_password=False)


def test_json_shape_and_values_by_hand(shop_url):
    out = run(["funnel", "--period", "2026-W45", "--channel", "Paid Search", "--format", "json"], shop_url)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"period", "filters", "steps"}
    assert doc["period"] == {"grain": "week", "start": "2026-11-02", "end": "2026-11-08", "label": "2026-W45"}
    assert doc["filters"] == {"channel": "Paid Search", "campaign": None}
    assert [s["id"] for s in doc["steps"]] == ["attention", "interest", "desire", "action", "loyalty"]
    for step in doc["steps"]:
        assert set(step) == {"id", "label", "value", "rate_from_previous", "source", "reason"}
    # Paid Search in W45 (tests/fixtures.py): 2000 ad impressions, 100 sessions, 90 engaged sessions, 2 orders,
    # 1 repeat order
    assert [s["value"] for s in doc["steps"]] == [2000, 100, 90, 2, 1]
    assert doc["steps"][0]["rate_from_previous"] is None
    assert doc["steps"][1]["rate_from_previous"] == pytest.approx(100 / 2000)
    assert doc["steps"][2]["source"].startswith("engaged sessions (the web data for channel Paid Search")


def test_missing_source_is_null_with_a_reason(shop_url):
    out = run(["funnel", "--period", "2026-W45", "--channel", "Organic Search", "--format", "json"], shop_url)
    assert out.returncode == 0, out.stderr
    attention = json.loads(out.stdout)["steps"][0]
    assert attention["value"] is None and attention["rate_from_previous"] is None
    assert attention["reason"] == "No ad impressions for channel Organic Search in 2–8 Nov 2026 (no ad spend data)."


def test_campaign_filter_and_text_table(shop_url):
    out = run(["funnel", "--period", "2026-W45", "--channel", "Email", "--campaign", "promo"], shop_url)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "AIDA funnel, 2026-W45 (2026-11-02 to 2026-11-08), channel Email, campaign promo"
    attention = next(line for line in lines if line.startswith("attention"))
    assert attention.split()[:3] == ["attention", "450", "—"]  # promo's 450 delivered e-mails


def test_errors_are_clear(shop_url):
    out = run(["funnel", "--period", "2026-W45", "--channel", "Nope"], shop_url)
    assert out.returncode == 2 and "Unknown channel 'Nope'" in out.stderr and "Paid Search" in out.stderr
    out = run(["funnel", "--period", "2026-W45", "--channel", "Email", "--campaign", "brand"], shop_url)
    assert out.returncode == 2 and "Unknown campaign 'brand' in channel Email" in out.stderr
    out = run(["funnel", "--period", "2026-W60"], shop_url)
    assert out.returncode == 2 and "2026-W60" in out.stderr and "Traceback" not in out.stderr


def test_demo_week_has_every_step(demo_url):
    out = run(["funnel", "--period", "2026-W47", "--format", "json"], demo_url)
    assert out.returncode == 0, out.stderr
    steps = json.loads(out.stdout)["steps"]
    assert all(isinstance(s["value"], float) and s["value"] > 0 for s in steps), steps
    assert all(0 < s["rate_from_previous"] < 1 for s in steps[1:]), steps
