"""``python cli.py cohorts`` on the hand-made shop of tests/cohort_shop.py: the JSON contract, the table, errors."""

from __future__ import annotations

import json

import pytest

import cli
from tests.cohort_shop import load_cohort_shop

KEYS = {"cohort", "acquisition_channel", "customers", "retention", "revenue_per_customer", "cac", "ltv_cac",
        "payback_period"}  # issue 16's contract


@pytest.fixture
def shop(engine, cli_url):
    load_cohort_shop(engine)
    return engine


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["cohorts", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_all_channels(shop, capsys):
    code, out, err = _run(capsys, "--grain", "month", "--from", "2026-01", "--to", "2026-03", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["grain"] == "month" and doc["last_period_partial"] is True
    assert all(set(c) == KEYS for c in doc["cohorts"])
    jan = doc["cohorts"][0]
    # January: c1, c2; retention [2/2, 1/2, 1/2]; revenue per customer [160/2, 190/2, 240/2] (tests/test_cohorts.py)
    assert jan == {"cohort": "2026-01", "acquisition_channel": None, "customers": 2, "retention": [1.0, 0.5, 0.5],
                   "revenue_per_customer": [80.0, 95.0, 120.0], "cac": None, "ltv_cac": None, "payback_period": None}
    assert [c["cohort"] for c in doc["cohorts"]] == ["2026-01", "2026-02", "2026-03"]


def test_json_by_channel_and_one_channel(shop, capsys):
    code, out, err = _run(capsys, "--grain", "month", "--from", "2026-01", "--to", "2026-02", "--by-channel",
                          "--format", "json")
    assert code == 0, err
    rows = {(c["cohort"], c["acquisition_channel"]): c for c in json.loads(out)["cohorts"]}
    assert set(rows) == {("2026-01", "Organic Search"), ("2026-01", "Paid Social"), ("2026-02", "Paid Search"),
                         ("2026-02", "Paid Social")}
    # February Paid Social: CAC 110 for c3; revenue per customer [100, 130]: LTV:CAC 0.909, 1.18 -> payback 1
    assert rows[("2026-02", "Paid Social")]["cac"] == 110.0
    assert rows[("2026-02", "Paid Social")]["payback_period"] == 1
    code, out, err = _run(capsys, "--grain", "month", "--from", "2026-01", "--to", "2026-02", "--channel",
                          "Paid Search", "--format", "json")
    assert code == 0, err
    # Paid Search acquired c4 in February only: CAC 25, revenue per customer [50, 50] -> LTV:CAC [2, 2]
    assert [(c["cohort"], c["cac"], c["ltv_cac"], c["payback_period"]) for c in json.loads(out)["cohorts"]] == [
        ("2026-02", 25.0, [2.0, 2.0], 0)]


def test_text_table(shop, capsys):
    code, out, err = _run(capsys, "--grain", "month", "--from", "2026-01", "--to", "2026-03", "--by-channel")
    assert code == 0, err
    assert "2026-01 Paid Social" in out and "$120.00" in out  # its CAC
    assert "Retention" in out and "Cumulative revenue per customer" in out
    assert "still in progress" in out and "no ad cost" in out  # March is partial; Organic Search has no cost


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-13", "--to", "2026-03"], "Period '2026-13' is not a real date"),
    (["--from", "2026-03", "--to", "2026-01"], "--from 2026-03 is after --to 2026-01"),
    (["--from", "2026-W02", "--to", "2026-03"], "--from 2026-W02 is a week, not a month"),
    (["--from", "2026-01", "--to", "1404-12"], "in different calendars"),
    (["--from", "2026-01", "--to", "2026-03", "--channel", "Carrier pigeon"], "Unknown channel 'Carrier pigeon'"),
])
def test_errors(shop, capsys, args, message):
    code, out, err = _run(capsys, "--grain", "month", *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_grain_is_required_and_checked(shop, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["cohorts", "--grain", "quarter", "--from", "2026-Q1", "--to", "2026-Q1"])
    assert exit_.value.code == 2 and "invalid choice: 'quarter'" in capsys.readouterr().err
