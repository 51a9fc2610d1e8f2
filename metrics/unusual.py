"""Is this period unusual? Its value against the range its own history makes likely (seasonality included).

Method (README "Unusual values"), a robust z in both cases:

- **Seasonal** (week, month, quarter, when the same period a season earlier (:data:`SEASON`: 52 weeks, 12
  months, 4 quarters) has data): this period's year-over-year change is compared with the year-over-year changes
  of the last :data:`RECENT` periods (at least :data:`MIN_RECENT` with data both years). Changes are relative (the
  log of this year ÷ last year), so a shop that grew 20 % is expected 20 % higher in its peak weeks too; when a
  value is 0 or negative, and for shares and scores (a conversion rate, NPS), they are differences instead.
  Expected value = the value a season ago × the median ratio (or + the median difference). Seasonal differencing
  removes yearly seasonality (Black Friday is compared with last year's) and the median change carries the trend;
  the weekly cycle is inside every week already.
- **Recent** (fallback: less history, no value a season ago, or year grain): the value against the median and MAD
  of the last :data:`RECENT` periods with data (at least :data:`MIN_RECENT`; else no check).

Score = (change − median change) ÷ (MAD × 1.4826), the fallback's (value − median) ÷ (MAD × 1.4826), with the MAD
of ``statsmodels.robust.scale.mad`` normalised to σ: Iglewicz & Hoaglin's (1993) modified z. Unusual when
|score| > :data:`THRESHOLD` (3.5, their recommended cut-off); expected range = expected ± 3.5 × scale (for ratios
the value a season ago × e^(median ± 3.5 × scale), not symmetric). When the MAD is 0 (more than half the periods
share one value) the scale is the mean absolute deviation × 1.2533 (also σ-normalised); when that is 0 too
(every period equal) there is no score, the range is that one value and any other value is unusual (no division
by zero).

Why not STL (Cleveland et al. 1990) on the residuals: with the two or three years a shop has, each week-of-year
has only 2–3 points, so STL's seasonal component absorbs the noise and its residuals understate the usual
variation (on a simulated weekly series with σ = 40 the residual-based range was about 2 wide, and a 10σ spike
was never flagged; on the seasonally adjusted series half of ordinary weeks were flagged). The year-over-year
change keeps the noise of both years in every comparison, so its MAD is the right yardstick (same simulation:
1–2 % of ordinary weeks flagged, about 90 % of 10σ spikes).

A period counted in part (a week in progress) is compared with last year's same days when the caller has them
(the scorecard does), else judged on a full-period scale. Ranges are clipped to what the KPI can take (a share
0–1, NPS ±100, amounts ≥ 0).

Gaps: periods without data are skipped: a change needs both years' values; periods before the KPI's first data
are left out. Nothing is interpolated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.robust.scale import mad

from i18n import N_, _

SEASON = {"week": 52, "month": 12, "quarter": 4}  # periods per year: a season back is the same period last year
RECENT = 13  # the window of both checks: the last periods with data ...
MIN_RECENT = 8  # ... of which at least this many (else no check)
THRESHOLD = 3.5  # |robust z| above this is unusual (Iglewicz & Hoaglin 1993)
MEAN_AD_TO_SIGMA = math.sqrt(math.pi / 2)  # 1.2533: mean absolute deviation → σ for normal data

METHOD_SEASONAL = {
    "week": N_("robust z (median/MAD) of the change on the same week last year, last 13 weeks"),
    "month": N_("robust z (median/MAD) of the change on the same month last year, last 13 months"),
    "quarter": N_("robust z (median/MAD) of the change on the same quarter last year, last 13 quarters"),
}
METHOD_RECENT = {
    "week": N_("robust z (median/MAD) over the last 13 weeks"),
    "month": N_("robust z (median/MAD) over the last 13 months"),
    "quarter": N_("robust z (median/MAD) over the last 13 quarters"),
    "year": N_("robust z (median/MAD) over the last 13 years"),
}


@dataclass(frozen=True)
class Unusual:
    """The expected range ``[low, high]`` of a period's value, how far outside the usual variation the value is
    (``score``, a robust z) and whether that is ``unusual``; ``method`` names the method used (in the run's
    language)."""

    low: float
    high: float
    score: float | None
    unusual: bool
    method: str


def history_needed(grain: str) -> int:
    """How many periods before the shown one the check can use at ``grain`` (0: no check at this grain): a season
    plus :data:`RECENT` periods where there is a season, else the fallback's :data:`RECENT` (year); none at day
    or custom."""
    if grain in SEASON:
        return SEASON[grain] + RECENT
    return RECENT if grain == "year" else 0


def check_unusual(history: Sequence[float | None], value: float | None, grain: str, unit: str | None = None,
                  share: float = 1.0, ago: float | None = None) -> Unusual | None:
    """``value`` (the shown period's) against ``history`` (the periods before it, oldest first, None where a period
    has no data); None when there is too little history or no value.

    ``unit`` (the KPI's) decides how changes are measured and bounds the range: relative changes for amounts and
    counts, differences for shares (``percent``) and scores (NPS); shares stay within 0–1, NPS within ±100,
    amounts at 0 or above. For a period counted in part, ``ago`` is last year's value over the same days (then
    ``value`` is compared with it as it is); without it a flow's value covering ``share`` of the period is judged
    on a full-period scale (value ÷ share) and its range given back for the part counted."""
    value, ago = _number(value), _number(ago)
    if value is None or history_needed(grain) == 0:
        return None
    known = [_number(v) for v in history]
    while known and known[0] is None:  # before the KPI's data starts
        known.pop(0)
    relative = unit not in ("percent", "score")
    if ago is not None:
        check = _seasonal(known, value, grain, relative, ago)
        if check is not None:
            return _bounded(check, unit)
    scale = share if 0 < share < 1 else 1.0
    full = value / scale
    check = _seasonal(known, full, grain, relative)
    if check is None:
        recent = [v for v in known if v is not None][-RECENT:]
        if len(recent) < MIN_RECENT:
            return None
        centre = float(np.median(recent))
        check = _judge(full, centre, _scale(np.asarray(recent) - centre), _(METHOD_RECENT[grain]))
    check = _bounded(check, unit)
    return Unusual(check.low * scale, check.high * scale, check.score, check.unusual, check.method)


BOUNDS = {"percent": (0.0, 1.0), "score": (-100.0, 100.0)}  # other units: 0 and above


def _bounded(check: Unusual, unit: str | None) -> Unusual:
    """``check`` with its range clipped to what the KPI's ``unit`` can take (a share within 0–1, NPS within ±100,
    an amount or count at 0 or above)."""
    low, high = BOUNDS.get(unit or "", (0.0, math.inf))
    return Unusual(min(max(check.low, low), high), max(min(check.high, high), low), check.score, check.unusual,
                   check.method)


def expected_bands(values: pd.Series, grain: str, unit: str | None = None) -> pd.DataFrame:
    """For a chart: each period's expected range from the periods before it. ``values`` is indexed by period start
    (oldest first); the result has the same index and columns ``expected_low``, ``expected_high`` (NaN where there
    is too little history).

    Each period is judged exactly as the scorecard judges it (:func:`check_unusual` of its value against the
    periods before it), so the band and the "unusual" badge agree; a period without a value has no band."""
    items = [_number(v) for v in values.tolist()]
    low, high = [], []
    for i, value in enumerate(items):
        check = check_unusual(items[:i], value, grain, unit)
        low.append(check.low if check else math.nan)
        high.append(check.high if check else math.nan)
    return pd.DataFrame({"expected_low": low, "expected_high": high}, index=values.index)


def _seasonal(known: list[float | None], value: float, grain: str, relative: bool = True,
              ago: float | None = None) -> Unusual | None:
    """The year-over-year check, or None when it does not apply (no season, no value a season ago, fewer than
    :data:`MIN_RECENT` of the last :data:`RECENT` periods with a year-over-year change). ``ago``: the value a season
    ago to compare with (default: the whole period a season ago, from ``known``); ``relative``: changes as ratios
    where every value is positive (else, and for shares and scores, differences)."""
    period = SEASON.get(grain)
    if period is None or len(known) < period:
        return None
    ago = known[-period] if ago is None else ago
    if ago is None:
        return None
    last = range(max(period, len(known) - RECENT), len(known))  # the last RECENT periods with a season before
    pairs = [(known[i - period], known[i]) for i in last if known[i - period] is not None and known[i] is not None]
    if len(pairs) < MIN_RECENT:
        return None
    if relative and value > 0 and ago > 0 and all(a > 0 and b > 0 for a, b in pairs):  # relative changes (logs)
        recent = np.log([b / a for a, b in pairs])
        centre = float(np.median(recent))
        scale = _scale(recent - centre)
        check = _judge(math.log(value / ago), centre, scale, _(METHOD_SEASONAL[grain]))
        return Unusual(ago * math.exp(check.low), ago * math.exp(check.high), check.score, check.unusual,
                       check.method)
    recent = np.asarray([b - a for a, b in pairs])
    centre = float(np.median(recent))
    return _judge(value, ago + centre, _scale(recent - centre), _(METHOD_SEASONAL[grain]))


def _scale(deviations: np.ndarray) -> float:
    """The usual variation as a σ: the MAD ÷ 0.6745 (i.e. ×1.4826), else the mean absolute deviation ×1.2533
    when more than half the deviations are 0; 0 when all are."""
    spread = float(mad(deviations, center=0.0))
    return spread if spread > 0 else float(np.mean(np.abs(deviations))) * MEAN_AD_TO_SIGMA


def _judge(value: float, expected: float, scale: float, method: str) -> Unusual:
    """The verdict for ``value`` against ``expected`` ± :data:`THRESHOLD`·``scale``."""
    if scale <= 0:  # every period the same: that value is expected, any other is unusual (no finite score)
        return Unusual(expected, expected, None, not math.isclose(value, expected, abs_tol=1e-12), method)
    score = (value - expected) / scale
    return Unusual(expected - THRESHOLD * scale, expected + THRESHOLD * scale, score, abs(score) > THRESHOLD, method)


def _number(value) -> float | None:
    """``value`` as a float; None for None and NaN (a period without data)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
