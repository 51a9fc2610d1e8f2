"""The weekly review by e-mail (``cli.py send-review``) through a REAL local SMTP server (aiosmtpd on 127.0.0.1):
recipients, subject, text and HTML bodies, the attached review, the no-double-send rule, a refused login that the
next run retries, TLS (smtps:// and STARTTLS) with a self-signed certificate, and the settings' errors."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import cli
from metrics.periods import PeriodError, parse_period
from metrics.review import add_action
from reports.delivery import history
from reports.review_mail import (
    KIND,
    RecipientError,
    build_message,
    delivery_key,
    parse_recipients,
    review_link,
    review_week,
)
from reports.smtp import MailError, SmtpSettings, send, smtp_settings
from tests.actors import ADMIN
from tests.conftest import ROOT
from tests.fixtures import load_fixture, set_targets
from tests.local_smtp import Collect, free_port, start

# the plain-text test server takes a login without TLS on purpose (aiosmtpd warns)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
W45 = parse_period("2026-W45")  # the hand-made shop's week, 2-8 Nov 2026
TODAY = date(2026, 11, 30)
USER, PASSWORD = "kpi@example.org", "s3cret p@ss/word"  # URL-encoded in KPI_SMTP_URL
TO = "ana@example.org,Bo@Example.org"
SENDER = "KPI review <kpi@example.org>"
# The hand-made shop's W45 with these targets, worked out by hand (tests/fixtures.py):
#   marketing cost = 50 + 40 + 30 = 120 against 90: 33 % over, beyond 15 % -> off track;
#     the week before (26 Oct-1 Nov) has no ad spend, so Paid Search moved it +90 (50 + 40), Paid Social +30
#   revenue = 80 + (120 - 20) + 40 + 60 = 280 against 300: 6.7 % short, within 15 % -> at risk
#   orders = 4 against 4, average order value = 280 / 4 = 70 against 70 -> on track (2)
TARGETS = [("save.marketing_cost", "week", W45.start, "", 90.0), ("sell.revenue", "week", W45.start, "", 300.0),
           ("sell.orders", "week", W45.start, "", 4.0), ("sell.aov", "week", W45.start, "", 70.0)]
SUBJECT = "Weekly KPI review 2026-W45: 2 on track, 1 at risk, 1 off track"


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def _server(**kwargs) -> tuple[Controller, Collect]:
    return start(authenticator=_login, auth_require_tls=False, **kwargs)


@pytest.fixture
def smtp(monkeypatch):
    """A plain-text SMTP server on 127.0.0.1 that requires a login; KPI_SMTP_URL and KPI_MAIL_FROM point at it."""
    controller, handler = _server(auth_required=True)
    monkeypatch.setenv("KPI_SMTP_URL", _url(controller.port))
    monkeypatch.setenv("KPI_MAIL_FROM", SENDER)
    monkeypatch.delenv("KPI_PUBLIC_URL", raising=False)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    monkeypatch.delenv("KPI_CALENDAR", raising=False)
    monkeypatch.delenv("KPI_SMTP_CA_FILE", raising=False)
    yield handler
    controller.stop()


def _url(port: int, password: str = PASSWORD, scheme: str = "smtp", query: str = "") -> str:
    from urllib.parse import quote

    return f"{scheme}://{quote(USER, safe='')}:{quote(password, safe='')}@127.0.0.1:{port}{query}"


@pytest.fixture
def shop(engine):
    """The hand-made shop with TARGETS, an action of W45 (due 6 Nov: overdue) and two open ones from W44, one on no
    KPI (a follow-up list mixing actions with and without a KPI once broke the attached review)."""
    load_fixture(engine)
    set_targets(engine, TARGETS)
    add_action(engine, "Cap the brand CPC", "Dara", W45.start, date(2026, 11, 6), "save.marketing_cost", actor=ADMIN)
    add_action(engine, "Renegotiate the feed", "Lee", date(2026, 10, 26), date(2027, 1, 4), None, actor=ADMIN)
    add_action(engine, "Check the refund rules", "Kim", date(2026, 10, 26), date(2026, 12, 1), "sell.revenue",
               actor=ADMIN)
    return engine


def _text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def _visible(html_text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"</?(b|bdi)>", "", html_text)).split())


# --- the message -------------------------------------------------------------------------------------------------


def test_the_message_names_the_kpis_to_discuss_their_top_mover_and_the_open_actions(shop):
    message = build_message(shop, W45, ["ana@example.org", "bo@example.org"], SENDER, lang="en", today=TODAY,
                            public_url="https://kpi.example.org/")
    assert message["Subject"] == SUBJECT
    assert message["To"] == "ana@example.org, bo@example.org" and message["From"] == SENDER
    text = _text(message)
    # worst first: the off-track KPI with value, target and the channel that moved it most, then the at-risk one
    assert "✖ Marketing cost: $120.00 against a target of $90.00 · top mover: Paid Search +$90.00" in text
    assert "▲ Revenue: $280.00 against a target of $300.00" in text
    assert text.index("Marketing cost:") < text.index("Revenue:") and "Orders:" not in text
    # open actions, soonest due first; the one due 6 Nov is overdue on 30 Nov
    assert text.index("- due 6 Nov 2026 overdue · Dara: Cap the brand CPC (Marketing cost)") < text.index(
        "- due 1 Dec 2026 · Kim: Check the refund rules (Revenue)") < text.index(
        "- due 4 Jan 2027 · Lee: Renegotiate the feed\n")  # no KPI: nothing in brackets
    assert "Open the review: https://kpi.example.org/weekly_review?grain=week&period=2026-W45&lang=en" in text
    html_part = message.get_body(("html",)).get_content()
    visible = _visible(html_part)
    assert "Marketing cost $120.00 against a target of $90.00 top mover: Paid Search +$90.00" in visible
    assert "Dara Cap the brand CPC Marketing cost due 6 Nov 2026 overdue" in visible
    assert 'href="https://kpi.example.org/weekly_review?grain=week&amp;period=2026-W45&amp;lang=en"' in html_part
    # made for mail clients: nothing runs, nothing is fetched, no stylesheet to strip
    assert not re.search(r"<(script|style|link|img|iframe)\b", html_part, re.IGNORECASE)
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "kpi-review-2026-W45.html" and attachment.get_content_type() == "text/html"
    review = attachment.get_content()
    assert review.startswith('<!doctype html><html lang="en" dir="ltr">')
    assert review.count('class="plotly-graph-div"') == 2  # the review's charts of the two KPIs to discuss


def test_a_partial_week_is_marked_and_without_a_public_url_there_is_no_link(demo_engine, monkeypatch):
    monkeypatch.delenv("KPI_PUBLIC_URL", raising=False)
    # the demo's data ends on 24 Nov 2026 (its as-of day): W48, 23-29 Nov, is only partly counted on 30 Nov
    message = build_message(demo_engine, parse_period("2026-W48"), ["ana@example.org"], SENDER, lang="en",
                            today=TODAY)
    text = _text(message)
    assert "Open the review" not in text and "weekly_review?" not in message.get_body(("html",)).get_content()
    assert "have incomplete data this week" in text  # the headline of partial KPIs
    discussed = text[text.index("Off track and at risk"):text.index("Open actions")].splitlines()[1:-1]
    assert discussed and all(line.endswith(" · partial week") for line in discussed), discussed
    assert text.count("⏳") == 1 and message.get_body(("html",)).get_content().count("partial week") == len(discussed)


def test_a_top_mover_that_rounds_to_nothing_is_left_out(demo_engine):
    # in the demo's W47 cost per click is at risk, but no channel moved it by a shown cent ("Affiliates $0.00")
    text = _text(build_message(demo_engine, parse_period("2026-W47"), ["ana@example.org"], SENDER, lang="en",
                               today=TODAY))
    line = next(line for line in text.splitlines() if line.startswith("▲ Cost per click:"))
    assert "top mover" not in line and "$0.00" not in text
    assert re.search(r"^✖ Marketing cost: .* · top mover: Paid Search \+\$[\d,]+$", text, re.MULTILINE)


def test_in_persian_the_message_reads_right_to_left_with_jalali_dates_and_persian_digits(shop):
    message = build_message(shop, W45, ["ana@example.org"], SENDER, lang="fa", today=TODAY)
    html_part = message.get_body(("html",)).get_content()
    assert '<html lang="fa" dir="rtl">' in html_part and '<table role="presentation" dir="rtl"' in html_part
    text = _text(message)
    assert "۱۲۰٫۰۰" in text and "۹۰٫۰۰" in text  # 120.00 and 90.00 in Persian digits
    assert "۱۱–۱۷ آبان ۱۴۰۵" in text  # 2-8 Nov 2026 is 11-17 Aban 1405
    assert "Paid Search" in text  # a channel keeps its Latin name
    assert next(message.iter_attachments()).get_content().startswith('<!doctype html><html lang="fa" dir="rtl">')


def test_the_review_link_carries_week_and_language():
    assert review_link(W45, "fa", "https://kpi.example.org/") == (
        "https://kpi.example.org/weekly_review?grain=week&period=2026-W45&lang=fa")
    assert review_link(W45, "en", "") is None


# --- the week and the recipients ---------------------------------------------------------------------------------


def test_last_week_is_the_last_complete_one_in_the_readers_calendar():
    # Monday 30 Nov 2026: the ISO week 23-29 Nov (W48) just ended
    assert review_week("last", "gregorian", date(2026, 11, 30)) == parse_period("2026-W48")
    # Sunday 29 Nov: W48 is not over yet, so the last complete week is W47 (16-22 Nov)
    assert review_week(" LAST ", "gregorian", date(2026, 11, 29)) == parse_period("2026-W47")
    # Jalali weeks run Saturday to Friday: on Monday 30 Nov the last complete one is Sat 21 - Fri 27 Nov
    jalali = review_week("last", "jalali", date(2026, 11, 30))
    assert (jalali.start, jalali.end, jalali.calendar) == (date(2026, 11, 21), date(2026, 11, 27), "jalali")
    assert review_week("2026-W46") == parse_period("2026-W46")
    with pytest.raises(PeriodError, match="is a month; give a week such as 2026-W46"):
        review_week("2026-11")


def test_recipients_are_checked_one_by_one_and_the_key_ignores_order_and_case():
    assert parse_recipients(" ana@example.org , bo@example.org,ANA@example.org") == ["ana@example.org",
                                                                                    "bo@example.org"]
    with pytest.raises(RecipientError, match=r"'bo@' \(recipient 2\) is not an e-mail address"):
        parse_recipients("ana@example.org,bo@")
    with pytest.raises(RecipientError, match="recipient 2 of .* is empty"):
        parse_recipients("ana@example.org,,bo@example.org")
    assert delivery_key(W45, ["Bo@Example.org", "ana@example.org"]) == delivery_key(
        W45, ["ana@example.org", "bo@example.org"]) == "2026-W45|ana@example.org,bo@example.org"


TEAM = [f"member-{n:02d}@marketing-team.example.org" for n in range(1, 46)]  # 45 × 36 characters + commas > 1000


def test_a_long_recipient_list_has_a_key_the_deliveries_table_holds_same_for_any_order_or_case():
    key = delivery_key(W45, TEAM)
    assert len(key) <= 1000  # deliveries.delivery_key is VARCHAR(1000): PostgreSQL refuses a longer value
    assert key.startswith("2026-W45|45 recipients sha256:")
    assert delivery_key(W45, [a.upper() for a in reversed(TEAM)]) == key
    assert delivery_key(W45, TEAM[:-1]) != key  # one person fewer: another delivery


def test_send_review_to_a_long_list_is_sent_once(shop, cli_url, smtp, capsys):
    to = ",".join(TEAM)
    assert cli.main(["send-review", "--week", "2026-W45", "--to", to]) == 0
    assert len(smtp.envelopes) == 1 and len(smtp.envelopes[0].rcpt_tos) == 45
    capsys.readouterr()
    assert cli.main(["send-review", "--week", "2026-W45", "--to", to]) == 0
    assert "already sent" in capsys.readouterr().out and len(smtp.envelopes) == 1


# --- the settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["smtp://kpi:Secr3t/word@mail.example.org:587",  # '/' ends the host part
                                 "smtp://kpi:Se#cr3t@mail.example.org:587",  # '#' starts a fragment
                                 "smtps://kpi:Secr3t?x@mail.example.org",
                                 "smtp://kpi:Secr3t@mail.example.org:2x5"])
def test_a_password_with_an_unencoded_character_is_refused_without_printing_it(url):
    with pytest.raises(MailError) as refused:
        smtp_settings(url, SENDER)
    # before the fix: "bad port (Port could not be cast to integer value as 'Secr3t')", the password on stderr
    assert "Secr3t" not in str(refused.value) and "Se'" not in str(refused.value)
    assert "KPI_SMTP_URL" in str(refused.value) and "URL-encoded" in str(refused.value)


def test_the_smtp_url_gives_host_port_tls_and_decoded_credentials(monkeypatch):
    monkeypatch.delenv("KPI_SMTP_CA_FILE", raising=False)
    s = smtp_settings("smtp://kpi%40example.org:p%40ss%2Fw%3Ard@mail.example.org?starttls=true", SENDER)
    assert (s.host, s.port, s.user, s.password, s.ssl, s.starttls) == (
        "mail.example.org", 587, "kpi@example.org", "p@ss/w:rd", False, True)
    assert "p@ss" not in repr(s) and s.describe() == "smtp://kpi%40example.org@mail.example.org:587?starttls=true"
    assert smtp_settings("smtp://relay.internal", SENDER).port == 25  # no STARTTLS, no login
    assert (smtp_settings("smtps://u:p@mail.example.org", SENDER).port,
            smtp_settings("smtps://u:p@mail.example.org:2465", SENDER).port) == (465, 2465)


@pytest.mark.parametrize("url, sender, message", [
    ("", SENDER, "KPI_SMTP_URL is not set: set it to the mail server, e.g. smtp://"),
    ("mail.example.org:587", SENDER, "KPI_SMTP_URL must be smtp://… or smtps://… with a host"),
    ("http://mail.example.org", SENDER, "KPI_SMTP_URL must be smtp://… or smtps://…"),
    ("smtp://u:p@mail.example.org:twenty", SENDER, "KPI_SMTP_URL has a port that is not a number"),
    ("smtp://mail.example.org?starttls=maybe", SENDER, "starttls='maybe' is not true or false"),
    ("smtp://mail.example.org?tls=1", SENDER, "unknown option tls"),
    ("smtps://mail.example.org?starttls=true", SENDER, "smtps:// is TLS from the start"),
    ("smtp://mail.example.org", "", "KPI_MAIL_FROM is not set: set it to the sender, e.g. 'KPI review <kpi@"),
    ("smtp://mail.example.org", "kpi at example", "KPI_MAIL_FROM='kpi at example' is not an e-mail address"),
])
def test_a_missing_or_malformed_setting_names_the_variable_and_gives_an_example(url, sender, message):
    with pytest.raises(MailError, match=re.escape(message)) as caught:
        smtp_settings(url, sender)
    assert "Example" in str(caught.value) or "e.g." in str(caught.value)
    assert ":p@" not in str(caught.value)  # the password never shows


def test_a_refused_connection_is_a_mail_error():
    settings = SmtpSettings("127.0.0.1", free_port(), None, None, False, False, "kpi@example.org", timeout=5)
    message = EmailMessage()
    message["To"] = "ana@example.org"
    message.set_content("hello")
    with pytest.raises(MailError, match=r"smtp://127\.0\.0\.1:\d+: connection refused"):
        send(message, settings)


class RefuseNowhere(Collect):
    """Refuses recipients at nowhere.example, as a server refuses an unknown mailbox."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@nowhere.example"):
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_recipient_is_a_mail_error_with_the_servers_words():
    controller, handler = start(RefuseNowhere())
    try:
        settings = smtp_settings(f"smtp://127.0.0.1:{controller.port}", SENDER)
        message = _hello()
        message.replace_header("To", "ana@example.org, gone@nowhere.example")
        # one of two refused: the other got it, and the failure is still said (never silent)
        with pytest.raises(MailError, match=r"gone@nowhere\.example refused: 550 5\.1\.1 .*User unknown") as refused:
            send(message, settings)
        assert refused.value.delivered_to == ("ana@example.org",)  # it left, for Ana
        assert [e.rcpt_tos for e in handler.envelopes] == [["ana@example.org"]]
    finally:
        controller.stop()


