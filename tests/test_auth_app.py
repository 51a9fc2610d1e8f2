"""Sign-in and roles in the app, through Streamlit's AppTest (issue 17 §1–2).

The signed-in user is ``AppTest.user`` (what the run reads as ``st.user``: ``is_logged_in`` and the ID token's
claims) and ``[auth]``/``[roles]`` come from ``AppTest.secrets`` (what the run reads as ``st.secrets``; ui/auth.py
reads both at call time). Pages run through app.py on the hand-made shop of tests/fixtures.py (week 2026-W45).
"""

from __future__ import annotations

from datetime import date

import pytest

from access.roles import PermissionDenied, Role
from metrics.periods import parse_period
from metrics.targets import load_targets, save_period_targets
from tests.conftest import page_app
from tests.fixtures import set_targets

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a-test-cookie-secret-0123456789",
        "client_id": "kpi-dashboard", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ROLES = {"admins": ["Boss@Shop.example"], "editors": ["@shop.example"]}
VIEWER_EMAIL, EDITOR_EMAIL, ADMIN_EMAIL = "guest@agency.example", "ana@shop.example", "boss@shop.example"
WEEK = "2026-W45"


def _as(app, email: str | None, auth: dict | None = None, roles: dict | None = None, **claims):
    """``app`` with sign-in configured and ``email`` signed in (None: nobody signed in)."""
    app.secrets["auth"] = auth or AUTH
    app.secrets["roles"] = roles or ROLES
    app.user = ({"is_logged_in": True, "email": email, "email_verified": True, "name": email.split("@")[0].title(),
                 **claims} if email else {"is_logged_in": False})
    return app


@pytest.fixture
def shop(shop_app):
    """The hand-made shop, with a revenue target for W45 ($1,505,000)."""
    set_targets(shop_app, [("sell.revenue", "week", date(2026, 11, 2), "", 1505000.0)])
    return shop_app


def _texts(app) -> str:
    return "\n".join(str(e.value) for kind in ("title", "markdown", "caption", "info", "warning", "error")
                     for e in getattr(app, kind))


def _labels(app) -> list[str]:
    return [b.label for b in app.button]


def test_with_auth_nobody_signed_in_sees_only_the_sign_in_screen(shop):
    app = _as(page_app("targets", grain="week", period=WEEK), None).run()
    assert not app.exception
    assert [t.value for t in app.title] == ["5S KPI control"]
    assert _labels(app) == ["Sign in"]  # [auth]'s own client: one provider, "default"
    assert not app.data_editor and "Targets" not in _texts(app)  # no page ran


def test_the_sign_in_screen_has_one_button_per_named_provider(shop):
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    app = _as(page_app("overview"), None, auth=auth).run()
    assert not app.exception
    assert _labels(app) == ["Sign in with Google", "Sign in with Microsoft"]


def test_an_incomplete_auth_section_says_what_is_missing_on_sign_in(shop):
    app = _as(page_app("overview"), None, auth={"redirect_uri": AUTH["redirect_uri"]}).run()
    assert _labels(app) == ["Sign in"]  # no provider is complete: the default one, which Streamlit checks
    app.button(key="sign-in-default").click().run()
    assert not app.exception  # Streamlit's refusal is shown, not raised (st.login checks the secrets *file*,
    # which AppTest.secrets does not reach: here there is none, so its message is the "no provider" one)
    assert [e.value for e in app.error][0].startswith("To use authentication features you need to configure")


def test_a_viewer_sees_targets_read_only_and_cannot_save_even_when_forcing_it(shop):
    app = _as(page_app("targets", grain="week", period=WEEK), VIEWER_EMAIL).run()
    assert not app.exception and app.title[0].value.startswith("Targets")
    assert any(i.value.startswith("You are signed in as a viewer:") for i in app.info)
    assert not any(label.startswith("Save") for label in _labels(app))
    assert not app.get("file_uploader")  # no CSV upload either
    assert [b.label for b in app.get("download_button")][:1] == ["All targets as CSV"]  # downloads stay
    # forced: an edit in the grid's state still offers no Save button
    app.session_state[f"targets-{WEEK}-"] = {"edited_rows": {0: {"target": "$2,000,000"}}, "added_rows": [],
                                             "deleted_rows": []}
    app.run()
    assert not any(label.startswith("Save") for label in _labels(app))
    # forced further: the write function itself refuses the session's viewer, and nothing changes
    from ui import auth

    actor = _run_as_viewer(auth)
    with pytest.raises(PermissionDenied, match="signed in as viewer and cannot change targets"):
        save_period_targets(shop, parse_period(WEEK), "", [("sell.revenue", 2000000.0)], actor=actor)
    assert load_targets(shop).set_index("kpi_id")["value"].to_dict() == {"sell.revenue": 1505000.0}


def _run_as_viewer(auth_module):
    """The actor ui.auth builds for the viewer of these tests (the same role_for the page used)."""
    from access.roles import Actor, parse_roles, role_for

    role = role_for(VIEWER_EMAIL, {"email_verified": True}, parse_roles(ROLES))
    assert role is Role.VIEWER
    return Actor(VIEWER_EMAIL, role)


