"""HTTP mode: Slack's requests on POST /slack/events, a health check, served by waitress.

Nothing reaches Bolt until the request has shown it comes from Slack: the signature is checked here,
on the bytes as received, with our own strict reading of the headers (see SlackSignature). Every
answer, the server's own included, carries the security headers.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context, parse_body
from sqlalchemy import text
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from bot import metrics
from bot.app import VERIFIED
from bot.deps import Deps
from bot.logs import log_unexpected

log = logging.getLogger("qib.http")
# waitress warns "Task queue depth is N" for every request that waits for a free thread: thousands of
# lines in a busy minute, each costing the requests CPU. The ack histogram on /metrics shows the wait.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Strict-Transport-Security", "max-age=31536000"),
]

REFUSED_BODY = b'{"error":"invalid request"}'
MALFORMED_BODY = b'{"error":"malformed request"}'
MAX_NESTING = 64  # Slack's deepest payloads (view state) nest about a dozen levels

StartResponse = Callable[..., Any]


class SlackSignature:
    """Slack's v0 request signature, read strictly: anything unexpected is a refusal, never an error.

    slack_sdk's verifier calls int() on the timestamp header, so "abc" raises inside Bolt and the
    error handler used to act on the unverified body; here a header is a pattern match first.
    """

    TIMESTAMP = re.compile(r"[0-9]{1,20}")
    SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
    WINDOW_SECONDS = 5 * 60

    def __init__(self, secret: str, *, now: Callable[[], float] = time.time) -> None:
        if not secret:
            raise ValueError("a signing secret is needed to serve HTTP")
        self._secret = secret.encode("utf-8")
        self._now = now

    def valid(self, timestamp: str | None, signature: str | None, body: bytes) -> bool:
        if timestamp is None or signature is None:
            return False
        if not (self.TIMESTAMP.fullmatch(timestamp) and self.SIGNATURE.fullmatch(signature)):
            return False
        if abs(self._now() - int(timestamp)) > self.WINDOW_SECONDS:
            return False
        base = b"v0:" + timestamp.encode("ascii") + b":" + body
        expected = "v0=" + hmac.new(self._secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))


class MalformedBody(Exception):
    """A signed body Bolt could not read; the message names what is wrong, never the content."""


def read_slack_body(raw: bytes, content_type: str | None) -> tuple[str, dict[str, Any]]:
    """The body as text and as Bolt reads it (parsed once, here), or MalformedBody: Bolt assumes an
    object and raises otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("not UTF-8") from None
    kind = (content_type or "").split(";")[0].strip().lower() or None
    try:
        parsed = parse_body(text, kind)
    except RecursionError:
        raise MalformedBody("nested too deeply") from None
    except ValueError:
        raise MalformedBody("not valid JSON") from None
    if not isinstance(parsed, dict):
        raise MalformedBody(f"a JSON {type(parsed).__name__}, not an object")
    if _depth(parsed) > MAX_NESTING:
        raise MalformedBody("nested too deeply")
    return text, parsed


