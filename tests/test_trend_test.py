"""Mann–Kendall p-value and Theil–Sen slope worked by hand (issue 15 §1)."""

import math

import pytest

from metrics.trend_test import kpi_trend


def _p(z: float) -> float:
    """Two-sided normal p-value 2(1 − Φ(|z|)) = erfc(|z|/√2)."""
    return math.erfc(abs(z) / math.sqrt(2))


def test_mann_kendall_and_theil_sen_by_hand_with_ties():
    x = [3, 5, 4, 4, 6, 7, 7, 9]  # n = 8; ties: 4 twice, 7 twice
    # S = Σ sign(x_j − x_i), i < j, row by row:
    #   3: 5 4 4 6 7 7 9 all higher            → +7
    #   5: 4 4 lower (−2), 6 7 7 9 higher (+4)  → +2
    #   4: 4 tie (0), 6 7 7 9 higher            → +4
    #   4: 6 7 7 9 higher                       → +4
    #   6: 7 7 9                                → +3
    #   7: 7 tie, 9 higher                      → +1
    #   7: 9                                    → +1
    # S = 7 + 2 + 4 + 4 + 3 + 1 + 1 = 22
    # var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 = [8·7·21 − 2·(2·1·9)] / 18 = (1176 − 36) / 18 = 63.333…
    # z = (S − 1) / √var = 21 / 7.958… = 2.6388…;  p = 2(1 − Φ(2.6388)) = 0.00832…
    z = 21 / math.sqrt(1140 / 18)
    # Theil–Sen: the 28 pairwise slopes (x_j − x_i)/(j − i), sorted:
    #   −1, −1/2, 0, 0, 1/3, 1/3, 2/5, 1/2, 1/2, 1/2, 2/3, 2/3, 3/4, 3/4, 4/5, 6/7, 1 (×7), 5/4, 3/2, 2, 2, 2
    #   median = mean of the 14th and 15th = (3/4 + 4/5) / 2 = 0.775
    trend = kpi_trend(x)
    assert trend.p_value == pytest.approx(_p(z), abs=1e-9)
    assert trend.p_value == pytest.approx(0.008320, abs=1e-6)
    assert trend.slope == pytest.approx(0.775, abs=1e-9)
    assert trend.direction == "up" and trend.significant
    assert trend.as_report() == {"direction": "up", "p_value": trend.p_value, "slope": 0.775, "periods": 8}


def test_falling_series_is_down():
    # The same series reversed: S = −22, z = (S + 1)/σ = −2.6388…, same p; every slope negated → −0.775
    trend = kpi_trend([9, 7, 7, 6, 4, 4, 5, 3])
    assert trend.direction == "down"
    assert trend.p_value == pytest.approx(_p(21 / math.sqrt(1140 / 18)), abs=1e-9)
    assert trend.slope == pytest.approx(-0.775, abs=1e-9)


def test_flat_noisy_series_is_flat():
    x = [10, 12, 9, 11, 10, 13, 9, 12, 10, 11, 9, 12, 10]
    # S = Σ over each value of (later values higher − later values lower):
    #   10: higher 12,11,13,12,11,12 (6) lower 9,9,9 (3) → +3
    #   12: higher 13 (1) lower 9,11,10,9,10,11,9,10 (8) → −7
    #    9: higher 11,10,13,12,10,11,12,10 (8) lower 0 → +8
    #   11: higher 13,12,12 (3) lower 10,9,10,9,10 (5) → −2
    #   10: higher 13,12,11,12 (4) lower 9,9 (2) → +2
    #   13: higher 0 lower 7 → −7
    #    9: higher 12,10,11,12,10 (5) lower 0 → +5
    #   12: higher 0 lower 10,11,9,10 (4) → −4
    #   10: higher 11,12 (2) lower 9 (1) → +1
    #   11: higher 12 (1) lower 9,10 (2) → −1
    #    9: higher 12,10 (2) → +2
    #   12: lower 10 → −1
    # S = 3−7+8−2+2−7+5−4+1−1+2−1 = −1 → z = 0 (|S| ≤ 1 after the continuity correction), p = 1
    trend = kpi_trend(x)
    assert trend.direction == "flat" and not trend.significant
    assert trend.p_value == pytest.approx(1.0, abs=1e-9)
    assert trend.periods == 13


def test_fewer_than_eight_periods_with_data_is_none():
    assert kpi_trend([1, 2, 3, 4, 5, 6, 7]) is None
    assert kpi_trend([1, None, 2, 3, None, 4, 5, 6, None, 7, None, None, None]) is None  # 7 of 13 with data
    assert kpi_trend([None] * 13) is None


def test_only_the_last_13_periods_count():
    older = [1000, -1000, 500, 0, 7, 7, 7]
    x = [3, 5, 4, 4, 6, 7, 7, 9, 3, 5, 4, 4, 6]
    assert kpi_trend(older + x) == kpi_trend(x)


def test_gaps_keep_their_spacing():
    # y = 2·period, period 4 missing: Theil–Sen with x = the period index gives exactly 2 (closing the gap, i.e.
    # x = 0..8, would mix slopes 2 and 4). Mann–Kendall on the 9 values with data: no ties, every pair rises:
    # S = 9·8/2 = 36, var = 9·8·23/18 = 92, z = 35/√92 = 3.649…, p = 2(1 − Φ(3.649)) = 0.000263…
    trend = kpi_trend([0, 2, 4, 6, None, 10, 12, 14, 16, 18])
    assert trend.slope == pytest.approx(2.0, abs=1e-9)
    assert trend.p_value == pytest.approx(_p(35 / math.sqrt(92)), abs=1e-9)
    assert trend.direction == "up" and trend.periods == 10