def _refusing_server(monkeypatch, handler: Collect) -> Controller:
    controller, _ = start(handler)
    monkeypatch.setenv("KPI_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
    monkeypatch.setenv("KPI_MAIL_FROM", SENDER)
    monkeypatch.delenv("KPI_PUBLIC_URL", raising=False)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    monkeypatch.delenv("KPI_CALENDAR", raising=False)
    return controller


def test_a_review_one_recipient_refused_is_recorded_sent_and_never_sent_twice_to_the_others(shop, cli_url, capsys,
                                                                                           monkeypatch):
    handler = RefuseNowhere()
    controller = _refusing_server(monkeypatch, handler)
    try:
        to = "ana@example.org,gone@nowhere.example"
        assert cli.main(["send-review", "--week", "2026-W45", "--to", to]) == 1  # a failure is never silent
        err = capsys.readouterr().err
        assert "reached ana@example.org but not gone@nowhere.example" in err and "550 5.1.1" in err
        assert "--to gone@nowhere.example" in err  # how to send it to the one who missed it
        assert [e.rcpt_tos for e in handler.envelopes] == [["ana@example.org"]]
        row = history(shop, KIND).iloc[0]
        assert row["status"] == "sent" and "550 5.1.1" in row["detail"]
        # the cron job runs again: Ana already has it, so nothing is sent (before the fix: a second copy to Ana)
        assert cli.main(["send-review", "--week", "2026-W45", "--to", to]) == 0
        assert "already sent" in capsys.readouterr().out
        assert len(handler.envelopes) == 1
    finally:
        controller.stop()


class SaysNoToQuit(Collect):
    """Takes the message, then answers QUIT with an error (a server going down right after delivery)."""

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return "421 4.3.2 Service shutting down"


def test_a_failure_after_the_message_was_taken_is_not_a_failed_send(shop, cli_url, capsys, monkeypatch):
    handler = SaysNoToQuit()
    controller = _refusing_server(monkeypatch, handler)
    try:
        assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 0
        out = capsys.readouterr().out
        assert "sent the review of 2026-W45" in out and "421 4.3.2" in out  # what the server said is shown
        assert len(handler.envelopes) == 1 and history(shop, KIND).iloc[0]["status"] == "sent"
        assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 0  # not sent again
        assert len(handler.envelopes) == 1
    finally:
        controller.stop()


def test_a_server_that_does_not_answer_times_out_as_a_mail_error():
    with socket.socket() as silent:  # accepts connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings = SmtpSettings("127.0.0.1", silent.getsockname()[1], None, None, False, False, "kpi@example.org",
                                timeout=1)
        with pytest.raises(MailError, match=r"no answer within 1 s"):
            send(_hello(), settings)


