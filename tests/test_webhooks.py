"""``notify``: the week's summary posted to Slack or Teams through a real local HTTP server, once per week and
destination; payload shapes, the link, redaction, a missing URL and a failing server."""

from __future__ import annotations

import pytest

import cli
from metrics.format import format_value
from metrics.periods import parse_period
from reports import delivery
from reports.notify import notify_key
from reports.webhooks import WebhookError, post_json, redact
from tests.webhook_server import WebhookServer, report_kpis, run_cli
from warehouse.db import make_engine

WEEK = "2026-W47"  # 16-22 Nov 2026, the demo's last complete week (demo data end on 23 Nov)
PUBLIC = "https://kpi.example.org"


def expected_summary(demo_url: str) -> tuple[str, dict[str, str]]:
    """The headline and {label: 'value against a target of target'} of the off-track KPIs, from the ``report``
    JSON's statuses (not from the chat code)."""
    kpis = report_kpis(demo_url, WEEK).values()
    count = {s: sum(1 for k in kpis if k["status"] == s) for s in ("on_track", "at_risk", "off_track")}
    title = (f"Weekly KPI review {WEEK}: {count['on_track']} on track, {count['at_risk']} at risk, "
             f"{count['off_track']} off track")
    off = {k["label"]: f"{format_value(k['value'], k['unit'])} against a target of "
                       f"{format_value(k['target'], k['unit'])}" for k in kpis if k["status"] == "off_track"}
    return title, off


def test_the_expected_summary_is_what_the_demo_plans(demo_url):
    """The demo plans every KPI: 24 KPIs, 2 of them off track in W47 (the report's statuses)."""
    kpis = report_kpis(demo_url, WEEK)
    assert len(kpis) == 24 and all(k["status"] in ("on_track", "at_risk", "off_track") for k in kpis.values())
    assert {i for i, k in kpis.items() if k["status"] == "off_track"} == {"serve.first_response_minutes",
                                                                          "save.marketing_cost"}


def test_slack_summary_posted_once_by_the_cli(demo_url):
    title, off = expected_summary(demo_url)
    with WebhookServer() as server:
        first = run_cli(["notify", "--week", WEEK, "--webhook", server.url], demo_url, KPI_PUBLIC_URL=PUBLIC)
        assert first.returncode == 0, first.stderr
        assert first.stdout == f"posted the {WEEK} summary to {redact(server.url)} (slack)\n"
        assert server.secret not in first.stdout + first.stderr  # the webhook's secret path is never printed
        assert len(server.requests) == 1 and server.requests[0]["content_type"].startswith("application/json")
        body = server.payloads[0]
        assert body["text"] == f"{title} — " + ", ".join(off)  # the notification's fallback
        header, counts, listed, context = body["blocks"]
        assert header == {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}
        kpis = report_kpis(demo_url, WEEK).values()
        on, risk = (sum(1 for k in kpis if k["status"] == s) for s in ("on_track", "at_risk"))
        assert [f["text"] for f in counts["fields"]] == [f"*On track*\n{on}", f"*At risk*\n{risk}",
                                                         f"*Off track*\n{len(off)}", "*No target*\n0"]
        assert listed["text"]["text"] == "*Off track*\n" + "\n".join(f"• *{k}*: {v}" for k, v in off.items())
        assert context["elements"] == [{"type": "mrkdwn",
                                        "text": f"<{PUBLIC}/weekly_review?period={WEEK}|Open the weekly review>"}]

        again = run_cli(["notify", "--week", WEEK, "--webhook", server.url], demo_url)  # cron ran twice
        assert again.returncode == 0, again.stderr
        assert "skipped: the 2026-W47 summary was already posted" in again.stdout
        assert len(server.requests) == 1

        forced = run_cli(["notify", "--week", WEEK, "--webhook", server.url, "--resend"], demo_url)
        assert forced.returncode == 0 and "posted the" in forced.stdout
        assert len(server.requests) == 2
        # Without KPI_PUBLIC_URL there is nothing to link to: no context block.
        assert [b["type"] for b in server.payloads[1]["blocks"]] == ["header", "section", "section"]


