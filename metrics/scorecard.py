"""The scorecard: every KPI for a period with its previous period, change and sparkline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine

from i18n import _, ngettext
from metrics.catalog import KPI, KPIS, get_kpi, kpi_label, sources_of
from metrics.chance import probability_on_target
from metrics.completeness import Coverage, complete_through, count_text, coverage, day_text
from metrics.engine import Filters, compute, split_unknown
from metrics.pacing import elapsed, pace
from metrics.periods import Period, last_year, previous, shift
from metrics.trend_test import TREND_PERIODS, Trend, kpi_trend
from metrics.trends import data_start
from metrics.unusual import check_unusual, history_needed
from warehouse.snapshot import in_snapshot

SPARKLINE_PERIODS = 13
MIN_SHARE_JUDGED = 0.5  # an unfinished period is checked for being unusual once half of its days are counted


@dataclass
class KpiResult:
    """One KPI's figures for a period (the ``report`` JSON item)."""

    id: str
    s: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    change_pct: float | None
    reason: str | None
    change_abs: float | None = None
    better: str = "higher"
    sparkline: list[float | None] = field(default_factory=list)
    target: float | None = None
    expected: float | None = None
    forecast: float | None = None
    status: str = "no_target"
    target_method: str | None = None
    last_year: float | None = None
    change_pct_last_year: float | None = None
    in_progress: bool = False
    complete_through: date | None = None  # set when the KPI's data ends before the period (or today) does
    partial: bool = False
    trend: Trend | None = None  # Mann–Kendall / Theil–Sen over the 13 periods ending with this one
    expected_range: tuple[float, float] | None = None  # in the shown value's terms (the days counted so far)
    unusual: bool | None = None
    unusual_score: float | None = None
    unusual_method: str | None = None
    probability_on_target: float | None = None  # flows with a target in an unfinished period

    def as_report(self) -> dict:
        """The public JSON shape of ``cli.py report`` (keys are a contract: extend, never rename)."""
        keys = ("id", "s", "label", "unit", "value", "previous", "change_pct", "reason", "target", "expected",
                "forecast", "status", "last_year", "change_pct_last_year", "target_method", "complete_through",
                "partial", "unusual", "unusual_score", "probability_on_target")
        out = {k: getattr(self, k) for k in keys}
        out["complete_through"] = self.complete_through.isoformat() if self.complete_through else None
        out["trend"] = self.trend.as_report() if self.trend else None
        out["expected_range"] = list(self.expected_range) if self.expected_range else None
        return out


ATTENTION_ORDER = {"off_track": 0, "at_risk": 1}


def needing_attention(items: list[KpiResult]) -> list[KpiResult]:
    """The off-track KPIs, then the at-risk ones, each in the catalog's order."""
    flagged = [i for i in items if i.status in ATTENTION_ORDER]
    return sorted(flagged, key=lambda i: ATTENTION_ORDER[i.status])


def why_nothing_judged(items: list[KpiResult], span: str) -> str | None:
    """Why no KPI of ``items`` is on track, at risk or off track (None when some is): no targets ``span``, or no
    data for the KPIs that have one (with the first reason given), e.g. when the data ends before the period."""
    if any(i.status in ("on_track", "at_risk", "off_track") for i in items):
        return None
    planned = [i for i in items if i.target is not None]
    if not planned:
        return _("No targets are set {span}").format(span=span)
    reason = next((i.reason for i in planned if i.reason), None)
    if reason:
        return _("No KPI with a target has data {span} ({reason})").format(span=span, reason=reason)
    return _("No KPI with a target has data {span}").format(span=span)


def partial_headline(items: list[KpiResult], span: str | None = None) -> str | None:
    """'3 KPIs have incomplete data this week: …' (None when every KPI's data is complete). ``span`` says when,
    in the reader's language (default: 'this period')."""
    partial = [i for i in items if i.partial]
    if not partial:
        return None
    first = min(i.complete_through for i in partial)
    return ngettext(
        "{count} KPI has incomplete data {span} (data through {day} at the earliest): each is judged on the days "
        "its data covers and compared with as many days before, never counted as zero.",
        "{count} KPIs have incomplete data {span} (data through {day} at the earliest): each is judged on the days "
        "its data covers and compared with as many days before, never counted as zero.",
        len(partial),
    ).format(count=count_text(len(partial)), span=span or _("this period"),
             day=day_text(first, "%d %b %Y"))


