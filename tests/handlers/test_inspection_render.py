"""/qib inspection's replies, from what the use cases return."""

from __future__ import annotations

from bot.usecases import inspection
from handlers.inspection import render
from tests.handlers.blockcheck import valid_reply
from tests.usecases.support import IRO, TODAY, Who


def test_the_inspection_reply_names_the_judgements_and_the_deadline(sessions, who: Who) -> None:
    reply = valid_reply(render.inspection_reply(inspection.current(sessions, who(IRO))))
    assert "Thu 30 Jan" in reply.text or "30 January" in reply.text


def test_no_inspection_says_how_to_add_one() -> None:
    assert "`inspection:` section" in valid_reply(render.inspection_reply(None)).text


def test_history_reply_lists_earlier_ones(sessions, who: Who) -> None:
    earlier = inspection.history(sessions, who(IRO))
    assert isinstance(earlier, list)
    reply = valid_reply(render.history_reply(earlier, TODAY))
    assert reply.blocks[0]["text"]["text"] == "Earlier inspections and visits"
    assert valid_reply(render.history_reply([], TODAY)).text