def test_teams_summary_is_a_workflows_message_with_an_adaptive_card(demo_url, monkeypatch, capsys):
    title, off = expected_summary(demo_url)
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.setenv("KPI_PUBLIC_URL", PUBLIC + "/")  # a trailing slash is not doubled
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    with WebhookServer([(202, "")]) as server:  # Workflows answer 202 Accepted
        monkeypatch.setenv("KPI_WEBHOOK_URL", server.url)  # the default destination
        assert cli.main(["notify", "--week", WEEK, "--format", "teams"]) == 0
        assert len(server.requests) == 1
        body = server.payloads[0]
    assert set(body) == {"type", "attachments"} and body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert (card["$schema"], card["type"], card["version"]) == (
        "http://adaptivecards.io/schemas/adaptive-card.json", "AdaptiveCard", "1.4")
    head, facts, heading, *lines = card["body"]
    assert head["type"] == "TextBlock" and head["text"] == title and head["wrap"] is True
    assert facts["type"] == "FactSet"
    assert [f["title"] for f in facts["facts"]] == ["On track", "At risk", "Off track", "No target"]
    assert facts["facts"][2]["value"] == str(len(off))
    assert heading["text"] == "Off track"
    assert [b["text"] for b in lines] == [f"**{k}**: {v}" for k, v in off.items()]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the weekly review",
                                "url": f"{PUBLIC}/weekly_review?period={WEEK}"}]
    assert "(teams)" in capsys.readouterr().out


def test_a_missing_webhook_url_is_a_clear_error(demo_url, monkeypatch, capsys):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_WEBHOOK_URL", raising=False)
    assert cli.main(["notify", "--week", WEEK]) == 2
    err = capsys.readouterr().err
    assert "No webhook URL: pass --webhook URL or set KPI_WEBHOOK_URL" in err
    assert cli.main(["notify", "--week", WEEK, "--webhook", "ftp://example.org/x"]) == 2
    assert "is not an http(s) URL" in capsys.readouterr().err
    assert cli.main(["notify", "--week", "2026-11", "--webhook", "https://example.org/x"]) == 2
    assert "is a month; give a week" in capsys.readouterr().err


def test_a_failing_server_exits_non_zero_with_its_message_and_the_next_run_retries(demo_url):
    answers = [(500, "invalid_blocks: header text too long"), (200, "ok")]
    with WebhookServer(answers) as server:
        failed = run_cli(["notify", "--week", WEEK, "--webhook", server.url], demo_url)
        assert failed.returncode == 1
        assert (f"error: POST to {redact(server.url)} failed: HTTP 500 Internal Server Error: invalid_blocks: "
                "header text too long") in failed.stderr
        assert server.secret not in failed.stderr
        engine = make_engine(demo_url)
        mine = delivery.history(engine, "notify")
        (row,) = mine[mine["delivery_key"] == notify_key(parse_period(WEEK), "slack", server.url)].to_dict("records")
        assert row["status"] == "failed" and "HTTP 500 Internal Server Error: invalid_blocks" in row["error"]
        assert server.secret not in row["delivery_key"] + row["error"]  # nor stored

        retried = run_cli(["notify", "--week", WEEK, "--webhook", server.url], demo_url)
        assert retried.returncode == 0 and "posted the" in retried.stdout, retried.stderr
        assert len(server.requests) == 2 and server.payloads[0] == server.payloads[1]
        done = run_cli(["notify", "--week", WEEK, "--webhook", server.url], demo_url)
        assert "skipped" in done.stdout and len(server.requests) == 2


def test_redact_hides_the_secret_path_query_and_password():
    assert redact("https://hooks.slack.com/services/T000/B000/XXXXSECRET") == "https://hooks.slack.com/services/…"
    assert redact("https://prod-12.westeurope.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke"
                  "?api-version=2016-06-01&sig=SECRETSIG") == "https://prod-12.westeurope.logic.azure.com:443/workflows/…"
    assert redact("https://user:pw@example.org/hook") == "https://example.org/hook"
    assert redact("https://example.org/hook?token=abc") == "https://example.org/hook/…"


