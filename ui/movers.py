"""The "channels that moved it" table of a KPI's change between two periods (see metrics/contribution.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n import N_, _
from metrics.catalog import KPI
from metrics.contribution import DECOMPOSITION, is_ratio, volume_label
from metrics.format import format_delta, format_share, format_value
from reports.csv_safe import to_csv
from ui.bidi import column_order

MIX_ONLY = N_("mix only")
# The frame's column ids (English, tested) and their headers, translated where shown.
HEADERS = {"channel": N_("channel"), "last week": N_("last week"), "this week": N_("this week"),
           "contribution": N_("contribution"), "own rate": N_("own rate"), "mix": N_("mix"),
           "share of change": N_("share of change")}


def movers_caption(kpi: KPI) -> str:
    """One sentence saying what a contribution to ``kpi``'s change is (and, for a ratio, its two parts)."""
    if not is_ratio(kpi):
        return _("Contribution: each channel's own change in {kpi} week over week; the contributions add up to the "
                 "total change.").format(kpi=_(kpi.label))
    return _("Contribution: each channel's part of the week-over-week change in {kpi} (they add up to the change), "
             "split into its own {kpi} moving (own rate) and its share of {volume} moving (mix); a channel marked "
             "\"{mix_only}\" has no value of its own.").format(kpi=_(kpi.label), volume=_(volume_label(kpi)),
                                                              mix_only=_(MIX_ONLY))


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
        table["mix"] = [format_delta(v, kpi.unit) + ("" if o else f" ({_(MIX_ONLY)})")
                        for v, o in zip(movers["mix_effect"], own)]
    table["share of change"] = [format_share(v) for v in movers["share_of_change"]]
    return table


def movers_table(movers: pd.DataFrame, kpi: KPI, file_name: str, key: str) -> None:
    """The contributions of each channel to ``kpi``'s change, formatted, with a CSV download."""
    st.markdown("**" + _("Channels that moved it week over week") + "**")
    st.caption(movers_caption(kpi))
    frame = movers_frame(movers, kpi)
    st.dataframe(frame, hide_index=True, width="stretch", column_order=column_order(list(frame.columns)),
                 column_config=movers_column_config(kpi))
    st.download_button("CSV", to_csv(movers), file_name, "text/csv", key=key, icon=":material/download:")


def movers_column_config(kpi: KPI) -> dict:
    """Translated headers of :func:`movers_frame`, with what contribution, own rate and mix mean on hover."""
    label, volume = _(kpi.label), _(volume_label(kpi)) if is_ratio(kpi) else ""
    config = {column: st.column_config.TextColumn(_(header)) for column, header in HEADERS.items()}
    config["contribution"] = st.column_config.TextColumn(_(HEADERS["contribution"]), help=_(
        "This channel's part of the total change; the column adds up to the change."))
    config["own rate"] = st.column_config.TextColumn(_(HEADERS["own rate"]), help=_(
        "The channel's own {kpi} change, weighted by its share of this week's {volume} ({method}).").format(
        kpi=label, volume=volume, method=_(DECOMPOSITION)))
    config["mix"] = st.column_config.TextColumn(_(HEADERS["mix"]), help=_(
        "The channel's change in {volume}, valued at how far its last-week {kpi} was from the overall one: more "
        "{volume} from a channel above the overall {kpi} pulls the total up. Own rate + mix = contribution.").format(
        kpi=label, volume=volume))
    return config
