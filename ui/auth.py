"""Who is using the app: sign-in through Streamlit's ``st.login`` when ``[auth]`` is configured, open otherwise.

- Without ``[auth]`` in .streamlit/secrets.toml the app is open (``access.roles.OPEN``), as for local use.
- With ``[auth]`` every page needs sign-in (app.py shows ``sign_in_screen`` and stops); the role of a signed-in
  user comes from ``[roles]`` (``access.roles.role_for``).

Secrets are read through ``st.secrets`` at call time (AppTest replaces it with ``AppTest.secrets``); the signed-in
user is ``st.user`` (AppTest: ``AppTest.user``).
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitAuthError

from access.roles import OPEN, Actor, Role, RolesConfig, parse_roles, role_for
from i18n import N_, _
from ui.safe_text import md

ROLE_NAMES = {Role.VIEWER: N_("viewer"), Role.EDITOR: N_("editor"), Role.ADMIN: N_("admin")}
PROVIDER_NAMES = {"google": "Google", "microsoft": "Microsoft", "entra": "Microsoft Entra", "okta": "Okta",
                  "auth0": "Auth0", "keycloak": "Keycloak", "github": "GitHub"}
# [auth] keys that are settings, not named providers (Streamlit's own: streamlit/auth_util.py)
_AUTH_SETTINGS = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url",
                  "client_kwargs", "expose_tokens"}
# Signed out while sign-in is on: the least a session can be (app.py never runs a page for it).
SIGNED_OUT = Actor("", Role.VIEWER, via="sign-in")


def _section(name: str) -> Mapping | None:
    """``[name]`` of the secrets, or None (no secrets file, or no such section)."""
    secrets = st.secrets
    if not secrets.load_if_toml_exists():
        return None
    value = secrets.get(name)
    return value if isinstance(value, Mapping) else None


def auth_configured() -> bool:
    """True when ``[auth]`` is in the secrets: every page then needs sign-in."""
    return bool(_section("auth"))


def providers() -> list[str]:
    """The configured sign-in providers, as ``st.login`` names them: "default" for ``[auth]``'s own client_id,
    then each ``[auth.<name>]`` table (e.g. google, microsoft)."""
    section = _section("auth") or {}
    names = ["default"] if section.get("client_id") or section.get("server_metadata_url") else []
    return names + [key for key, value in section.items()
                    if key not in _AUTH_SETTINGS and isinstance(value, Mapping)]


def provider_label(provider: str) -> str:
    """A provider's name on its button (brand names stay Latin)."""
    return PROVIDER_NAMES.get(provider.lower(), provider.replace("-", " ").title())


def roles_config() -> RolesConfig:
    """``[roles]`` of the secrets; ``access.roles.RolesConfigError`` when malformed."""
    return parse_roles(_section("roles"))


def _user() -> dict:
    return dict(st.user.to_dict())


def signed_in() -> bool:
    return auth_configured() and bool(_user().get("is_logged_in"))


def current_actor() -> Actor:
    """The acting user of this session: the open app's actor when sign-in is not configured; with ``[auth]``
    the signed-in e-mail and its role from ``[roles]`` (SIGNED_OUT, a viewer, before sign-in)."""
    if not auth_configured():
        return OPEN
    user = _user()
    if not user.get("is_logged_in"):
        return SIGNED_OUT
    email = str(user.get("email") or "").strip()
    name = email or str(user.get("name") or user.get("sub") or "").strip()
    return Actor(name, role_for(email, user, roles_config()), via="sign-in")


def signed_in_name() -> str | None:
    """The name to write notes under when signed in (the e-mail: unique, as the audit trail records it)."""
    actor = current_actor()
    return actor.name if actor.via == "sign-in" and actor.name else None


def role_name(role: Role) -> str:
    return _(ROLE_NAMES[role])


def sign_in_screen() -> None:
    """The screen shown instead of any page while nobody is signed in: the product and one button per
    provider."""
    middle = st.columns([1, 2, 1])[1]
    with middle:
        st.title(_("5S KPI control"))
        st.write(_("The team's marketing KPIs, targets and weekly review. Sign in to continue."))
        names = providers() or ["default"]  # none complete: Streamlit names what is missing on click
        for provider in names:
            label = (_("Sign in") if provider == "default"
                     else _("Sign in with {provider}").format(provider=provider_label(provider)))
            if st.button(label, key=f"sign-in-{provider}", type="primary", icon=":material/login:",
                         width="stretch"):
                try:
                    st.login(provider)
                except StreamlitAuthError as exc:  # [auth] incomplete: Streamlit names the missing key
                    st.error(str(exc))
        st.caption(_("Your role (viewer, editor or admin) is given by the app's administrator."))


def account_box(container=st.sidebar) -> None:
    """In the sidebar: who is signed in, their role, and "Sign out" (nothing when the app is open)."""
    if not signed_in():
        return
    actor = current_actor()
    shown = str(_user().get("name") or actor.name)
    with container:
        st.markdown(_("Signed in as **{name}**").format(name=md(shown)))
        role = _("Role: {role}").format(role=role_name(actor.role))
        st.caption(role if shown == actor.name else f"{md(actor.name)} · {role}")
        if st.button(_("Sign out"), key="sign-out", icon=":material/logout:", type="secondary"):
            st.logout()
        st.divider()


def read_only_note(actor: Actor) -> None:
    """One line saying why this part is read-only for ``actor`` (a viewer, or an editor on an admin's part)."""
    if actor.role == Role.VIEWER:
        text = _("You are signed in as a viewer: you can read and download here, but changing this needs the "
                 "editor role. Ask an admin to add you to the editors.")
    else:
        text = _("Your role ({role}) cannot do this: it needs the admin role.").format(role=role_name(actor.role))
    st.info(text, icon=":material/lock:")


def open_notice() -> None:
    """On the Data sources page: the app is open (no sign-in), and how to turn sign-in on."""
    if auth_configured():
        return
    st.warning(_("This app is open: sign-in is not configured, so anyone who can reach it can change targets, "
                 "notes and actions, import files and sync GA4. Fine on your own computer; on a shared server, "
                 "turn sign-in on with an [auth] section in .streamlit/secrets.toml and give roles in [roles] "
                 "(README, “Sign-in and roles”)."), icon=":material/lock_open:")
