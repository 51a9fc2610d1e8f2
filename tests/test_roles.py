"""Roles: who gets which role from ``[roles]`` (access.roles.role_for, parse_roles) and the refusal's message."""

from __future__ import annotations

import pytest

from access.roles import (
    OPEN,
    Actor,
    PermissionDenied,
    Role,
    RolesConfig,
    RolesConfigError,
    cli_actor,
    parse_roles,
    require,
    role_for,
)

CONFIG = parse_roles({"admins": ["Boss@Shop.example"], "editors": ["@shop.example", "freelancer@gmail.com"]})
VERIFIED = {"email_verified": True}


@pytest.mark.parametrize(("email", "role"), [
    ("boss@shop.example", Role.ADMIN),  # listed as an admin (and in the editors' domain: the higher role wins)
    ("BOSS@SHOP.EXAMPLE", Role.ADMIN),  # case-insensitive, both sides
    (" boss@shop.example ", Role.ADMIN),
    ("ana@shop.example", Role.EDITOR),  # @shop.example
    ("Ana@Shop.Example", Role.EDITOR),
    ("freelancer@gmail.com", Role.EDITOR),
    ("other@gmail.com", Role.VIEWER),  # signed in, listed nowhere
    ("ana@mail.shop.example", Role.VIEWER),  # a domain entry is that domain, not its subdomains
    ("ana@shop.example.evil.com", Role.VIEWER),
    ("shop.example", Role.VIEWER),  # not an e-mail
    ("", Role.VIEWER),
    (None, Role.VIEWER),
])
def test_role_for_an_email_or_its_domain(email, role):
    assert role_for(email, VERIFIED, CONFIG) is role


def test_without_roles_everyone_signed_in_is_a_viewer():
    assert role_for("boss@shop.example", VERIFIED, None) is Role.VIEWER
    assert role_for("boss@shop.example", VERIFIED, parse_roles(None)) is Role.VIEWER


@pytest.mark.parametrize("flag", [False, "false", "False"])
def test_an_unverified_email_matches_no_entry(flag):
    assert role_for("boss@shop.example", {"email_verified": flag}, CONFIG) is Role.VIEWER
    assert role_for("ana@shop.example", {"email_verified": flag}, CONFIG) is Role.VIEWER


def test_a_provider_that_does_not_send_email_verified_is_trusted():
    assert role_for("boss@shop.example", {}, CONFIG) is Role.ADMIN
    assert role_for("boss@shop.example", {"email_verified": "true"}, CONFIG) is Role.ADMIN


GROUPS = parse_roles({"groups_claim": "groups", "admin_groups": ["KPI-Admins"], "editor_groups": ["marketing"],
                      "editors": ["@shop.example"]})


@pytest.mark.parametrize(("claims", "role"), [
    ({"groups": ["kpi-admins"]}, Role.ADMIN),  # group names compared case-insensitively
    ({"groups": ["Marketing", "all-staff"]}, Role.EDITOR),
    ({"groups": "marketing"}, Role.EDITOR),  # a single group sent as a string
    ({"groups": ["all-staff"]}, Role.VIEWER),
    ({"groups": []}, Role.VIEWER),
    ({}, Role.VIEWER),  # the claim is absent: e-mails only
    ({"roles": ["kpi-admins"]}, Role.VIEWER),  # another claim than the configured one
    ({"groups": ["kpi-admins"], "email_verified": False}, Role.ADMIN),  # groups come from the provider itself
])
def test_the_groups_claim_is_used_when_present_and_configured(claims, role):
    assert role_for("someone@agency.example", claims, GROUPS) is role


def test_groups_are_ignored_without_groups_claim_and_emails_still_count_with_it():
    assert role_for("x@agency.example", {"groups": ["kpi-admins"]}, CONFIG) is Role.VIEWER
    assert role_for("ana@shop.example", {"groups": ["all-staff"]}, GROUPS) is Role.EDITOR
    assert role_for("ana@shop.example", {"groups": ["kpi-admins"]}, GROUPS) is Role.ADMIN  # the higher role


