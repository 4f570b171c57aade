"""HTTP to Slack on kept connections: each thread keeps one open connection per host (slack.com,
hooks.slack.com) and sends its next request on it, so a call to Slack costs no TCP and TLS handshake
after the first, instead of one per call as the SDK's urllib transport does.

What the SDK's clients see is what urlopen gives them (an HTTPError for an answer that is not 2xx, a
URLError for a host that cannot be reached), so their retry handlers work unchanged. A kept connection
that the other end closed while idle is found on the next send and replaced at once (it never read that
request); one idle for longer than Slack is likely to keep it open is not used; none is inherited across
a fork (`qib run --workers`). The clients send through a proxy (HTTPS_PROXY, which the SDK reads) with
their own transport instead.
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import ssl
import threading
import time
from email.message import Message
from typing import Any, NamedTuple
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

IDLE_LIMIT = 30.0  # seconds: a connection idle for longer may have been closed by the other end

_Key = tuple[str, str, int | None]  # scheme, host, port
_kept = threading.local()  # per thread: {key: (connection, last used)}


class Answer(NamedTuple):
    status: int
    headers: Message
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8", "replace")


def can_send(url: str, proxy: str | None) -> bool:
    """Whether `send` takes this request: http(s), and no proxy."""
    parts = urlsplit(url)
    return proxy is None and parts.scheme in ("http", "https") and bool(parts.hostname)


def send(url: str, req: Request, *, timeout: float, context: Any = None) -> Answer:
    """POST ``req`` to ``url`` on this thread's kept connection to its host (see the module docstring)."""
    parts = urlsplit(url)
    key: _Key = (parts.scheme, parts.hostname or "", parts.port)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = dict(req.header_items())
    body = req.data
    assert body is None or isinstance(body, bytes), "the SDK's clients send bytes"
    kept = _connections().pop(key, None)
    if kept is not None and time.monotonic() - kept[1] < IDLE_LIMIT:
        try:
            return _send(key, kept[0], path, body, headers, url)
        except (ConnectionError, ssl.SSLEOFError):  # RemoteDisconnected and a reset or broken pipe
            pass  # closed by the other end while idle: it never read this request, so send it afresh
    elif kept is not None:
        kept[0].close()
    try:
        fresh = _connect(key, timeout, context)
    except OSError as error:  # as urlopen reports a host it cannot reach: the SDK retries it
        raise URLError(error) from error
    return _send(key, fresh, path, body, headers, url)


def _connect(key: _Key, timeout: float, context: Any) -> http.client.HTTPConnection:
    scheme, host, port = key
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.connect()
    # http.client writes a request's headers and its body apart: without this, the body waits for the
    # acknowledgement of the headers, which the other end delays by up to 40 ms.
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def _send(
    key: _Key,
    connection: http.client.HTTPConnection,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    url: str,
) -> Answer:
    try:
        connection.request("POST", path, body=body, headers=headers)
        _acknowledge_at_once(connection)
        response = connection.getresponse()
        data = response.read()
    except BaseException:
        connection.close()
        raise
    if response.will_close:
        connection.close()
    else:
        _connections()[key] = (connection, time.monotonic())
    if not 200 <= response.status < 300:  # as urlopen raises it, for the SDK's retry handlers to read
        raise HTTPError(url, response.status, response.reason, response.msg, io.BytesIO(data))
    return Answer(response.status, response.msg, data)


def _acknowledge_at_once(connection: http.client.HTTPConnection) -> None:
    """Acknowledge the answer's packets as they come (Linux): a server that writes an answer's headers
    and body apart, with Nagle's algorithm on, holds the body until the headers are acknowledged, and
    on a kept connection Linux delays that acknowledgement by up to 40 ms."""
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None and connection.sock is not None:
        connection.sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


def _connections() -> dict[_Key, tuple[http.client.HTTPConnection, float]]:
    """This thread's kept connections; none inherited across a fork."""
    if getattr(_kept, "pid", None) != os.getpid():
        _kept.pid, _kept.connections = os.getpid(), {}
    return _kept.connections


class KeptWebhookClient(WebhookClient):
    """The SDK's response_url client, its retries included, on kept connections."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if not can_send(url, self.proxy):
            return super()._perform_http_request_internal(url, req)
        answer = send(url, req, timeout=self.timeout, context=self.ssl)
        return WebhookResponse(
            url=url, status_code=answer.status, body=answer.text(), headers=dict(answer.headers.items())
        )


class KeptWebClient(WebClient):
    """The SDK's Web API client, its retries included, on kept connections."""

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if not can_send(url, self.proxy):
            return super()._perform_urllib_http_request_internal(url, req)
        answer = send(url, req, timeout=self.timeout, context=self.ssl)
        body: bytes | str = (
            answer.body if answer.headers.get_content_type() == "application/gzip" else answer.text()
        )
        return {"status": answer.status, "headers": answer.headers, "body": body}


def kept(client: WebClient) -> KeptWebClient:
    """The same client on kept connections: Bolt makes a plain WebClient for each request (so that a
    listener changing its token cannot touch another's), and the listeners are given this copy of it."""
    return KeptWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        team_id=client.default_params.get("team_id"),
        logger=client.logger,
        retry_handlers=client.retry_handlers,
    )
