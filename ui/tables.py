"""The campaign performance table as Streamlit shows it: columns, number formats, sparklines, highlights."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.campaigns import CHANGE_COLUMNS, COLUMN_SETS, COLUMNS, LEVEL_LABELS, SPARKLINE_COLUMNS, TOTAL
from metrics.format import format_change, format_value
from reports.csv_safe import to_csv

MISS_STYLE = "background-color: rgba(232, 97, 90, 0.35)"  # the status red, see ui.cards
TOTAL_STYLE = "font-weight: bold"


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


def column_config(column_set: str, level: str, grain: str) -> dict:
    """Labels, formats and sparklines for :func:`shown_columns`."""
    config: dict = {"member": st.column_config.TextColumn(LEVEL_LABELS.get(level, "Campaign"), pinned=True),
                    "channel": st.column_config.TextColumn("Channel"),
                    "flags": st.column_config.TextColumn("Needs attention", width="large")}
    for col in COLUMN_SETS[column_set]:
        spec = COLUMNS[col]
        config[col] = st.column_config.NumberColumn(spec.label, help=f"Formula: {spec.formula}")
        config[f"{col}_change"] = st.column_config.NumberColumn(f"{spec.label} vs previous",
                                                                help=f"Change against the previous {grain}")
    for col in SPARKLINE_COLUMNS[column_set]:
        config[f"{col}_trend"] = st.column_config.LineChartColumn(
            f"{COLUMNS[col].label}, last 13 {grain}s", help=f"{COLUMNS[col].label} per {grain}, oldest first")
    return config


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


def styled(frame: pd.DataFrame, column_set: str, level: str, columns: list[str] | None = None):
    """The frame cut to its shown columns (or ``columns``), formatted, with :func:`highlight` applied (a Styler)."""
    shown = [c for c in columns or shown_columns(column_set, level) if c in frame]
    styles = highlight(frame)
    numbers = {c: _formatter(c) for c in shown if c in COLUMNS or c.endswith("_change")}
    return frame[shown].style.apply(lambda _: styles[shown], axis=None).format(numbers, na_rep="—")


def csv_of(frame: pd.DataFrame, column_set: str, level: str) -> str:
    """What the table shows as CSV (sparklines as ';'-separated values, oldest first)."""
    shown = [c for c in shown_columns(column_set, level) if c in frame]
    out = frame[shown].copy()
    for col in (c for c in shown if c.endswith("_trend")):
        out[col] = [";".join("" if v is None or pd.isna(v) else f"{v:g}" for v in values) for values in out[col]]
    return to_csv(out)
