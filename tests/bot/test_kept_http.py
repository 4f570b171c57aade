"""Calls to Slack keep their connection (bot.kept_http): replies on a response_url and Web API calls
cost one TCP (and, on Slack, TLS) handshake per thread and host, not one per call; a connection the
other end has closed is replaced without losing or repeating a reply."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot import kept_http
from bot.respond import PatientRespond
from bot.settings import Settings
from bot.slack_client import make_client


def arguments(body: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return dict(json.loads(body))
    return {k: v[0] for k, v in parse_qs(body.decode()).items()}


class ResponseUrls(ThreadingHTTPServer):
    """A response_url endpoint that counts the connections it accepts and keeps every reply."""

    daemon_threads = True

    def __init__(self, *, close_after_each: bool = False, say_close: bool = False) -> None:
        self.connections = 0
        self.replies: list[dict[str, Any]] = []
        self.close_after_each = close_after_each  # hang up after answering, without saying so
        self.say_close = say_close  # answer with `Connection: close`
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with owner.lock:
                    owner.connections += 1

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                api = self.path.startswith("/api/")
                with owner.lock:
                    owner.replies.append(
                        {"method": self.path[5:], **arguments(body, self.headers["Content-Type"])}
                        if api
                        else json.loads(body)
                    )
                answer = b'{"ok": true, "channel": "C1", "ts": "1.2"}' if api else b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "application/json" if api else "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                if owner.say_close:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer)
                self.wfile.flush()
                if owner.close_after_each:
                    self.close_connection = True

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/"

    def url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/response/{key}"


@pytest.fixture
def served() -> Iterator[Any]:
    started: list[ResponseUrls] = []

    def serve(**kwargs: Any) -> ResponseUrls:
        server = ResponseUrls(**kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield serve
    for server in started:
        server.shutdown()
        server.server_close()


def reply(url: str, text: str) -> int | None:
    response = PatientRespond(response_url=url)(text=text, response_type="ephemeral")
    return None if response is None else response.status_code


def in_a_new_thread(fn: Any) -> None:
    """Each test starts with no kept connection: its replies run on a thread of their own."""
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join(30)


def test_replies_from_one_thread_share_one_connection(served) -> None:
    slack = served()
    statuses: list[int | None] = []
    in_a_new_thread(lambda: statuses.extend(reply(slack.url(f"r{i}"), f"Reply {i}") for i in range(5)))
    assert statuses == [200] * 5
    assert [r["text"] for r in slack.replies] == [f"Reply {i}" for i in range(5)]
    assert slack.connections == 1


def test_a_connection_the_other_end_closed_is_replaced_and_no_reply_is_lost_or_sent_twice(served) -> None:
    slack = served(close_after_each=True)
    statuses: list[int | None] = []
    in_a_new_thread(lambda: statuses.extend(reply(slack.url(f"r{i}"), f"Reply {i}") for i in range(3)))
    assert statuses == [200] * 3
    assert [r["text"] for r in slack.replies] == ["Reply 0", "Reply 1", "Reply 2"]
    assert slack.connections == 3


def test_an_answer_that_says_close_is_not_kept(served) -> None:
    slack = served(say_close=True)
    in_a_new_thread(lambda: [reply(slack.url(f"r{i}"), f"Reply {i}") for i in range(2)])
    assert len(slack.replies) == 2 and slack.connections == 2


def test_a_connection_idle_too_long_is_not_used(served, monkeypatch: pytest.MonkeyPatch) -> None:
    slack = served()
    monkeypatch.setattr(kept_http, "IDLE_LIMIT", 0.0)  # every kept connection counts as too old
    in_a_new_thread(lambda: [reply(slack.url(f"r{i}"), f"Reply {i}") for i in range(3)])
    assert len(slack.replies) == 3 and slack.connections == 3


def test_threads_do_not_share_a_connection(served) -> None:
    slack = served()
    threads = [threading.Thread(target=reply, args=(slack.url(f"r{i}"), f"Reply {i}")) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(slack.replies) == 3 and slack.connections == 3


def test_a_refused_reply_is_reported_not_raised(served) -> None:
    results: list[int | None] = []
    in_a_new_thread(lambda: results.append(reply("http://127.0.0.1:9/response/nowhere", "Lost")))
    assert results == [None]


def test_kept_connections_do_not_stall_on_delayed_acknowledgements(served) -> None:
    """This endpoint writes an answer's headers and its body apart, as many servers do, with Nagle's
    algorithm on: unless both ends acknowledge and send at once, every reply on a kept connection waits
    out a delayed acknowledgement (40 ms on Linux), so ten replies would take 0.4 s at the least."""
    slack = served()
    took: list[float] = []

    def ten() -> None:
        reply(slack.url("first"), "Opens the connection")
        start = time.perf_counter()
        for i in range(10):
            reply(slack.url(f"r{i}"), f"Reply {i}")
        took.append(time.perf_counter() - start)

    in_a_new_thread(ten)
    assert slack.connections == 1 and len(slack.replies) == 11
    assert took[0] < 0.3


def test_web_api_calls_from_one_thread_share_one_connection(served) -> None:
    slack = served()
    client = make_client(Settings(_env_file=None, slack_bot_token="xoxb-test", slack_api_url=slack.api_url))
    answers: list[bool] = []
    in_a_new_thread(
        lambda: answers.extend(
            client.chat_postMessage(channel="C1", text=f"Post {i}")["ok"] for i in range(3)
        )
    )
    assert answers == [True] * 3
    assert [(r["method"], r["text"]) for r in slack.replies] == [
        ("chat.postMessage", f"Post {i}") for i in range(3)
    ]
    assert slack.connections == 1
