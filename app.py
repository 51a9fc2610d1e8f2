"""The dashboard's entry point: ``streamlit run app.py``.

Opens the warehouse (loading the demo shop on first run into a warehouse never used before),
draws the shared sidebar and routes to the pages in ``pages/``.
"""

from __future__ import annotations

import streamlit as st

from connectors.demo import load_demo
from connectors.demo_data import should_load_demo
from ui import data, state
from warehouse.db import DatabaseError

st.set_page_config(page_title="5S KPI control", page_icon="📊", layout="wide")
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
    bar = st.progress(0.0, text="First run: loading the demo shop's data …")

    def progress(kind: str, step: int, total: int) -> None:
        bar.progress(step / total, text=f"First run: loading demo {kind} ({step}/{total}) …")

    load_demo(engine, progress=progress)
    bar.empty()


try:
    ensure_data()
except DatabaseError as exc:
    st.error(f"The warehouse cannot be opened.\n\n{exc}")
    st.stop()


def page(file: str, title: str, icon: str, default: bool = False) -> st.Page:
    """A page whose URL is its file name (see ui/entry.py: deep links on a fresh server need them equal)."""
    return st.Page(f"pages/{file}.py", title=title, icon=icon, url_path=file, default=default)


pages = {
    "Control": [
        page("overview", "Overview", ":material/dashboard:", default=True),
        page("weekly_review", "Weekly review", ":material/groups:"),
        page("campaigns", "Campaigns", ":material/campaign:"),
    ],
    "The 5S": [
        page("sell", "Sell", ":material/shopping_cart:"),
        page("serve", "Serve", ":material/support_agent:"),
        page("speak", "Speak", ":material/forum:"),
        page("save", "Save", ":material/savings:"),
        page("sizzle", "Sizzle", ":material/auto_awesome:"),
    ],
    "Plan and data": [
        page("targets", "Targets", ":material/flag:"),
        page("data_sources", "Data sources", ":material/database:"),
    ],
}
with data.page_snapshot():  # the page reads one state of the warehouse, even while a load commits
    st.navigation(pages).run()
state.publish()
