"""Chat messages for Slack and Microsoft Teams, and the poster that sends them (standard library only).

A ``ChatMessage`` says what to post (a title, a few facts, a list of lines, a link); ``payload`` turns it into
the JSON a destination expects:

- ``slack``: an incoming webhook's ``{"text": …, "blocks": [...]}`` (the text is the notification's fallback);
- ``teams``: a Teams Workflows "post to a channel when a webhook request is received" message,
  ``{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", …}]}``
  with an Adaptive Card 1.4.

A webhook URL is a secret (anyone who has it can post): only ``redact``-ed forms are ever printed or stored.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FORMATS = ("slack", "teams")
TIMEOUT = 15  # seconds for one POST
BODY_SHOWN = 500  # characters of a failed response's body in the error

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


class WebhookError(RuntimeError):
    """A post failed (or cannot be made); the text names the redacted URL, the HTTP status and the server's body."""


@dataclass(frozen=True)
class ChatMessage:
    """What a chat message says, whatever the destination.

    ``facts``: (name, value) pairs shown side by side (e.g. the counts); ``lines``: (label, text) pairs listed under
    ``heading`` (e.g. the off-track KPIs); ``empty``: what to say under ``heading`` when there are no lines.
    """

    title: str
    text: str | None = None  # a paragraph under the title
    facts: list[tuple[str, str]] = field(default_factory=list)
    heading: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    empty: str | None = None
    link: str | None = None
    link_text: str | None = None
    note: str | None = None  # a small line at the end (e.g. what the message is about)

    def plain(self) -> str:
        """The message as plain text (Slack's fallback, an e-mail body, a log line)."""
        out = [self.title] + ([self.text] if self.text else [])
        out += [f"{name}: {value}" for name, value in self.facts]
        if self.heading:
            out.append(self.heading)
        out += [f"- {label}: {text}" for label, text in self.lines] or ([self.empty] if self.empty else [])
        if self.note:
            out.append(self.note)
        if self.link:
            out.append(f"{self.link_text or self.link}: {self.link}")
        return "\n".join(out)


def redact(url: str) -> str:
    """``url`` safe to print: scheme, host and the first path segment; the secret rest, the query and any
    user:password dropped ('https://hooks.slack.com/services/…')."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    first = next((segment for segment in parts.path.split("/") if segment), "")
    rest = parts.path.strip("/") != first or parts.query
    return f"{parts.scheme}://{host}/{first}" + ("/…" if rest else "")


def url_hash(url: str) -> str:
    """A short fingerprint of a destination URL, for delivery keys (the URL itself is never stored)."""
    return hashlib.sha256(url.strip().encode()).hexdigest()[:16]


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn control characters written as entities (a KPI named 'A & B' stays text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: ChatMessage) -> dict:
    """An incoming-webhook message: ``text`` (the fallback shown in notifications) and ``blocks``."""
    esc = _slack_escape
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": message.title[:150],
                                                       "emoji": True}}]
    if message.text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": esc(message.text)[:3000]}})
    if message.facts:
        blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": f"*{esc(name)}*\n{esc(value)}"}
                                                     for name, value in message.facts[:10]]})
    if message.heading:
        listed = "\n".join(f"• *{esc(label)}*: {esc(text)}" for label, text in message.lines)
        body = listed or esc(message.empty or "")
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                   "text": f"*{esc(message.heading)}*\n{body}"[:3000]}})
    context = ([esc(message.note)] if message.note else []) + (
        [f"<{message.link}|{esc(message.link_text or message.link)}>"] if message.link else [])
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text} for text in context]})
    return {"text": esc(_fallback(message)), "blocks": blocks}


def _fallback(message: ChatMessage) -> str:
    """The title and the listed labels, for a notification's one line."""
    if not message.lines:
        return message.title
    return f"{message.title} — " + ", ".join(label for label, _text in message.lines)


def teams_payload(message: ChatMessage) -> dict:
    """A Teams Workflows message carrying one Adaptive Card (version 1.4)."""
    body: list[dict] = [{"type": "TextBlock", "text": message.title, "size": "Large", "weight": "Bolder",
                         "wrap": True}]
    if message.text:
        body.append({"type": "TextBlock", "text": message.text, "wrap": True})
    if message.facts:
        body.append({"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in message.facts]})
    if message.heading:
        body.append({"type": "TextBlock", "text": message.heading, "weight": "Bolder", "spacing": "Medium",
                     "wrap": True})
        body += [{"type": "TextBlock", "text": f"**{label}**: {text}", "wrap": True, "spacing": "Small"}
                 for label, text in message.lines]
        if not message.lines and message.empty:
            body.append({"type": "TextBlock", "text": message.empty, "wrap": True, "isSubtle": True})
    if message.note:
        body.append({"type": "TextBlock", "text": message.note, "wrap": True, "isSubtle": True, "size": "Small"})
    card: dict = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": body}
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": message.link_text or message.link,
                            "url": message.link}]
    return {"type": "message", "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}]}


def payload(message: ChatMessage, fmt: str) -> dict:
    """The JSON for format ``fmt`` ('slack' or 'teams')."""
    if fmt == "slack":
        return slack_payload(message)
    if fmt == "teams":
        return teams_payload(message)
    raise WebhookError(f"Unknown chat format {fmt!r}: use one of {', '.join(FORMATS)}.")


def check_url(url: str | None) -> str:
    """``url`` when it is an http(s) URL; WebhookError saying what is expected otherwise."""
    if not url or not url.strip():
        raise WebhookError("No webhook URL: pass --webhook URL or set KPI_WEBHOOK_URL (a Slack incoming webhook or "
                           "a Teams Workflows 'when a webhook request is received' URL).")
    url = url.strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise WebhookError(f"The webhook URL {redact(url)!r} is not an http(s) URL: expected e.g. "
                           "https://hooks.slack.com/services/… or the URL a Teams workflow shows.")
    return url


def post_json(url: str, body: dict, timeout: float = TIMEOUT) -> str:
    """POST ``body`` as JSON to ``url``; the response text on any 2xx (Slack answers 'ok', Teams 202 Accepted).
    WebhookError with the status and the server's own message otherwise (the URL redacted)."""
    url = check_url(url)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    where = redact(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked above)
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace").strip()[:BODY_SHOWN]
        raise WebhookError(f"POST to {where} failed: HTTP {exc.code} {exc.reason}"
                           + (f": {text}" if text else " (empty response)")) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"POST to {where} failed: {reason}") from None
    except http.client.HTTPException as exc:  # e.g. BadStatusLine: urllib lets these through unwrapped
        raise WebhookError(f"POST to {where} failed: the answer is not HTTP ({type(exc).__name__}: "
                           f"{str(exc)[:BODY_SHOWN]!r})") from None
