"""Is a KPI trending? The Mann–Kendall test and the Theil–Sen slope over the 13 periods that end with the one shown.

Mann–Kendall (Mann 1945, Kendall 1975) through ``pymannkendall.original_test``: S = Σ sign(xⱼ − xᵢ) over the pairs
i < j, its variance [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] ÷ 18 (t: the size of each group of tied values), z with a
continuity correction ((S − 1)/σ for S > 0, (S + 1)/σ for S < 0, 0 for S = 0) and the two-sided normal p-value.
The slope is Theil–Sen's (Theil 1950, Sen 1968), the median of the pairwise slopes (``scipy.stats.theilslopes``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pymannkendall
from scipy.stats import theilslopes

TREND_PERIODS = 13  # the periods a trend is judged over, ending with the one shown
MIN_PERIODS = 8  # fewer periods with data: no trend is said (null)
ALPHA = 0.05  # up or down when p < ALPHA, else flat


@dataclass(frozen=True)
class Trend:
    """A KPI's trend: ``direction`` up | down | flat, the Mann–Kendall p-value, the Theil–Sen slope (the KPI's unit
    per period) and how many periods it was judged over."""

    direction: str
    p_value: float
    slope: float
    periods: int = TREND_PERIODS

    @property
    def significant(self) -> bool:
        return self.direction != "flat"

    def as_report(self) -> dict:
        """The ``trend`` object of ``report --format json`` (keys are a contract)."""
        return {"direction": self.direction, "p_value": self.p_value, "slope": self.slope, "periods": self.periods}


def kpi_trend(values: Sequence[float | None]) -> Trend | None:
    """The trend of the last :data:`TREND_PERIODS` of ``values`` (oldest first; None: a period without data);
    None when fewer than :data:`MIN_PERIODS` of them have data.

    Gaps: Mann–Kendall is run on the periods with data, in order (a missing period only removes its pairs); the
    Theil–Sen slope uses the period's position in the window as x, so a gap keeps its spacing (a slope is per
    period, not per period with data)."""
    window = list(values)[-TREND_PERIODS:]
    points = [(i, float(v)) for i, v in enumerate(window) if v is not None and not math.isnan(v)]
    if len(points) < MIN_PERIODS:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    test = pymannkendall.original_test(ys, alpha=ALPHA)
    p_value = float(test.p)
    direction = "flat"
    if p_value < ALPHA:  # significant: its sign is S's (Theil–Sen's median can be 0 with many ties)
        direction = "up" if test.s > 0 else "down"
    return Trend(direction, p_value, float(theilslopes(ys, xs).slope), len(window))
