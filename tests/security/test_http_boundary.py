"""The HTTP edge, over real HTTP: signatures, the workspace check, security headers, body limit, methods.

A refused request must reach no handler (nothing sent to Slack, nothing written) and carry no plan
data back in its response.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import func, select

from bot.app import create_app, make_client
from bot.deps import Deps
from bot.http import MALFORMED_BODY, REFUSED_BODY, SECURITY_HEADERS
from models import AuditEvent, ProgressUpdate
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import BOARD, CHAIR, IRO, SECRET, TEAM
from qib_testing.slack_standin import (
    JSON,
    block_actions_payload,
    event_body,
    interactive_body,
    sign,
    slash_command_body,
    view_submission_payload,
)

UPDATE = "update M-05 on track 20% SIGNATURE-CANARY note"
PLAN_WORDS = ("M-05", "IROs", "Durham", "Quality Improvement", "SIGNATURE-CANARY", "Alex Morgan")


def update_body(bot, name: str = "sig", *, user: str = IRO, team: str = TEAM, **extra) -> str:
    return slash_command_body(
        UPDATE,
        user_id=user,
        channel_id=BOARD,
        team_id=team,
        response_url=bot.slack.response_url(name),
        trigger_id=f"trig.{name}",
        **extra,
    )


def writes(bot) -> tuple[int, int]:
    with bot.deps.sessions() as db:
        return (
            db.scalar(select(func.count(ProgressUpdate.id))) or 0,
            db.scalar(select(func.count(AuditEvent.id))) or 0,
        )


def assert_refused(bot, status: int, text: str, before: tuple[int, int], expected: int = 401) -> None:
    assert status == expected
    time.sleep(0.1)  # a handler, had one run, would have called out by now
    reached = [c.method for c in bot.slack.calls if c.method != "auth.test"]  # Bolt's own token check
    assert reached == [], reached
    assert writes(bot) == before
    for word in PLAN_WORDS:
        assert word not in text


# ------------------------------------------------------------------ signatures


def test_a_correctly_signed_request_is_served_so_the_refusals_below_mean_something(bot):
    before = writes(bot)
    status, _, _ = bot.http.post("/slack/events", update_body(bot))
    assert status == 200
    assert writes(bot)[0] == before[0] + 1


def test_no_signature_headers_at_all(bot):
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", update_body(bot), sign=False)
    assert_refused(bot, status, text, before)


@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp"])
def test_one_signature_header_missing(bot, missing):
    body = update_body(bot)
    headers = {k: v for k, v in sign(body, SECRET).items() if k != missing}
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", body, headers=headers, sign=False)
    assert_refused(bot, status, text, before)


@pytest.mark.parametrize(
    "signature",
    ["", "v0=", "v0=" + "0" * 64, "v1=" + "a" * 64, "garbage", "v0=" + "g" * 64],
)
def test_malformed_or_wrong_signatures(bot, signature):
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": signature}
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", update_body(bot), headers=headers, sign=False)
    assert_refused(bot, status, text, before)


def test_signed_with_another_secret(bot):
    bot.http.secret = "someone-elses-signing-secret"
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", update_body(bot))
    assert_refused(bot, status, text, before)


@pytest.mark.parametrize("skew", [-6 * 60, -301, 301, 6 * 60, -86_400])
def test_a_timestamp_more_than_five_minutes_off_either_way(bot, skew):
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", update_body(bot), timestamp=int(time.time()) + skew)
    assert_refused(bot, status, text, before)


def test_a_timestamp_within_the_window_is_accepted(bot):
    status, _, _ = bot.http.post("/slack/events", update_body(bot), timestamp=int(time.time()) - 240)
    assert status == 200


def test_a_signature_replayed_within_the_window_with_another_body(bot):
    """Headers captured from a genuine request, sent again in time, with the body changed."""
    genuine = slash_command_body("help", user_id=IRO, channel_id=BOARD, team_id=TEAM)
    captured = sign(genuine, SECRET)
    tampered = [
        update_body(bot, "replay1"),  # a different command altogether
        genuine.replace("help", "update M-05 complete 100% done"),
        genuine + "&extra=1",
        genuine.replace(IRO, CHAIR),  # the same command as someone else
    ]
    before = writes(bot)
    for body in tampered:
        status, _, text = bot.http.post("/slack/events", body, headers=captured, sign=False)
        assert_refused(bot, status, text, before)


def test_interactions_and_events_are_checked_the_same_way(bot):
    bodies = [
        (
            interactive_body(
                block_actions_payload("update_milestone", value="M-05", user_id=IRO, team_id=TEAM)
            ),
            None,
        ),
        (
            interactive_body(
                view_submission_payload(
                    "qib_update",
                    {"milestone": {"m": {"type": "static_select", "selected_option": {"value": "M-05"}}}},
                    user_id=IRO,
                    team_id=TEAM,
                )
            ),
            None,
        ),
        (
            event_body(
                {
                    "type": "app_mention",
                    "user": CHAIR,
                    "text": "<@UBOT111> status",
                    "ts": "1.1",
                    "channel": BOARD,
                },
                team_id=TEAM,
            ),
            JSON,
        ),
        (event_body({"type": "app_home_opened", "user": CHAIR, "tab": "home"}, team_id=TEAM), JSON),
    ]
    before = writes(bot)
    for body, kind in bodies:
        stale = int(time.time()) - 600
        for attempt in ({"sign": False}, {"timestamp": stale}):
            status, _, text = bot.http.post(
                "/slack/events", body, kind or "application/x-www-form-urlencoded", **attempt
            )
            assert_refused(bot, status, text, before)


# ------------------------------------------------------------------ the workspace


OTHER_TEAM_BODIES = {
    "command": lambda bot: update_body(bot, "other", team="TOTHER"),
    "command from an Enterprise Grid org": lambda bot: update_body(
        bot, "grid", team="TOTHER", enterprise_id="E0OTHER", enterprise_name="Other org"
    ),
    "command naming no workspace": lambda bot: update_body(bot, "none", team=""),
}


@pytest.mark.parametrize("case", sorted(OTHER_TEAM_BODIES))
def test_a_command_from_another_workspace_is_refused(make_bot, case):
    with make_bot(slack_team_id=TEAM) as guarded:
        before = writes(guarded)
        status, _, text = guarded.http.post("/slack/events", OTHER_TEAM_BODIES[case](guarded))
        assert_refused(guarded, status, text, before)


def test_interactions_and_events_from_another_workspace_are_refused(make_bot):
    with make_bot(slack_team_id=TEAM) as guarded:
        payload = block_actions_payload("update_milestone", value="M-05", user_id=IRO, team_id="TOTHER")
        submission = view_submission_payload(
            "qib_update",
            {"milestone": {"m": {"type": "static_select", "selected_option": {"value": "M-05"}}}},
            user_id=IRO,
            team_id="TOTHER",
        )
        mention = {
            "type": "app_mention",
            "user": CHAIR,
            "text": "<@UBOT111> status",
            "ts": "1.1",
            "channel": BOARD,
        }
        before = writes(guarded)
        for body, kind in (
            (interactive_body(payload), "application/x-www-form-urlencoded"),
            (interactive_body(submission), "application/x-www-form-urlencoded"),
            (event_body(mention, team_id="TOTHER"), JSON),
            (event_body({"type": "app_home_opened", "user": CHAIR, "tab": "home"}, team_id="TOTHER"), JSON),
        ):
            status, _, text = guarded.http.post("/slack/events", body, kind)
            assert_refused(guarded, status, text, before)


def test_the_configured_workspace_is_still_served_and_url_verification_still_answers(make_bot):
    with make_bot(slack_team_id=TEAM) as guarded:
        status, _, _ = guarded.http.post("/slack/events", update_body(guarded, "ours"))
        assert status == 200
        assert guarded.responses("ours")[0]["text"].startswith("Saved: M-05")
        status, _, text = guarded.http.post(
            "/slack/events", '{"token":"t","challenge":"c-123","type":"url_verification"}', JSON
        )
        assert status == 200 and "c-123" in text


# ------------------------------------------------------------------ headers, size, methods


def raw_request(bot, method: str, path: str, body: bytes = b"", headers: dict | None = None):
    url = urlsplit(bot.http.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def assert_security_headers(headers: dict[str, str]) -> None:
    for name, value in SECURITY_HEADERS:
        assert headers.get(name.lower()) == value, name
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_every_answer_carries_the_security_headers(bot):
    body = slash_command_body(
        "help", user_id=CHAIR, channel_id=BOARD, team_id=TEAM, response_url=bot.slack.response_url("h")
    )
    answers = [
        bot.http.post("/slack/events", body)[1],  # 200 from Bolt
        bot.http.post("/slack/events", body, sign=False)[1],  # 401 from Bolt
        bot.http.post("/slack/events", "x" * 2_000_000)[1],  # 413
        raw_request(bot, "GET", "/slack/events")[1],  # 405
        raw_request(bot, "GET", "/healthz")[1],  # 200
        raw_request(bot, "GET", "/nowhere")[1],  # 404
    ]
    for headers in answers:
        assert_security_headers(headers)


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_only_post_reaches_slack_events(bot, method):
    body = update_body(bot).encode()
    headers = {**sign(body, SECRET), "Content-Type": "application/x-www-form-urlencoded"}
    before = writes(bot)
    status, got, text = raw_request(bot, method, "/slack/events", body, headers)
    assert status == 405
    assert "allow" not in got or got["allow"] == "POST"
    assert_refused(bot, status, text.decode(), before, expected=405)


def test_a_body_over_the_limit_is_refused_with_413_even_when_signed(bot):
    body = update_body(bot) + "&pad=" + "x" * 1_100_000
    before = writes(bot)
    status, _, text = bot.http.post("/slack/events", body)
    assert_refused(bot, status, text, before, expected=413)


def test_a_chunked_body_over_the_limit_is_refused_too(bot):
    """No Content-Length to check up front: the limit must still hold for a chunked upload."""
    body = (update_body(bot) + "&pad=" + "x" * 1_100_000).encode()
    url = urlsplit(bot.http.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    headers = {**sign(body, SECRET), "Content-Type": "application/x-www-form-urlencoded"}
    before = writes(bot)
    try:
        conn.request(
            "POST",
            "/slack/events",
            body=iter([body[i : i + 65536] for i in range(0, len(body), 65536)]),
            headers=headers,
            encode_chunked=True,
        )
        response = conn.getresponse()
        status, text = response.status, response.read().decode()
    finally:
        conn.close()
    assert_refused(bot, status, text, before, expected=413)


def test_a_bad_content_length_is_refused(bot):
    before = len(bot.slack.calls)  # the start-up auth.test
    status, headers, _ = raw_request(bot, "POST", "/slack/events", b"", {"Content-Length": "-5"})
    assert status in (400, 413)
    assert bot.slack.calls[before:] == []
    assert_security_headers(headers)


def test_a_refusal_body_is_generic(bot):
    """The 401 says no more than that the request was refused: no echo of the body, no stack."""
    status, _, text = bot.http.post("/slack/events", update_body(bot), sign=False)
    assert status == 401
    assert len(text) < 100 and "Traceback" not in text
    if text:
        assert json.loads(text) in ({"error": "invalid request"}, {})


# ------------------------------------------------------------------ nothing acts on an unverified request


class Listener:
    """A local HTTP server that records every request: where a forged response_url would point."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str]] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                listener.hits.append((self.command, self.path))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST  # noqa: N815

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook/forged"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def forged_command(listener: Listener) -> tuple[str, str]:
    """A command whose response_url is the attacker's and whose channel is a real one."""
    body = slash_command_body(
        "update M-05 on track 20% FORGED-CANARY",
        user_id=IRO,
        channel_id=BOARD,
        team_id=TEAM,
        response_url=listener.url,
        trigger_id="trig.forged",
    )
    return body, "application/x-www-form-urlencoded"