def unknown_headline(items: list[KpiResult], span: str | None = None) -> str | None:
    """'New users is unknown this week, shown as “—” (never as 0): the web traffic data for 2–8 Nov 2026 has no
    new users (…).' — the KPIs whose rows lack a measure they need, with the cause of each (None when none are).
    ``span`` says when, in the reader's language (default: 'this period')."""
    unknown = [(i, split_unknown(i.reason)) for i in items if i.value is None]
    unknown = [(i, parts[1]) for i, parts in unknown if parts]
    if not unknown:
        return None
    span = span or _("this period")
    by_cause: dict[str, list[str]] = {}
    for item, cause in unknown:
        by_cause.setdefault(cause, []).append(item.label)
    if len(unknown) == 1:
        return _("{kpi} is unknown {span}, shown as “—” (never as 0): {cause}.").format(
            kpi=unknown[0][0].label, span=span, cause=unknown[0][1])
    causes = _("; ").join(_("{kpis}: {cause}").format(kpis=_(", ").join(labels), cause=cause)
                          for cause, labels in by_cause.items())
    return ngettext("{count} KPI is unknown {span}, shown as “—” (never as 0): {causes}.",
                    "{count} KPIs are unknown {span}, shown as “—” (never as 0): {causes}.", len(unknown)).format(
        count=count_text(len(unknown)), span=span, causes=causes)


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def change_pct(value: float | None, before: float | None) -> float | None:
    """Relative change as a fraction; None when either side is unknown or the base is zero."""
    if value is None or before is None or before == 0:
        return None
    return (value - before) / abs(before)


def _to_date(period: Period, days: int) -> Period:
    """The first ``days`` days of ``period``, never past its end (comparisons of an unfinished period are like
    for like; 30 days of March compare with all 28 of February, never with 1-2 March)."""
    return Period("custom", period.start, min(period.end, period.start + timedelta(days=days - 1)))


def comparison_windows(period: Period, today: date, through: date | None = None
                       ) -> tuple[Period | None, Period, Period]:
    """The days of ``period`` that count (before ``today`` and, when given, up to ``through``, the last day
    the data covers; None when there are none), and the previous period and the same period last year to
    compare them with: for an unfinished or partial period, only as many days of each."""
    done = elapsed(period, today)
    if done and through is not None and through < done.end:
        done = Period("custom", period.start, through) if through >= period.start else None
    before, ly = previous(period), last_year(period)
    if done and done.days < period.days:
        return done, _to_date(before, done.days), _to_date(ly, done.days)
    return done, before, ly


def _values(engine: Engine, ids: list[str], window: Period | None, filters: Filters,
            ends: dict[str, date | None], why_none: str | None = None) -> pd.DataFrame:
    if window is None:
        return pd.DataFrame({"value": float("nan"), "reason": why_none or _("the period has not started")}, index=ids)
    return compute(engine, ids, window.start, window.end, "custom", filters, ends=ends).set_index("kpi_id")


def _coverage_by_kpi(ids: list[str], period: Period, today: date, ends: dict[str, date | None]
                     ) -> dict[str, Coverage | None]:
    """How much of the elapsed part of ``period`` each KPI's sources cover (None: none of it has passed)."""
    done = elapsed(period, today)
    if done is None:
        return dict.fromkeys(ids)
    return {k: coverage([s.name for s in sources_of(get_kpi(k))], done.start, done.end, ends) for k in ids}


