"""The compact scorecard: one row per KPI (value, change, target, status in colour and word, sparkline), and the
compact block of the KPIs that need attention."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from i18n import N_, _, is_rtl
from metrics.catalog import KPI_BY_ID
from metrics.format import format_change, format_value
from metrics.pacing import STATUS_LABELS
from metrics.scorecard import KpiResult, needing_attention, why_nothing_judged
from metrics.trend_test import TREND_PERIODS
from metrics.unusual_text import unusual_methods as named_methods
from ui.bidi import column_order, isolate, shown_period
from ui.cards import expected_so_far, kpi_links, partial_badge, status_badge
from ui.grains import grain_count
from ui.safe_text import md
from ui.state import Selection
from ui.stats_badges import alpha_text, chance_method, chance_share, trend_short, unusual_cell

# A mark every font draws, coloured with the word by the table (see _status_colour).
STATUS_MARK = {"on_track": "●", "at_risk": "●", "off_track": "●", "no_target": "○", "no_data": "○"}
STATUS_CSS = {"on_track": "#21c354", "at_risk": "#ff8c1a", "off_track": "#ff4b4b"}
ROW_HEIGHT = 35  # Streamlit's data grid: header and rows are 35 px high
# The attention block's columns: status, KPI, value, change, target, links.
ATTENTION_COLUMNS = [1, 2.7, 0.9, 0.9, 2.1, 2.4]
# Whole headers per grain (a translation cannot be assembled from 'vs previous' and a grain's name).
CHANGE_HEADERS = {"day": N_("vs previous day"), "week": N_("vs previous week"), "month": N_("vs previous month"),
                  "quarter": N_("vs previous quarter"), "year": N_("vs previous year"),
                  "custom": N_("vs previous period")}


def change_header(grain: str) -> str:
    """The change column's header for ``grain`` ('vs previous week'), in the reader's language."""
    return _(CHANGE_HEADERS[grain]) if grain in CHANGE_HEADERS else grain


def without_targets(items: list[KpiResult]) -> bool:
    """True when none of ``items`` has a target (a period or channel nobody planned for)."""
    return all(i.target is None for i in items)


def target_text(item: KpiResult) -> str:
    """'$1,200', or '$1,200 (by now $800)' while the period runs or the data is partial ('—' without a target)."""
    text = format_value(item.target, KPI_BY_ID[item.id].unit)
    expected = expected_so_far(item)
    return _("{target} ({expected})").format(target=text, expected=expected) if expected else text


STATS_COLUMNS = ("Chance", "Direction", "Unusual")  # shown only when some KPI has that figure (stats_columns)


def stats_columns(items: list[KpiResult], plan: bool = True) -> list[str]:
    """The statistics columns worth showing for ``items``: the chance of reaching the target (with ``plan``), the
    trend test and the unusual check, each only when some KPI has it (none for a custom range or a day)."""
    shown = {"Chance": plan and any(i.probability_on_target is not None for i in items),
             "Direction": any(i.trend is not None for i in items),
             "Unusual": any(i.expected_range is not None for i in items)}
    return [c for c in STATS_COLUMNS if shown[c]]


def kpi_rows(items: list[KpiResult], plan: bool = True, stats: list[str] | None = None) -> pd.DataFrame:
    """One formatted row per KPI, in the order given (the status both as colour mark and as word); without
    ``plan``, no Target and Status columns (a period without targets); ``stats`` (default: :func:`stats_columns`)
    adds the chance of reaching the target, the trend test ('Direction') and the unusual check."""
    stats = stats_columns(items, plan) if stats is None else stats
    rows = []
    for item in items:
        unit = KPI_BY_ID[item.id].unit
        status = _(STATUS_LABELS[item.status])
        if item.partial:
            status = _("{status} (partial data)").format(status=status)
        rows.append({
            "id": item.id,
            "S": _(item.s),
            "KPI": _(item.label),
            "Value": format_value(item.value, unit),
            "Change": format_change(item.change_pct),
            "Target": target_text(item),
            "Status": f"{STATUS_MARK[item.status]} {status}",
            "Trend": [v for v in item.sparkline if v is not None],
            "Chance": chance_share(item.probability_on_target),
            "Direction": trend_short(item.trend),
            "Unusual": unusual_cell(item),
        })
    columns = ["id"] + kpi_columns(plan, stats, rtl=False)
    return pd.DataFrame(rows, columns=["id", "S", "KPI", "Value", "Change", "Target", "Status", "Trend",
                                       *STATS_COLUMNS])[columns]


def kpi_table(items: list[KpiResult], key: str, grain: str, on_select: Callable[[], None] | str = "ignore",
              plan: bool = True):
    """Draw :func:`kpi_rows` as a compact table (select a row with ``on_select``); returns the widget's event.
    The frame's columns keep their English names (the rows are selected by position); the headers are translated
    in ``column_config``, and in a right-to-left language the columns read from the right (:func:`kpi_columns`)."""
    stats = stats_columns(items, plan)
    frame = kpi_rows(items, plan, stats)
    shown = frame.style.map(_status_colour, subset=["Status"]) if plan else frame
    return st.dataframe(
        shown, hide_index=True, width="stretch", key=key, on_select=on_select, selection_mode="single-row",
        height=(len(frame) + 1) * ROW_HEIGHT + 3,  # every row shown, no inner scrolling
        column_order=kpi_columns(plan, stats), column_config=kpi_column_config(grain, items, stats),
    )


def kpi_columns(plan: bool = True, stats: list[str] | tuple[str, ...] = (), rtl: bool | None = None) -> list[str]:
    """The columns the compact table shows, in the reader's order: S, KPI, value, change, (target, chance, status,)
    trend test, unusual, sparkline (the ``stats`` columns among them only when given), reversed right to left so the
    KPI's name sits at the right (Streamlit cannot mirror the grid itself); ``rtl=False``: never reversed."""
    columns = ["S", "KPI", "Value", "Change"] + (["Target", "Chance", "Status"] if plan else []) \
        + ["Direction", "Unusual", "Trend"]
    columns = [c for c in columns if c not in STATS_COLUMNS or c in stats]
    return columns if rtl is False else column_order(columns)


