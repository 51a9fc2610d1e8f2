"""How the exported review looks, on screen and on paper: a light page whose statuses read in black and white
(a symbol, a word and a border of their own, never only a colour), a page break before each section, and
margins that suit A4 and Letter alike."""

from __future__ import annotations

import html

from metrics.pacing import STATUS_LABELS

STATUS_ICONS = {"on_track": "✔", "at_risk": "▲", "off_track": "✖", "no_target": "–", "no_data": "?"}
CHART_WIDTH_PX = 660  # fits the printable width of A4 (180 mm) and Letter at 96 px per inch
CHART_HEIGHT_PX = 260  # two KPIs with their movers fit on a Letter page

CSS = """
@page{size:auto;margin:14mm 13mm 16mm}
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","DejaVu Sans",Tahoma,
sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;background:#fff;color:#111;line-height:1.4}
h1,h2,h3{font-weight:650;color:#000;line-height:1.2} h1{font-size:1.6rem;margin:0 0 .3rem}
h2{font-size:1.25rem;border-bottom:2px solid #000;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
table{border-collapse:collapse;margin:.5rem 0 1.2rem;width:100%;font-size:.9rem}
th,td{padding:.28rem .5rem;border-bottom:1px solid #bbb;text-align:left;vertical-align:top}
th{border-bottom:2px solid #000;font-weight:650} td.n{text-align:right;font-variant-numeric:tabular-nums;
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
.summary ul{margin:.2rem 0 .6rem;padding-left:1.2rem} .summary li{margin:.15rem 0}
.counts{font-size:1.05rem} .counts .status{margin-right:.2rem} .counts b{margin-right:1rem}
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


def status_badge(status: str) -> str:
    """A status as a symbol and a word in a bordered label (readable printed without colour)."""
    return (f'<span class="status {status}">{STATUS_ICONS[status]} {html.escape(STATUS_LABELS[status])}</span>')
