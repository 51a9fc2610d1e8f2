"""The "channels that moved it" table of a KPI's change between two periods (see metrics/contribution.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.catalog import KPI
from metrics.contribution import DECOMPOSITION, is_ratio, volume_label
from metrics.format import format_delta, format_share, format_value
from reports.csv_safe import to_csv

MIX_ONLY = "mix only"


def movers_caption(kpi: KPI) -> str:
    """One sentence saying what a contribution to ``kpi``'s change is (and, for a ratio, its two parts)."""
    if not is_ratio(kpi):
        return (f"Contribution: each channel's own change in {kpi.label} week over week; "
                "the contributions add up to the total change.")
    volume = volume_label(kpi)
    return (f"Contribution: each channel's part of the week-over-week change in {kpi.label} (they add up to the "
            f"change), split into its own {kpi.label} moving (own rate) and its share of {volume} moving (mix); "
            f"a channel marked \"{MIX_ONLY}\" has no value of its own.")


def movers_frame(movers: pd.DataFrame, kpi: KPI) -> pd.DataFrame:
    """The contributions formatted for display: own rate and mix columns for a ratio KPI."""
    table = pd.DataFrame({
        "channel": movers["member"],
        "last week": [format_value(v, kpi.unit) for v in movers["before"]],
        "this week": [format_value(v, kpi.unit) for v in movers["after"]],
        "contribution": [format_delta(v, kpi.unit) for v in movers["contribution"]],
    })
    if is_ratio(kpi):
        own = movers["own_value"].astype(bool)
        table["own rate"] = [format_delta(v, kpi.unit) if o else "—" for v, o in zip(movers["rate_effect"], own)]
        table["mix"] = [format_delta(v, kpi.unit) + ("" if o else f" ({MIX_ONLY})")
                        for v, o in zip(movers["mix_effect"], own)]
    table["share of change"] = [format_share(v) for v in movers["share_of_change"]]
    return table


def movers_table(movers: pd.DataFrame, kpi: KPI, file_name: str, key: str) -> None:
    """The contributions of each channel to ``kpi``'s change, formatted, with a CSV download."""
    st.markdown("**Channels that moved it week over week**")
    st.caption(movers_caption(kpi))
    volume = volume_label(kpi) if is_ratio(kpi) else ""
    st.dataframe(movers_frame(movers, kpi), hide_index=True, width="stretch", column_config={
        "contribution": st.column_config.TextColumn(
            help="This channel's part of the total change; the column adds up to the change."),
        "own rate": st.column_config.TextColumn(
            help=f"The channel's own {kpi.label} change, weighted by its share of this week's {volume} "
                 f"({DECOMPOSITION})."),
        "mix": st.column_config.TextColumn(
            help=f"The channel's change in {volume}, valued at how far its last-week {kpi.label} was from the "
                 f"overall one: more {volume} from a channel above the overall {kpi.label} pulls the total up. "
                 f"Own rate + mix = contribution."),
    })
    st.download_button("CSV", to_csv(movers), file_name, "text/csv", key=key, icon=":material/download:")