# Widths (px) when the statistics columns are shown: the whole table fits the 980 px a 1440 px screen leaves it
# (beside the sidebar), so that in a right-to-left table, which starts at its left edge, the KPI's name is in view.
STATS_WIDTHS = {"S": 50, "KPI": 145, "Target": 150, "Chance": 50, "Direction": 115, "Unusual": 105}


def kpi_column_config(grain: str, items: list[KpiResult] = (), stats: list[str] | tuple[str, ...] = ()) -> dict:
    """Translated headers and widths of the compact table (the KPI column pinned, left to right only: a pinned
    column sticks to the grid's left edge, which in a right-to-left table is its end); with ``stats`` columns,
    narrower widths (:data:`STATS_WIDTHS`) and the methods named in the statistics headers' help."""
    def width(column: str, default: str) -> str | int:
        return STATS_WIDTHS[column] if stats else default

    return {
        "id": None,
        "S": st.column_config.TextColumn(_("S"), width=width("S", "small")),
        "KPI": st.column_config.TextColumn(_("KPI"), width=width("KPI", "medium"), pinned=not is_rtl()),
        "Value": st.column_config.TextColumn(_("Value")),
        "Change": st.column_config.TextColumn(change_header(grain)),
        "Target": st.column_config.TextColumn(_("Target"), width=width("Target", "medium")),
        "Status": st.column_config.TextColumn(_("Status")),
        "Trend": st.column_config.LineChartColumn(_("Last {count}").format(count=grain_count(grain, 13)),
                                                  width="small"),
        "Chance": st.column_config.TextColumn(_("Chance"), width=STATS_WIDTHS["Chance"], help=chance_method()),
        "Direction": st.column_config.TextColumn(_("Trend"), width=STATS_WIDTHS["Direction"], help=_(
            "Mann–Kendall test over the last {periods} ending with the one shown: a significant rise or fall when "
            "{alpha}, otherwise no clear trend. Each card gives the p-value and the Theil–Sen slope on hover.").format(
            periods=grain_count(grain, TREND_PERIODS), alpha=alpha_text())),
        "Unusual": st.column_config.TextColumn(_("Unusual"), width=STATS_WIDTHS["Unusual"], help=_(
            "Empty when the value is within the range its own history makes likely; otherwise ▲ above or ▼ below "
            "that range, and the range. Method: {method}.").format(
            method=unusual_methods(items))),
    }


def unusual_methods(items: list[KpiResult]) -> str:
    """The unusual check's method(s) named by ``items`` (metrics.unusual_text), each isolated in right-to-left
    text ('its own history' when none is named)."""
    methods = [isolate(m) for m in named_methods(items)]
    return _("; ").join(methods) if methods else _("its own history")


def _status_colour(text: str) -> str:
    """CSS colouring a Status cell by its word (the colour also shows where no emoji font draws the mark)."""
    for status, colour in STATUS_CSS.items():
        if _(STATUS_LABELS[status]) in text:
            return f"color: {colour}; font-weight: 600"
    return ""


def attention_block(items: list[KpiResult], selection: Selection) -> None:
    """The off-track, then the at-risk KPIs, one compact line each: status in colour and word, KPI, value, change,
    target, and the links to its drill-downs (a success line when every KPI with a target is on track; why not,
    when no KPI can be judged)."""
    flagged = needing_attention(items)
    if not flagged:
        if why := why_nothing_judged(items, _("for {period}").format(period=shown_period(selection.period))):
            st.info(_("{why}: nothing can be judged against plan.").format(why=md(why)), icon=":material/info:")
        else:
            st.success(_("Every KPI with a target is on track."), icon=":material/check_circle:")
        return
    with st.container(border=True, key="attention", gap="xsmall"):
        head = st.columns(ATTENTION_COLUMNS, gap="small")
        grain = selection.period.grain
        for column, title in zip(head, (_("Status"), _("KPI"), _("Value"),
                                        change_header(grain),
                                        _("Target"), "")):
            column.caption(title)
        for item in flagged:
            _attention_line(item, selection)


def _attention_line(item: KpiResult, selection: Selection) -> None:
    kpi = KPI_BY_ID[item.id]
    status, label, value, change, target, links = st.columns(ATTENTION_COLUMNS, gap="small",
                                                             vertical_alignment="center")
    with status, st.container(horizontal=True, gap="xxsmall"):
        status_badge(item.status)
        partial_badge(item)
    label.markdown(f"**{_(item.label)}** · :gray[{_(item.s)}]")
    value.markdown(format_value(item.value, kpi.unit))
    change.markdown(format_change(item.change_pct))
    target.markdown(target_text(item))
    with links:
        kpi_links(item.id, selection)