def forged_event(listener: Listener) -> tuple[str, str]:
    """An event naming a channel and a user: the error handler used to chat.postEphemeral into it."""
    event = {
        "type": "app_mention",
        "user": CHAIR,
        "text": "<@UBOT111> status FORGED-CANARY",
        "ts": "1.1",
        "channel": BOARD,
        "response_url": listener.url,
    }
    return event_body(event, team_id=TEAM), JSON


def hmac_for(timestamp: str, body: str) -> str:
    """A correctly computed signature for whatever the timestamp says: only the strict reading of the
    headers can refuse it."""
    return "v0=" + hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


MALFORMED_HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "timestamp abc": lambda b: {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": hmac_for("abc", b)},
    "timestamp empty": lambda b: {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": hmac_for("", b)},
    "timestamp 1e3": lambda b: {"X-Slack-Request-Timestamp": "1e3", "X-Slack-Signature": hmac_for("1e3", b)},
    "timestamp of 5,000 digits": lambda b: {
        "X-Slack-Request-Timestamp": "1" * 5000,
        "X-Slack-Signature": hmac_for("1" * 5000, b),
    },
    "timestamp of 21 digits": lambda b: {
        "X-Slack-Request-Timestamp": "0" + "0" * 10 + str(int(time.time())),
        "X-Slack-Signature": hmac_for("0" + "0" * 10 + str(int(time.time())), b),
    },
    "timestamp with a sign": lambda b: {
        "X-Slack-Request-Timestamp": "+" + str(int(time.time())),
        "X-Slack-Signature": hmac_for("+" + str(int(time.time())), b),
    },
    "timestamp with spaces": lambda b: {
        "X-Slack-Request-Timestamp": f" {int(time.time())} ",
        "X-Slack-Signature": hmac_for(f" {int(time.time())} ", b),
    },
    "timestamp in non-ASCII digits": lambda b: {
        "X-Slack-Request-Timestamp": "\xb2\xb3\xb9",
        "X-Slack-Signature": "v0=" + "a" * 64,
    },
    "timestamp missing": lambda b: {"X-Slack-Signature": hmac_for(str(int(time.time())), b)},
    "signature missing": lambda b: {"X-Slack-Request-Timestamp": str(int(time.time()))},
    "signature one digit short": lambda b: {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": hmac_for(str(int(time.time())), b)[:-1],
    },
    "signature one digit long": lambda b: {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": hmac_for(str(int(time.time())), b) + "0",
    },
    "signature in upper case": lambda b: {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + hmac_for(str(int(time.time())), b)[3:].upper(),
    },
    "signature of 5,000 characters": lambda b: {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "a" * 5000,
    },
    "signature empty": lambda b: {
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "",
    },
}


@pytest.mark.parametrize("forge", [forged_command, forged_event], ids=["command", "event"])
@pytest.mark.parametrize("case", sorted(MALFORMED_HEADERS))
def test_a_malformed_signature_header_is_refused_before_bolt_and_nothing_is_sent_anywhere(
    bot, listener, caplog, case, forge
):
    caplog.set_level(logging.DEBUG, logger="qib.bolt")  # Bolt logs every request it dispatches at DEBUG
    body, kind = forge(listener)
    calls, before = len(bot.slack.calls), writes(bot)
    status, headers, text = bot.http.post(
        "/slack/events", body, kind, headers=MALFORMED_HEADERS[case](body), sign=False
    )
    time.sleep(0.2)  # a handler or the error handler, had one run, would have called out by now
    assert status == 401
    assert text.encode() == REFUSED_BODY
    assert_security_headers(headers)
    assert listener.hits == []
    assert bot.slack.calls[calls:] == []
    assert writes(bot) == before
    assert [r.name for r in caplog.records if r.name.startswith(("qib.bolt", "slack_bolt", "qib.app"))] == []


def test_bolt_runs_for_a_correctly_signed_request_so_the_check_above_can_fail(bot, listener, caplog):
    caplog.set_level(logging.DEBUG, logger="qib.bolt")
    body, kind = forged_event(listener)
    status, _, _ = bot.http.post("/slack/events", body, kind)
    assert status == 200
    assert any(r.name == "qib.bolt" for r in caplog.records)


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", "1" * 5000])
def test_should_an_unverified_request_reach_bolt_the_error_handler_still_calls_nothing(
    database_url, engine, slack, durham, listener, timestamp
):
    """Defence in depth: Bolt's own verifier raises on these timestamps, and the error handler sees the
    forged body; it must not answer on the body's response_url or in its channel."""
    settings = bot_settings(database_url, slack)
    app = create_app(
        settings, Deps(engine=engine, sessions=make_sessionmaker(engine)), client=make_client(settings)
    )
    calls = len(slack.calls)
    for body, kind in (forged_command(listener), forged_event(listener)):
        response = app.dispatch(
            BoltRequest(
                body=body,
                headers={
                    "content-type": kind,
                    "x-slack-request-timestamp": timestamp,
                    "x-slack-signature": hmac_for(timestamp, body),
                },
            )
        )
        assert response.status == 401
    time.sleep(0.2)
    assert listener.hits == []
    assert slack.calls[calls:] == []


# ------------------------------------------------------------------ malformed bodies

CANARY = "BODY-CANARY"
MALFORMED_BODIES: dict[str, tuple[bytes, str]] = {
    "malformed JSON": (b'{"type": "event_callback", "BODY-CANARY": ', JSON),
    "a JSON array": (b'["BODY-CANARY", 1]', JSON),
    "a JSON string": (b'"BODY-CANARY"', JSON),
    "a JSON number": (b"12345", JSON),
    "payload=notjson": (b"payload=notjson-BODY-CANARY", "application/x-www-form-urlencoded"),
    "a payload that is a JSON array": (
        b"payload=" + quote('["BODY-CANARY"]').encode(),
        "application/x-www-form-urlencoded",
    ),
    "binary bytes": (b"\xff\xfe\x00\x81BODY-CANARY\xc3\x28", "application/x-www-form-urlencoded"),
    "a form body labelled JSON": (b"token=t&team_id=T111&text=BODY-CANARY&command=%2Fqib", JSON),
    "5,000-deep nesting": (b'{"a":' * 5000 + b'"BODY-CANARY"' + b"}" * 5000, JSON),
    "5,000-deep nesting in a payload": (
        b"payload=" + quote("[" * 5000 + '"BODY-CANARY"' + "]" * 5000).encode(),
        "application/x-www-form-urlencoded",
    ),
    "nesting deeper than any Slack payload": (b'{"a":' * 200 + b'"BODY-CANARY"' + b"}" * 200, JSON),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_BODIES))
