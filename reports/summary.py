"""What every delivery of the weekly review says first: the headline counts, the KPIs off track and at risk
with the channel that moved each most, and the open actions. Read from ``metrics.review.weekly_review``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from i18n import _, is_rtl, ngettext
from i18n.numerals import localize_digits
from metrics.date_text import period_code
from metrics.scorecard import KpiResult

# Headline order: the counts a reader looks for first.
HEADLINE_STATUSES = ("on_track", "at_risk", "off_track")


@dataclass(frozen=True)
class TopMover:
    """The channel whose change moved a KPI most this week (largest absolute contribution)."""

    channel: str
    contribution: float  # in the KPI's unit (percentage points for a rate)


def headline(review: dict) -> str:
    """'Weekly KPI review 2026-W46: 15 on track, 5 at risk, 2 off track' (the e-mail subject, the chat title)."""
    counts = review["counts"]
    parts = {
        "on_track": ngettext("{n} on track", "{n} on track", counts["on_track"]),
        "at_risk": ngettext("{n} at risk", "{n} at risk", counts["at_risk"]),
        "off_track": ngettext("{n} off track", "{n} off track", counts["off_track"]),
    }
    comma = "، " if is_rtl() else ", "  # the Persian and Arabic comma
    text = comma.join(parts[s].format(n=localize_digits(str(counts[s]))) for s in HEADLINE_STATUSES)
    return _("Weekly KPI review {week}: {counts}").format(week=period_code(review["week"]), counts=text)


def top_mover(review: dict, item: KpiResult) -> TopMover | None:
    """The channel that moved ``item`` most (None when the week's change cannot be split by channel)."""
    frame = review["movers"].get(item.id)
    if frame is None or frame.empty or frame["contribution"].isna().all():
        return None
    row = frame.loc[frame["contribution"].abs().idxmax()]
    return TopMover(str(row["member"]), float(row["contribution"]))


def open_actions(review: dict) -> pd.DataFrame:
    """The open actions of this review and earlier ones, soonest due first (no due date last)."""
    frames = [f for f in (review["actions"], review["follow_up"]) if not f.empty]
    if not frames:
        return review["actions"].iloc[0:0]
    both = pd.concat(frames, ignore_index=True)
    both = both[both["status"] == "open"].drop_duplicates("id")
    return both.assign(_due=pd.to_datetime(both["due_date"])).sort_values("_due", na_position="last")
