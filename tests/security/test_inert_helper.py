"""The scanner that the injection tests rely on finds what is live and passes what is escaped."""

from __future__ import annotations

from handlers import blocks as bk
from tests.security.inert import control_characters, findings, live_sequences

INJECTIONS = ["<!channel>", "<!everyone>", "<!here>", "<@U123>", "<#C999>", "<https://evil.example|click>"]


def message(text: str) -> dict:
    return {"text": text, "blocks": [bk.section(text), bk.context(text), bk.header(text)]}


def test_every_kind_of_live_sequence_is_found_in_text_blocks_and_context():
    for sequence in INJECTIONS:
        found = live_sequences(message(f"before {sequence} after"))
        assert [f.where for f in found] == ["/text", "/blocks/0/text/text", "/blocks/1/elements/0/text"]
        assert {f.sequence for f in found} == {sequence}


def test_kinds_are_named():
    kinds = {f.sequence: f.what for f in live_sequences({"text": " ".join(INJECTIONS)})}
    assert kinds == {
        "<!channel>": "broadcast",
        "<!everyone>": "broadcast",
        "<!here>": "broadcast",
        "<@U123>": "mention",
        "<#C999>": "channel",
        "<https://evil.example|click>": "link",
    }


def test_escaped_text_and_plain_text_are_inert():
    for sequence in INJECTIONS:
        escaped = bk.esc(sequence)
        assert live_sequences(message(escaped)) == []
        assert live_sequences({"type": "modal", "blocks": [bk.header(sequence)]}, message=False) == []


def test_the_bots_own_sequences_can_be_allowed():
    payload = {"text": "Ask <@U0QIB0001> or <!channel>"}
    assert [f.sequence for f in live_sequences(payload, allowed=["<@U0QIB0001>"])] == ["<!channel>"]


def test_fields_markdown_blocks_and_attachments_are_scanned():
    payload = {
        "text": "ok",
        "blocks": [
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "<!everyone>"}]},
            {"type": "markdown", "text": "<@U1>"},
        ],
        "attachments": [{"text": "<!here>", "fields": [{"title": "t", "value": "<#C1>"}]}],
    }
    assert sorted(f.where for f in live_sequences(payload)) == [
        "/attachments/0/fields/0/value",
        "/attachments/0/text",
        "/blocks/0/fields/0/text",
        "/blocks/1/text",
    ]


def test_control_characters_are_found_in_plain_text_too():
    payload = {
        "type": "home",
        "blocks": [
            bk.header("ok"),
            {"type": "header", "text": {"type": "plain_text", "text": "a\u202eb\x1b[2J"}},
        ],
    }
    assert [f.sequence for f in control_characters(payload)] == ["U+202E", "U+001B"]
    assert findings({"text": "tab\tand\nnewline are fine"}) == []
