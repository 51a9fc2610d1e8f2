"""Sending e-mail through the standard library's ``smtplib``.

Transport from ``KPI_SMTP_URL``: ``smtp://user:password@host:587?starttls=true`` (plain, or STARTTLS when asked) or
``smtps://user:password@host:465`` (TLS from the first byte); user and password are URL-encoded. The sender is
``KPI_MAIL_FROM``. Default ports: smtp 25 (587 with STARTTLS), smtps 465. TLS checks the server's certificate
against the system's authorities, or against ``KPI_SMTP_CA_FILE`` (a PEM file) for a server with its own CA.
Every failure is a :class:`MailError` carrying the server's own code and message, never the password.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from urllib.parse import parse_qs, quote, unquote, urlsplit

URL_EXAMPLE = "smtp://user:password@mail.example.org:587?starttls=true or smtps://user:password@mail.example.org:465"
FROM_EXAMPLE = "KPI review <kpi@example.org>"
TIMEOUT = 30.0  # seconds for the connection and each reply
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class MailError(RuntimeError):
    """The message could not be sent (to everyone); the text carries the server's own message.

    ``delivered_to``: the recipients the server accepted the message for before the failure (some refused, or the
    connection failed after the message was handed over). Non-empty means the message LEFT: recording it as not
    sent would send those people a second copy on the next run."""

    def __init__(self, message: str, delivered_to: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.delivered_to = tuple(delivered_to)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None = field(repr=False)  # never printed
    ssl: bool  # smtps://
    starttls: bool
    sender: str
    ca_file: str | None = None  # PEM authorities to trust instead of the system's (KPI_SMTP_CA_FILE)
    timeout: float = TIMEOUT

    def describe(self) -> str:
        """'smtps://kpi%40example.org@mail.example.org:465' (no password)."""
        who = f"{quote(self.user, safe='')}@" if self.user else ""
        tls = "?starttls=true" if self.starttls else ""
        return f"{'smtps' if self.ssl else 'smtp'}://{who}{self.host}:{self.port}{tls}"


def _flag(value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise MailError(f"KPI_SMTP_URL: starttls={value!r} is not true or false. Example: {URL_EXAMPLE}")


def _url_settings(url: str) -> tuple[str, int, str | None, str | None, bool, bool]:
    """(host, port, user, password, ssl, starttls) of an smtp:// or smtps:// URL."""
    parts = urlsplit(url.strip())
    if "@" in parts.path + parts.query + parts.fragment:  # the user or password holds an unencoded / ? or #
        raise MailError("KPI_SMTP_URL: the user or password holds a character that must be URL-encoded "
                        f"(/ as %2F, ? as %3F, # as %23, @ as %40). Example: {URL_EXAMPLE}")
    try:
        port = parts.port
    except ValueError:  # not a number; Python's message would quote it, and it may be part of a password
        raise MailError("KPI_SMTP_URL has a port that is not a number after the host's ':' (a password's / ? # "
                        f"must be URL-encoded). Example: {URL_EXAMPLE}") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        shown = f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else "a text without smtp:// or smtps://"
        raise MailError(f"KPI_SMTP_URL must be smtp://… or smtps://… with a host, not {shown}. "
                        f"Example: {URL_EXAMPLE}")
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(query) - {"starttls"})
    if unknown:
        raise MailError(f"KPI_SMTP_URL: unknown option {', '.join(unknown)}; the only option is starttls=true. "
                        f"Example: {URL_EXAMPLE}")
    secure = parts.scheme == "smtps"
    starttls = _flag(query["starttls"]) if "starttls" in query else False
    if secure and starttls:
        raise MailError("KPI_SMTP_URL: smtps:// is TLS from the start; starttls=true is for smtp://. "
                        f"Example: {URL_EXAMPLE}")
    default_port = 465 if secure else 587 if starttls else 25
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return parts.hostname, port or default_port, user, password, secure, starttls


