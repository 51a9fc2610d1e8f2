"""Is a KPI trending? The Mann–Kendall test and the Theil–Sen slope over the 13 periods that end with the one shown.

STUB (issue 15 foundation): the signatures are the contract; the bodies are filled in by the statistics work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    None when fewer than :data:`MIN_PERIODS` of them have data."""
    return None
