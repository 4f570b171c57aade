"""The block builders make plain dicts: exactly what slack_sdk's block models make of the same input,
within the same limits, without the models' cost on every reply."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers import blocks as bk

TEXTS = ["M-07 on track", "", "x" * 5000, "a\u202enote\x1b[31m with controls", "*bold* <@U1> & <!channel>"]


def _plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=bk.clip(bk.plain(text), limit), emoji=True)


def _mrkdwn(text: str, limit: int = bk.MAX_SECTION) -> MarkdownTextObject:
    return MarkdownTextObject(text=bk.clip(text, limit))


@pytest.mark.parametrize("text", TEXTS)
def test_each_builder_makes_what_slacks_models_make(text):
    assert bk.header(text or "x") == HeaderBlock(text=_plain(text or "x", bk.MAX_HEADER)).to_dict()
    assert bk.section(text) == SectionBlock(text=_mrkdwn(text or " ")).to_dict()
    assert bk.section(text, block_id="b1") == SectionBlock(text=_mrkdwn(text or " "), block_id="b1").to_dict()
    if text:  # (the models leave an empty text out; Slack refuses either)
        assert bk.fields([text] * 12) == SectionBlock(fields=[_mrkdwn(text, 2000)] * 10).to_dict()
        assert bk.context(*[text] * 11) == ContextBlock(elements=[_mrkdwn(text)] * 10).to_dict()
    assert bk.divider() == DividerBlock().to_dict()
    for style in (None, "primary", "danger"):
        for value in ("", "M-07", "v" * 3000):
            made = ButtonElement(
                text=_plain(text or "x", 75), action_id="a1", value=value[:2000] or None, style=style
            )
            assert bk.button(text or "x", "a1", value, style=style) == made.to_dict()
    buttons = [bk.button(f"b{i}", f"a{i}") for i in range(30)]
    for block_id in (None, "row"):
        made = ActionsBlock(elements=buttons[:25], block_id=block_id)
        assert bk.actions(*buttons, block_id=block_id) == made.to_dict()


def test_the_keys_come_in_the_order_slacks_models_give_them():
    block = bk.section("hello", block_id="b1", accessory=bk.button("Go", "go", "1", style="primary"))
    assert list(block) == ["block_id", "text", "type", "accessory"]
    assert list(block["accessory"]) == list(
        ButtonElement(text="Go", action_id="go", value="1", style="primary").to_dict()
    )
