"""Sending e-mail through the standard library's ``smtplib``.

Transport from ``KPI_SMTP_URL``: ``smtp://user:password@host:587?starttls=true`` (plain, or STARTTLS when asked) or
``smtps://user:password@host:465`` (TLS from the first byte); user and password are URL-encoded. The sender is
``KPI_MAIL_FROM``.

(Foundation contract: the e-mail helper completes and tests this module.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.message import EmailMessage


class MailError(RuntimeError):
    """The message could not be sent; the text carries the server's own message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    ssl: bool  # smtps://
    starttls: bool
    sender: str


def smtp_settings(url: str | None = None, sender: str | None = None) -> SmtpSettings:
    """Settings from ``url`` / ``sender`` or the environment (KPI_SMTP_URL, KPI_MAIL_FROM); MailError if missing."""
    raise NotImplementedError


def send(message: EmailMessage, settings: SmtpSettings | None = None) -> None:
    """Send ``message`` (its To/Cc are the recipients); MailError with the server's message on failure."""
    raise NotImplementedError


def configured() -> bool:
    """Whether KPI_SMTP_URL is set."""
    return bool(os.environ.get("KPI_SMTP_URL"))
