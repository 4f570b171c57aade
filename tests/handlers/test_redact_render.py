"""The reply to /qib redact: the marker, and how the Slack edits went."""

from __future__ import annotations

from bot.services.redaction import Redacted
from handlers.redact import redacted_reply
from tests.handlers.blockcheck import valid_reply


def _done(edits: int = 0, digests: int = 0) -> Redacted:
    return Redacted("U-12", "M-07", "[redacted 2020-02-03 by Sam Carter: child's <name>]", ["person_name"],
                    edits, digests)  # fmt: skip


def test_the_marker_is_shown_escaped_and_no_counts_when_nothing_was_posted() -> None:
    reply = valid_reply(redacted_reply(_done(), 0, 0))
    assert "U-12 (M-07) is redacted" in reply.text and "&lt;name&gt;" in reply.text
    assert "edited" not in reply.text and "digests" not in reply.text


def test_edits_pending_and_digests_are_counted() -> None:
    reply = valid_reply(redacted_reply(_done(edits=3, digests=1), 2, 1))
    assert "Slack messages edited: 2 of 3." in reply.text
    assert "1 could not be edited yet" in reply.text
    assert "Posted digests changed: 1" in reply.text
