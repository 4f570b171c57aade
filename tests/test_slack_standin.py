"""Self-tests of the Slack stand-in (qib_testing/slack_standin): Web API, signing, Socket Mode, Block Kit."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock, SectionBlock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient
from websockets.sync.client import connect as ws_connect

from qib_testing.people import SECRET
from qib_testing.slack_standin import (
    JSON,
    FakeSlack,
    FakeSocketMode,
    SignedClient,
    block_actions_payload,
    check_message,
    check_payload,
    check_view,
    event_body,
    event_payload,
    interactive_body,
    sign,
    slash_command_body,
    slash_command_payload,
    view_submission_payload,
)

FIXTURES = Path("/work/shared/slack-fixtures")
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-test-token"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.base_url)


# --- Block Kit builders ---------------------------------------------------------------------------


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hello") -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": "go", **extra}


def option(text: str = "One", value: str = "1", **extra: Any) -> dict[str, Any]:
    return {"text": plain(text), "value": value, **extra}


def static_select(**extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "placeholder": plain("Pick"), **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def message(*blocks: dict[str, Any], text: str = "fallback") -> dict[str, Any]:
    return {"text": text, "blocks": list(blocks)}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "answer", **extra}


def input_block(element: dict[str, Any] | None = None, label: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "q",
        "label": label or plain("Answer"),
        "element": element or text_input(),
    }


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "qib_modal",
        "title": plain("QIB"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": list(blocks) or [section()],
    }
    view.update(extra)
    return {k: v for k, v in view.items() if v is not None}


# --- Block Kit checker: one bad payload per rule ----------------------------------------------------

BAD_PAYLOADS: list[tuple[str, str, dict[str, Any], str]] = [
    ("message_with_51_blocks", "message", message(*[section()] * 51), "51 blocks in a message (max 50)"),
    ("modal_with_101_blocks", "view", modal(*[section()] * 101), "101 blocks in a modal (max 100)"),
    ("home_with_101_blocks", "view", {"type": "home", "blocks": [section()] * 101}, "(max 100)"),
    ("section_text_empty", "message", message(section("")), "/blocks/0/text/text: section text is empty"),
    ("section_text_3001", "message", message(section("x" * 3001)), "section text is 3001 characters"),
    ("section_without_text_or_fields", "message", message({"type": "section"}), "needs text or fields"),
    (
        "section_11_fields",
        "message",
        message({"type": "section", "fields": [mrkdwn("f")] * 11}),
        "11 section fields (max 10)",
    ),
    (
        "section_field_2001",
        "message",
        message({"type": "section", "fields": [mrkdwn("f" * 2001)]}),
        "/blocks/0/fields/0/text: section field is 2001 characters",
    ),
    (
        "header_mrkdwn",
        "message",
        message({"type": "header", "text": mrkdwn("Hi")}),
        "header text must be plain_text, not mrkdwn",
    ),
    (
        "header_151",
        "message",
        message({"type": "header", "text": plain("h" * 151)}),
        "header text is 151 characters (max 150)",
    ),
    (
        "context_11_elements",
        "message",
        message({"type": "context", "elements": [mrkdwn("c")] * 11}),
        "11 context elements (max 10)",
    ),
    ("actions_26_elements", "message", message(actions(*[button()] * 26)), "26 actions elements (max 25)"),
    (
        "block_id_256",
        "message",
        message({**section(), "block_id": "b" * 256}),
        "/blocks/0/block_id: block_id",
    ),
    ("action_id_256", "message", message(actions(button(action_id="a" * 256))), "action_id is 256"),
    ("callback_id_256", "view", modal(callback_id="c" * 256), "/callback_id: callback_id is 256"),
    ("button_text_76", "message", message(actions(button("b" * 76))), "button text is 76 characters"),
    (
        "button_text_mrkdwn",
        "message",
        message(actions({**button(), "text": mrkdwn("Go")})),
        "must be plain_text",
    ),
    ("button_value_2001", "message", message(actions(button(value="v" * 2001))), "button value is 2001"),
    (
        "button_url_3001",
        "message",
        message(actions(button(url="https://x/" + "u" * 2991))),
        "button url is 3001",
    ),
    (
        "select_placeholder_151",
        "message",
        message(actions(static_select(placeholder=plain("p" * 151), options=[option()]))),
        "placeholder is 151 characters",
    ),
    (
        "select_placeholder_mrkdwn",
        "message",
        message(actions(static_select(placeholder=mrkdwn("Pick"), options=[option()]))),
        "placeholder must be plain_text",
    ),
    (
        "static_select_101_options",
        "message",
        message(actions(static_select(options=[option()] * 101))),
        "101 select options (max 100)",
    ),
    (
        "static_select_101_option_groups",
        "message",
        message(actions(static_select(option_groups=[{"label": plain("G"), "options": [option()]}] * 101))),
        "101 select option_groups (max 100)",
    ),
    (
        "static_select_without_options",
        "message",
        message(actions(static_select())),
        "needs options or option_groups",
    ),
    (
        "option_text_76",
        "message",
        message(actions(static_select(options=[option("o" * 76)]))),
        "option text is 76 characters (max 75)",
    ),
    (
        "option_value_151",
        "message",
        message(actions(static_select(options=[option(value="v" * 151)]))),
        "option value is 151 characters (max 150)",
    ),
    (
        "option_description_76",
        "message",
        message(
            actions(
                {"type": "checkboxes", "action_id": "c", "options": [option(description=plain("d" * 76))]}
            )
        ),
        "option description is 76 characters (max 75)",
    ),
    (
        "select_option_text_mrkdwn",
        "message",
        message(actions(static_select(options=[{"text": mrkdwn("One"), "value": "1"}]))),
        "/options/0/text/type: option text must be plain_text",
    ),
    (
        "overflow_6_options",
        "message",
        message(actions({"type": "overflow", "action_id": "o", "options": [option()] * 6})),
        "6 overflow options (max 5)",
    ),
    (
        "checkboxes_11_options",
        "message",
        message(actions({"type": "checkboxes", "action_id": "c", "options": [option()] * 11})),
        "11 checkboxes options (max 10)",
    ),
    (
        "radio_buttons_11_options",
        "view",
        modal(input_block({"type": "radio_buttons", "action_id": "r", "options": [option()] * 11})),
        "11 radio_buttons options (max 10)",
    ),
    ("modal_title_25", "view", modal(title=plain("t" * 25)), "modal title is 25 characters (max 24)"),
    ("modal_title_mrkdwn", "view", modal(title=mrkdwn("QIB")), "modal title must be plain_text"),
    ("modal_submit_25", "view", modal(submit=plain("s" * 25)), "modal submit is 25 characters (max 24)"),
    ("modal_close_25", "view", modal(close=plain("c" * 25)), "modal close is 25 characters (max 24)"),
    ("modal_without_title", "view", modal(title=None), "/title: modal title is required"),
    ("modal_input_without_submit", "view", modal(input_block(), submit=None), "input block but no submit"),
    ("private_metadata_3001", "view", modal(private_metadata="m" * 3001), "private_metadata is 3001"),
    (
        "plain_text_input_max_length_0",
        "view",
        modal(input_block(text_input(max_length=0))),
        "max_length is 0 (must be 1..3000)",
    ),
    (
        "plain_text_input_max_length_3001",
        "view",
        modal(input_block(text_input(max_length=3001))),
        "max_length is 3001 (must be 1..3000)",
    ),
    (
        "input_label_mrkdwn",
        "view",
        modal(input_block(label=mrkdwn("Answer"))),
        "input label must be plain_text",
    ),
    (
        "markdown_block_12001",
        "message",
        message({"type": "markdown", "text": "m" * 12001}),
        "markdown block text is 12001 characters",
    ),
    (
        "markdown_block_empty",
        "message",
        message({"type": "markdown", "text": ""}),
        "markdown block text is empty",
    ),
    ("top_level_text_4001", "message", {"text": "t" * 4001}, "/text: top-level text is 4001 characters"),
    ("blocks_without_fallback_text", "message", {"blocks": [section()]}, "/text: top-level text is missing"),
    ("message_without_any_content", "message", {"text": ""}, "no text, blocks or attachments"),
    (
        "total_block_text_over_12000",
        "message",
        message(*[section("x" * 2500)] * 5),
        "12500 characters of block text (keep under 12000)",
    ),
    ("unknown_block_type", "message", message({"type": "carousel_of_doom"}), "unknown block type"),
    (
        "unknown_element_type",
        "message",
        message(actions({"type": "slider", "action_id": "s"})),
        "unknown element type 'slider'",
    ),
    ("empty_button_text", "message", message(actions(button(" "))), "button text is empty"),
    (
        "attachment_blocks_checked",
        "message",
        {"text": "t", "attachments": [{"blocks": [section("")]}]},
        "/attachments/0",
    ),
    # Only slack_sdk's own model knows button styles: proves its validation runs too.
    (
        "slack_sdk_model_validation",
        "message",
        message(actions(button(style="fancy"))),
        "slack_sdk validation failed",
    ),
]


@pytest.mark.parametrize(
    ("kind", "payload", "expected"), [p[1:] for p in BAD_PAYLOADS], ids=[p[0] for p in BAD_PAYLOADS]
)
def test_blockkit_checker_reports_each_rule(kind: str, payload: dict[str, Any], expected: str) -> None:
    violations = check_payload(kind, payload)
    assert any(expected in v for v in violations), violations


def test_blockkit_checker_flags_blocks_the_sdk_parser_silently_drops() -> None:
    violations = check_message(message({"type": "carousel_of_doom"}))
    assert (
        "/blocks/0: slack_sdk Block.parse silently dropped this block (type 'carousel_of_doom')" in violations
    )


def test_blockkit_violations_carry_json_pointer_paths() -> None:
    # slack_sdk itself does not notice this one: options of a select built from dicts go unchecked.
    payload = message(section(), actions(button(), static_select(options=[option(), option("o" * 76)])))
    assert check_message(payload) == [
        "/blocks/1/elements/1/options/1/text/text: option text is 76 characters (max 75)"
    ]


GOOD_PAYLOADS: list[tuple[str, str, dict[str, Any]]] = [
    ("plain_text_message", "message", {"text": "Hello <@W111>"}),
    ("attachments_only_message", "message", {"attachments": [{"text": "legacy", "color": "#36a64f"}]}),
    ("delete_original_response", "message", {"delete_original": True}),
    (
        "rich_message_at_the_limits",
        "message",
        {
            "text": "t" * 4000,
            "blocks": [
                {"type": "header", "text": plain("h" * 150)},
                {"type": "section", "text": mrkdwn("s" * 3000), "block_id": "b" * 255},
                {"type": "section", "fields": [mrkdwn("f" * 200)] * 10, "accessory": button("b" * 75)},
                {
                    "type": "context",
                    "elements": [mrkdwn("c")] * 9
                    + [{"type": "image", "image_url": "https://x/i.png", "alt_text": "i"}],
                },
                {"type": "divider"},
                actions(
                    button(
                        "Open",
                        value="v" * 2000,
                        url="https://x/" + "u" * 2990,
                        action_id="a" * 255,
                        style="primary",
                    ),
                    static_select(
                        options=[option("o" * 75, "v" * 150, description=plain("d" * 75))] + [option()] * 99
                    ),
                    static_select(
                        action_id="grouped",
                        option_groups=[{"label": plain("G"), "options": [option()]}] * 100,
                    ),
                    {"type": "overflow", "action_id": "more", "options": [option()] * 5},
                    {
                        "type": "checkboxes",
                        "action_id": "c",
                        "options": [{"text": mrkdwn("*yes*"), "value": "y"}] * 10,
                    },
                    {"type": "users_select", "action_id": "who", "placeholder": plain("p" * 150)},
                    {"type": "datepicker", "action_id": "when"},
                ),
                {"type": "markdown", "text": "**bold**"},
                {
                    "type": "rich_text",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}],
                },
            ]
            + [section()] * 41,
        },
    ),
    (
        "message_built_with_slack_sdk_models",
        "message",
        {
            "text": "fallback",
            "blocks": [
                b.to_dict()
                for b in (
                    HeaderBlock(text="Board"),
                    SectionBlock(text="*Action 3* is overdue"),
                    ActionsBlock(elements=[ButtonElement(text="Done", action_id="done", value="3")]),
                )
            ],
        },
    ),
    (
        "modal_at_the_limits",
        "view",
        modal(
            input_block(
                text_input(max_length=3000, min_length=1, multiline=True, placeholder=plain("p" * 150))
            ),
            {
                **input_block({"type": "radio_buttons", "action_id": "r", "options": [option()] * 10}),
                "block_id": "r",
            },
            *[section()] * 98,
            title=plain("t" * 24),
            submit=plain("s" * 24),
            close=plain("c" * 24),
            private_metadata="m" * 3000,
            callback_id="c" * 255,
        ),
    ),
    ("modal_without_inputs_needs_no_submit", "view", modal(section(), submit=None)),
    ("home_tab_with_100_blocks", "view", {"type": "home", "blocks": [section()] * 100}),
    ("fixture_view_with_option_groups", "view", fixture("block_actions_static_select.json")["view"]),
    ("fixture_view_submission_view", "view", fixture("view_submission.json")["view"]),
]


@pytest.mark.parametrize(
    ("kind", "payload"), [p[1:] for p in GOOD_PAYLOADS], ids=[p[0] for p in GOOD_PAYLOADS]
)
def test_blockkit_checker_accepts_valid_payloads(kind: str, payload: dict[str, Any]) -> None:
    assert check_payload(kind, payload) == []


def test_check_payload_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown payload kind"):
        check_payload("email", {})
    assert check_view(modal()) == check_payload("view", modal()) == []


# --- FakeSlack: Web API ------------------------------------------------------------------------------


def test_web_client_reaches_fake_and_auth_test_answers_like_slack(fake: FakeSlack, client: WebClient) -> None:
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/api/"
    response = client.auth_test()
    assert response.data == {
        "ok": True,
        "url": "https://qib-test.slack.com/",
        "team": "QIB Test",
        "user": "qib-bot",
        "team_id": "T111",
        "user_id": "UBOT111",
        "bot_id": "BBOT111",
        "is_enterprise_install": False,
    }
    (call,) = fake.calls_to("auth.test")
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    assert not call.failed


def test_post_message_returns_increasing_ts_and_history_is_newest_first(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = [client.chat_postMessage(channel="C111", text=f"m{i}") for i in range(4)]
    stamps = [r["ts"] for r in posted]
    assert stamps == ["1700000000.000100", "1700000000.000200", "1700000000.000300", "1700000000.000400"]
    assert posted[0]["channel"] == "C111" and posted[0]["message"]["text"] == "m0"
    assert posted[0]["message"]["bot_id"] == "BBOT111"

    history = client.conversations_history(channel="C111")
    assert [m["text"] for m in history["messages"]] == ["m3", "m2", "m1", "m0"]
    newer = client.conversations_history(channel="C111", oldest=stamps[1], limit=1)
    assert [m["text"] for m in newer["messages"]] == ["m3"] and newer["has_more"] is True
    inclusive = client.conversations_history(channel="C111", oldest=stamps[1], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2", "m1"]
    assert client.conversations_history(channel="C999")["messages"] == []


def test_thread_replies_stay_out_of_history_and_come_back_from_replies(
    fake: FakeSlack, client: WebClient
) -> None:
    parent = fake.add_message("C111", "Board meets Tuesday", user="W222")
    client.chat_postMessage(channel="C111", text="noted", thread_ts=parent)
    history = client.conversations_history(channel="C111")["messages"]
    assert [m["text"] for m in history] == ["Board meets Tuesday"]
    assert history[0]["reply_count"] == 1
    replies = client.conversations_replies(channel="C111", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["Board meets Tuesday", "noted"]


def test_posting_to_a_user_id_lands_in_the_dm_from_conversations_open(
    fake: FakeSlack, client: WebClient
) -> None:
    dm = client.conversations_open(users="W222")["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users=["W222"])["channel"]["id"] == dm
    assert client.chat_postMessage(channel="W222", text="your action is due")["channel"] == dm
    assert [m["text"] for m in fake.messages(dm)] == ["your action is due"]


def test_ephemeral_update_permalink_delete_and_users_info(fake: FakeSlack, client: WebClient) -> None:
    assert client.chat_postEphemeral(channel="C111", user="W111", text="only you")["message_ts"]
    ts = client.chat_postMessage(channel="C111", text="draft")["ts"]
    updated = client.chat_update(channel="C111", ts=ts, text="final")
    assert updated["ts"] == ts and updated["message"]["text"] == "final"
    assert fake.messages("C111")[0]["text"] == "final"
    link = client.chat_getPermalink(channel="C111", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/C111/p{ts.replace('.', '')}")
    client.chat_delete(channel="C111", ts=ts)
    assert fake.messages("C111") == []

    fake.add_user("W111", real_name="Ada Lovelace", tz="Europe/London")
    user = client.users_info(user="W111")["user"]
    assert user["id"] == "W111" and user["real_name"] == "Ada Lovelace"
    assert client.users_info(user="W999")["user"]["profile"]["email"] == "w999@example.gov.uk"


def test_form_encoded_and_get_calls_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("form")]
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "t", "blocks": json.dumps(blocks)})
    client.api_call("conversations.info", http_verb="GET", params={"channel": "C1"})
    form_call, get_call = fake.calls
    assert form_call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert form_call.args["blocks"] == blocks
    assert get_call.method == "conversations.info" and get_call.args == {"channel": "C1"}


def test_views_are_echoed_with_ids_and_hash_conflicts_are_refused(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="111.222", view=modal(private_metadata="42"))["view"]
    assert opened["id"].startswith("V") and opened["private_metadata"] == "42" and opened["hash"]
    assert fake.calls_to("views.open")[0].args["view"]["callback_id"] == "qib_modal"

    updated = client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=modal(private_metadata="43")
    )
    assert updated["view"]["id"] == opened["id"] and updated["view"]["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert stale.value.response["error"] == "hash_conflict"

    pushed = client.views_push(trigger_id="111.333", view=modal())["view"]
    assert pushed["id"] != opened["id"]
    home = client.views_publish(user_id="W111", view={"type": "home", "blocks": [section()]})["view"]
    assert fake.home_views["W111"]["id"] == home["id"]
    fake.assert_no_violations()


def test_unknown_methods_answer_ok_and_missing_tokens_are_not_authed(
    fake: FakeSlack, client: WebClient
) -> None:
    assert client.api_call("reactions.add", json={"channel": "C1", "name": "eyes", "timestamp": "1.2"})["ok"]
    request = urllib.request.Request(
        fake.base_url + "chat.postMessage", data=b"channel=C1&text=hi", method="POST"
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read()) == {"ok": False, "error": "not_authed"}


def test_fail_429_sends_retry_after_and_records_the_failed_call(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C111", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response.data == {"ok": False, "error": "ratelimited"}
    assert client.chat_postMessage(channel="C111", text="hi")["ok"]  # times=1: next call succeeds
    first, second = fake.calls_to("chat.postMessage")
    assert (first.failed, first.status, second.failed) == (True, 429, False)


def test_rate_limit_retry_handler_recovers_after_429(
    fake: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random.random", lambda: 0.0)  # no jitter sleep
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    fake.fail("chat.postMessage", status=429, retry_after=0, times=2)
    assert client.chat_postMessage(channel="C111", text="eventually")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200]


def test_server_error_retry_handler_recovers_after_500(fake: FakeSlack, client: WebClient) -> None:
    calculator = FixedValueRetryIntervalCalculator(0.01)
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=1, interval_calculator=calculator))
    fake.fail("conversations.history", status=500)
    assert client.conversations_history(channel="C111")["ok"]
    assert [c.status for c in fake.calls_to("conversations.history")] == [500, 200]


def test_fail_with_a_slack_error_at_http_200(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=200, error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="C404", text="hi")
        assert raised.value.response.status_code == 200
        assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C404", text="hi")["ok"]


def test_fail_without_a_count_lasts_until_cleared(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("auth.test", status=200, error="invalid_auth", times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.auth_test()
    fake.clear_failures()
    assert client.auth_test()["ok"]


def test_response_url_receives_webhook_client_posts(fake: FakeSlack) -> None:
    url = fake.response_url("cmd-1")
    assert url == f"http://127.0.0.1:{fake.port}/response/cmd-1"
    response = WebhookClient(url).send(text="done", response_type="ephemeral", blocks=[section("done")])
    assert response.status_code == 200 and json.loads(response.body) == {"ok": True}
    (call,) = fake.calls_to("response_url")
    assert call.path == "/response/cmd-1"
    assert call.args == {"text": "done", "response_type": "ephemeral", "blocks": [section("done")]}


def test_response_url_used_more_than_five_times_is_a_violation(fake: FakeSlack) -> None:
    hook = WebhookClient(fake.response_url("busy"))
    for i in range(6):
        hook.send(text=f"update {i}")
    assert fake.violations == [
        "response_url /response/busy: /: response_url 'busy' used 6 times (Slack allows 5)"
    ]


def test_wait_for_returns_calls_made_on_other_threads(fake: FakeSlack, client: WebClient) -> None:
    def later() -> None:
        time.sleep(0.1)
        client.chat_postMessage(channel="C1", text="skip")
        client.chat_postMessage(channel="C1", text="wanted")

    threading.Thread(target=later).start()
    (call,) = fake.wait_for("chat.postMessage", predicate=lambda c: c.args.get("text") == "wanted", timeout=3)
    assert call.args["channel"] == "C1"


def test_wait_for_times_out_with_a_summary_of_calls(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="only one")
    with pytest.raises(
        AssertionError, match=r"(?s)expected 2 call\(s\) to chat.postMessage.*got 1.*only one"
    ):
        fake.wait_for("chat.postMessage", count=2, timeout=0.2)


def test_invalid_blocks_are_recorded_and_still_answered_ok_by_default(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="C1", text="t", blocks=[{"type": "header", "text": mrkdwn("*no*")}])
    client.views_open(trigger_id="1", view=modal(input_block(), submit=None))
    WebhookClient(fake.response_url("r")).send(blocks=[section()])
    violations = fake.violations
    assert any(
        v.startswith("chat.postMessage: /blocks/0/text/type: header text must be plain_text")
        for v in violations
    )
    assert any(v.startswith("views.open: /submit:") for v in violations)
    assert any(v.startswith("response_url /response/r: /text:") for v in violations)
    assert fake.calls_to("chat.postMessage")[0].violations
    with pytest.raises(AssertionError, match="Slack payload violation"):
        fake.assert_no_violations()


def test_strict_mode_refuses_invalid_blocks_like_slack(client: WebClient) -> None:
    with FakeSlack(strict=True) as strict:
        strict_client = WebClient(token=BOT_TOKEN, base_url=strict.base_url)
        with pytest.raises(SlackApiError) as raised:
            strict_client.chat_postMessage(channel="C1", text="t", blocks=[section(""), section()])
        assert raised.value.response["error"] == "invalid_blocks"
        assert raised.value.response["errors"] == ["section text is empty [json-pointer:/blocks/0/text/text]"]
        assert strict.calls_to("chat.postMessage")[0].failed
        assert strict_client.chat_postMessage(channel="C1", text="t", blocks=[section()])["ok"]

        hook = WebhookClient(strict.response_url("r"))
        assert json.loads(hook.send(text="t", blocks=[section("")]).body)["error"] == "invalid_blocks"


def test_apps_connections_open_needs_an_app_token_and_a_socket_mode_server(
    fake: FakeSlack, client: WebClient
) -> None:
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        client.apps_connections_open(app_token=BOT_TOKEN)
    with pytest.raises(SlackApiError, match="socket_mode_not_attached"):
        client.apps_connections_open(app_token=APP_TOKEN)
    with FakeSocketMode(fake) as socket_mode:
        url = client.apps_connections_open(app_token=APP_TOKEN)["url"]
        assert url.startswith(f"ws://127.0.0.1:{socket_mode.port}/link/?ticket=")


# --- signer --------------------------------------------------------------------------------------------


def test_sign_matches_slack_sdk_signature_verifier() -> None:
    body = slash_command_body("status", user_id="W111", channel_id="C111")
    headers = sign(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + "&x=1", headers)
    stale = sign(body, SECRET, timestamp=int(time.time()) - 6 * 60)
    assert not verifier.is_valid_request(body, stale)
    assert sign(body.encode(), SECRET, timestamp=1531420618) == sign(body, SECRET, timestamp=1531420618)


def test_sign_reproduces_slacks_documented_example() -> None:
    # https://api.slack.com/authentication/verifying-requests-from-slack (example secret and body)
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = sign(body, "8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)
    assert (
        headers["X-Slack-Signature"] == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_slash_command_body_reproduces_the_fixture_byte_for_byte() -> None:
    body = slash_command_body(
        "Hi",
        user_id="W111",
        channel_id="C111",
        command="/hello-world",
        response_url="https://hooks.slack.com/commands/T111/111/xxxxx",
        enterprise_id="E111",
        enterprise_name="Org Name",
        api_app_id=None,
    )
    assert body == (FIXTURES / "slash_command.form.txt").read_text().strip()
    parsed = {k: v[0] for k, v in parse_qs(body).items()}
    assert parsed == fixture("slash_command.parsed.json")
    assert slash_command_payload("x", user_id="W1", channel_id="C1")["command"] == "/qib"


def test_event_body_is_an_event_callback_envelope_like_the_fixture() -> None:
    inner = fixture("event_app_mention.json")["event"]
    envelope = json.loads(event_body(inner, team_id="T111", event_id="Ev111"))
    assert set(fixture("event_app_mention.json")) - set(envelope) <= {"enterprise_id", "authed_users"}
    assert envelope["type"] == "event_callback" and envelope["event"] == inner
    assert envelope["event_id"] == "Ev111" and envelope["team_id"] == "T111"
    assert json.loads(event_body(inner))["event_id"] != json.loads(event_body(inner))["event_id"]


def test_interactive_body_round_trips_the_payload() -> None:
    payload = fixture("block_actions_button.json")
    body = interactive_body(payload)
    assert body.startswith("payload=%7B")
    assert json.loads(parse_qs(body)["payload"][0]) == payload


def test_block_actions_and_view_submission_payloads_match_fixture_shapes() -> None:
    actions_payload = block_actions_payload("a", value="click_me_123", response_url="http://x/r")
    assert set(fixture("block_actions_button.json")) <= set(actions_payload)
    assert actions_payload["actions"][0]["value"] == "click_me_123"
    in_modal = block_actions_payload(
        "pick", action_type="static_select", selected_option=option(), view=modal()
    )
    assert in_modal["container"]["type"] == "view" and "response_url" not in in_modal

    submission = view_submission_payload(
        "qib_modal", {"q": {"answer": "text"}}, user_id="W111", private_metadata="9"
    )
    expected = fixture("view_submission.json")
    assert set(expected) <= set(submission) and set(expected["view"]) <= set(submission["view"])
    assert submission["view"]["state"]["values"] == {
        "q": {"answer": {"type": "plain_text_input", "value": "text"}}
    }


class _BoltHTTPServer:
    """Tiny HTTP front for a Bolt App (what the bot's real server does), for SignedClient tests."""

    def __init__(self, app: App) -> None:
        bolt_app = app

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in self.headers.items()}
                response = bolt_app.dispatch(BoltRequest(body=body, headers=headers))
                data = (response.body or "").encode()
                self.send_response(response.status)
                for name, values in response.headers.items():
                    for value in values:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def http_bolt(fake: FakeSlack) -> Iterator[tuple[App, SignedClient]]:
    app = App(signing_secret=SECRET, client=WebClient(token=BOT_TOKEN, base_url=fake.base_url))
    server = _BoltHTTPServer(app)
    yield app, SignedClient(server.url, SECRET)
    server.close()