def test_a_signed_malformed_body_is_a_400_with_one_warning_naming_no_content(bot, caplog, case):
    caplog.set_level(logging.INFO)
    raw, kind = MALFORMED_BODIES[case]
    calls, before = len(bot.slack.calls), writes(bot)
    status, headers, text = bot.http.post("/slack/events", raw, kind)
    assert status == 400
    assert text.encode() == MALFORMED_BODY
    assert_security_headers(headers)
    time.sleep(0.1)
    assert bot.slack.calls[calls:] == []
    assert writes(bot) == before
    # (waitress's "task queue depth" warning is about a busy test machine, not about this request)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "waitress.queue"]
    assert [(r.name, r.levelname) for r in loud] == [("qib.http", "WARNING")]
    assert loud[0].exc_info is None
    assert CANARY not in caplog.text and "Traceback" not in caplog.text


@pytest.mark.parametrize("case", sorted(MALFORMED_BODIES))
def test_an_unsigned_malformed_body_is_a_401_without_being_read(bot, caplog, case):
    caplog.set_level(logging.INFO)
    raw, kind = MALFORMED_BODIES[case]
    status, headers, text = bot.http.post("/slack/events", raw, kind, sign=False)
    assert status == 401
    assert text.encode() == REFUSED_BODY
    assert_security_headers(headers)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "waitress.queue"] == []
    assert CANARY not in caplog.text


