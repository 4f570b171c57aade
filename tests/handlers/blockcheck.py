"""Renderer tests check their payloads the way the Slack stand-in does: every Block Kit limit, and
slack_sdk's own block models must parse each block."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from handlers.blocks import Reply
from qib_testing.slack_standin.blockkit import check_message, check_view


def valid_reply(reply: Reply) -> Reply:
    """The reply, after asserting Slack would accept it as a message."""
    payload = reply.payload()
    assert check_message(payload) == []
    for block in payload["blocks"]:
        assert Block.parse(block) is not None, block
    return reply


def valid_view(view: dict[str, Any]) -> dict[str, Any]:
    assert check_view(view) == []
    for block in view["blocks"]:
        assert Block.parse(block) is not None, block
    return view


def text_of(reply: Reply) -> str:
    """Everything a reader sees: the fallback and every block's text."""
    return reply.text + "\n" + repr(reply.blocks)
