"""Is this period unusual? Its value against the range its own history makes likely (seasonality included).

STUB (issue 15 foundation): the signatures are the contract; the bodies are filled in by the statistics work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Unusual:
    """The expected range ``[low, high]`` of a period's value, how far outside the usual variation the value is
    (``score``, a robust z) and whether that is ``unusual``; ``method`` names the method used."""

    low: float
    high: float
    score: float | None
    unusual: bool
    method: str


def history_needed(grain: str) -> int:
    """How many periods before the shown one the check can use at ``grain`` (0: no check at this grain)."""
    return 0


def check_unusual(history: Sequence[float | None], value: float | None, grain: str) -> Unusual | None:
    """``value`` (the shown period's, on a full-period scale) against ``history`` (the periods before it, oldest
    first, None where a period has no data); None when there is too little history or no value."""
    return None


def expected_bands(values: pd.Series, grain: str) -> pd.DataFrame:
    """For a chart: each period's expected range from the periods before it. ``values`` is indexed by period start
    (oldest first); the result has the same index and columns ``expected_low``, ``expected_high`` (NaN where there
    is too little history)."""
    return pd.DataFrame({"expected_low": float("nan"), "expected_high": float("nan")}, index=values.index)
