"""The Sizzle page: its KPIs against plan, their trends with target lines and channel breakdowns."""

from ui.s_page import render

render("Sizzle")
