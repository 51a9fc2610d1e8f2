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
        super().__init__(f"{actor.name or 'This user'} is signed in as {actor.role.label} and cannot {WHAT[action]}: "
                         f"that needs the {need} role. Nothing was changed. Ask an admin to add you to "
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
