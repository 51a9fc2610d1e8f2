"""Meta Ads Manager: a report exported as CSV or XLSX (Reports → Export table data), broken down by Day.

The day is a ``Day`` column, or ``Reporting starts``/``Reporting ends`` holding one day (a row spanning several days
is refused: it cannot be split per day). Rows may be campaigns, ad sets or ads: they are summed to campaign × day.
``Amount spent (USD)`` carries the account's currency in its header. A blank or ``-`` cell is empty (a campaign
day whose cells are all empty stays unknown, never 0); derived columns (CPC, CTR, cost per result …) are ignored;
a summary row (no campaign, ad set or ad name) is skipped.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from connectors.formats.base import ExportFormat, Prepared, Section, blank_dashes, problem, refuse
from connectors.tabular import Problem, normal
from connectors.values import parse_datetime, parse_number

SPENT = r"re:amount spent(?: \([a-z]{3}\))?"
DAY_EXPECTED = "a date as YYYY-MM-DD, e.g. 2026-11-09"
_CURRENCY = re.compile(r"amount spent \(([a-z]{3})\)")


def _prepare(section: Section, fmt: ExportFormat) -> Prepared:
    summary = _summary_rows(section)
    keep = np.flatnonzero(~summary)
    problems: list[Problem] = []
    days, day_at, ends = _days(section, keep, problems)
    campaign_at = section.position(fmt.columns["campaign"])
    campaigns = section.rows[campaign_at].str.strip().iloc[keep].to_numpy()
    problems += [problem(section, int(keep[i]), campaign_at, "a campaign name")
                 for i in np.flatnonzero(campaigns == "")]
    sums, header = {}, {}
    for name, expected in (("cost", "an amount such as 12.34 (a dot before decimals)"),
                           ("impressions", "a whole number such as 1234"), ("clicks", "a whole number such as 1234")):
        at = section.position(fmt.columns[name])
        if at is None:
            continue
        values, bad = parse_number(blank_dashes(section.rows[at].str.strip()).iloc[keep].reset_index(drop=True))
        problems += [problem(section, int(keep[i]), at, expected) for i in np.flatnonzero(bad.to_numpy())]
        sums[name], header[name] = values, section.header[at]
    if problems:
        raise refuse(section, fmt, sorted(problems, key=lambda p: (p.line, p.column)))
    frame = pd.DataFrame({"date": days, "campaign": campaigns, "line": section.lines[keep], **sums})
    grouped = frame.groupby(["date", "campaign"], sort=False)
    out = grouped[list(sums)].sum(min_count=1)  # an all-empty group stays empty (unknown), never 0
    lines = grouped["line"].min().to_numpy()
    prepared = _text(out, lines, section, day_at, campaign_at, header, fmt)
    if summary.any():
        prepared.skipped = {"summary row" if summary.sum() == 1 else "summary rows": int(summary.sum())}
    prepared.complete_through = ends
    prepared.warnings += _currency_warning(section)
    return prepared


def _summary_rows(section: Section) -> np.ndarray:
    """The export's summary row(s): no campaign, ad set or ad name."""
    names = [section.column(n) for n in ("Campaign name", "Ad set name", "Ad name")]
    empty = np.ones(len(section.rows), dtype=bool)
    for column in names:
        if column is not None:
            empty &= (column == "").to_numpy()
    return empty


def _days(section: Section, keep: np.ndarray, problems: list[Problem]) -> tuple[np.ndarray, int, date | None]:
    """Each kept row's day, the column it came from, and the export's last day (its latest ``Reporting ends``)."""
    day_at = section.position(("Day",))
    starts_at, ends_at = section.position(("Reporting starts",)), section.position(("Reporting ends",))
    ending = _dates(section, ends_at, keep, problems)
    last = ending.max().date() if ending.notna().any() else None
    if day_at is not None:  # Reporting starts/ends span the export's range; Day is the row's day
        return _dates(section, day_at, keep, problems).dt.date.to_numpy(), day_at, last
    starting = _dates(section, starts_at, keep, problems)
    spans = (starting.notna() & ending.notna() & (starting != ending)).to_numpy()
    problems += [problem(section, int(keep[i]), ends_at,
                         f"the same day as Reporting starts ({starting.iat[i].date().isoformat()}): this row is not "
                         "one day. In Ads Manager, export again with Breakdown → By time → Day")
                 for i in np.flatnonzero(spans)]
    return starting.dt.date.to_numpy(), starts_at, last


