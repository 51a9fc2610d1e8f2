"""Sign-in end to end (issue 17 "done when"): Debian's chromium, ``streamlit run app.py`` with ``[auth]`` pointing at
a local OpenID Connect provider on 127.0.0.1 (oidc-provider-mock: its authorization form takes the subject, which
it also sends as the ``email`` claim), on a copy of the demo warehouse.

A viewer signs in, sees the weekly review and cannot change a target; an editor signs in and changes one, which is
then read back from the warehouse; an admin signs in and the Audit trail page shows the editor's change (who, the
target, before → after), read from the page in the browser. One streamlit server and one provider serve the whole
module. The secrets live in a temporary file (``--secrets.files``), never in the repo.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import werkzeug.serving
from oidc_provider_mock import app as oidc_app

from access.roles import Actor, Role
from metrics.periods import parse_period
from metrics.targets import load_targets, save_period_targets
from tests.test_browser import _edit_cell, _free_port, _no_exception, _settle, _shot, browser, streamlit_server
from warehouse.copy import copy_warehouse
from warehouse.db import make_engine

__all__ = ["browser"]  # the shared chromium fixture
VIEWER, EDITOR, ADMIN = "viewer@agency.example", "editor@shop.example", "boss@shop.example"
WEEK = "2026-W47"  # the demo's last full week before DEMO_AS_OF (2026-11-24)
TARGET_WEEK, TARGET_MONDAY = "2026-W49", date(2026, 11, 30)  # a week the editor plans
PLANNED = 100_000.0  # W49's revenue target before the editor changes it
PLANNER = Actor(ADMIN, Role.ADMIN)
TIMEOUT_MS = 60_000


@contextmanager
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 in a thread; yields its base URL."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def write_secrets(path: Path, app_url: str, provider_url: str) -> Path:
    """A temporary secrets.toml: [auth] at the provider, [roles] with one editor domain and one admin."""
    path.write_text(f"""[auth]
redirect_uri = "{app_url}/oauth2callback"
cookie_secret = "{secrets.token_hex(32)}"
client_id = "kpi-dashboard"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"

[roles]
admins = ["{ADMIN}"]
editors = ["@shop.example"]
""", encoding="utf-8")
    return path


@contextmanager
def signed_in_server(tmp: Path, database_url: str, provider_url: str) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port with the temporary secrets; yields its address."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = write_secrets(tmp / "secrets.toml", url, provider_url)
    with streamlit_server(tmp, database_url, port, (f"--secrets.files={secrets_file}",),
                          unset=("KPI_LOCALE", "KPI_CALENDAR")) as started:
        yield started


@pytest.fixture(scope="module")
def warehouse(demo_url, tmp_path_factory):
    """A copy of the session's demo warehouse (the editor writes to it; the shared one stays as it is)."""
    server = os.environ.get("KPI_TEST_DATABASE_URL")
    if server:
        from sqlalchemy.engine import make_url

        from tests.conftest import _server_database

        url = _server_database(server, f"{make_url(server).database}_signin")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'warehouse.db'}"
    source, target = make_engine(demo_url), make_engine(url)
    copy_warehouse(source, target)
    source.dispose()
    # the plan the editor will change: W49's revenue at $100,000, set by the admin (the demo plans quarters only)
    save_period_targets(target, parse_period(TARGET_WEEK), "", [("sell.revenue", None, PLANNED)], actor=PLANNER)
    yield target
    target.dispose()


@pytest.fixture(scope="module")
def app_url(warehouse, tmp_path_factory) -> Iterator[str]:
    with oidc_provider() as provider, signed_in_server(
            tmp_path_factory.mktemp("signin-app"), warehouse.url.render_as_string(hide_password=False),
            provider) as url:
        yield url


