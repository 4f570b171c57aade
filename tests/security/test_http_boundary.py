"""The HTTP edge, over real HTTP: signatures, the workspace check, security headers, body limit, methods.

A refused request must reach no handler (nothing sent to Slack, nothing written) and carry no plan
data back in its response.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from bot.http import SECURITY_HEADERS
from models import AuditEvent, ProgressUpdate
from tests.e2e.conftest import BOARD, CHAIR, IRO, SECRET, TEAM
from tests.slack_standin import (
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
    status, headers, _ = raw_request(bot, "POST", "/slack/events", b"", {"Content-Length": "-5"})
    assert status in (400, 413)
    assert bot.slack.calls == []


def test_a_refusal_body_is_generic(bot):
    """The 401 says no more than that the request was refused: no echo of the body, no stack."""
    status, _, text = bot.http.post("/slack/events", update_body(bot), sign=False)
    assert status == 401
    assert len(text) < 100 and "Traceback" not in text
    if text:
        assert json.loads(text) in ({"error": "invalid request"}, {})
