"""The campaign performance table as Streamlit shows it: columns, number formats, sparklines, highlights.

On screen a table shows a compact subset of its columns, each with a fixed width, so that it fits a 1440 px
wide window without sideways scrolling (the name column pinned); the CSV keeps every column. The frame's columns
keep their ids; the headers are translated in :func:`column_config`. In a right-to-left language the columns are
shown in reverse order (:func:`ui.bidi.column_order`), the name column at the right; Streamlit's grid itself (scrollbar,
cell alignment, pinning to the left edge) cannot be mirrored, so there the name column is not pinned.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n import N_, _, is_rtl
from metrics.campaigns import CHANGE_COLUMNS, COLUMN_SETS, COLUMNS, LEVEL_LABELS, SPARKLINE_COLUMNS, TOTAL
from metrics.format import format_change, format_value
from reports.csv_safe import to_csv
from ui.grains import grain_count, grain_name

MISS_STYLE = "background-color: rgba(232, 97, 90, 0.35)"  # the status red, see ui.cards
TOTAL_STYLE = "font-weight: bold"
ROW_HEIGHT = 35  # Streamlit's data grid: header and rows are 35 px high

# What the screen shows of each KPI set (the CSV has all of shown_columns): the sorted-by column is added when
# it is not among them. Sessions, CPC, new customers, the orders and cost changes and the ROAS sparkline are in
# the CSV only (CPC and new customers also on screen when the table is sorted by them).
DISPLAY_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("orders", "revenue", "revenue_change", "conversion_rate", "cost", "cpa", "roas", "roas_change",
              "revenue_trend", "flags"),
    "traffic": ("sessions", "sessions_change", "new_users", "engagement_rate", "engagement_rate_change",
                "engagement_time", "web_purchases", "web_revenue", "sessions_trend"),
}
SHORT_LABELS = {"conversion_rate": N_("Conv. rate"), "new_customers": N_("New cust."), "engagement_rate": N_("Engaged"),
                "engagement_time": N_("Eng. time"), "web_purchases": N_("Purchases"), "web_revenue": N_("Web revenue")}
# Widths in px: the widest value the demo shop shows ('$123,456', '+123.4%') plus the cell padding.
WIDTHS = {"member": 176, "channel": 100, "orders": 56, "revenue": 76, "conversion_rate": 72, "cost": 72,
          "cpa": 64, "roas": 56, "cpc": 58, "new_customers": 72, "sessions": 70, "new_users": 72,
          "engagement_rate": 64, "engagement_time": 64, "web_purchases": 72, "web_revenue": 92}
CHANGE_WIDTH, TREND_WIDTH, FLAGS_WIDTH, SENTENCE_WIDTH = 60, 64, 112, 340
SHORT_FLAGS = (("roas_miss", "ROAS"), ("cpa_miss", "CPA"), ("cost_without_revenue", N_("cost↑")))


def _formatter(column: str):
    """How a cell of ``column`` reads: the cards' formats ('$1,234', '3.4%', '+4.2%'), '—' when unknown."""
    if column.endswith("_change"):
        return lambda v: format_change(None if pd.isna(v) else float(v))
    unit = COLUMNS[column].unit
    return lambda v: format_value(None if pd.isna(v) else float(v), unit)


def shown_columns(column_set: str, level: str) -> list[str]:
    """The frame columns a table shows, in order."""
    names = ["member", *(["channel"] if level == "attention" else [])]
    for col in COLUMN_SETS[column_set]:
        names.append(col)
        if col in CHANGE_COLUMNS[column_set]:
            names.append(f"{col}_change")
    names += [f"{c}_trend" for c in SPARKLINE_COLUMNS[column_set]]
    return names + (["flags"] if column_set == "sales" else [])


def display_columns(column_set: str, level: str, sort_column: str | None = None) -> list[str]:
    """The frame columns the screen shows, in order: the name, the set's compact columns and, when it is not
    among them, ``sort_column`` (what the table is sorted by) before the sparkline and the flags."""
    names = ["member", *DISPLAY_COLUMNS[column_set]]
    if sort_column and sort_column not in names:
        names.insert(next(i for i, c in enumerate(names) if c.endswith("_trend") or c == "flags"), sort_column)
    return names


def short_flags(frame: pd.DataFrame) -> list[str]:
    """What a row is flagged for, in a word each ('ROAS · CPA · cost↑'); the full sentences are in ``flags``."""
    return [" · ".join(_(word) for flag, word in SHORT_FLAGS if flag in frame and bool(row.get(flag) or False))
            for row in frame.to_dict("records")]


