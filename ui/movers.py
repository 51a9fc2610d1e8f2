"""The "channels that moved it" table of a KPI's change between two periods (see metrics/contribution.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.catalog import KPI
from metrics.format import format_delta, format_share, format_value
from reports.csv_safe import to_csv


def movers_table(movers: pd.DataFrame, kpi: KPI, file_name: str, key: str) -> None:
    """The contributions of each channel to ``kpi``'s change, formatted, with a CSV download."""
    st.markdown("**Channels that moved it week over week** (contributions add up to the change)")
    table = pd.DataFrame({
        "channel": movers["member"],
        "last week": [format_value(v, kpi.unit) for v in movers["before"]],
        "this week": [format_value(v, kpi.unit) for v in movers["after"]],
        "contribution": [format_delta(v, kpi.unit) for v in movers["contribution"]],
        "share of change": [format_share(v) for v in movers["share_of_change"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    st.download_button("CSV", to_csv(movers), file_name, "text/csv", key=key, icon=":material/download:")
