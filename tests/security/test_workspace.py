"""One workspace by default: with SLACK_TEAM_ID unset the bot learns its own from auth.test at start and
refuses every other, over HTTP (401) and over Socket Mode (acknowledged, not acted on)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bot.app import create_app, make_client
from bot.deps import Deps
from bot.socket_mode import start_socket_mode
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings, serve_bot
from qib_testing.people import BOARD, CHAIR, IRO, TEAM
from qib_testing.slack_standin import (
    JSON,
    FakeSlack,
    FakeSocketMode,
    block_actions_payload,
    event_body,
    event_payload,
    interactive_body,
    slash_command_payload,
    view_submission_payload,
)
from tests.security.test_http_boundary import assert_refused, update_body, writes

OTHER = "TOTHER42"
FORM = "application/x-www-form-urlencoded"


def other_workspace_requests(bot, team: str = OTHER, **grid: str) -> list[tuple[str, str]]:
    """A signed command, button, form submission, mention and Home tab from another workspace."""
    mention = {
        "type": "app_mention",
        "user": CHAIR,
        "text": "<@UBOT111> status",
        "ts": "1.1",
        "channel": BOARD,
    }
    submission = view_submission_payload(
        "qib_update",
        {"milestone": {"m": {"type": "static_select", "selected_option": {"value": "M-05"}}}},
        user_id=IRO,
        team_id=team,
    )
    return [
        (update_body(bot, "elsewhere", team=team, **grid), FORM),
        (
            interactive_body(
                block_actions_payload(
                    "update_milestone",
                    value="M-05",
                    user_id=IRO,
                    team_id=team,
                    response_url=bot.slack.response_url("elsewhere-click"),
                )
            ),
            FORM,
        ),
        (interactive_body(submission), FORM),
        (event_body(mention, team_id=team), JSON),
        (event_body({"type": "app_home_opened", "user": CHAIR, "tab": "home"}, team_id=team), JSON),
    ]


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "qib.app" and "another workspace" in r.msg]


def test_with_no_team_configured_another_workspaces_signed_requests_get_401_and_reach_no_handler(bot, caplog):
    caplog.set_level(logging.INFO)
    before = writes(bot)
    requests = other_workspace_requests(bot)
    for body, kind in requests:
        status, _, text = bot.http.post("/slack/events", body, kind)
        assert_refused(bot, status, text, before)
    assert refusals(caplog) == [f"refused a request from another workspace: team {OTHER}"] * len(requests)


def test_with_no_team_configured_the_bots_own_workspace_is_served(bot):
    assert "/qib help" in bot.command("help")[0]["text"]  # so the refusals above mean something


@pytest.fixture
def learnt_slack() -> Iterator[FakeSlack]:
    """A Slack whose auth.test names a workspace the tests never otherwise use."""
    with FakeSlack(team_id="TLEARNT1") as fake:
        yield fake


def test_the_workspace_is_the_one_auth_test_names(database_url, engine, durham, learnt_slack):
    with serve_bot(database_url, engine, learnt_slack) as learnt:
        assert [c.method for c in learnt_slack.calls] == ["auth.test"]  # asked once, at start
        before = writes(learnt)
        status, _, text = learnt.http.post("/slack/events", update_body(learnt, "t111", team=TEAM))
        assert_refused(learnt, status, text, before)
        status, _, _ = learnt.http.post("/slack/events", update_body(learnt, "ours", team="TLEARNT1"))
        assert status == 200
        assert learnt.responses("ours")[0]["text"].startswith("Saved: M-05")


def test_enterprise_grid_requests_must_name_our_org_and_our_team(database_url, engine, durham):
    with FakeSlack(enterprise_id="E0OURS") as grid_slack, serve_bot(database_url, engine, grid_slack) as bot:
        before = writes(bot)
        for team, grid in (
            (TEAM, {"enterprise_id": "E0OTHER"}),  # our team id, another org: not ours
            (TEAM, {}),  # our org's workspace should say so
            (OTHER, {"enterprise_id": "E0OURS"}),  # another workspace of our own org
            ("", {"enterprise_id": "E0OURS"}),  # an org-level request naming no workspace
        ):
            status, _, text = bot.http.post("/slack/events", update_body(bot, "grid", team=team, **grid))
            assert_refused(bot, status, text, before)
        status, _, _ = bot.http.post(
            "/slack/events", update_body(bot, "ours", team=TEAM, enterprise_id="E0OURS")
        )
        assert status == 200 and bot.responses("ours")[0]["text"].startswith("Saved: M-05")


def test_slack_team_id_overrides_what_auth_test_says(make_bot, slack):
    with make_bot(slack_team_id="T222") as configured:
        assert slack.calls_to("auth.test") == []  # nothing to learn
        before = writes(configured)
        status, _, text = configured.http.post("/slack/events", update_body(configured, "t111", team=TEAM))
        assert_refused(configured, status, text, before)
        status, _, _ = configured.http.post("/slack/events", update_body(configured, "ours", team="T222"))
        assert status == 200 and configured.responses("ours")[0]["text"].startswith("Saved: M-05")


# ------------------------------------------------------------------ Socket Mode


def test_socket_mode_acknowledges_another_workspaces_requests_and_ignores_them(
    database_url, engine, slack, durham, caplog
):
    caplog.set_level(logging.INFO)
    settings = bot_settings(database_url, slack, slack_app_token="xapp-1-test")
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    with FakeSocketMode(slack) as socket_mode:
        app = create_app(settings, deps, client=make_client(settings), process_before_response=True)
        handler = start_socket_mode(app, settings)
        try:
            socket_mode.wait_connected()
            before, calls = writes_of(deps), len(slack.calls)
            command = slash_command_payload(
                "update M-05 on track 20% from elsewhere",
                user_id=IRO,
                channel_id=BOARD,
                team_id=OTHER,
                response_url=slack.response_url("elsewhere"),
            )
            mention = {
                "type": "app_mention",
                "user": CHAIR,
                "text": "<@UBOT111> status",
                "ts": "1.1",
                "channel": BOARD,
            }
            envelopes = [
                socket_mode.send_envelope("slash_commands", command),
                socket_mode.send_envelope(
                    "interactive",
                    block_actions_payload("update_milestone", value="M-05", user_id=IRO, team_id=OTHER),
                ),
                socket_mode.send_envelope("events_api", event_payload(mention, team_id=OTHER)),
            ]
            for envelope_id in envelopes:
                assert socket_mode.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
            time.sleep(0.2)
            assert [c.method for c in slack.calls[calls:] if c.method != "auth.test"] == []
            assert writes_of(deps) == before
            assert refusals(caplog) == [f"refused a request from another workspace: team {OTHER}"] * 3

            ours = socket_mode.send_envelope(
                "slash_commands", {**command, "team_id": TEAM, "response_url": slack.response_url("ours")}
            )
            socket_mode.wait_for_ack(ours)
            [reply] = slack.wait_for("response_url", predicate=lambda c: c.path.endswith("/ours"))
            assert reply.args["text"].startswith("Saved: M-05")
        finally:
            socket_mode.close_handler(handler)


def writes_of(deps: Deps) -> tuple[int, int]:
    return writes(SimpleNamespace(deps=deps))