def test_parse_roles_normalises_entries():
    assert parse_roles({"admins": " Boss@Shop.example ", "editors": ["@Shop.Example"], "groups_claim": "groups",
                        "editor_groups": ["Marketing"]}) == RolesConfig(
        admins=("boss@shop.example",), editors=("@shop.example",), groups_claim="groups",
        editor_groups=("marketing",))


@pytest.mark.parametrize(("section", "message"), [
    ({"admin": ["a@b.example"]},
     "[roles] in .streamlit/secrets.toml has unknown key(s) admin; expected: admins, editors, groups_claim, "
     "admin_groups, editor_groups."),
    ({"admins": "a@b.example, c@d.example"},
     "[roles] admins in .streamlit/secrets.toml: 'a@b.example, c@d.example' is neither an e-mail "
     "(name@example.com) nor a domain (@example.com)."),
    ({"editors": ["ana"]},
     "[roles] editors in .streamlit/secrets.toml: 'ana' is neither an e-mail (name@example.com) nor a domain "
     "(@example.com)."),
    ({"editors": ["@localhost"]},
     "[roles] editors in .streamlit/secrets.toml: '@localhost' is neither an e-mail (name@example.com) nor a "
     "domain (@example.com)."),
    ({"editors": ["  "]}, "[roles] editors in .streamlit/secrets.toml has an empty entry."),
    ({"admins": [1, 2]},
     "[roles] admins in .streamlit/secrets.toml must be a list of strings (e-mails or @domain entries of the "
     "admins), e.g. admins = [\"ana@example.com\", \"@example.com\"]; got [1, 2]."),
    ({"groups_claim": ""},
     "[roles] groups_claim in .streamlit/secrets.toml must be a claim name such as \"groups\", got ''."),
    ({"admin_groups": ["kpi-admins"]},
     "[roles] in .streamlit/secrets.toml lists admin_groups or editor_groups but no groups_claim: set "
     "groups_claim to the ID token claim holding the groups, e.g. groups_claim = \"groups\"."),
    (["a@b.example"],
     "[roles] in .streamlit/secrets.toml must be a table (a [roles] section), got ['a@b.example']."),
])
def test_a_malformed_roles_section_is_refused_naming_the_key_and_what_was_expected(section, message):
    with pytest.raises(RolesConfigError) as raised:
        parse_roles(section)
    assert str(raised.value) == message


def test_require_refuses_a_role_below_the_action_naming_who_what_and_the_fix():
    viewer = Actor("guest@agency.example", role_for("guest@agency.example", VERIFIED, CONFIG))
    with pytest.raises(PermissionDenied) as raised:
        require(viewer, "targets")
    assert str(raised.value) == (
        "guest@agency.example is signed in as viewer and cannot change targets: that needs the editor role. "
        "Nothing was changed. Ask an admin to add you to [roles] editors in .streamlit/secrets.toml.")
    assert (raised.value.actor, raised.value.action) == (viewer, "targets")
    editor = Actor("ana@shop.example", role_for("ana@shop.example", VERIFIED, CONFIG))
    require(editor, "targets")  # allowed: no error
    with pytest.raises(PermissionDenied, match="cannot run a GA4 sync: that needs the admin role"):
        require(editor, "sync")


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.VIEWER, set()),
    (Role.EDITOR, {"targets", "notes", "actions", "import"}),
    (Role.ADMIN, {"targets", "notes", "actions", "import", "sync", "remove_demo", "audit"}),
])
def test_the_role_table(role, allowed):
    actor = Actor("someone@example.com", role)
    actions = ("targets", "notes", "actions", "import", "sync", "remove_demo", "audit")
    assert {a for a in actions if actor.can(a)} == allowed


def test_require_needs_an_actor_and_the_open_app_and_cli_may_do_everything():
    with pytest.raises(TypeError, match="a change needs the acting user"):
        require("admin@example.com", "targets")
    for actor in (OPEN, cli_actor()):
        require(actor, "audit")
    assert cli_actor().via == "cli" and OPEN.via == "open"