def test_an_editor_changes_a_target_and_it_is_saved_under_their_name(shop):
    app = _as(page_app("targets", grain="week", period=WEEK), EDITOR_EMAIL).run()
    assert not app.exception and not app.info
    row = app.data_editor[0].value.reset_index(drop=True).index[
        app.data_editor[0].value["kpi_id"].tolist().index("sell.revenue")]
    app.session_state[f"targets-{WEEK}-"] = {"edited_rows": {int(row): {"target": "$2,000,000"}},
                                             "added_rows": [], "deleted_rows": []}
    app.run()
    save = next(b for b in app.button if b.label.startswith("Save"))
    assert save.label == "Save 1 change"
    save.click().run()
    assert not app.exception and not app.error
    assert load_targets(shop).set_index("kpi_id")["value"].to_dict() == {"sell.revenue": 2000000.0}


def test_the_sidebar_shows_who_is_signed_in_their_role_and_sign_out_signs_out(shop):
    app = _as(page_app("overview"), EDITOR_EMAIL).run()
    sidebar = "\n".join(str(e.value) for e in app.sidebar.markdown) + "\n".join(
        str(e.value) for e in app.sidebar.caption)
    # the e-mail is escaped Markdown ('@' would otherwise become a mailto link)
    assert "Signed in as **Ana**" in sidebar and r"ana\@shop.example" in sidebar and "Role: editor" in sidebar
    app.sidebar.button(key="sign-out").click().run()
    assert app.user == {"is_logged_in": False}  # st.logout cleared the session's user
    app.run()
    assert _labels(app) == ["Sign in"]


def test_only_an_admin_gets_the_audit_page(shop):
    admin = _as(page_app("overview"), ADMIN_EMAIL).run()  # "Boss@Shop.example" in [roles]: case-insensitive
    assert "Role: admin" in "\n".join(str(e.value) for e in admin.sidebar.caption)
    assert "Audit trail" in [link.label for link in admin.get("page_link")]
    admin.switch_page("pages/audit.py").run()
    assert [t.value for t in admin.title] == ["Audit trail"]
    editor = _as(page_app("overview"), EDITOR_EMAIL).run()
    assert "Audit trail" not in [link.label for link in editor.get("page_link")]


def test_an_unverified_email_of_an_admin_is_a_viewer(shop):
    app = _as(page_app("targets", grain="week", period=WEEK), ADMIN_EMAIL, email_verified=False).run()
    assert "Role: viewer" in "\n".join(str(e.value) for e in app.sidebar.caption)
    assert not any(label.startswith("Save") for label in _labels(app))


def test_a_groups_claim_makes_an_editor_when_configured(shop):
    roles = {"groups_claim": "groups", "editor_groups": ["Marketing"]}
    app = _as(page_app("targets", grain="week", period=WEEK), VIEWER_EMAIL, roles=roles,
              groups=["marketing", "all-staff"]).run()
    assert "Role: editor" in "\n".join(str(e.value) for e in app.sidebar.caption)
    assert any(label.startswith("Save") for label in _labels(app))


def test_a_malformed_roles_section_runs_no_page_and_says_what_is_wrong(shop):
    app = _as(page_app("targets", grain="week", period=WEEK), EDITOR_EMAIL, roles={"admin": ["x@shop.example"]}).run()
    assert [e.value for e in app.error] == [
        "[roles] in .streamlit/secrets.toml has unknown key(s) admin; expected: admins, editors, groups_claim, "
        "admin_groups, editor_groups."]
    assert not app.data_editor


def test_a_viewer_reads_the_weekly_review_without_note_or_action_forms(shop):
    app = _as(page_app("weekly_review", period=WEEK), VIEWER_EMAIL).run()
    assert not app.exception and app.title[0].value.startswith("Weekly KPI review")
    assert sum(i.value.startswith("You are signed in as a viewer:") for i in app.info) == 2  # actions, notes
    assert not {"Add note", "Save actions"} & set(_labels(app)) and not app.text_area


def test_an_editor_writes_notes_under_their_signed_in_email(shop):
    from metrics.review import notes

    app = _as(page_app("weekly_review", period=WEEK), EDITOR_EMAIL).run()
    assert not [t for t in app.text_input if t.label == "Your name"]  # not asked: the sign-in says who
    assert r"Written as ana\@shop.example" in [c.value for c in app.caption]  # escaped Markdown
    app.text_area[0].input("Revenue dipped after the promo ended.")
    next(b for b in app.button if b.label == "Add note").click().run()
    assert not app.exception and not app.error
    saved = notes(shop)
    assert saved[["text", "author"]].to_dict("records") == [
        {"text": "Revenue dipped after the promo ended.", "author": EDITOR_EMAIL}]


def test_the_open_app_says_so_on_the_data_sources_page(shop):
    app = page_app("data_sources").run()  # no [auth]: open, as for local use
    assert not app.exception
    assert any(w.value.startswith("This app is open: sign-in is not configured") for w in app.warning)
    signed = _as(page_app("data_sources"), EDITOR_EMAIL).run()
    assert not any(w.value.startswith("This app is open") for w in signed.warning)
    assert signed.get("file_uploader")  # editors import files
