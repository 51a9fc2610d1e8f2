"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd), keeping every message it accepts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Collect:
    """An aiosmtpd handler keeping every message it accepts."""

    envelopes: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def message(self, n: int = -1) -> EmailMessage:
        return message_from_bytes(self.envelopes[n].content, policy=policy.default)


def free_port() -> int:
    """A free loopback port (aiosmtpd's start connects to the port it is given, so it cannot take port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(handler: Collect | None = None, **kwargs) -> tuple[Controller, Collect]:
    """A started server on a free port with ``handler`` (a new Collect by default); stop it with ``.stop()``."""
    handler = handler or Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller, handler


@contextmanager
def running(handler: Collect | None = None, **kwargs) -> Iterator[tuple[Controller, Collect]]:
    """``start`` as a context manager: the server stops on leaving."""
    controller, handler = start(handler, **kwargs)
    try:
        yield controller, handler
    finally:
        controller.stop()
