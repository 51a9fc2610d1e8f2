"""The Serve page: its KPIs against plan, new against returning revenue over time, their trends with target lines
and channel breakdowns."""

from ui.revenue_mix import revenue_mix_section
from ui.s_page import render

render("Serve", after_cards=revenue_mix_section)
