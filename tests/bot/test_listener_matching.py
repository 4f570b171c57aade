"""Bolt tries the listeners one by one until one matches. Ours are tried on the request body alone
(bot.app._match_on_the_body): they find the listener Bolt's own matching finds, without Bolt building
every keyword argument a listener could take for each listener it tries."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.listener_matcher import builtins

from handlers.home.view import QUESTION_INPUT
from handlers.measures.modal import CALLBACK as RECORD_MEASURE
from handlers.questions import ASK_BUTTON
from handlers.updates import UPDATE_BUTTON
from handlers.updates.modal import CALLBACK as UPDATE_FORM
from handlers.updates.modal import PICK_ACTION
from qib_testing.people import CHAIR, TEAM
from qib_testing.slack_standin.signer import (
    block_actions_payload,
    block_suggestion_payload,
    event_body,
    interactive_body,
    slash_command_body,
    view_submission_payload,
)

FORM = {"content-type": ["application/x-www-form-urlencoded"]}
JSON = {"content-type": ["application/json"]}


def _event(event: dict[str, Any]) -> BoltRequest:
    return BoltRequest(body=event_body(event, team_id=TEAM), headers=JSON)


def _interactive(payload: dict[str, Any]) -> BoltRequest:
    return BoltRequest(body=interactive_body(payload), headers=FORM)


REQUESTS = {
    "/qib": lambda: BoltRequest(
        body=slash_command_body("status", user_id=CHAIR, channel_id="C1", team_id=TEAM), headers=FORM
    ),
    "mention": lambda: _event({"type": "app_mention", "user": CHAIR, "text": "<@UBOT111> hi", "ts": "1.1"}),
    "dm": lambda: _event({"type": "message", "user": CHAIR, "text": "hi", "ts": "1.2", "channel_type": "im"}),
    "home": lambda: _event({"type": "app_home_opened", "user": CHAIR, "tab": "home", "event_ts": "1.3"}),
    "update button": lambda: _interactive(block_actions_payload(UPDATE_BUTTON, value="M-1", team_id=TEAM)),
    "ask button": lambda: _interactive(block_actions_payload(f"{ASK_BUTTON}:1", team_id=TEAM)),
    "home question": lambda: _interactive(block_actions_payload(QUESTION_INPUT, team_id=TEAM, view={})),
    "milestone search": lambda: _interactive(block_suggestion_payload(PICK_ACTION, "M-", block_id="b")),
    "update form": lambda: _interactive(
        view_submission_payload(UPDATE_FORM, {}, user_id=CHAIR, team_id=TEAM)
    ),
    "measure form": lambda: _interactive(view_submission_payload(RECORD_MEASURE, {}, user_id=CHAIR)),
    "unknown action": lambda: _interactive(block_actions_payload("no_such_action", team_id=TEAM)),
}


def _matched(app: Any, request: BoltRequest, *, as_bolt_would: bool) -> list[str]:
    response = BoltResponse(status=200)
    found = []
    for listener in app._listeners:
        matchers = listener.matchers
        if as_bolt_would:
            listener.matchers = [builtins.BuiltinListenerMatcher(func=m.func) for m in matchers]
        try:
            if listener.matches(req=request, resp=response):
                found.append(listener.ack_function.__name__)
        finally:
            listener.matchers = matchers
    return found


@pytest.mark.parametrize("kind", list(REQUESTS))
def test_each_request_finds_the_listener_bolts_own_matching_finds(bot, kind):
    ours = _matched(bot.app, REQUESTS[kind](), as_bolt_would=False)
    assert ours == _matched(bot.app, REQUESTS[kind](), as_bolt_would=True)
    assert ours or kind == "unknown action"


def test_trying_the_listeners_builds_no_listener_arguments(bot, monkeypatch):
    built: list[str] = []
    build = builtins.build_required_kwargs

    def counted(**kwargs: Any) -> dict[str, Any]:
        built.append(kwargs["this_func"].__qualname__)
        return build(**kwargs)

    monkeypatch.setattr(builtins, "build_required_kwargs", counted)
    assert "/qib" in bot.command("help")[0]["text"]
    bot.open_home()
    assert built == []
