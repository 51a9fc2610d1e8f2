"""Right to left for Persian and Arabic: one stylesheet injected at the start of a run in ``fa`` and ``ar``.

The whole app reads right to left (``direction: rtl`` with ``unicode-bidi: isolate``, never ``bidi-override``,
which would reverse Latin words and numbers): the sidebar, text, headers, metric cards, alerts, widgets. Values
that may be Latin (inline code, a grid's container, chart legends) get ``unicode-bidi: plaintext``: each keeps the
direction of its own first letter, so ``google / cpc`` reads left to right inside Persian text. The data grid
(a canvas) and plotly's drawing area keep their left-to-right geometry; Streamlit cannot mirror them.

Text is set in Vazirmatn (``static/fonts``, declared in ``.streamlit/config.toml`` ``[[theme.fontFaces]]``),
except the icon font and code. Selectors are Streamlit 1.67's ``data-testid`` attributes.
"""

from __future__ import annotations

import streamlit as st

FONT = 'Vazirmatn, "Source Sans", sans-serif'
APP = '[data-testid="stApp"]'
NOT_ICON = (':not([data-testid^="stIcon"]):not([data-testid="stAlertDynamicIcon"]):not([translate="no"])'
            ':not(code):not(pre):not(code *):not(pre *)')

CSS = f"""
[data-testid="stSidebarContent"], [data-testid="stMain"], [data-testid="stHeader"],
[data-testid="stBottom"], [role="dialog"], [data-baseweb="popover"] {{direction: rtl; unicode-bidi: isolate}}
{APP} :is(p, li, h1, h2, h3, h4, h5, h6, label, [data-testid="stCaptionContainer"], [data-testid="stMarkdownContainer"],
[data-testid="stAlertContainer"], [data-testid="stMetric"], [data-testid="stExpander"] summary) {{
  direction: rtl; unicode-bidi: isolate; text-align: right}}
{APP} :is(code, kbd, samp), .legendtext, [role="option"],
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{unicode-bidi: plaintext}}
/* a typed or picked value (a campaign, a period code) reads in its own direction, aligned to the right */
{APP} :is(input, textarea) {{unicode-bidi: plaintext; text-align: right}}
{APP} :is(ul, ol) {{padding-inline-start: 1.5em; padding-left: 0}}
{APP} :is(p, li, h1, h2, h3, h4, h5, h6, span, label, div, a, button, input, textarea, th, td, small){NOT_ICON},
[data-baseweb="popover"] :is(li, div, span){NOT_ICON}, [role="dialog"] :is(p, div, span, label){NOT_ICON} {{
  font-family: {FONT}}}
/* the grid (a canvas that scrolls by scrollLeft) and plotly's drawing keep their own left-to-right geometry */
[data-testid="stDataFrame"], [data-testid="stTable"] table, .js-plotly-plot .plot-container {{direction: ltr}}
[data-testid="stDataFrame"] {{unicode-bidi: isolate}}
"""


def inject() -> None:
    """Make the whole app read right to left, in Vazirmatn (called in ``fa`` and ``ar`` only; English gets nothing)."""
    st.html(f"<style>{CSS}</style>")