def test_head_healthz_sends_headers_only_so_the_next_answer_on_the_connection_is_intact(bot):
    url = urlsplit(bot.http.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, rest = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"content-length: 31" in head.lower()  # what GET would send, as HTTP says
    assert rest.startswith(b"HTTP/1.1 200"), rest[:80]  # not the GET body: the HEAD sent none
    assert rest.endswith(b'{"status":"ok","database":"ok"}')


def raw_exchange(bot, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client to tidy them up) and read the one answer."""
    url = urlsplit(bot.http.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=20) as sock:
        with contextlib.suppress(ConnectionError):
            sock.sendall(data)
        received = b""
        with contextlib.suppress(ConnectionError):
            while chunk := sock.recv(65536):
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


def test_a_body_past_the_servers_own_cap_is_refused_with_the_security_headers(bot):
    """Content-Length far over the limit: the server refuses before reading, and says so securely."""
    status, headers, _ = raw_exchange(
        bot,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 900000000\r\nConnection: close\r\n\r\n{}",
    )
    assert status == 413
    assert_security_headers(headers)


def test_malformed_chunked_encoding_is_refused_with_the_security_headers(bot):
    before = len(bot.slack.calls)
    status, headers, _ = raw_exchange(
        bot,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"zz\r\nnot a chunk\r\n0\r\n\r\n",
    )
    assert status == 400
    assert_security_headers(headers)
    assert bot.slack.calls[before:] == []


def test_a_body_over_our_limit_is_refused_by_the_app_itself(bot):
    """Between our limit and the server's cap the app answers (its body, its headers)."""
    body = update_body(bot) + "&pad=" + "x" * 1_100_000
    status, headers, text = bot.http.post("/slack/events", body)
    assert (status, text) == (413, "request body too large\n")
    assert_security_headers(headers)


def test_an_unexpected_error_in_the_app_is_our_own_500_with_the_security_headers(bot, caplog, monkeypatch):
    def broken(_request: object) -> None:
        raise RuntimeError("an unexpected bug")

    monkeypatch.setattr(bot.app, "dispatch", broken)  # a fault injected into the real app
    caplog.set_level(logging.INFO)
    status, headers, text = bot.http.post("/slack/events", update_body(bot))
    assert status == 500
    assert_security_headers(headers)
    assert set(json.loads(text)) == {"error", "ref"}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in errors] == ["qib.http"]
    assert json.loads(text)["ref"] in errors[0].getMessage()
