"""The acting users of tests: every write to the warehouse names who makes it (access/roles.py)."""

from access.roles import Actor, Role

ADMIN = Actor("admin@example.com", Role.ADMIN)
EDITOR = Actor("editor@example.com", Role.EDITOR)
VIEWER = Actor("viewer@example.com", Role.VIEWER)
