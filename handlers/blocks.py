"""Pure Block Kit builders: data in, payload out, within Slack's limits (see the note above header)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.models.blocks import Block

from bot.services.text import mrkdwn_escape, terminal_safe

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3900
# Slack refuses a message with "msg_blocks_too_long" near 13,000 characters of block text in all.
MAX_MESSAGE_TEXT = 11_000

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
        # The fallback is mrkdwn too (notifications, screen readers): plan and user text in it is raw.
        return {"text": clip(mrkdwn_escape(self.text), MAX_FALLBACK), "blocks": self.blocks}


def esc(text: object) -> str:
    """Plan or user text made inert for mrkdwn."""
    return mrkdwn_escape(str(text))


def plain(text: object) -> str:
    """Plan or user text for a plain_text object: nothing there is live, but control characters
    (bidi overrides, escape sequences) would still reorder or hide what people read."""
    return terminal_safe(str(text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The builders make plain dicts, shaped (keys in order) as slack_sdk's block models would make them,
# and within Slack's limits by clipping. The models themselves cost a sixth of a millisecond per block
# (they check every field again), which a reply of a few dozen blocks paid on every request; the Slack
# stand-in still parses every payload a test sends with those models (parse_all, check_message).


def _plain_text(text: str, limit: int) -> dict[str, Any]:
    return {"emoji": True, "text": clip(plain(text), limit), "type": "plain_text"}


def _mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    return {"text": clip(text, limit), "type": "mrkdwn"}


def header(text: str) -> dict[str, Any]:
    return {"text": _plain_text(text, MAX_HEADER), "type": "header"}


def section(
    mrkdwn: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {"block_id": block_id} if block_id is not None else {}
    block.update(text=_mrkdwn(mrkdwn or " "), type="section")
    if accessory:
        block["accessory"] = accessory
    return block


def fields(items: Sequence[str]) -> dict[str, Any]:
    return {"fields": [_mrkdwn(i, 2000) for i in items[:10]], "type": "section"}


def context(*mrkdwn: str) -> dict[str, Any]:
    return {"elements": [_mrkdwn(t) for t in mrkdwn[:10]], "type": "context"}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"action_id": action_id}
    if style is not None:
        block["style"] = style
    block.update(text=_plain_text(text, 75), type="button")
    if value:
        block["value"] = value[:2000]
    return block


def actions(*buttons: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"block_id": block_id} if block_id is not None else {}
    block.update(elements=list(buttons[:25]), type="actions")
    return block


def fit(
    blocks: Iterable[dict[str, Any]], *, limit: int = MAX_MESSAGE_BLOCKS, more: str = ""
) -> list[dict[str, Any]]:
    """Keep a message within Slack's block limit, saying what was left out instead of being refused.

    A message (not a modal or Home tab) is also kept under Slack's limit on its total block text.
    """
    items = list(blocks)
    if len(items) > limit:
        kept = items[: limit - 1]
        hidden = len(items) - len(kept)
        kept.append(context(f"…and {hidden} more not shown. {more}".strip()))
        items = kept
    if limit <= MAX_MESSAGE_BLOCKS:
        items = _within_text(items, MAX_MESSAGE_TEXT)
    return [{k: v for k, v in b.items() if k != LIST_MARK} for b in items]


_MORE = re.compile(r"…and ([0-9][0-9,]*) more")
LIST_MARK = "_qib_list"  # on sections of list entries until `fit` removes it; never sent to Slack


def _texts(node: Any) -> Iterator[str]:
    """Every "text" string in the blocks: what Slack counts towards msg_blocks_too_long."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)


def _within_text(blocks: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """Drop entries from the end of the last list (then trailing sections) until the text fits.

    A list is a run of sections made by `list_sections` (entries separated by a blank line). Each
    entry dropped is counted into the "…and N more" note after its list, or into a new note there.
    """
    items: list[dict[str, Any] | None] = list(blocks)
    size = sum(len(t) for t in _texts(blocks))
    hidden: dict[int, int] = {}  # the last index of a run of blocks -> entries dropped from it
    while size > budget:
        found = _next_to_drop(blocks, items)
        if found is None:
            break
        i, anchor = found
        size -= _drop_last_entry(items, i)
        hidden[anchor] = hidden.get(anchor, 0) + 1
    _note_hidden(items, hidden)
    return [b for b in items if b is not None]


def _run_end(blocks: list[dict[str, Any]], i: int, *, lists_only: bool) -> int:
    """The last index of the run of sections (or of list sections) that block i is in."""
    end = i
    while end + 1 < len(blocks) and blocks[end + 1].get("type") == "section":
        if lists_only and not blocks[end + 1].get(LIST_MARK):
            break
        end += 1
    return end


def _next_to_drop(blocks: list[dict[str, Any]], items: list[dict[str, Any] | None]) -> tuple[int, int] | None:
    """The section to shorten next and the end of its run, or None when only the headline is left."""
    alive = [i for i, b in enumerate(items) if b is not None and b.get("type") == "section"]
    lists = [i for i in alive if blocks[i].get(LIST_MARK)]
    if lists:
        return lists[-1], _run_end(blocks, lists[-1], lists_only=True)
    if len(alive) > 1:  # the first section is the headline: it stays
        return alive[-1], _run_end(blocks, alive[-1], lists_only=False)
    return None


def _drop_last_entry(items: list[dict[str, Any] | None], i: int) -> int:
    """Drop the last entry of section i (the whole section if it holds one); the characters saved."""
    block = items[i] or {}
    text = block.get("text", {}).get("text", "") if isinstance(block.get("text"), dict) else ""
    if "\n\n" in text:
        shorter = text.rpartition("\n\n")[0]
        items[i] = {**block, "text": {**block["text"], "text": shorter}}
        return len(text) - len(shorter)
    items[i] = None
    return sum(len(t) for t in _texts(block))


def _note_hidden(items: list[dict[str, Any] | None], hidden: dict[int, int]) -> None:
    """Count the entries dropped into the "…and N more" note after each run, or add one there."""
    for anchor in sorted(hidden, reverse=True):
        note = items[anchor + 1] if anchor + 1 < len(items) else None
        text = next(_texts(note), "") if note is not None and note.get("type") == "context" else ""
        found = _MORE.search(text)
        if found:
            total = int(found.group(1).replace(",", "")) + hidden[anchor]
            items[anchor + 1] = context(_MORE.sub(f"…and {total} more", text, count=1))
        else:
            items.insert(
                anchor + 1, context(f"…and {hidden[anchor]} more not shown: too long for one message.")
            )


def list_sections(entries: Sequence[str]) -> list[dict[str, Any]]:
    """Sections holding list entries (a blank line between them), marked so `fit` can shorten them."""
    return [{**section(text), LIST_MARK: True} for text in entries]


def parse_all(blocks: Iterable[dict[str, Any]]) -> list[Block | None]:
    """slack_sdk's view of our blocks (used by tests and the console)."""
    return [Block.parse(b) for b in blocks]