def sign_in(browser, app_url: str, email: str, path: str, shots: str | None = None):
    """A new browser (no cookies) opens ``path``, meets the sign-in screen, signs in at the provider as
    ``email`` and comes back signed in; returns the tab."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    tab = context.new_page()
    tab.goto(f"{app_url}{path}", timeout=TIMEOUT_MS)
    button = tab.get_by_role("button", name="Sign in")
    button.wait_for(timeout=TIMEOUT_MS)
    assert tab.get_by_role("heading", name="5S KPI control").count() == 1
    assert tab.locator("[data-testid='stDataFrame'], [data-testid='stMetric']").count() == 0  # no page ran
    if shots:
        _settle(tab)
        _shot(tab, f"{shots}-sign-in")
    button.click()
    tab.wait_for_url("**/oauth2/authorize**", timeout=TIMEOUT_MS)  # the provider's form
    tab.locator("input[name='sub']").fill(email)
    if shots:
        _shot(tab, f"{shots}-provider-form")
    tab.get_by_role("button", name="Authorize").click()
    tab.wait_for_url(f"{app_url}/**", timeout=TIMEOUT_MS)
    tab.get_by_text("Sign out").wait_for(timeout=TIMEOUT_MS)  # back in the app, signed in
    return tab


def _sidebar(tab) -> str:
    return tab.locator("[data-testid='stSidebar']").inner_text()


def _open(tab, url: str, heading: str) -> None:
    tab.goto(url, timeout=TIMEOUT_MS)
    tab.get_by_text(heading).first.wait_for(timeout=TIMEOUT_MS)
    _settle(tab, heading)


def test_a_viewer_reads_the_review_and_cannot_change_a_target_an_editor_can_the_admin_audits_it(
        browser, app_url, warehouse):
    before = load_targets(warehouse)
    viewer = sign_in(browser, app_url, VIEWER, f"/weekly_review?period={WEEK}", shots="signin")
    try:
        sidebar = _sidebar(viewer)
        assert VIEWER in sidebar and "Role: viewer" in sidebar
        _open(viewer, f"{app_url}/weekly_review?period={WEEK}", "Weekly KPI review")
        _no_exception(viewer, "the weekly review, as a viewer")
        assert viewer.get_by_text("You are signed in as a viewer").count() == 2  # actions and notes
        assert viewer.get_by_role("button", name="Save actions").count() == 0
        _open(viewer, f"{app_url}/targets?grain=week&period={TARGET_WEEK}", "Targets")
        _no_exception(viewer, "the targets, as a viewer")
        assert viewer.get_by_text("You are signed in as a viewer").count() == 1
        assert viewer.get_by_role("button", name="Save").count() == 0  # no "Save n changes"
        assert viewer.get_by_text("Import a CSV").count() == 0
        _edit_first_target(viewer, "$9,999")  # a read-only grid: typing does nothing
        assert viewer.get_by_role("button", name="Save").count() == 0
        _top(viewer)
        _shot(viewer, "signin-viewer-targets")
    finally:
        viewer.context.close()
    assert load_targets(warehouse).equals(before)

    editor = sign_in(browser, app_url, EDITOR, f"/targets?grain=week&period={TARGET_WEEK}")
    try:
        assert "Role: editor" in _sidebar(editor)
        _open(editor, f"{app_url}/targets?grain=week&period={TARGET_WEEK}", "Targets")
        _edit_first_target(editor, "$123,456")
        save = editor.get_by_role("button", name="Save 1 change")
        save.wait_for(timeout=TIMEOUT_MS)
        save.click()
        editor.get_by_text("Saved 1 target").wait_for(timeout=TIMEOUT_MS)
        _settle(editor, "Targets")
        _no_exception(editor, "the targets, as an editor")
        _top(editor)
        _shot(editor, "signin-editor-saved")
    finally:
        editor.context.close()
    saved = load_targets(warehouse)
    row = saved[(saved["kpi_id"] == "sell.revenue") & (saved["grain"] == "week") & (saved["channel"] == "")
                & (pd.to_datetime(saved["period_start"]).dt.date == TARGET_MONDAY)]
    assert row["value"].tolist() == [123456.0]  # typed as "$123,456"; the first grid row is Revenue

    admin = sign_in(browser, app_url, ADMIN, "/audit")  # a link to the audit page meets the sign-in screen
    try:
        _open(admin, f"{app_url}/audit", "Audit trail")
        sidebar = _sidebar(admin)
        assert "Role: admin" in sidebar and "Audit trail" in sidebar  # routed for the admin only
        _no_exception(admin, "the audit trail, as the admin")
        rows = _grid_rows(admin)
        assert [r["Who"] for r in rows] == [EDITOR, ADMIN, "system"]  # newest first: the viewer changed nothing
        assert {k: rows[0][k] for k in ("Role", "Via", "Kind of change", "Object", "Before → after")} == {
            "Role": "editor", "Via": "signed in", "Kind of change": "Targets",
            "Object": "Revenue · 2026-W49 · All channels",  # the target's key, named as the reader does
            "Before → after": "$100,000 → $123,456"}  # PLANNED, then what the editor typed
        assert rows[1]["Before → after"] == "— → $100,000"  # the admin's plan (the fixture): created
        _shot(admin, "signin-admin-audit")
    finally:
        admin.context.close()


def _grid_rows(tab) -> list[dict[str, str]]:
    """The rows of the page's first data grid as the browser shows them (its accessible table: header cells and
    ``glide-cell-<column>-<row>`` cells), each a dict header → text."""
    grid = tab.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=TIMEOUT_MS)
    return grid.evaluate("""grid => {
        const headers = [...grid.querySelectorAll("table thead th")].map(th => th.innerText.trim());
        const rows = {};
        for (const cell of grid.querySelectorAll("[data-testid^='glide-cell-']")) {
            const [column, row] = cell.dataset.testid.split("-").slice(2).map(Number);
            (rows[row] ??= {})[headers[column]] = cell.innerText.trim();
        }
        return Object.keys(rows).map(Number).sort((a, b) => a - b).map(r => rows[r]);
    }""")


def _top(tab) -> None:
    tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    tab.wait_for_timeout(300)


def _edit_first_target(tab, text: str) -> None:
    """Type ``text`` into the first row's target cell (Revenue; the 4th column: S, KPI, unit, target)."""
    _edit_cell(tab, tab.locator("[data-testid='stDataFrame']").first, 0, 3, text)
    tab.wait_for_timeout(1000)