def test_signed_client_drives_a_bolt_http_app_end_to_end(
    fake: FakeSlack, http_bolt: tuple[App, SignedClient]
) -> None:
    app, http = http_bolt

    @app.command("/qib")
    def qib(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack(f"working on {command['text']}")
        respond(text="done", blocks=[section("done")])

    body = slash_command_body(
        "status", user_id="W111", channel_id="C111", response_url=fake.response_url("c")
    )
    status, headers, text = http.post("/slack/events", body)
    assert (status, text) == (200, "working on status")
    assert headers["content-type"].startswith("text/plain")
    (call,) = fake.wait_for("response_url")
    assert call.args["text"] == "done"
    fake.assert_no_violations()


def test_signed_client_requests_without_a_valid_signature_get_401(
    http_bolt: tuple[App, SignedClient],
) -> None:
    app, http = http_bolt
    app.command("/qib")(lambda ack: ack())
    body = slash_command_body("status", user_id="W111", channel_id="C111")
    assert http.post("/slack/events", body, sign=False)[0] == 401
    assert http.post("/slack/events", body, timestamp=int(time.time()) - 600)[0] == 401
    assert SignedClient(http.base_url, "wrong-secret").post("/slack/events", body)[0] == 401
    assert http.post("/slack/events", body)[0] == 200


def test_signed_client_posts_events_and_interactivity(
    fake: FakeSlack, http_bolt: tuple[App, SignedClient]
) -> None:
    app, http = http_bolt
    seen: list[str] = []

    @app.event("app_mention")
    def mention(event: dict[str, Any], say: Any, request: BoltRequest) -> None:
        seen.append(request.headers.get("x-slack-retry-num", ["-"])[0])
        say(text=f"hi <@{event['user']}>")

    @app.view("qib_modal")
    def submit(ack: Any) -> None:
        ack(response_action="errors", errors={"q": "Too short"})

    challenge = fixture("event_url_verification.json")
    assert http.post("/slack/events", json.dumps(challenge), JSON)[2] == json.dumps(
        {"challenge": challenge["challenge"]}
    )

    mention_body = event_body(fixture("event_app_mention.json")["event"])
    status, _, _ = http.post(
        "/slack/events",
        mention_body,
        JSON,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"},
    )
    assert status == 200
    assert fake.wait_for("chat.postMessage")[0].args["text"] == "hi <@W222>"
    assert seen == ["1"]

    submission = interactive_body(
        view_submission_payload("qib_modal", {"q": {"answer": "x"}}, user_id="W111")
    )
    status, _, text = http.post("/slack/events", submission)
    assert (status, json.loads(text)) == (200, {"response_action": "errors", "errors": {"q": "Too short"}})


# --- Socket Mode ---------------------------------------------------------------------------------------


@pytest.fixture
def socket_mode(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    with FakeSocketMode(fake) as server:
        yield server


def _start_handler(adapter: str, app: App, socket_mode: FakeSocketMode) -> Any:
    if adapter == "builtin":
        from slack_bolt.adapter.socket_mode import SocketModeHandler
    else:
        from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler  # type: ignore[assignment]
    handler = SocketModeHandler(app, app_token=APP_TOKEN)
    handler.connect()  # non-blocking, unlike start()
    socket_mode.wait_connected()
    return handler


@pytest.mark.parametrize("adapter", ["builtin", "websocket_client"])
def test_bolt_socket_mode_slash_command_is_acked_and_respond_and_say_reach_fake(
    adapter: str, fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    app = App(client=WebClient(token=BOT_TOKEN, base_url=fake.base_url))

    @app.command("/qib")
    def qib(ack: Any, respond: Any, say: Any, command: dict[str, Any]) -> None:
        ack(f"on it: {command['text']}")
        respond("private answer")
        say("public answer")

    handler = _start_handler(adapter, app, socket_mode)
    try:
        payload = slash_command_payload(
            "status", user_id="W111", channel_id="C111", response_url=fake.response_url("s")
        )
        envelope_id = socket_mode.send_envelope("slash_commands", payload)
        ack = socket_mode.wait_for_ack(envelope_id)
        assert ack == {"envelope_id": envelope_id, "payload": {"text": "on it: status"}}
        assert socket_mode.ack_delay(envelope_id) < 3
        assert fake.wait_for("response_url")[0].args["text"] == "private answer"
        assert fake.wait_for("chat.postMessage")[0].args == {
            "channel": "C111",
            "text": "public answer",
            "team_id": "T111",
        }
    finally:
        socket_mode.close_handler(handler)
    fake.assert_no_violations()


def test_socket_mode_events_carry_retry_attempts_into_bolt_headers(
    fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    app = App(client=WebClient(token=BOT_TOKEN, base_url=fake.base_url))
    retries: list[Any] = []

    @app.event("app_mention")
    def mention(request: BoltRequest, say: Any) -> None:
        retries.append(
            (request.headers.get("x-slack-retry-num"), request.headers.get("x-slack-retry-reason"))
        )
        say("hello")

    handler = _start_handler("builtin", app, socket_mode)
    try:
        inner = fixture("socket_mode_envelope_events_api_app_mention.json")["payload"]["event"]
        envelope_id = socket_mode.send_envelope("events_api", event_payload(inner), retry_attempt=2)
        assert socket_mode.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
        fake.wait_for("chat.postMessage")
        assert retries == [(["2"], ["timeout"])]
        sent = socket_mode.sent[-1]
        assert sent["accepts_response_payload"] is False and sent["retry_reason"] == "timeout"
    finally:
        socket_mode.close_handler(handler)


def test_socket_mode_view_submission_ack_carries_response_action(
    fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    app = App(client=WebClient(token=BOT_TOKEN, base_url=fake.base_url))
    app.view("qib_modal")(lambda ack: ack(response_action="clear"))
    handler = _start_handler("builtin", app, socket_mode)
    try:
        payload = view_submission_payload("qib_modal", {"q": {"answer": "x"}}, user_id="W111")
        envelope_id = socket_mode.send_envelope("interactive", payload)
        assert socket_mode.sent[-1]["accepts_response_payload"] is True
        assert socket_mode.wait_for_ack(envelope_id)["payload"] == {"response_action": "clear"}
    finally:
        socket_mode.close_handler(handler)


def test_socket_mode_disconnect_frame_makes_the_builtin_client_reconnect(
    fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    handler = _start_handler(
        "builtin", App(client=WebClient(token=BOT_TOKEN, base_url=fake.base_url)), socket_mode
    )
    try:
        socket_mode.send_disconnect()
        socket_mode.wait_connected(count=2)
        assert len(fake.calls_to("apps.connections.open")) == 2
    finally:
        socket_mode.close_handler(handler)


def test_socket_mode_server_speaks_the_protocol_to_a_plain_websocket(
    fake: FakeSlack, socket_mode: FakeSocketMode
) -> None:
    url = WebClient(base_url=fake.base_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with ws_connect(url) as ws:
        hello = json.loads(ws.recv(timeout=2))
        assert set(hello) == set(fixture("socket_mode_hello.json")) and hello["type"] == "hello"
        shortcut = fixture("socket_mode_envelope_interactive_shortcut.json")
        envelope_id = socket_mode.send_envelope("interactive", shortcut["payload"])
        envelope = json.loads(ws.recv(timeout=2))
        assert set(envelope) == set(shortcut) and envelope["envelope_id"] == envelope_id
        assert envelope["accepts_response_payload"] is False
        ws.send(json.dumps({"envelope_id": envelope_id}))
        assert socket_mode.wait_for_ack(envelope_id, timeout=2) == {"envelope_id": envelope_id}
    with pytest.raises(AssertionError, match="no ack for envelope nope"):
        socket_mode.wait_for_ack("nope", timeout=0.1)


def test_envelopes_need_a_connected_client(socket_mode: FakeSocketMode) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode client connected"):
        socket_mode.wait_connected(timeout=0.1)


def test_http_errors_from_unknown_paths(fake: FakeSlack) -> None:
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"http://127.0.0.1:{fake.port}/nowhere")
    assert raised.value.code == 404


# --- channels by name, as Slack answers them --------------------------------------------------------


def test_a_post_to_a_channel_name_is_answered_with_the_channels_id_as_slack_does(fake):
    client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
    board = fake.channel_id("#qib-board")
    assert board is not None and board.startswith("C")
    answer = client.chat_postMessage(channel="#qib-board", text="hello")
    assert answer["channel"] == board
    assert (
        [m["text"] for m in fake.messages(board)]
        == ["hello"]
        == [m["text"] for m in fake.messages("#qib-board")]
    )
    with pytest.raises(SlackApiError) as unknown:
        client.chat_postMessage(channel="#no-such-channel", text="hello")
    assert unknown.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as by_name:
        client.conversations_history(channel="#qib-board")  # conversations.* take ids only
    assert by_name.value.response["error"] == "channel_not_found"
    assert client.conversations_history(channel=board)["messages"][0]["text"] == "hello"


def test_conversations_list_pages_and_hides_what_the_bot_cannot_see():
    with FakeSlack(channels=tuple(f"c{i}" for i in range(5))) as fake:
        fake.add_channel("old", is_archived=True)
        fake.add_channel("private-in", is_private=True)
        fake.add_channel("private-out", is_private=True, is_member=False)
        client = WebClient(token=BOT_TOKEN, base_url=fake.base_url)
        names, cursor, pages = [], None, 0
        while True:
            answer = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=3, cursor=cursor
            )
            pages += 1
            names += [c["name"] for c in answer["channels"]]
            cursor = answer["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert names == ["c0", "c1", "c2", "c3", "c4", "private-in"] and pages == 2
        public = client.conversations_list(types="public_channel", limit=100)["channels"]
        assert [c["name"] for c in public] == ["c0", "c1", "c2", "c3", "c4", "old"]


# --- files_upload_v2: URL, plain POST of the bytes, completion ------------------------------------


def test_files_upload_v2_goes_through_all_three_steps_like_slack(fake: FakeSlack, client: WebClient):
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    result = client.files_upload_v2(
        channel="C123",
        file=data,
        filename="chart.png",
        title="Chart",
        alt_txt="a chart",
        initial_comment="hi",
    )
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    file_id = result["file"]["id"]
    assert fake.uploaded(file_id) == data
    assert result["file"]["alt_txt"] == "a chart" and result["file"]["size"] == len(data)
    [message] = fake.messages("C123")
    assert message["text"] == "hi" and message["files"][0]["id"] == file_id
    fake.assert_no_violations()


def test_completing_an_upload_whose_bytes_never_arrived_fails(fake: FakeSlack, client: WebClient):
    url = client.files_getUploadURLExternal(filename="x.png", length=10)
    with pytest.raises(SlackApiError) as caught:
        client.files_completeUploadExternal(files=[{"id": url["file_id"], "title": "x"}], channel_id="C1")
    assert caught.value.response["error"] == "file_not_found"


def test_an_upload_shorter_than_announced_is_a_violation(fake: FakeSlack, client: WebClient):
    url = client.files_getUploadURLExternal(filename="x.png", length=10)
    request = urllib.request.Request(url["upload_url"], data=b"12345", method="POST")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    assert fake.violations == ["upload: /: 5 bytes uploaded, 10 announced"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(
            urllib.request.Request(f"http://127.0.0.1:{fake.port}/upload/FNOPE", data=b"1")
        )
    assert missing.value.code == 404


@pytest.mark.parametrize("sent", [0, 10], ids=["headers only", "part of the body"])
def test_a_request_cut_short_by_its_sender_is_no_call(fake: FakeSlack, sent: int) -> None:
    """A bot killed mid-request (http.client writes the headers and the body apart) leaves its headers
    and none or part of its body: Slack never acts on that."""
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(fake.base_url)
    body = b'{"channel": "C1", "text": "Saved"}'
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(
            b"POST /api/chat.postMessage HTTP/1.1\r\nHost: slack\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer xoxb-test\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:sent]
        )
    deadline = time.monotonic() + 2
    while (fake.connections == 0 or fake._open) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the stand-in has read what it was sent and let the connection go
    assert fake.connections == 1 and not fake._open
    assert fake.calls == [] and fake.violations == []
