"""The dashboard's entry point: ``streamlit run app.py``.

Opens the warehouse (loading the demo shop on first run into a warehouse never used before),
draws the shared sidebar and routes to the pages in ``pages/``.

The sidebar's page links are drawn here, not by ``st.navigation`` (whose links drop the query string): each
carries the user's period, channel and campaign as the page it opens will show them (``ui.state.nav_query``),
so a click is one browser history entry and Back goes back one page.
"""

from __future__ import annotations

import streamlit as st

from access.roles import RolesConfigError
from connectors.demo import load_demo
from connectors.demo_data import should_load_demo
from i18n import _
from ui import auth, data, locale, state
from ui.auth import current_actor
from warehouse.db import DatabaseError

# The user's language and calendar before anything prints text (?lang=, the picker, KPI_LOCALE; ui/locale.py).
lang = locale.begin()
st.set_page_config(page_title=_("5S KPI control"), page_icon="📊", layout="wide")
# The grids' own CSV download and copy pass cell text through unguarded (a campaign named =HYPERLINK(…) would be a
# formula in a spreadsheet); the pages offer neutralised CSV downloads instead (reports/csv_safe.py). Also set in
# .streamlit/config.toml, which covers a server's very first run.
st.set_option("client.disableDataExport", True)


def ensure_data() -> None:
    """Load the demo shop into a warehouse never used before (never after own data or a removal), with a progress
    bar."""
    engine = data.engine()
    if not should_load_demo(engine):
        return
    bar = st.progress(0.0, text=_("First run: loading the demo shop's data …"))

    def progress(kind: str, step: int, total: int) -> None:
        bar.progress(step / total, text=_("First run: loading demo {kind} ({step}/{total}) …").format(
            kind=kind, step=step, total=total))

    load_demo(engine, progress=progress)
    bar.empty()


def page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    """A page whose URL is its file name (see ui/entry.py: deep links on a fresh server need them equal); ``title``
    is in the user's language, the URL stays English."""
    return st.Page(f"pages/{file}.py", title=title, icon=icon, url_path=file, default=default)


# The period types of pages whose sidebar differs from ui.state.sidebar's default (the same arguments the pages
# pass; tests/test_state_defaults.py checks that a link's query is what the page shows).
PERIOD_PICKERS: dict[str, dict] = {
    "weekly_review": {"grains": ("week",)},
    "targets": {"grains": ("quarter", "month", "week", "year"), "default_current": True},
    "ab_test": {"grains": ("month", "week", "quarter", "year")},
    "cohorts": {"grains": ("month", "week")},
}


pages = {
    _("Control"): [
        page("overview", _("Overview"), ":material/dashboard:", default=True),
        page("weekly_review", _("Weekly review"), ":material/groups:"),
        page("campaigns", _("Campaigns"), ":material/campaign:"),
        page("journey", _("Journey"), ":material/filter_alt:"),
        page("cohorts", _("Cohorts"), ":material/grid_on:"),
        page("ab_test", _("A/B tests"), ":material/compare_arrows:"),
    ],
    _("The 5S"): [
        page("sell", _("Sell"), ":material/shopping_cart:"),
        page("serve", _("Serve"), ":material/support_agent:"),
        page("speak", _("Speak"), ":material/forum:"),
        page("save", _("Save"), ":material/savings:"),
        page("sizzle", _("Sizzle"), ":material/auto_awesome:"),
    ],
    _("Plan and data"): [
        page("targets", _("Targets"), ":material/flag:"),
        page("data_sources", _("Data sources"), ":material/database:"),
    ],
}
try:
    actor = current_actor()
except RolesConfigError as exc:  # a malformed [roles] gives nobody a role: say what is wrong, run no page
    st.navigation(pages, position="hidden")
    st.error(str(exc))
    st.stop()
# Admins only: the page is not routed for anyone else. Before sign-in no page runs, so a link to it is routed
# (the sign-in screen shows, rather than "page not found" over it) and the signed-in role decides afterwards.
if actor.can("audit") or (auth.auth_configured() and not auth.signed_in()):
    pages[_("Plan and data")].append(page("audit", _("Audit trail"), ":material/history:"))


def draw_navigation(container) -> None:
    """The page links, each carrying the user's selection as that page will show it."""
    with container:
        for section, items in pages.items():
            st.caption(section)
            for item in items:
                st.page_link(item, query_params=state.nav_query(**PERIOD_PICKERS.get(item.url_path, {})))


current = st.navigation(pages, position="hidden")
if auth.auth_configured() and not auth.signed_in():  # [auth]: every page needs sign-in; none runs before it
    auth.sign_in_screen()
    locale.picker()
    st.stop()
try:
    ensure_data()
except DatabaseError as exc:
    st.error(_("The warehouse cannot be opened.") + f"\n\n{exc}")
    st.stop()
state.begin(current.url_path)
state.carry_in_url({locale.PARAM: locale.url_value(lang)})  # ?lang= stays in the URL and in every link
auth.account_box()  # with [auth], at the top of the sidebar: who is signed in, their role, "Sign out"
navigation = st.sidebar.container()  # above the page's own sidebar; filled after the page has run
try:
    with data.page_snapshot():  # the page reads one state of the warehouse, even while a load commits
        current.run()
except Exception:  # a failing page still offers the way to the others
    draw_navigation(navigation)
    locale.picker()
    raise
draw_navigation(navigation)
locale.picker()  # at the foot of the sidebar
state.publish()
