"""respond() for replies on a response_url, as patient with Slack as the Web API client is.

Bolt's own respond() posts with the SDK's default retry handlers, which retry connection errors only:
a 429 or a 500 from Slack's response_url loses the reply (a "Saved" confirmation, say) without a
word. This one waits out rate limits and retries server errors, and logs a reply it still cannot
deliver instead of raising: what the person asked for may well have been done, and an exception here
would only have the error handler tell them that it failed.

It also keeps its connection: each thread keeps one open connection per host (hooks.slack.com) and
sends the next reply on it, so a reply costs no TCP and TLS handshake after the first, instead of one
per reply as Bolt's does. A kept connection that the server has closed in the meantime is found on the
next send and replaced at once; a connection idle for longer than Slack is likely to keep it is not
used. With a proxy (HTTPS_PROXY, which the SDK reads), replies go through the SDK's own transport.
"""

from __future__ import annotations

import http.client
import io
import logging
import os
import socket
import threading
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient, WebhookResponse

log = logging.getLogger("qib.respond")


IDLE_LIMIT = 30.0  # seconds: a connection idle for longer may have been closed by the other end

_kept = threading.local()  # per thread: {(scheme, host, port): (connection, last used)}


class _KeptConnectionClient(WebhookClient):
    """The SDK's webhook client, its retries included, sending on this thread's kept connection."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https") or not parts.hostname:
            return super()._perform_http_request_internal(url, req)
        key = (parts.scheme, parts.hostname, parts.port)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = dict(req.header_items())
        kept = _connections().pop(key, None)
        if kept is not None and time.monotonic() - kept[1] < IDLE_LIMIT:
            try:
                return self._send(key, kept[0], path, req.data, headers, url)  # type: ignore[arg-type]
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                pass  # closed by the other end while idle: it never read this request, send it afresh
        elif kept is not None:
            kept[0].close()
        try:
            fresh = self._connect(key)
        except OSError as error:  # as urlopen reports a refused or unreachable host: retried by the SDK
            raise URLError(error) from error
        return self._send(key, fresh, path, req.data, headers, url)  # type: ignore[arg-type]

    def _connect(self, key: tuple[str, str, int | None]) -> http.client.HTTPConnection:
        scheme, host, port = key
        if scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=self.ssl
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        connection.connect()
        # A kept connection sends a request's headers and body as two writes: without this, the body
        # waits for the ACK of the headers, which the other end delays by up to 40 ms.
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _send(
        self,
        key: tuple[str, str, int | None],
        connection: http.client.HTTPConnection,
        path: str,
        body: bytes,
        headers: dict[str, str],
        url: str,
    ) -> WebhookResponse:
        try:
            connection.request("POST", path, body=body, headers=headers)
            _ack_at_once(connection)
            answer = connection.getresponse()
            data = answer.read()
        except BaseException:
            connection.close()
            raise
        if answer.will_close:
            connection.close()
        else:
            _connections()[key] = (connection, time.monotonic())
        message = answer.msg
        text = data.decode(message.get_content_charset() or "utf-8", "replace")
        if not 200 <= answer.status < 300:  # what urlopen raises, for the SDK's retry handlers to read
            raise HTTPError(url, answer.status, answer.reason, message, io.BytesIO(data))
        return WebhookResponse(url=url, status_code=answer.status, body=text, headers=dict(message.items()))


def _ack_at_once(connection: http.client.HTTPConnection) -> None:
    """Acknowledge the answer's packets as they come (Linux): a server that writes an answer's headers
    and body apart, with Nagle's algorithm on, holds the body until the headers are acknowledged, and
    on a kept connection Linux delays that acknowledgement by up to 40 ms."""
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None and connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _connections() -> dict[tuple[str, str, int | None], tuple[http.client.HTTPConnection, float]]:
    """This thread's kept connections; none inherited across a fork (`qib run --workers`)."""
    if getattr(_kept, "pid", None) != os.getpid():
        _kept.pid, _kept.connections = os.getpid(), {}
    return _kept.connections


class PatientRespond(Respond):
    timeout = 10

    def __call__(self, text: str | dict[str, Any] = "", **kwargs: Any) -> WebhookResponse | None:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = _KeptConnectionClient(
            url=self.response_url,
            timeout=self.timeout,
            proxy=self.proxy,
            ssl=self.ssl,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=2),
                RateLimitErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **kwargs)
        try:
            response = client.send_dict(message)
        except Exception as exc:  # e.g. Slack took longer than the timeout: not retried, it may have landed
            log.warning("a reply on response_url could not be delivered: %s", type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("a reply on response_url was refused: HTTP %s", response.status_code)
        return response
