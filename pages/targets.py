"""Targets: the plan's target for each KPI, per period and channel, edited in a grid or imported as CSV."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from connectors.demo_data import removed_message
from i18n import N_, _, ngettext
from i18n.numerals import localize_digits
from metrics.date_text import format_day_range
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
from ui.auth import current_actor, read_only_note
from ui.bidi import column_order, isolate, shown_period
from ui.safe_text import md
from ui.state import sidebar

version = data.version()
selection = sidebar(version, grains=("quarter", "month", "week", "year"), ahead=4, default_current=True)
period, channel = selection.period, selection.channel or ""
engine = data.engine()
actor = current_actor()
editable = actor.can("targets")  # a viewer sees the grid read-only (save_period_targets refuses them anyway)
UNIT_NAMES = {"count": N_("count"), "currency": N_("currency"), "minutes": N_("minutes"), "percent": N_("percent"),
              "ratio": N_("ratio"), "score": N_("score"), "seconds": N_("seconds")}

st.title(_("Targets · {period}").format(period=shown_period(period)))
st.caption(_("{days} · {scope}. Type targets as the cards show them: {percent}, {amount} (or 1500000), 1,200, +30. "
             "A target set for a longer period implies one for the periods inside it: flows (revenue, orders, "
             "cost…) get their share by last year's daily profile when there is one, otherwise by days; ratios and "
             "stocks carry over unchanged. Leave a cell empty to use the implied target.").format(
    days=format_day_range(period.start, period.end), scope=isolate(md(selection.scope)),
    percent=md(format_target(0.025, "percent")), amount=md(format_target(1500000, "currency"))))

if not editable:
    read_only_note(actor)
grid = period_targets(engine, period, channel)
column = _("target for {period}").format(period=shown_period(period))
shown = grid.assign(target=[format_target(v, u) for v, u in zip(grid["target"], grid["unit"])],
                    implied=[_("{value} ({how})").format(value=format_value(v, u), how=how)
                             if v is not None and v == v else ""
                             for v, u, how in zip(grid["implied"], grid["unit"], grid["implied_how"])],
                    s=[_(s) for s in grid["s"]], kpi=[_(k) for k in grid["kpi"]],
                    unit=[_(UNIT_NAMES[u]) if u in UNIT_NAMES else u for u in grid["unit"]])
edited = st.data_editor(
    shown[["kpi_id", "s", "kpi", "unit", "target", "implied"]], key=f"targets-{period.label}-{channel}",
    hide_index=True, width="stretch", height=(len(grid) + 1) * 35 + 3,
    column_order=column_order(["s", "kpi", "unit", "target", "implied"]),  # right to left: the KPI at the right
    disabled=True if not editable else ["kpi_id", "s", "kpi", "unit", "implied"],
    column_config={
        "kpi_id": None, "s": st.column_config.TextColumn(_("S"), width="small"),
        "kpi": st.column_config.TextColumn(_("KPI")), "unit": st.column_config.TextColumn(_("unit"), width="small"),
        "target": st.column_config.TextColumn(column, help=md(
            _("As the cards show it: {percent}, {amount}, 1,200, +30, 90 min; empty for the implied target").format(
                percent=format_target(0.025, "percent"), amount=format_target(1500000, "currency")))),
        "implied": st.column_config.TextColumn(_("implied when not set")),
    },
)
changes, problems = grid_edits(grid, edited, column)
for problem in problems:
    st.error(md(problem))
count = localize_digits(str(len(changes)))
if editable and st.button(ngettext("Save {count} change", "Save {count} changes", len(changes)).format(
        count=count), type="primary", disabled=not changes or bool(problems), icon=":material/save:"):
    try:
        save_period_targets(engine, period, channel, changes, actor=current_actor())
        st.toast(ngettext("Saved {count} target for {period}", "Saved {count} targets for {period}", len(changes))
                 .format(count=count, period=shown_period(period)))
        st.rerun()
    except (TargetError, TargetConflict) as exc:
        st.error(md(exc))

st.divider()
left, right = st.columns(2)
with left:
    if editable:  # no upload for viewers
        st.subheader(_("Import a CSV"))
        st.caption(_("Columns: `{columns}`; period as `2026-W46`, `2026-11`, `2026-Q4` or `2026`; channel empty for "
                     "all channels. A file with any invalid row changes nothing.").format(
                         columns=",".join(CSV_COLUMNS)))
        upload = st.file_uploader(_("Targets CSV"), type=["csv"], key="targets-upload")
        if upload is not None and st.button(_("Import"), icon=":material/upload:"):
            try:
                frame = pd.read_csv(upload, dtype=str, encoding="utf-8-sig", keep_default_na=False)
                saved = import_frame(engine, frame, upload.name, actor=current_actor())
                if saved.demo_removed:
                    st.info(removed_message(saved.demo_removed), icon=":material/cleaning_services:")
                new, updated, unchanged = saved
                st.success(_("{file}: {new} new, {updated} updated, {unchanged} unchanged.").format(
                    file=isolate(md(upload.name)), new=localize_digits(str(new)), updated=localize_digits(str(updated)),
                    unchanged=localize_digits(str(unchanged))))
            except TargetError as exc:
                st.error(md(exc))
            except (ValueError, pd.errors.ParserError) as exc:
                st.error(md(_("{file} could not be read as CSV: {error}").format(file=upload.name, error=exc)))
with right:
    st.subheader(_("Export"))
    st.download_button(_("All targets as CSV"), export_csv(engine), "targets.csv", "text/csv",
                       icon=":material/download:", on_click="ignore")
    st.download_button(_("Targets overlapping {period}").format(period=shown_period(period)),
                       export_csv(engine, period),
                       f"targets-{period.label}.csv", "text/csv", icon=":material/download:", on_click="ignore")
