"""The weekly review page with open actions that mix a KPI and no KPI (pandas reads a missing kpi_id as NaN
once a frame is concatenated): the page draws, opens a KPI's detail and saves without inventing changes."""

from __future__ import annotations

from datetime import date

from access.audit import audit_frame
from metrics.review import actions, add_action
from tests.actors import ADMIN
from tests.conftest import page_app
from tests.fixtures import load_fixture, set_targets

W44, W45 = date(2026, 10, 26), date(2026, 11, 2)


def test_mixed_open_actions_draw_open_a_detail_and_save_nothing_new(engine, monkeypatch):
    load_fixture(engine)
    set_targets(engine, [("sell.revenue", "week", W45, "", 400.0)])  # 280 against 400: Revenue is off track
    monkeypatch.setenv("KPI_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    add_action(engine, "Call the bank", "Sara", W44, actor=ADMIN)  # earlier, open, no KPI
    add_action(engine, "Fix checkout", "Dara", W44, date(2026, 11, 20), "sell.revenue", actor=ADMIN)  # on a KPI, due
    add_action(engine, "Book the meeting room", "Reza", W45, date(2026, 11, 9), actor=ADMIN)  # this week, no KPI
    app = page_app("weekly_review", period="2026-W45")
    app.session_state["detail-2026-W45-sell.revenue"] = True
    app.run()
    assert not app.exception, app.exception
    detail = next(df.value for df in app.dataframe if "owner" in df.value and "text" in df.value)
    assert detail["text"].tolist() == ["Fix checkout"]  # only the action on Revenue in its detail
    next(b for b in app.button if b.label == "Save actions").click().run()
    assert not app.exception and not app.error
    stored = actions(engine).set_index("text")
    assert stored["version"].tolist() == [1, 1, 1]  # nothing changed, nothing saved
    assert len(audit_frame(engine, action="actions")) == 3  # the three creations, no edit recorded