def smtp_settings(url: str | None = None, sender: str | None = None) -> SmtpSettings:
    """Settings from ``url`` / ``sender`` or the environment (KPI_SMTP_URL, KPI_MAIL_FROM); MailError if missing."""
    url = url if url is not None else os.environ.get("KPI_SMTP_URL", "")
    if not url.strip():
        raise MailError(f"KPI_SMTP_URL is not set: set it to the mail server, e.g. {URL_EXAMPLE}")
    host, port, user, password, secure, starttls = _url_settings(url)
    sender = check_sender(sender if sender is not None else os.environ.get("KPI_MAIL_FROM", ""))
    ca_file = os.environ.get("KPI_SMTP_CA_FILE", "").strip() or None
    if ca_file and not os.path.isfile(ca_file):
        raise MailError(f"KPI_SMTP_CA_FILE={ca_file!r} is not a file; give a PEM file of the authorities to trust.")
    return SmtpSettings(host, port, user, password, secure, starttls, sender, ca_file)


def check_sender(sender: str) -> str:
    """``sender`` (KPI_MAIL_FROM) if it holds one address, else a MailError naming the variable and an example."""
    if not sender.strip():
        raise MailError(f"KPI_MAIL_FROM is not set: set it to the sender, e.g. {FROM_EXAMPLE!r}")
    _name, address = parseaddr(sender)
    if not is_address(address):
        raise MailError(f"KPI_MAIL_FROM={sender!r} is not an e-mail address; e.g. {FROM_EXAMPLE!r}")
    return sender.strip()


def is_address(text: str) -> bool:
    """A plain check of ``name@domain.tld``: one @, no spaces, a dot in the domain."""
    local, at, domain = text.rpartition("@")
    return (bool(at and local and domain) and "." in domain.strip(".") and not any(c.isspace() for c in text)
            and "@" not in local and all(domain.split(".")) and "," not in text)


def recipients(message: EmailMessage) -> list[str]:
    """The addresses in ``message``'s To, Cc and Bcc."""
    fields = [v for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    return [address for _name, address in getaddresses(fields) if address]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _explain(exc: BaseException, settings: SmtpSettings) -> str:
    """What went wrong, in the server's own words where it said something."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt} refused: {code} {_text(msg)}" for rcpt, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender} refused: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):  # login refused, data refused, connect refused …
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the server does not offer this: {exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS certificate not trusted: {exc.verify_message or exc}"
                " (set KPI_SMTP_CA_FILE to the server's CA in PEM if it has its own)")
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, (socket.timeout, TimeoutError)) or isinstance(exc.__context__, (socket.timeout, TimeoutError)):
        # smtplib reports a reply that never came as 'Connection unexpectedly closed: timed out'
        return f"no answer within {settings.timeout:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the host and port right?)"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    return str(exc) or type(exc).__name__


def _context(settings: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file)


def send(message: EmailMessage, settings: SmtpSettings | None = None) -> None:
    """Send ``message`` (its To/Cc are the recipients); MailError with the server's message on failure."""
    settings = settings or smtp_settings()
    to = recipients(message)
    if not to:
        raise MailError("the message has no recipient")
    if "From" not in message:
        message["From"] = settings.sender
    delivered: list[str] = []  # set once the server has taken the message
    try:
        if settings.ssl:
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=_context(settings))
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.starttls:
                server.starttls(context=_context(settings))
            if settings.user:
                server.login(settings.user, settings.password or "")
            refused = server.send_message(message, from_addr=parseaddr(settings.sender)[1], to_addrs=to)
            delivered = [a for a in to if a not in refused]
        if refused:  # some recipients refused, the others received it
            raise smtplib.SMTPRecipientsRefused(refused)
    except (smtplib.SMTPException, OSError) as exc:
        text = _explain(exc, settings)
        if settings.password:
            text = text.replace(settings.password, "***")
        raise MailError(f"{settings.describe()}: {text}", delivered_to=tuple(delivered)) from None
