"""Google Ads: the Campaigns report segmented by Day, as "CSV" (UTF-8, comma) or "Excel .csv" (UTF-16, tab).

Both downloads put a title line and a date-range line above the header, and ``Total: …`` rows below the table
(skipped, never loaded). An empty count is `` --``. Percentage and average columns are not read.
"""

from __future__ import annotations

import pandas as pd

from connectors.formats.base import ExportFormat, Prepared, Section, mapped


def _prepare(section: Section, fmt: ExportFormat) -> Prepared:
    first_two = section.rows[[0, 1] if section.rows.shape[1] > 1 else [0]]
    totals = first_two.apply(lambda c: c.str.strip().str.lower().str.startswith("total:")).any(axis=1).to_numpy()
    prepared = mapped(section, fmt, keep=~totals)
    prepared.complete_through = _range_end(section.preamble)
    currencies = section.column("Currency code")
    if currencies is not None:
        prepared.warnings += _currency_warning(section.file, sorted(set(currencies[~totals]) - {"", "--"}))
    return prepared


def _currency_warning(file: str, used: list[str]) -> list[str]:
    """A warning when costs are not all in the warehouse currency (they are loaded as they are, not converted)."""
    from metrics.format import currency

    if len(used) > 1:
        return [f"{file}: the report mixes currencies ({', '.join(used)}); costs are added as they are."]
    if used and used[0].upper() != currency():
        return [f"{file}: costs are in {used[0]}, but the warehouse currency is {currency()} (KPI_CURRENCY): the "
                "amounts are loaded as they are, not converted."]
    return []


def _range_end(preamble: list[str]):
    """The last day of the date-range line (e.g. "November 9, 2026 - November 15, 2026"), or None."""
    for line in preamble:
        parts = line.strip().strip('"').split(" - ")
        if len(parts) == 2:
            end = pd.to_datetime(parts[1].strip().strip('"'), errors="coerce", format="mixed")
            if not pd.isna(end):
                return end.date()
    return None


CAMPAIGNS = ExportFormat(
    name="Google Ads campaign report",
    tool="Google Ads",
    kind="ad_spend",
    recognise=("Day", "Campaign", "Impr."),
    columns={
        "date": ("Day",),
        "campaign": ("Campaign",),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks",),
        "cost": ("Cost",),
    },
    constants={"platform": "google_ads"},
    prepare=_prepare,
    noun="campaign days",
    download="Campaigns → Campaigns, segment by Time → Day, then Download → “CSV” or “Excel .csv”; columns Day, "
             "Campaign, Impr., Clicks, Cost, Currency code (others are ignored).",
    example="examples/exports/google_ads_campaigns.csv",  # and variants/…_excel.csv (UTF-16)
    skips="The `Total: …` rows under the table (sums of the rows above).",
)

FORMATS = [CAMPAIGNS]
