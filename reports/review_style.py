"""How the exported review looks, on screen and on paper: a light page whose statuses read in black and white
(a symbol, a word and a border of their own, never only a colour), a page break before each section, and
margins that suit A4 and Letter alike. The layout uses logical sides (start/end), so ``dir="rtl"`` mirrors it; in
Persian and Arabic the page is set in Vazirmatn, embedded as base64 so that it renders offline."""

from __future__ import annotations

import base64
import html
from functools import cache
from pathlib import Path

from i18n import _, is_rtl
from metrics.pacing import STATUS_LABELS
from ui.chart_locale import CHART_CONTAINER_CSS

STATUS_ICONS = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", "no_target": "–", "no_data": "?"}
CHART_WIDTH_PX = 660  # fits the printable width of A4 (180 mm) and Letter at 96 px per inch
CHART_HEIGHT_PX = 260  # two KPIs with their movers fit on a Letter page
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"  # Vazirmatn, SIL OFL 1.1 (OFL.txt there)
FONT_FILES = {400: "Vazirmatn-Regular.woff2", 700: "Vazirmatn-Bold.woff2"}

CSS = """
@page{size:auto;margin:14mm 13mm 16mm}
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","DejaVu Sans",Tahoma,
sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;background:#fff;color:#111;line-height:1.4}
h1,h2,h3{font-weight:650;color:#000;line-height:1.2} h1{font-size:1.6rem;margin:0 0 .3rem}
h2{font-size:1.25rem;border-bottom:2px solid #000;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0 1.2rem;width:100%;font-size:.9rem}
th,td{padding:.28rem .5rem;border-bottom:1px solid #bbb;text-align:start;vertical-align:top}
th{border-bottom:2px solid #000;font-weight:650} td.n{text-align:end;font-variant-numeric:tabular-nums;
white-space:nowrap}
.status{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.85em;font-weight:650;
white-space:nowrap;border:1.5px solid currentColor;background:#fff}
.status.on_track{color:#1b5e20;background:#e8f5e9}
.status.at_risk{color:#7a4a00;background:#fff3e0;border-style:dashed}
.status.off_track{color:#b71c1c;background:#ffebee;border-width:3px;border-style:double}
.status.no_target,.status.no_data{color:#555;border-style:dotted}
.muted{color:#555} .partial{color:#5b2c83}
.summary{border:1.5px solid #000;border-radius:.3rem;padding:.6rem 1rem;margin:1rem 0}
.summary h2{border:0;margin:.2rem 0 .4rem;font-size:1.1rem;break-before:auto}
.summary ul{margin:.2rem 0 .6rem;padding-inline-start:1.2rem} .summary li{margin:.15rem 0}
.counts{font-size:1.05rem} .counts .status{margin-inline-end:.2rem} .counts b{margin-inline-end:1rem}
.kpi{break-inside:avoid}
.chart{width:660px;max-width:100%;break-inside:avoid}
@media print{
body{margin:0;max-width:none;padding:0;font-size:9.5pt}
section.break{break-before:page}
h2,h3{break-after:avoid} tr,.summary li{break-inside:avoid} thead{display:table-header-group}
table{font-size:8.5pt} a{color:inherit;text-decoration:none}
.modebar-container{display:none}
}
"""

# Persian and Arabic: right to left (the document is dir="rtl"); Latin names and numbers in cells keep their own
# direction (plaintext, never bidi-override); the charts keep plotly's left-to-right geometry.
RTL_CSS = """
body{font-family:Vazirmatn,Tahoma,"Noto Sans Arabic","DejaVu Sans",sans-serif}
td{unicode-bidi:plaintext} th,td{text-align:right} td.n{text-align:left}
.chart{direction:ltr}
""" + CHART_CONTAINER_CSS  # charts (and plotly's hidden text-measuring SVG) lay out left to right


@cache
def font_faces() -> str:
    """``@font-face`` rules for Vazirmatn with the WOFF2 files inlined as base64 (no file or network needed)."""
    rules = []
    for weight, name in FONT_FILES.items():
        data = base64.b64encode((FONTS / name).read_bytes()).decode("ascii")
        rules.append(f"@font-face{{font-family:Vazirmatn;font-style:normal;font-weight:{weight};font-display:swap;"
                     f"src:url(data:font/woff2;base64,{data}) format('woff2')}}")
    return "\n".join(rules)


def page_css(lang: str) -> str:
    """The stylesheet of the review in ``lang``: :data:`CSS`, plus Vazirmatn and right to left in fa and ar."""
    return font_faces() + CSS + RTL_CSS if is_rtl(lang) else CSS


def status_badge(status: str) -> str:
    """A status as a symbol and a word in a bordered label (readable printed without colour)."""
    label = html.escape(_(STATUS_LABELS[status]))
    return f'<span class="status {status}">{STATUS_ICONS[status]} {label}</span>'
