"""New against returning revenue over time, for the Sell and Serve pages: the figure and the page section.

The series comes from :func:`metrics.revenue_mix.new_and_returning`; this module only draws it.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from i18n import _
from metrics.format import axis_suffix, format_value
from ui import charts, data
from ui.bidi import isolate
from ui.chart_locale import localize
from ui.grains import grain_count, grain_name
from ui.safe_text import chart_text, md
from ui.state import Selection

PERIODS = 26
NEW_COLOUR = "#F2A541"
RETURNING_COLOUR = charts.ACTUAL


def _hover(amount: float, revenue: float, share: float, partial: bool, reason: object) -> str:
    """'$120.00 of $280.00 · returning share 42.9%' (and why the period is partial)."""
    text = _("{amount} of {revenue} · returning share {share}").format(
        amount=format_value(amount, "currency"), revenue=format_value(revenue, "currency"),
        share=format_value(share, "percent"))
    return _("{value} (partial: {reason})").format(value=text, reason=chart_text(reason)) if partial else text


def revenue_mix_chart(frame: pd.DataFrame, title: str) -> go.Figure:
    """Stacked bars per period: revenue from new customers' first orders under revenue from returning customers;
    each bar's hover gives its amount, the period's revenue and the returning share. A period that begins before
    the data does (``starts_late``) is not drawn as a value: it is shaded partial. Periods before the first one with
    revenue are left out (at quarter grain, 26 periods would otherwise be mostly years before the data)."""
    frame = frame.sort_values("period_start").reset_index(drop=True)
    if frame["revenue"].notna().any():
        frame = frame.loc[frame["revenue"].notna().idxmax():].reset_index(drop=True)
    late = frame["starts_late"].notna() if "starts_late" in frame else pd.Series(False, index=frame.index)
    partial = frame["complete_through"].notna() & frame["revenue"].notna()
    x = pd.to_datetime(frame["period_start"])
    fig = go.Figure()
    for column, name, colour in (("new_revenue", _("New customers"), NEW_COLOUR),
                                 ("returning_revenue", _("Returning customers"), RETURNING_COLOUR)):
        fig.add_trace(go.Bar(
            x=x, y=frame[column].where(~late), name=name, marker_color=colour,
            customdata=[_hover(v, r, s, p, why) for v, r, s, p, why in zip(
                frame[column], frame["revenue"], frame["returning_share"], partial, frame["reason"])],
            hovertemplate="%{customdata}<extra>" + name + "</extra>",
        ))
    fig.update_layout(template=charts.TEMPLATE, height=360, margin=dict(l=10, r=10, t=40, b=10),
                      hovermode="x unified", legend=dict(orientation="h", y=-0.15), barmode="relative",
                      title=chart_text(title))
    fig.update_yaxes(title_text=_("Revenue"), **axis_suffix("currency"))
    charts._shade_partial(fig, frame.loc[late, "period_start"], frame["period_start"])
    return localize(fig, {"yaxis": "currency"})


def revenue_mix_section(version: tuple, selection: Selection) -> None:
    """The section 'New and returning revenue': its heading (what counts as new on hover) and the chart, or why
    there is nothing to draw."""
    period = selection.period
    st.subheader(_("New and returning revenue"), anchor="new-and-returning-revenue",
                 help=_("Revenue from new customers is the net revenue (less refunds) of customers' first orders; "
                        "the rest is revenue from returning customers, who had ordered before. A first order the "
                        "shop marks as a returning customer's (WooCommerce's customer type) counts as returning."))
    frame = data.new_and_returning(version, period, PERIODS, selection.channel)
    if not charts.has_values(frame, "new_revenue", "returning_revenue"):
        st.info(_("No revenue from new or returning customers for {scope} in the last {count}.").format(
            scope=isolate(md(selection.scope)), count=grain_count(period.grain, PERIODS)), icon=":material/info:")
        return
    title = _("New and returning revenue by {grain}, {scope}").format(grain=grain_name(period.grain),
                                                                      scope=isolate(selection.scope))
    st.plotly_chart(revenue_mix_chart(frame, title), width="stretch", key="revenue-mix")
