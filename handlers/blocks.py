"""Pure Block Kit builders: data in, payload out. Built with slack_sdk's models, which know Slack's limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.services.text import mrkdwn_escape

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3900

Visibility = Literal["ephemeral", "in_channel", "none"]


@dataclass
class Reply:
    """What a handler sends back: a fallback text that reads well in a notification, and blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    visibility: Visibility = "ephemeral"
    thread_blocks: list[list[dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def nothing(cls) -> Reply:
        """The handler already answered some other way (it opened a modal)."""
        return cls(text="", visibility="none")

    def payload(self) -> dict[str, Any]:
        return {"text": clip(self.text, MAX_FALLBACK), "blocks": self.blocks}


def esc(text: object) -> str:
    """Plan or user text made inert for mrkdwn."""
    return mrkdwn_escape(str(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def header(text: str) -> dict[str, Any]:
    return HeaderBlock(text=PlainTextObject(text=clip(text, MAX_HEADER), emoji=True)).to_dict()


def section(
    mrkdwn: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None
) -> dict[str, Any]:
    block = SectionBlock(
        text=MarkdownTextObject(text=clip(mrkdwn or " ", MAX_SECTION)), block_id=block_id
    ).to_dict()
    if accessory:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[str]) -> dict[str, Any]:
    return SectionBlock(fields=[MarkdownTextObject(text=clip(i, 2000)) for i in items[:10]]).to_dict()


def context(*mrkdwn: str) -> dict[str, Any]:
    return ContextBlock(
        elements=[MarkdownTextObject(text=clip(t, MAX_SECTION)) for t in mrkdwn[:10]]
    ).to_dict()


def divider() -> dict[str, Any]:
    return DividerBlock().to_dict()


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> dict[str, Any]:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, 75), emoji=True),
        action_id=action_id,
        value=value[:2000] or None,
        style=style,
    ).to_dict()


def actions(*buttons: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    return ActionsBlock(elements=list(buttons[:25]), block_id=block_id).to_dict()


def fit(
    blocks: Iterable[dict[str, Any]], *, limit: int = MAX_MESSAGE_BLOCKS, more: str = ""
) -> list[dict[str, Any]]:
    """Keep a message within Slack's block limit, saying what was left out instead of being refused."""
    items = list(blocks)
    if len(items) <= limit:
        return items
    kept = items[: limit - 1]
    hidden = len(items) - len(kept)
    kept.append(context(f"…and {hidden} more not shown. {more}".strip()))
    return kept


def parse_all(blocks: Iterable[dict[str, Any]]) -> list[Block | None]:
    """slack_sdk's view of our blocks (used by tests and the console)."""
    return [Block.parse(b) for b in blocks]