# --- send-review against the local server -----------------------------------------------------------------------


def test_send_review_reaches_two_people_once_and_again_only_with_resend(shop, cli_url, smtp, capsys):
    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 0
    assert "sent the review of 2026-W45 to ana@example.org, Bo@Example.org" in capsys.readouterr().out
    assert len(smtp.envelopes) == 1
    envelope = smtp.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["Bo@Example.org", "ana@example.org"]
    assert envelope.mail_from == "kpi@example.org"
    received = smtp.message()
    assert received["Subject"] == SUBJECT
    assert "✖ Marketing cost: $120.00 against a target of $90.00 · top mover: Paid Search +$90.00" in _text(received)
    assert "Cap the brand CPC" in _visible(received.get_body(("html",)).get_content())
    attachment = next(received.iter_attachments())
    assert attachment.get_filename() == "kpi-review-2026-W45.html"
    assert "Weekly KPI review · <bdi>2026-W45</bdi>" in attachment.get_content()

    # a cron job that runs twice: the second run sends nothing, says so, and succeeds
    assert cli.main(["send-review", "--week", "2026-W45", "--to", "bo@example.org, ana@example.org"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"already sent on \d{4}-\d\d-\d\d \d\d:\d\d to ana@example.org, bo@example.org; "
                     r"--resend to send again", out), out
    assert len(smtp.envelopes) == 1

    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO, "--resend"]) == 0
    assert len(smtp.envelopes) == 2 and smtp.message()["Subject"] == SUBJECT
    row = history(shop, KIND).iloc[0]
    assert (row["delivery_key"], row["status"], row["attempts"]) == (
        "2026-W45|ana@example.org,bo@example.org", "sent", 2)