def _depth(value: Any) -> int:
    """How deeply containers nest, without recursion (the value may be thousands deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_NESTING:
                return level
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def database_ok(deps: Deps) -> bool:
    try:
        with deps.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any failure means unhealthy; the reason goes to the log, not the response
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return False


class QibWsgi:
    """Routes /slack/events to Bolt once the signature holds, and /healthz to a database check.

    Oversized, unsigned and malformed requests are answered here, with the security headers, and an
    unexpected error becomes our own 500: the server never has to answer for the app.
    """

    def __init__(self, app: App, deps: Deps, *, signing_secret: str, max_body_bytes: int = 1_000_000) -> None:
        self.app = app
        self.deps = deps
        self.signature = SlackSignature(signing_secret)
        self.max_body_bytes = max_body_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def secure_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            return start_response(status, [*headers, *SECURITY_HEADERS], *rest)

        try:
            return self._route(environ, secure_start)
        except Exception as exc:  # a bug of ours: logged once with a reference, answered with headers
            ref = secrets.token_hex(3)
            log_unexpected(log, f"unhandled error in the HTTP layer ref={ref}", exc)
            body = json.dumps({"error": "internal error", "ref": ref}).encode()
            return _plain(secure_start, "500 Internal Server Error", body, "application/json", sys.exc_info())

    def _route(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in {"GET", "HEAD"}:
            ok = database_ok(self.deps)
            body = b'{"status":"ok","database":"ok"}' if ok else b'{"status":"unhealthy","database":"down"}'
            status = "200 OK" if ok else "503 Service Unavailable"
            sent = _plain(start, status, body, "application/json")
            return [] if method == "HEAD" else sent  # headers only: a body would desync keep-alive
        if path == "/metrics" and method == "GET":
            page, kind = metrics.exposition(environ.get("HTTP_ACCEPT"))
            return _plain(start, "200 OK", page, kind)
        if path == "/slack/events":
            if method != "POST":
                return _plain(start, "405 Method Not Allowed", b"POST only\n", extra=[("Allow", "POST")])
            return self._measured(environ, start)
        return _plain(start, "404 Not Found", b"not found\n")

    def _measured(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        """Slack's request, counted by kind and outcome and timed to the answer (the ack)."""
        began = time.perf_counter()
        statuses: list[str] = []

        def seen(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            statuses.append(status)
            return start(status, headers, *rest)

        try:
            return self._slack(environ, seen)
        finally:  # an exception here becomes our 500 in __call__: counted as an error
            kind = environ.get("qib.kind", "unverified")
            metrics.observe_request(kind, statuses[-1] if statuses else "500", time.perf_counter() - began)

    def _slack(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        raw = self._body(environ)
        if raw is None:
            return _plain(start, "413 Payload Too Large", b"request body too large\n")
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        if not self.signature.valid(timestamp, signature, raw):
            log.info("refused a request without a valid Slack signature")
            return _plain(start, "401 Unauthorized", REFUSED_BODY, "application/json")
        content_type = environ.get("CONTENT_TYPE")
        try:
            body, parsed = read_slack_body(raw, content_type)
        except MalformedBody as exc:
            log.warning("refused a signed request with a malformed body: %s", exc)
            return _plain(start, "400 Bad Request", MALFORMED_BODY, "application/json")
        environ["qib.kind"] = metrics.request_kind(parsed)
        return _bolt(start, self.app.dispatch(_bolt_request(environ, body, parsed)))

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The body, or None when it is over the limit (waitress has already de-chunked it)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length < 0 or length > self.max_body_bytes:
            return None
        stream = environ.get("wsgi.input")
        raw: bytes = stream.read(length) if stream is not None and length else b""
        return raw


def _bolt_request(environ: dict[str, Any], body: str, parsed: dict[str, Any]) -> BoltRequest:
    """Bolt's request, marked verified, with the body parsed above: BoltRequest would parse a view
    submission's form body and JSON a second time."""
    request = BoltRequest(body="", query=environ.get("QUERY_STRING", ""), headers=_headers(environ))
    request.raw_body, request.body = body, parsed  # raw_body is what Bolt's own signature check reads
    request.context = build_context(BoltContext({VERIFIED: True}), parsed)
    return request


def _headers(environ: dict[str, Any]) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.lower().replace("_", "-")] = environ[key]
    return headers


def _bolt(start: StartResponse, response: BoltResponse) -> list[bytes]:
    body = (response.body or "").encode("utf-8")
    headers = [
        (name, value)
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    status = HTTPStatus(response.status)
    start(f"{status.value} {status.phrase}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _plain(
    start: StartResponse,
    status: str,
    body: bytes,
    kind: str = "text/plain; charset=utf-8",
    exc_info: Any = None,
    *,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [("Content-Type", kind), ("Content-Length", str(len(body))), *(extra or [])]
    if exc_info is not None:
        start(status, headers, exc_info)
    else:
        start(status, headers)
    return [body]


class _SecureErrorTask(ErrorTask):
    """What waitress still answers itself (a malformed chunked body, headers too large, a body past
    its hard cap) carries the security headers too."""

    def execute(self) -> None:
        self.response_headers.extend(SECURITY_HEADERS)
        super().execute()


class _SecureChannel(HTTPChannel):
    error_task_class = _SecureErrorTask


def make_server(
    app: QibWsgi, *, host: str, port: int, threads: int = 8, sock: Any = None, **waitress: Any
) -> Any:
    """A waitress server for QibWsgi, on host and port or on a socket already listening (`sock`: the one
    the worker processes of bot.workers share). Its own body limit sits well above the app's, so the app
    answers oversized bodies itself (with its headers); the cap only bounds what waitress buffers."""
    from waitress import create_server

    where: dict[str, Any] = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    server = create_server(
        app,
        **where,
        threads=threads,
        max_request_body_size=4 * app.max_body_bytes + 65_536,
        ident="qib-bot",
        **waitress,
    )
    server.channel_class = _SecureChannel
    return server


def serve(
    app: App,
    deps: Deps,
    *,
    host: str,
    port: int,
    max_body_bytes: int,
    signing_secret: str,
    threads: int = 8,
    on_stop: Callable[[], None] | None = None,
    ready: threading.Event | None = None,
    sock: Any = None,
) -> None:
    """Serve until SIGTERM or SIGINT, then stop accepting, finish, and return."""
    server = make_server(
        QibWsgi(app, deps, signing_secret=signing_secret, max_body_bytes=max_body_bytes),
        host=host,
        port=port,
        threads=threads,
        sock=sock,
    )

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: shutting down", signum)
        if on_stop:
            on_stop()
        server.close()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if sock is None:  # the workers' parent says where they listen, once
        log.info("listening on http://%s:%s/slack/events", host, server.effective_port)
    if ready:
        ready.set()
    run_until_closed(server)
    log.info("stopped")


def run_until_closed(server: Any) -> None:
    """waitress' loop ends with EBADF when another thread closes its socket: that is a clean exit."""
    with contextlib.suppress(OSError, ValueError):
        server.run()
