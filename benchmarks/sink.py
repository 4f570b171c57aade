"""A minimal Slack for load runs: Web API methods and response_url posts answered at once, arrivals timed.

FakeSlack (qib_testing/slack_standin) checks every Block Kit payload against Slack's limits, which costs CPU
that a load run on two cores cannot spare; this sink only parses, timestamps and answers. Whoever sends
a request registers what it waits for (`expect`), and `wait` returns the moment that arrived:

* a response_url post, by its path (``/response/<id>``);
* a Web API call, by method and the user or channel it is for (``views.publish`` for ``U123``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Arrival:
    at: float  # time.perf_counter() when the body had been read
    method: str  # "response_url" or the Web API method
    payload: dict[str, Any]


@dataclass
class _Waiter:
    event: threading.Event = field(default_factory=threading.Event)
    arrival: Arrival | None = None


class Sink:
    """Use as a context manager; `base_url` for SLACK_API_URL, `response_url(id)` for slash commands."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, deque[_Waiter]] = defaultdict(deque)
        self._unclaimed: dict[str, deque[Arrival]] = defaultdict(deque)
        self.counts: dict[str, int] = defaultdict(int)
        self.announced: dict[int, int] = defaultdict(int)  # outbox id -> announcements posted for it
        self.last_post = time.perf_counter()
        self._ts = itertools.count(1)
        sink = self

        class Handler(_Handler):
            owner = sink

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 1024
        self._thread = threading.Thread(target=self._server.serve_forever, name="sink", daemon=True)

    def __enter__(self) -> Sink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # ------------------------------------------------------------------ waiting for answers

    def expect(self, key: str) -> _Waiter:
        """Register interest in the next arrival under `key` (before sending the request that causes it)."""
        waiter = _Waiter()
        with self._lock:
            early = self._unclaimed.get(key)
            if early:
                waiter.arrival = early.popleft()
                waiter.event.set()
            else:
                self._waiters[key].append(waiter)
        return waiter

    def forget(self, key: str, waiter: _Waiter) -> None:
        with self._lock:
            queue = self._waiters.get(key)
            if queue and waiter in queue:
                queue.remove(waiter)

    def _arrived(self, key: str, arrival: Arrival) -> None:
        with self._lock:
            self.counts[arrival.method] += 1
            if arrival.method == "chat.postMessage":
                self.last_post = arrival.at
                outbox_id = _outbox_id(arrival.payload)
                if outbox_id is not None:
                    self.announced[outbox_id] += 1
            queue = self._waiters.get(key)
            if queue:
                waiter = queue.popleft()
                waiter.arrival = arrival
                waiter.event.set()
            elif key.startswith("response:"):
                self._unclaimed[key].append(arrival)

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        channel = args.get("channel") or "CBENCH"
        if method == "chat.postMessage" or method == "chat.postEphemeral":
            return {"ok": True, "channel": channel, "ts": ts, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            view = args.get("view") if isinstance(args.get("view"), dict) else {}
            return {"ok": True, "view": {**(view or {}), "id": f"V{next(self._ts)}", "hash": ts}}
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T111", "team": "Bench"}
        return {"ok": True}


def _outbox_id(args: dict[str, Any]) -> int | None:
    """The outbox row an update announcement was posted for (its message metadata), if it is one."""
    meta = args.get("metadata")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            return None
    if not isinstance(meta, dict) or meta.get("event_type") != "qib_update":
        return None
    value = (meta.get("event_payload") or {}).get("outbox_id")
    return value if isinstance(value, int) else None


def key_for(method: str, args: dict[str, Any]) -> str:
    """How a load generator names what it waits for: views.publish:U123, chat.postMessage:U123 ..."""
    who = args.get("user_id") or args.get("user") or args.get("channel") or ""
    return f"{method}:{who}"


class _Handler(BaseHTTPRequestHandler):
    owner: Sink
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        at = time.perf_counter()
        path = self.path.split("?", 1)[0]
        args = _parse(raw, self.headers.get("Content-Type", ""))
        if path.startswith("/response/"):
            self.owner._arrived(
                f"response:{path.removeprefix('/response/')}", Arrival(at, "response_url", args)
            )
            self._send(b"ok", "text/plain")
            return
        method = path.removeprefix("/api/")
        self.owner._arrived(key_for(method, args), Arrival(at, method, args))
        self._send(json.dumps(self.owner.answer(method, args)).encode(), "application/json; charset=utf-8")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            value = json.loads(text)
            return value if isinstance(value, dict) else {}
        except json.JSONDecodeError:
            return {}
    args: dict[str, Any] = {k: v[0] for k, v in parse_qs(text).items()}
    for name in ("view", "blocks"):
        if isinstance(args.get(name), str):
            with contextlib.suppress(json.JSONDecodeError):
                args[name] = json.loads(args[name])
    return args
