"""/qib digest's replies: the preview banner, and a posted digest with when it was posted."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.digest import FrozenDigest
from bot.usecases.digest import Posted
from handlers.digest import posted_reply, preview_reply
from tests.handlers.blockcheck import valid_reply
from tests.services.test_digest_export import digest


def test_a_preview_says_it_is_one_above_the_digest() -> None:
    reply = valid_reply(preview_reply(digest()))
    assert reply.text.startswith("Preview: ")
    assert "only you can see it" in reply.blocks[0]["elements"][0]["text"]
    assert len(reply.blocks) > 2


def test_a_posted_digest_says_when_and_if_late() -> None:
    frozen = FrozenDigest(
        meeting_on=date(2020, 2, 20),
        posted_at=datetime(2020, 2, 14, 9, 5, tzinfo=UTC),
        channel="C1",
        ts="1.2",
        late=True,
        digest=digest(),
        message={
            "text": "Digest &amp; more",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
        },
        thread=[],
    )
    reply = valid_reply(posted_reply(Posted(frozen, "Europe/London")))
    assert reply.text == "Digest & more"
    banner = reply.blocks[0]["elements"][0]["text"]
    assert banner.startswith("As posted on ") and banner.endswith("(late).")
    assert reply.blocks[1]["text"]["text"] == "x"
