"""Targets: the plan's target for each KPI, per period and channel, edited in a grid or imported as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from connectors.demo_data import removed_message
from metrics.format import format_value
from metrics.target_text import format_target
from metrics.targets import (
    CSV_COLUMNS,
    TargetConflict,
    TargetError,
    export_csv,
    grid_edits,
    import_frame,
    period_targets,
    save_period_targets,
)
from ui import data
from ui.safe_text import md
from ui.state import sidebar

version = data.version()
selection = sidebar(version, grains=("quarter", "month", "week", "year"), ahead=4, default_current=True)
period, channel = selection.period, selection.channel or ""
engine = data.engine()

st.title(f"Targets · {period.label}")
st.caption(f"{period.start:%d %b %Y} – {period.end:%d %b %Y} · {md(selection.scope)}. Type targets as the cards "
           f"show them: {md(format_target(0.025, 'percent'))}, {md(format_target(1500000, 'currency'))} (or "
           "1500000), 1,200, +30. A target set for a longer period implies one for the periods inside it: flows "
           "(revenue, orders, cost…) get their share by last year's daily profile when there is one, otherwise "
           "by days; ratios and stocks carry over unchanged. Leave a cell empty to use the implied target.")

grid = period_targets(engine, period, channel)
column = f"target for {period.label}"
shown = grid.assign(target=[format_target(v, u) for v, u in zip(grid["target"], grid["unit"])],
                    implied=[f"{format_value(v, u)} ({how})" if v is not None and v == v else ""
                             for v, u, how in zip(grid["implied"], grid["unit"], grid["implied_how"])])
edited = st.data_editor(
    shown[["kpi_id", "s", "kpi", "unit", "target", "implied"]], key=f"targets-{period.label}-{channel}",
    hide_index=True, width="stretch", height=(len(grid) + 1) * 35 + 3,
    disabled=["kpi_id", "s", "kpi", "unit", "implied"],
    column_config={
        "kpi_id": None, "s": st.column_config.TextColumn("S", width="small"),
        "kpi": st.column_config.TextColumn("KPI"), "unit": st.column_config.TextColumn("unit", width="small"),
        "target": st.column_config.TextColumn(column, help=md(
            f"As the cards show it: {format_target(0.025, 'percent')}, {format_target(1500000, 'currency')}, 1,200, "
            "+30, 90 min; empty for the implied target")),
        "implied": st.column_config.TextColumn("implied when not set"),
    },
)
changes, problems = grid_edits(grid, edited, column)
for problem in problems:
    st.error(md(problem))
if st.button(f"Save {len(changes)} change(s)", type="primary", disabled=not changes or bool(problems),
             icon=":material/save:"):
    try:
        save_period_targets(engine, period, channel, changes)
        st.toast(f"Saved {len(changes)} target(s) for {period.label}")
        st.rerun()
    except (TargetError, TargetConflict) as exc:
        st.error(md(exc))

st.divider()
left, right = st.columns(2)
with left:
    st.subheader("Import a CSV")
    st.caption(f"Columns: `{','.join(CSV_COLUMNS)}`; period as `2026-W46`, `2026-11`, `2026-Q4` or `2026`; "
               "channel empty for all channels. A file with any invalid row changes nothing.")
    upload = st.file_uploader("Targets CSV", type=["csv"], key="targets-upload")
    if upload is not None and st.button("Import", icon=":material/upload:"):
        try:
            frame = pd.read_csv(upload, dtype=str, encoding="utf-8-sig", keep_default_na=False)
            saved = import_frame(engine, frame, upload.name)
            if saved.demo_removed:
                st.info(removed_message(saved.demo_removed), icon=":material/cleaning_services:")
            new, updated, unchanged = saved
            st.success(f"{md(upload.name)}: {new} new, {updated} updated, {unchanged} unchanged.")
        except TargetError as exc:
            st.error(md(exc))
        except (ValueError, pd.errors.ParserError) as exc:
            st.error(md(f"{upload.name} could not be read as CSV: {exc}"))
with right:
    st.subheader("Export")
    st.download_button("All targets as CSV", export_csv(engine), "targets.csv", "text/csv",
                       icon=":material/download:", on_click="ignore")
    st.download_button(f"Targets overlapping {period.label}", export_csv(engine, period),
                       f"targets-{period.label}.csv", "text/csv", icon=":material/download:", on_click="ignore")
