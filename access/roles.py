"""Roles and the acting user.

Every function that writes to the warehouse (targets, notes, actions, file imports, GA4 sync, demo removal)
takes the acting user (``Actor``) and calls ``require`` first, so hiding a button is never the only guard.

| role   | can                                              |
|--------|--------------------------------------------------|
| viewer | read everything and download                     |
| editor | also targets, notes, actions, file imports       |
| admin  | also GA4 sync, demo removal, the audit page      |
"""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass


class Role(enum.IntEnum):
    """Ordered: each role can do everything the one below it can."""

    VIEWER = 1
    EDITOR = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# What each kind of change needs. Keys are the actions the audit trail records.
NEEDS: dict[str, Role] = {
    "targets": Role.EDITOR,
    "notes": Role.EDITOR,
    "actions": Role.EDITOR,
    "import": Role.EDITOR,
    "sync": Role.ADMIN,
    "remove_demo": Role.ADMIN,
    "audit": Role.ADMIN,
}

WHAT = {
    "targets": "change targets",
    "notes": "write notes",
    "actions": "change actions",
    "import": "import files",
    "sync": "run a GA4 sync",
    "remove_demo": "remove the demo data",
    "audit": "read the audit trail",
}


# Actions that only read (their refusal changes nothing to begin with).
READS = frozenset({"audit"})


@dataclass(frozen=True)
class Actor:
    """The person (or process) making a change.

    ``name``: the signed-in e-mail, the operating-system user for the CLI, or a fixed name for the system.
    ``via``: "sign-in" (the app with ``[auth]``), "open" (the app without ``[auth]``), "cli" or "system".
    """

    name: str
    role: Role
    via: str = "sign-in"

    def can(self, action: str) -> bool:
        return self.role >= NEEDS[action]


