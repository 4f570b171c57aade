"""The Slack runtime end to end: signed requests in, recorded Web API calls out."""

from __future__ import annotations

import logging
import time

from qib_testing.people import BOARD, CHAIR, SECRET, TEAM
from qib_testing.slack_standin import JSON, slash_command_body


def test_help_answers_privately_with_every_command(bot):
    [reply] = bot.command("help")
    assert reply["response_type"] == "ephemeral"
    assert "/qib help" in reply["text"]
    assert reply["blocks"][0]["type"] == "header"


def test_an_unknown_subcommand_gets_the_help_not_an_error(bot):
    [reply] = bot.command("frobnicate the plan")
    assert "Commands:" in reply["text"]


def test_a_request_without_a_signature_reaches_no_handler(bot):
    status, _, _ = bot.http.post(
        "/slack/events", slash_command_body("help", user_id=CHAIR, channel_id=BOARD), sign=False
    )
    assert status == 401
    assert bot.slack.calls_to("response_url") == []


def test_a_request_signed_with_the_wrong_secret_is_refused(bot):
    bot.http.secret = "not-the-secret"
    status, _, _ = bot.http.post("/slack/events", slash_command_body("help", user_id=CHAIR, channel_id=BOARD))
    assert status == 401
    assert bot.slack.calls_to("response_url") == []


def test_a_stale_signature_over_five_minutes_old_is_refused(bot):
    body = slash_command_body(
        "help", user_id=CHAIR, channel_id=BOARD, response_url=bot.slack.response_url("x")
    )
    status, _, _ = bot.http.post("/slack/events", body, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    assert bot.slack.calls_to("response_url") == []


def test_url_verification_is_answered_with_its_challenge(bot):
    status, _, text = bot.http.post(
        "/slack/events", '{"token":"t","challenge":"abc123","type":"url_verification"}', JSON
    )
    assert status == 200 and "abc123" in text


def test_a_mention_is_answered_in_a_thread_of_the_question(bot):
    ts = bot.mention("help please")
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == BOARD and post.args["thread_ts"] == ts


def test_a_direct_message_is_answered_in_the_dm(bot):
    bot.dm("what can you do?")
    [post] = bot.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == f"D{CHAIR}"
    assert "thread_ts" not in post.args


def test_the_bot_ignores_its_own_direct_messages(bot):
    bot.event(
        {
            "type": "message",
            "user": "UBOT111",
            "bot_id": "BBOT111",
            "text": "hi",
            "ts": "1.2",
            "channel": f"D{CHAIR}",
            "channel_type": "im",
            "event_ts": "1.2",
        }
    )
    time.sleep(0.2)
    assert bot.slack.calls_to("chat.postMessage") == []


def test_app_home_is_published_for_the_person_who_opened_it(bot):
    view = bot.open_home(user=CHAIR)
    assert view["type"] == "home"


def test_calls_to_slack_reuse_their_connections(bot):
    """Slack keeps a connection open for the next call: App Home's publishes and the replies on a
    response_url go out on connections the bot already holds, not on a new one (TCP and TLS) each."""
    before = bot.slack.connections
    for _ in range(12):
        bot.open_home(user=CHAIR)
        bot.command("help", user=CHAIR)
    assert len(bot.slack.calls_to("views.publish")) >= 12
    assert bot.slack.connections - before < 12  # 24 calls; at most one connection per thread that made one


def test_health_check_reports_the_database(bot):
    import urllib.request

    with urllib.request.urlopen(bot.http.base_url + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert b'"database":"ok"' in response.read()


def test_an_oversized_body_is_refused_before_bolt_sees_it(bot):
    status, _, _ = bot.http.post("/slack/events", "text=" + "x" * 2_000_000)
    assert status == 413


def test_tokens_and_the_signing_secret_never_reach_the_logs(bot, caplog):
    caplog.set_level(logging.DEBUG)
    bot.command("help")
    bot.mention("help")
    bot.slack.wait_for("chat.postMessage")
    assert "xoxb-test-token" not in caplog.text
    assert SECRET not in caplog.text


def test_a_request_from_another_workspace_is_refused_when_one_is_configured(
    database_url, engine, slack, durham
):
    import threading

    from bot.app import create_app, make_client
    from bot.deps import Deps
    from bot.http import QibWsgi, make_server, run_until_closed
    from models.db import make_sessionmaker
    from qib_testing.bots import bot_settings
    from qib_testing.slack_standin import SignedClient

    settings = bot_settings(database_url, slack, slack_team_id=TEAM)
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    app = create_app(settings, deps, client=make_client(settings), process_before_response=True)
    server = make_server(QibWsgi(app, deps, signing_secret=SECRET), host="127.0.0.1", port=0)
    threading.Thread(target=run_until_closed, args=(server,), daemon=True).start()
    try:
        http = SignedClient(f"http://127.0.0.1:{server.effective_port}", SECRET)
        body = slash_command_body(
            "help",
            user_id=CHAIR,
            channel_id=BOARD,
            team_id="TOTHER",
            response_url=slack.response_url("other"),
        )
        status, _, _ = http.post("/slack/events", body)
        assert status == 401
        assert slack.calls_to("response_url") == []
    finally:
        server.close()