def _dates(section: Section, at: int, keep: np.ndarray, problems: list[Problem]) -> pd.Series:
    """Column ``at``'s dates (kept rows, as midnights); an empty or unreadable cell is a problem."""
    text = section.rows[at].str.strip().iloc[keep].reset_index(drop=True)
    values, bad, _ = parse_datetime(text)
    bad = (bad | (text == "")).to_numpy()
    problems += [problem(section, int(keep[i]), at, DAY_EXPECTED) for i in np.flatnonzero(bad)]
    return values.dt.normalize()


def _text(out: pd.DataFrame, lines: np.ndarray, section: Section, day_at: int, campaign_at: int,
          header: dict[str, str], fmt: ExportFormat) -> Prepared:
    """The summed campaign days as canonical text cells."""
    index = out.index.to_frame(index=False)
    frame = {"date": [d.isoformat() for d in index["date"]], "campaign": index["campaign"].to_numpy()}
    for name in out.columns:
        values = out[name].to_numpy(dtype=float)
        frame[name] = ["" if np.isnan(v) else str(int(round(v))) if name != "cost" else _amount(v) for v in values]
    for name, value in fmt.constants.items():
        frame[name] = [value] * len(out)
    names = {"date": section.header[day_at], "campaign": section.header[campaign_at], **header,
             **{name: f"({fmt.tool})" for name in fmt.constants}}
    return Prepared(pd.DataFrame(frame, dtype=object), np.asarray(lines, dtype=np.int64), names)


def _amount(value: float) -> str:
    """A summed amount as text, without float noise (0.1 + 0.2 -> 0.3)."""
    return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")


def _currency_warning(section: Section) -> list[str]:
    """A warning when ``Amount spent (XXX)`` is not in the warehouse currency (costs are loaded as they are)."""
    from metrics.format import currency

    for name in section.header:
        found = _CURRENCY.fullmatch(normal(name))
        if found and found.group(1).upper() != currency():
            return [f"{section.file}: “{name}” is in {found.group(1).upper()}, but the warehouse currency is "
                    f"{currency()} (KPI_CURRENCY): the amounts are loaded as they are, not converted."]
    return []


CAMPAIGN_DAYS = ExportFormat(
    name="Meta Ads Manager export",
    tool="Meta Ads Manager",
    kind="ad_spend",
    recognise=("Campaign name", "Reporting starts", "Reporting ends"),
    columns={
        "date": ("Day", "Reporting starts"),
        "campaign": ("Campaign name",),
        "impressions": ("Impressions",),
        "clicks": ("Link clicks", "Clicks (all)"),
        "cost": (SPENT,),
    },
    constants={"platform": "meta"},
    prepare=_prepare,
    noun="campaign days",
    download="Ads Manager → Campaigns, Ad sets or Ads, Breakdown → By time → Day, then Reports → Export table "
             "data → .csv or .xlsx; columns Day (or Reporting starts/ends), Campaign name, Amount spent (your "
             "currency), Impressions, Link clicks or Clicks (all) (others are ignored); ad and ad set rows are "
             "summed per campaign and day.",
    example="examples/exports/meta_ads_manager.csv",
    skips="The summary row (no campaign name); every other column (Reach, Results, CPC, CTR, cost per result …), "
          "which the dashboard recomputes from the sums.",
    labels={"cost": "Amount spent (USD) (or your account's currency code)"},
)

FORMATS = [CAMPAIGN_DAYS]

__all__ = ["CAMPAIGN_DAYS", "FORMATS"]