def test_a_refused_login_fails_with_the_servers_535_and_the_next_run_sends_it(shop, cli_url, smtp, capsys,
                                                                             monkeypatch):
    port = int(os.environ["KPI_SMTP_URL"].rsplit(":", 1)[1])
    monkeypatch.setenv("KPI_SMTP_URL", _url(port, password="wrong-pass"))
    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 1
    err = capsys.readouterr().err
    assert "error: the review of 2026-W45 was not sent:" in err and "535" in err
    assert "Authentication credentials invalid" in err  # the server's own words
    assert "wrong-pass" not in err and "The next run retries it." in err
    assert smtp.envelopes == []
    row = history(shop, KIND).iloc[0]
    assert row["status"] == "failed" and "535" in row["error"] and "wrong-pass" not in row["error"]

    monkeypatch.setenv("KPI_SMTP_URL", _url(port))  # the password fixed: the next run sends it
    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 0
    assert "(attempt 2)" in capsys.readouterr().out
    assert len(smtp.envelopes) == 1 and history(shop, KIND).iloc[0]["status"] == "sent"


def test_bad_recipients_or_settings_exit_2_with_a_clear_message_and_send_nothing(shop, cli_url, smtp, capsys,
                                                                                monkeypatch):
    assert cli.main(["send-review", "--week", "2026-W45", "--to", "ana@example.org;bo@example.org"]) == 2
    assert "is not an e-mail address; give name@example.org[,other@example.org]" in capsys.readouterr().err
    assert cli.main(["send-review", "--week", "2026-11", "--to", TO]) == 2
    assert "is a month; give a week" in capsys.readouterr().err
    monkeypatch.delenv("KPI_MAIL_FROM")
    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO]) == 2
    assert "error: KPI_MAIL_FROM is not set" in capsys.readouterr().err
    assert smtp.envelopes == [] and history(shop, KIND).empty