def test_an_unreachable_server_is_named_redacted():
    with WebhookServer() as server:
        url = server.url
    # The server is closed: the connection is refused.
    with pytest.raises(WebhookError, match=r"POST to http://127\.0\.0\.1:\d+/services/… failed: ") as caught:
        post_json(url, {"text": "x"}, timeout=5)
    assert server.secret not in str(caught.value)


def test_the_message_speaks_the_teams_language_and_the_cli_stays_english(demo_url, monkeypatch, capsys):
    """--lang fa: the chat message in Persian digits (words once the catalogues are merged); the CLI's own line
    stays English for scripts."""
    from i18n import using_locale
    from i18n.numerals import localize_digits

    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_PUBLIC_URL", raising=False)
    kpis = report_kpis(demo_url, WEEK).values()
    on = sum(1 for k in kpis if k["status"] == "on_track")
    with WebhookServer() as server:
        assert cli.main(["notify", "--week", WEEK, "--webhook", server.url, "--lang", "fa"]) == 0
        header, counts, *_ = server.payloads[0]["blocks"]
    assert "۲۰۲۶-W۴۷" in header["text"]["text"]  # the week's code in Persian digits
    with using_locale("fa"):
        persian = localize_digits(str(on))
    assert counts["fields"][0]["text"].endswith("\n" + persian) and persian != str(on)
    assert capsys.readouterr().out == f"posted the {WEEK} summary to {redact(server.url)} (slack)\n"


def test_week_last_is_the_last_complete_week(demo_url, monkeypatch, capsys):
    """--week last (as send-review): the cron line needs no date arithmetic."""
    from datetime import date, timedelta

    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_CALENDAR", raising=False)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    with WebhookServer() as server:
        assert cli.main(["notify", "--week", "last", "--webhook", server.url]) == 0
    label = capsys.readouterr().out.split()[2]  # 'posted the 2026-W48 summary to …'
    week = parse_period(label)
    assert week.grain == "week" and week.end < date.today() <= week.end + timedelta(days=7)
    assert f"Weekly KPI review {label}: " in server.payloads[0]["text"]


def test_week_last_in_persian_is_the_last_complete_jalali_week(demo_url, monkeypatch, capsys):
    """--week last --lang fa: the last complete Saturday-to-Friday week, as send-review --lang fa picks it."""
    from datetime import date, timedelta

    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    monkeypatch.delenv("KPI_CALENDAR", raising=False)
    monkeypatch.delenv("KPI_LOCALE", raising=False)
    with WebhookServer() as server:
        assert cli.main(["notify", "--week", "last", "--lang", "fa", "--webhook", server.url]) == 0
    label = capsys.readouterr().out.split()[2]  # 'posted the 1405-W37 summary to …'
    week = parse_period(label)
    assert label.startswith("14") and week.start.weekday() == 5  # a Jalali year; the week starts on a Saturday
    assert week.end < date.today() <= week.end + timedelta(days=7)


def test_a_summary_being_posted_by_another_run_is_left_to_it(demo_url, monkeypatch, capsys):
    monkeypatch.setenv("KPI_DATABASE_URL", demo_url)
    with WebhookServer() as server:
        other = delivery.claim(make_engine(demo_url), "notify", notify_key(parse_period(WEEK), "slack", server.url))
        assert other is not None  # another cron run holds it, mid-send
        assert cli.main(["notify", "--week", WEEK, "--webhook", server.url]) == 0
        assert server.requests == []
    assert "skipped: another run is posting the 2026-W47 summary" in capsys.readouterr().out


def test_a_server_that_does_not_answer_http_is_a_webhook_error():
    """A proxy or a wrong port answering something that is not HTTP: a WebhookError naming the redacted URL, not a
    traceback (http.client's BadStatusLine is no OSError, and urllib lets it through)."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")  # not an HTTP status line

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        with pytest.raises(WebhookError, match=r"POST to http://127\.0\.0\.1:\d+/services/… failed: .*not HTTP"):
            post_json(f"http://127.0.0.1:{port}/services/T000/B000/SECRET", {"text": "x"}, timeout=5)
    finally:
        thread.join(timeout=5)
        listener.close()
