"""Slack stand-in for tests: a local Web API + response_url server, a Socket Mode server, request
signing/builders and a Block Kit checker. Imports nothing from qib-bot so any test can use it."""

from .blockkit import check_message, check_payload, check_view
from .signer import (
    FORM,
    JSON,
    SignedClient,
    block_actions_payload,
    event_body,
    event_payload,
    interactive_body,
    sign,
    slash_command_body,
    slash_command_payload,
    view_submission_payload,
)
from .socket_mode import FakeSocketMode, disconnect_frame, hello_frame
from .web_api import BOARD_CHANNEL_ID, Call, FakeSlack, SlackCopy

__all__ = [
    "BOARD_CHANNEL_ID",
    "FORM",
    "JSON",
    "Call",
    "FakeSlack",
    "FakeSocketMode",
    "SignedClient",
    "SlackCopy",
    "block_actions_payload",
    "check_message",
    "check_payload",
    "check_view",
    "disconnect_frame",
    "event_body",
    "event_payload",
    "hello_frame",
    "interactive_body",
    "sign",
    "slash_command_body",
    "slash_command_payload",
    "view_submission_payload",
]