def test_send_review_runs_as_cron_would_in_a_subprocess(shop, smtp, tmp_path):
    env = {**os.environ, "KPI_DATABASE_URL": shop.url.render_as_string(hide_password=False)}
    command = [sys.executable, "cli.py", "send-review", "--week", "2026-W45", "--to", TO, "--lang", "fa"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("sent the review of 2026-W45 to ana@example.org, Bo@Example.org:")
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "already sent on" in again.stdout
    assert len(smtp.envelopes) == 1
    received = smtp.message()
    assert received["Content-Language"] == "fa"
    assert 'dir="rtl"' in received.get_body(("html",)).get_content()


def test_dry_run_writes_the_message_and_neither_sends_nor_records(shop, cli_url, smtp, tmp_path, capsys):
    out = tmp_path / "review.eml"
    assert cli.main(["send-review", "--week", "2026-W45", "--to", TO, "--dry-run", str(out)]) == 0
    assert message_from_bytes(out.read_bytes(), policy=policy.default)["Subject"] == SUBJECT
    assert smtp.envelopes == [] and history(shop, KIND).empty


# --- TLS with a self-signed certificate -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem), made with ``cryptography``."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kpi test mail server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def _server_context(certificate):
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _hello() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "ana@example.org"
    message["Subject"] = "TLS check"
    message.set_content("hello")
    return message


@pytest.mark.parametrize("scheme, query, server_kwargs", [
    ("smtps", "", lambda ctx: {"ssl_context": ctx}),  # TLS from the first byte
    ("smtp", "?starttls=true", lambda ctx: {"tls_context": ctx, "require_starttls": True}),
])
def test_tls_is_verified_against_the_ca_file(certificate, monkeypatch, scheme, query, server_kwargs):
    controller, handler = _server(**server_kwargs(_server_context(certificate)))
    try:
        url = _url(controller.port, scheme=scheme, query=query)
        monkeypatch.delenv("KPI_SMTP_CA_FILE", raising=False)  # the system's authorities do not know it
        with pytest.raises(MailError, match="TLS certificate not trusted: self.signed certificate.*KPI_SMTP_CA_FILE"):
            send(_hello(), smtp_settings(url, SENDER))
        assert handler.envelopes == []
        monkeypatch.setenv("KPI_SMTP_CA_FILE", str(certificate[0]))
        send(_hello(), smtp_settings(url, SENDER))
        assert [e.rcpt_tos for e in handler.envelopes] == [["ana@example.org"]]
        assert handler.message()["Subject"] == "TLS check"
    finally:
        controller.stop()
