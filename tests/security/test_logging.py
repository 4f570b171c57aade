"""Logs at INFO never carry a secret or what people wrote: driven through every surface over HTTP."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import event

from qib_testing.people import BOARD, CHAIR, IRO, SECRET, TEAM
from qib_testing.slack_standin import sign, slash_command_body

NOTE = "QUOKKA-7431 zebra crossings near the Dene"
BOT_TOKEN = "xoxb-test-token"


def secrets_and_bodies(bot) -> list[str]:
    return [NOTE, "QUOKKA", BOT_TOKEN, SECRET]


def drive_everything(bot) -> None:
    bot.command(f"update M-05 on track 20% {NOTE}", user=IRO)
    bot.command(f"status {NOTE}", user=IRO)
    bot.command(f"frobnicate {NOTE}", user=CHAIR)
    bot.command(f"owner M-06 {NOTE}", user=CHAIR)
    bot.command(f"meeting move {NOTE}", user=CHAIR)
    bot.command(f"digest {NOTE}", user=CHAIR)
    bot.command(f"update M-05 on track 20% {NOTE}", user="U0NOBODY01")  # refused: not in the plan
    bot.mention(f"how are we doing on {NOTE}?")
    bot.dm(f"status of {NOTE}")
    view = {"callback_id": "qib_update", "id": "VLOG1", "private_metadata": "{}"}
    bot.submit(
        view,
        {
            "milestone": {"m": {"type": "static_select", "selected_option": {"value": "M-05"}}},
            "percent": {"value": "30"},
            "note": {"value": NOTE},
            "blockers": {"value": NOTE + " blockers"},
        },
        user=IRO,
    )
    bot.submit(view | {"id": "VLOG2"}, {"percent": {"value": NOTE}, "note": {"value": NOTE}}, user=IRO)
    bot.open_home(user=IRO)
    bot.slack.wait_for("chat.postMessage", count=2)


def test_driving_every_surface_logs_no_body_and_no_secret(bot, caplog):
    caplog.set_level(logging.INFO)
    drive_everything(bot)
    for needle in secrets_and_bodies(bot):
        assert needle not in caplog.text


def test_refused_signatures_do_not_log_the_body_or_the_signature(bot, caplog):
    """Bolt logs a bad signature at INFO with the whole body: a late (stale) request carries real text."""
    caplog.set_level(logging.INFO)
    body = slash_command_body(
        f"update M-05 on track 20% {NOTE}",
        user_id=IRO,
        channel_id=BOARD,
        team_id=TEAM,
        response_url=bot.slack.response_url("late"),
    )
    stale = int(time.time()) - 600
    headers = sign(body, SECRET, stale)
    status, _, _ = bot.http.post("/slack/events", body, headers=headers, sign=False)
    assert status == 401
    status, _, _ = bot.http.post(
        "/slack/events", body, headers={**headers, "X-Slack-Signature": "v0=" + "1" * 64}, sign=False
    )
    assert status == 401
    for needle in [*secrets_and_bodies(bot), headers["X-Slack-Signature"], "v0=1111"]:
        assert needle not in caplog.text
    assert "signature" in caplog.text.lower()  # the refusal itself is still worth a line


def test_slack_refusing_a_post_logs_the_error_code_not_the_message(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.slack.fail("chat.postMessage", status=200, error="channel_not_found", times=None)
    bot.command(f"update M-05 on track 20% {NOTE}", user=IRO)
    bot.command(f"update M-05 off track 20% {NOTE} again; recovery: cover", user=IRO)
    assert "channel_not_found" in caplog.text
    for needle in secrets_and_bodies(bot):
        assert needle not in caplog.text


def test_an_unexpected_database_error_logs_a_reference_not_the_note(bot, caplog, engine):
    """A failed INSERT's message would quote its parameters (the note) unless they are hidden."""
    caplog.set_level(logging.INFO)

    def break_the_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO PROGRESS_UPDATE"):
            if isinstance(parameters, dict):
                return statement, {k: (None if v == "slack" else v) for k, v in parameters.items()}
            return statement, tuple(None if v == "slack" else v for v in parameters)
        return statement, parameters

    event.listen(engine, "before_cursor_execute", break_the_insert, retval=True)
    try:
        [reply] = bot.command(f"update M-05 on track 20% {NOTE}", user=IRO)
    finally:
        event.remove(engine, "before_cursor_execute", break_the_insert)
    assert reply["text"].startswith("Something went wrong (ref ")
    assert "IntegrityError" in caplog.text  # logged, with a reference the user can quote
    for needle in secrets_and_bodies(bot):
        assert needle not in caplog.text


@pytest.mark.parametrize("level", ["INFO"])
def test_the_runtime_logging_setup_keeps_bolt_and_the_sdk_at_info_or_above(level):
    from bot.cli_runtime import configure_logging
    from bot.settings import Settings

    configure_logging(Settings(_env_file=None, log_level=level))
    for name in ("slack_bolt", "slack_sdk", "qib.bolt"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
