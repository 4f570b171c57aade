"""HTTP mode: Slack's requests on POST /slack/events, a health check, served by waitress."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.deps import Deps

log = logging.getLogger("qib.http")

SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Strict-Transport-Security", "max-age=31536000"),
]

StartResponse = Callable[..., Any]


def database_ok(deps: Deps) -> bool:
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure means unhealthy; the reason goes to the log, not the response
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return False


class QibWsgi:
    """Routes /slack/events to Bolt and /healthz to a database check; refuses oversized bodies."""

    def __init__(self, app: App, deps: Deps, *, max_body_bytes: int = 1_000_000) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.deps = deps
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")

        def secure_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            return start_response(status, [*headers, *SECURITY_HEADERS], *rest)

        if path == "/healthz" and method in {"GET", "HEAD"}:
            ok = database_ok(self.deps)
            return _plain(
                secure_start,
                "200 OK" if ok else "503 Service Unavailable",
                b'{"status":"ok","database":"ok"}' if ok else b'{"status":"unhealthy","database":"down"}',
                "application/json",
            )
        if path == "/slack/events":
            if method != "POST":
                return _plain(secure_start, "405 Method Not Allowed", b"POST only\n")
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > self.max_body_bytes:
                return _plain(secure_start, "413 Payload Too Large", b"request body too large\n")
            return self.slack(environ, secure_start)
        return _plain(secure_start, "404 Not Found", b"not found\n")


def _plain(
    start: StartResponse, status: str, body: bytes, kind: str = "text/plain; charset=utf-8"
) -> list[bytes]:
    start(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]


def serve(
    app: App,
    deps: Deps,
    *,
    host: str,
    port: int,
    max_body_bytes: int,
    threads: int = 8,
    on_stop: Callable[[], None] | None = None,
    ready: threading.Event | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then stop accepting, finish, and return."""
    from waitress import create_server

    server = create_server(
        QibWsgi(app, deps, max_body_bytes=max_body_bytes),
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=max_body_bytes,
        ident="qib-bot",
    )

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: shutting down", signum)
        if on_stop:
            on_stop()
        server.close()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("listening on http://%s:%s/slack/events", host, server.effective_port)
    if ready:
        ready.set()
    run_until_closed(server)
    log.info("stopped")


def run_until_closed(server: Any) -> None:
    """waitress' loop ends with EBADF when another thread closes its socket: that is a clean exit."""
    with contextlib.suppress(OSError, ValueError):
        server.run()
