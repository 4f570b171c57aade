"""The bot asks Slack who it is (auth.test) once, at start: Bolt's authorization reuses that answer, so
no request (and no worker process forked after start) asks again."""

from __future__ import annotations


def test_requests_do_not_ask_slack_who_the_bot_is_again(bot):
    assert [c.method for c in bot.slack.calls] == ["auth.test"]  # learning the workspace, at start
    for _ in range(3):
        [reply] = bot.command("help")
        assert "/qib" in reply["text"]
    assert len(bot.slack.calls_to("auth.test")) == 1


def test_with_the_workspace_configured_the_first_request_asks_once(make_bot):
    with make_bot(slack_team_id="T111") as configured:  # start-up asked Slack nothing
        assert configured.slack.calls_to("auth.test") == []
        configured.command("help")
        configured.command("help")
        assert len(configured.slack.calls_to("auth.test")) == 1
