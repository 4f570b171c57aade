"""/qib digest's replies: the preview banner, and a posted digest with when it was posted."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.digest import FrozenDigest
from bot.usecases.digest import Posted
from handlers.digest import posted_reply, preview_reply
from handlers.digest.render import SUMMARY_LIMIT, digest_message, summary_message
from tests.handlers.blockcheck import valid_reply
from tests.services.test_digest_export import digest, row


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


def test_a_preview_is_the_digest_message_without_its_thread() -> None:
    d = digest()
    whole, preview = digest_message(d), preview_reply(d)
    assert whole.thread_blocks and not preview.thread_blocks
    assert preview.blocks[1:] == whole.blocks
    assert preview.text == "Preview: " + whole.text


def test_the_summary_lists_the_first_exceptions_and_counts_the_rest() -> None:
    many = [row(f"M{i}", kind="overdue") for i in range(1, 41)]
    reply = valid_reply(summary_message(digest(exceptions=many)))
    section = next(b["text"]["text"] for b in reply.blocks if "Exceptions (40)" in str(b))
    shown = [line for line in section.split("\n") if line.startswith("*M")]
    assert [line.split("*")[1] for line in shown] == [f"M{i}" for i in range(1, len(shown) + 1)]
    assert 0 < len(shown) <= SUMMARY_LIMIT
    assert section.endswith(f"…and {40 - len(shown)} more not shown")


def test_the_month_ahead_names_the_meeting_it_runs_from_as_well_as_the_one_it_runs_to() -> None:
    """Read on 14 Feb, "due before the next board (Thu 19 Mar 2020)" would be taken for the board of
    20 Feb, which the paper is for: the heading says which board the month runs past."""
    d = digest(next_meeting=date(2020, 3, 19))
    heading = "The month ahead: due before the next board after Thu 20 Feb 2020 (Thu 19 Mar 2020)"
    for reply in (summary_message(d), digest_message(d)):
        assert heading in str(valid_reply(reply).blocks)