def column_config(column_set: str, level: str, grain: str) -> dict:
    """Short labels, fixed widths, formats and sparklines for every column a table of ``column_set`` can show;
    the full name and formula on hover."""
    long_flags = level == "attention"
    config: dict = {
        "member": st.column_config.TextColumn(_(LEVEL_LABELS.get(level, "Campaign")), pinned=not is_rtl(),
                                              width=WIDTHS["member"]),
        "channel": st.column_config.TextColumn(_("Channel"), width=WIDTHS["channel"]),
        "flags": st.column_config.TextColumn(
            _("Needs attention") if long_flags else _("Flags"), width=SENTENCE_WIDTH if long_flags else FLAGS_WIDTH,
            help=None if long_flags else _("ROAS or CPA off the channel's target, or cost up while revenue is not "
                                           "(cost↑); the campaigns that need attention and the CSV say by how much"))}
    for col in COLUMN_SETS[column_set]:
        spec = COLUMNS[col]
        label = _(spec.label)
        config[col] = st.column_config.NumberColumn(
            _(SHORT_LABELS[col]) if col in SHORT_LABELS else label, width=WIDTHS[col],
            help=_("{column}. Formula: {formula}").format(column=label, formula=spec.formula))
        config[f"{col}_change"] = st.column_config.NumberColumn(
            "Δ", width=CHANGE_WIDTH, help=_("{column}: change against the previous {grain}").format(
                column=label, grain=grain_name(grain)))
    for col in SPARKLINE_COLUMNS[column_set]:
        config[f"{col}_trend"] = st.column_config.LineChartColumn(
            _("Trend"), width=TREND_WIDTH, help=_("{column} per {grain}, the last {count}, oldest first").format(
                column=_(COLUMNS[col].label), grain=grain_name(grain), count=grain_count(grain, 13)))
    return config


def table_height(rows: int, most: int) -> int:
    """A grid height in px that shows ``rows`` rows under the header, at most ``most`` (then it scrolls)."""
    return (min(rows, most) + 1) * ROW_HEIGHT + 3


def highlight(frame: pd.DataFrame) -> pd.DataFrame:
    """Cell styles: the missed ROAS / CPA cells and grown cost in red, the totals row bold."""
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for flag, col in (("roas_miss", "roas"), ("cpa_miss", "cpa"), ("cost_without_revenue", "cost")):
        if flag in frame and col in frame:
            styles.loc[frame[flag].fillna(False).astype(bool), col] = MISS_STYLE
    if "flags" in frame:
        styles.loc[frame["flags"].fillna("") != "", "flags"] = MISS_STYLE
    styles.loc[frame["member"] == TOTAL, :] = TOTAL_STYLE
    return styles


def styled(frame: pd.DataFrame, column_set: str, level: str, columns: list[str] | None = None,
           compact_flags: bool = False):
    """The frame cut to its shown columns (or ``columns``), formatted, with :func:`highlight` applied (a Styler);
    with ``compact_flags`` the flags read as :func:`short_flags`."""
    shown = [c for c in columns or shown_columns(column_set, level) if c in frame]
    styles = highlight(frame)
    if compact_flags and "flags" in frame:
        frame = frame.assign(flags=short_flags(frame))
    frame = frame.assign(member=frame["member"].replace(TOTAL, _(TOTAL)))  # the ids stay in the caller's frame
    for col in (c for c in shown if c.endswith("_trend")):  # a sparkline draws the known values (as the cards)
        frame = frame.assign(**{col: [[v for v in values if pd.notna(v)] for values in frame[col]]})
    numbers = {c: _formatter(c) for c in shown if c in COLUMNS or c.endswith("_change")}
    return frame[shown].style.apply(lambda _frame: styles[shown], axis=None).format(numbers, na_rep="—")


def csv_of(frame: pd.DataFrame, column_set: str, level: str) -> str:
    """What the table shows as CSV (sparklines as ';'-separated values, oldest first)."""
    shown = [c for c in shown_columns(column_set, level) if c in frame]
    out = frame[shown].copy()
    for col in (c for c in shown if c.endswith("_trend")):
        out[col] = [";".join("" if v is None or pd.isna(v) else f"{v:g}" for v in values) for values in out[col]]
    return to_csv(out)