@in_snapshot
def scorecard(engine: Engine, period: Period, filters: Filters = Filters(), kpi_ids: list[str] | None = None,
              sparkline: bool = True, today: date | None = None) -> list[KpiResult]:
    """All (or the given) KPIs for ``period``: value, previous period, same period last year, sparkline,
    and the plan (target, expected to date, forecast, status).

    For an unfinished period, values cover the days before ``today``; for a KPI whose data ends earlier
    (partial), the days its data covers. Comparisons then cover as many days of the previous period and of
    last year, and the plan is judged on those days: a KPI is never off track because days are missing.
    """
    from metrics.targets import load_targets, resolve_target, share_of

    today = today or date.today()
    ids = kpi_ids or [k.id for k in KPIS]
    in_progress = period.end >= today
    ends = complete_through(engine)
    covers = _coverage_by_kpi(ids, period, today, ends)
    windows: dict[date | None, tuple] = {}
    figures: dict[str, tuple] = {}
    for through in dict.fromkeys(c.through if c else None for c in covers.values()):
        group = [k for k in ids if (covers[k].through if covers[k] else None) == through]
        done, before, ly = comparison_windows(period, today, through)
        why = next((c.reason() for k in group if (c := covers[k]) is not None and c.partial), None)
        frames = [_values(engine, group, w, filters, ends, why)
                  for w in (done, before, ly)]
        windows[through] = (done, before, ly)
        figures.update({k: tuple(f.loc[k] for f in frames) for k in group})
    history, starts = None, []
    if period.grain not in ("custom", "day"):  # sparkline and statistics: the periods up to this one
        count = max(SPARKLINE_PERIODS, TREND_PERIODS, history_needed(period.grain) + 1)
        starts = [shift(period, -i).start for i in range(count - 1, -1, -1)]
        history = compute(engine, ids, starts[0], min(period.end, today - timedelta(days=1)), period.grain,
                          filters, ends=ends)
    targets, profiles = load_targets(engine), {}
    channel = filters.channel or ""
    results = []
    for kpi_id in ids:
        kpi = get_kpi(kpi_id)
        cover = covers[kpi_id]
        current, prior, a_year_ago = figures[kpi_id]
        done = windows[cover.through if cover else None][0]
        value = _number(current["value"])
        before_value = _number(prior["value"])
        ly_value = _number(a_year_ago["value"])
        series = []
        if history is not None:
            mine = history[history["kpi_id"] == kpi_id].set_index("period_start")["value"]
            series = [_number(mine.get(start)) for start in starts]
        target = None if filters.campaign else resolve_target(engine, kpi_id, period, channel, targets, profiles)
        share = None
        if target and kpi.kind == "flow" and done and done.days < period.days:
            share, _ = share_of(engine, kpi_id, period, done, channel, profiles)
        partial = bool(cover and cover.partial)
        plan = pace(kpi, value, period, today, target.value if target else None, share,
                    through=cover.through if partial else None)
        reason = current["reason"] if value is None or not partial else cover.reason()
        counted = done.days / period.days if done else 0.0
        stats = _statistics(kpi, _from_data_start(series[:-1], starts, data_start(engine, kpi_id)), value,
                            plan.elapsed_share if counted < 1 else 1.0, counted, ly_value, period.grain)
        chance = None
        if target and kpi.kind == "flow" and in_progress and done and value is not None:
            chance = probability_on_target(engine, kpi, period, filters, target.value, value,
                                           cover.through if partial else done.end)
        results.append(KpiResult(
            id=kpi.id, s=kpi.s, label=kpi_label(kpi), unit=kpi.unit, value=value, previous=before_value,
            change_pct=change_pct(value, before_value), reason=reason,
            change_abs=None if value is None or before_value is None else value - before_value,
            better=kpi.better, sparkline=_spark(series, starts, today) if sparkline else [], target=plan.target,
            expected=plan.expected, forecast=plan.forecast, status=plan.status,
            target_method=target.description if target else None,
            last_year=ly_value, change_pct_last_year=change_pct(value, ly_value), in_progress=in_progress,
            complete_through=cover.through if partial else None, partial=partial, probability_on_target=chance,
            **stats,
        ))
    return results


def _spark(series: list[float | None], starts: list[date], today: date) -> list[float | None]:
    """The sparkline: the last :data:`SPARKLINE_PERIODS` periods of ``series`` that have begun before ``today``."""
    return [v for v, start in zip(series[-SPARKLINE_PERIODS:], starts[-SPARKLINE_PERIODS:]) if start < today]


def _from_data_start(series: list[float | None], starts: list[date], first: date | None) -> list[float | None]:
    """``series`` without the period that begins before the KPI's data does (``first``): a quarter holding the
    data's first month is no quarter's value, and would read as a fall in the trend and widen the usual range."""
    return [None if first is not None and start < first else v for v, start in zip(series, starts)]


def _statistics(kpi: KPI, before: list[float | None], value: float | None, share: float, counted: float,
                same_days_last_year: float | None, grain: str) -> dict:
    """The trend and unusual fields of a KPI whose periods before the shown one had ``before`` (oldest first) and
    whose shown value is ``value``.

    A period counted in part (``counted``, the share of its days, < 1: in progress or partial data) is compared
    with last year's same days (``same_days_last_year``) where there is a year of history; otherwise a flow's value
    (``share`` of the period's target due) is judged on a full-period scale, its range given back for the part
    counted. A period less than half over is too early to judge: a day or two of a rate or a run rate varies far
    more than a whole period does (on the demo, a Monday alone flagged 5 KPIs). Its trend is that of the periods
    before it, and it is not checked for being unusual."""
    if value is None or grain in ("custom", "day"):
        return {}
    scale = share if kpi.kind == "flow" and 0 < share < 1 else 1.0
    early = counted < MIN_SHARE_JUDGED
    out: dict = {"trend": kpi_trend(before[-(TREND_PERIODS - 1):] + [None if early else value / scale])}
    ago = same_days_last_year if counted < 1 else None
    if not early and (check := check_unusual(before, value, grain, kpi.unit, scale, ago)):
        out.update(expected_range=(check.low, check.high), unusual=check.unusual, unusual_score=check.score,
                   unusual_method=check.method)
    return out


def trend(engine: Engine, kpi_id: str, last: Period, periods: int = 26, filters: Filters = Filters(),
          breakdown: str | None = None) -> pd.DataFrame:
    """One KPI over the ``periods`` periods ending with ``last``: period_start, [breakdown], value, reason."""
    first = shift(last, -(periods - 1))
    frame = compute(engine, [kpi_id], first.start, last.end, last.grain, filters, breakdown)
    return frame.drop(columns="kpi_id")