class PermissionDenied(PermissionError):
    """An actor tried a change their role does not allow; nothing was changed."""

    def __init__(self, actor: Actor, action: str) -> None:
        self.actor, self.action = actor, action
        need = NEEDS[action].label
        unchanged = "" if action in READS else " Nothing was changed."
        super().__init__(f"{actor.name or 'This user'} is signed in as {actor.role.label} and cannot {WHAT[action]}: "
                         f"that needs the {need} role.{unchanged} Ask an admin to add you to "
                         f"[roles] {need}s in .streamlit/secrets.toml.")


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` (a key of NEEDS)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"a change needs the acting user (an access.roles.Actor), got {actor!r}")
    if not actor.can(action):
        raise PermissionDenied(actor, action)


def cli_actor() -> Actor:
    """The command line acts as the operating-system user, with every right (whoever runs it can reach the
    database already)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name (e.g. a container without a passwd entry)
        name = "unknown"
    return Actor(name, Role.ADMIN, via="cli")


# The app without [auth]: open for local use, every right (as before sign-in existed).
OPEN = Actor("open app", Role.ADMIN, via="open")
# Changes the product makes by itself (the demo's own targets on first run).
SYSTEM = Actor("system", Role.ADMIN, via="system")


# --- Who gets which role after signing in: [roles] in .streamlit/secrets.toml -------------------------------------

ROLES_KEYS = {
    "admins": "e-mails or @domain entries of the admins",
    "editors": "e-mails or @domain entries of the editors",
    "groups_claim": "the name of the ID token's claim listing the user's groups (e.g. \"groups\")",
    "admin_groups": "groups (as the provider names them in that claim) whose members are admins",
    "editor_groups": "groups whose members are editors",
}


class RolesConfigError(ValueError):
    """``[roles]`` in .streamlit/secrets.toml is malformed; the message names the key and what was expected."""


@dataclass(frozen=True)
class RolesConfig:
    """``[roles]``, normalised: entries lower-cased and stripped.

    ``admins``/``editors``: e-mails (``ana@shop.ir``) or whole domains (``@shop.ir``). ``groups_claim``: the ID
    token claim that lists the user's groups, used only when set; ``admin_groups``/``editor_groups``: its values
    that make an admin or an editor (compared case-insensitively).
    """

    admins: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    groups_claim: str | None = None
    admin_groups: tuple[str, ...] = ()
    editor_groups: tuple[str, ...] = ()


def _entries(section, key: str, emails: bool) -> tuple[str, ...]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise RolesConfigError(f"[roles] {key} in .streamlit/secrets.toml must be a list of strings "
                               f"({ROLES_KEYS[key]}), e.g. {key} = [\"ana@example.com\", \"@example.com\"]; "
                               f"got {value!r}.")
    entries = tuple(v.strip().lower() for v in value)
    for entry in entries:
        if not entry:
            raise RolesConfigError(f"[roles] {key} in .streamlit/secrets.toml has an empty entry.")
        if emails and not _is_email_entry(entry):
            raise RolesConfigError(f"[roles] {key} in .streamlit/secrets.toml: {entry!r} is neither an e-mail "
                                   "(name@example.com) nor a domain (@example.com).")
    return entries


def _is_email_entry(entry: str) -> bool:
    local, at, domain = entry.rpartition("@")
    return bool(at) and "@" not in local and "." in domain and " " not in entry and not domain.startswith(".")


def parse_roles(section) -> RolesConfig:
    """``[roles]`` (a mapping, or None when absent) as a RolesConfig; RolesConfigError names what is wrong."""
    if section is None:
        return RolesConfig()
    if not hasattr(section, "get") or not hasattr(section, "keys"):
        raise RolesConfigError(f"[roles] in .streamlit/secrets.toml must be a table (a [roles] section), "
                               f"got {section!r}.")
    unknown = sorted(set(section.keys()) - set(ROLES_KEYS))
    if unknown:
        raise RolesConfigError(f"[roles] in .streamlit/secrets.toml has unknown key(s) {', '.join(unknown)}; "
                               f"expected: {', '.join(ROLES_KEYS)}.")
    claim = section.get("groups_claim")
    if claim is not None and (not isinstance(claim, str) or not claim.strip()):
        raise RolesConfigError(f"[roles] groups_claim in .streamlit/secrets.toml must be a claim name such as "
                               f"\"groups\", got {claim!r}.")
    config = RolesConfig(admins=_entries(section, "admins", True), editors=_entries(section, "editors", True),
                         groups_claim=claim.strip() if claim else None,
                         admin_groups=_entries(section, "admin_groups", False),
                         editor_groups=_entries(section, "editor_groups", False))
    if (config.admin_groups or config.editor_groups) and not config.groups_claim:
        raise RolesConfigError("[roles] in .streamlit/secrets.toml lists admin_groups or editor_groups but no "
                               "groups_claim: set groups_claim to the ID token claim holding the groups, e.g. "
                               "groups_claim = \"groups\".")
    return config


def _verified(claims) -> bool:
    """False only when the provider says the e-mail is not verified (``email_verified`` false or "false")."""
    flag = claims.get("email_verified", True)
    if isinstance(flag, str):
        return flag.strip().lower() != "false"
    return flag is not False


def _matches(email: str, entries: tuple[str, ...]) -> bool:
    domain = "@" + email.rpartition("@")[2]
    return email in entries or domain in entries


def _groups(claims, claim: str | None) -> set[str]:
    if not claim:
        return set()
    value = claims.get(claim)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return set()
    return {str(v).strip().lower() for v in value}


def role_for(email: str | None, claims, roles_config: RolesConfig | None) -> Role:
    """The role of a signed-in user: admin or editor when their e-mail (exactly, or its @domain) is listed, or
    when ``groups_claim`` is configured and the claim names one of the listed groups; viewer otherwise.

    Matching is case-insensitive. An e-mail the provider marks unverified (``email_verified`` false) matches no
    entry; groups still count (they come from the provider itself)."""
    config = roles_config or RolesConfig()
    claims = claims or {}
    address = (email or "").strip().lower()
    usable = bool(address) and "@" in address and _verified(claims)
    groups = _groups(claims, config.groups_claim)
    if (usable and _matches(address, config.admins)) or groups & set(config.admin_groups):
        return Role.ADMIN
    if (usable and _matches(address, config.editors)) or groups & set(config.editor_groups):
        return Role.EDITOR
    return Role.VIEWER
