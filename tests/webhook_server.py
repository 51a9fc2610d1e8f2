"""A real HTTP server on 127.0.0.1 that records the webhook posts it receives (standard library, in a thread).

``answers`` is a list of (status, body) the server gives, one per request, the last repeated: ``[(500, "boom")]``
fails every post; ``[(200, "ok")]`` (the default) is Slack's answer. Also: ``run_cli`` (the CLI as a subprocess)
and ``report_kpis`` (the ``report`` JSON, the independent source of the expected KPIs).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT


class WebhookServer:
    def __init__(self, answers: list[tuple[int, str]] | None = None) -> None:
        self.answers = list(answers or [(200, "ok")])
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                       "json": json.loads(raw.decode("utf-8"))})
                status, body = owner.answers[min(len(owner.requests) - 1, len(owner.answers) - 1)]
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        # A secret path like a real webhook's, different in every test: deliveries recorded by another test (the
        # demo warehouse is shared by the session) never match this destination.
        self.secret = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/services/T0/B0/{self.secret}"

    def __enter__(self) -> WebhookServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def payloads(self) -> list[dict]:
        return [r["json"] for r in self.requests]


def run_cli(args: list[str], db_url: str, **env: str | None) -> subprocess.CompletedProcess:
    """``python cli.py ARGS`` as cron runs it, on ``db_url``; ``env`` adds variables (None removes one)."""
    full = {**os.environ, "KPI_DATABASE_URL": db_url}
    for name in ("KPI_WEBHOOK_URL", "KPI_PUBLIC_URL", "KPI_ALERT_RULES", "KPI_LOCALE", "KPI_CALENDAR"):
        full.pop(name, None)
    for name, value in env.items():
        if value is None:
            full.pop(name, None)
        else:
            full[name] = value
    return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=300)


@functools.cache
def report_kpis(db_url: str, period: str) -> dict[str, dict]:
    """{KPI id: item} of ``python cli.py report --period P --format json``: the statuses and values the CLI
    publishes, read independently of the chat code."""
    out = run_cli(["report", "--period", period, "--format", "json"], db_url)
    assert out.returncode == 0, out.stderr
    return {item["id"]: item for item in json.loads(out.stdout)["kpis"]}
