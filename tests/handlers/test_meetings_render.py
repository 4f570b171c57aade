"""/qib meetings and /qib meeting replies, rendered from what the use cases return, and the usage replies."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.services.errors import InvalidInput
from bot.services.schedule import PostTimes
from bot.usecases import meetings
from bot.usecases.results import Refused
from handlers.meetings import parse_verb, render, with_usage
from tests.handlers.blockcheck import valid_reply
from tests.usecases.support import CHAIR, IRO, Who


def test_the_listing_offers_changes_to_the_chair_only(sessions, who: Who) -> None:
    for user, offered in ((CHAIR, True), (IRO, False)):
        listing = meetings.list_meetings(sessions, who(user), PostTimes())
        reply = valid_reply(render.upcoming_reply(listing.upcoming, chair=listing.may_change))
        assert reply.text.splitlines()[1].startswith("Thu 20 Feb, 10:00")
        assert ("/qib meeting move" in repr(reply.blocks)) is offered


def test_a_change_reply_says_what_happened_and_how_to_undo(sessions, who: Who) -> None:
    req = meetings.ChangeRequest(who(CHAIR), "move", ("2020-02-20", "2020-02-27"), PostTimes())
    change = meetings.change_meeting(sessions, req)
    assert not isinstance(change, Refused)
    reply = valid_reply(render.change_reply(change))
    assert "27 Feb" in reply.text and "/qib meeting move 2020-02-27 2020-02-20" in repr(reply.blocks)


def test_usage_problems_come_with_the_usage() -> None:
    with pytest.raises(InvalidInput) as raised:
        with_usage(Refused("Which meeting?", field=meetings.USAGE_FIELD))
    assert raised.value.message == "Which meeting?\n\n" + render.USAGE
    other = Refused("Only the chair")
    assert with_usage(other) is other


def test_the_verb_is_read_with_its_synonyms() -> None:
    assert parse_verb("mv 20 Feb 27 Feb") == ("move", ["20", "Feb", "27", "Feb"])
    with pytest.raises(InvalidInput, match="postpone"):
        parse_verb("postpone 2020-02-20")


def test_the_usage_examples_are_the_plans_own_next_meeting_not_durhams() -> None:
    text = render.usage(date(2026, 7, 28), time(14, 0))
    assert "`/qib meeting move 2026-07-28 2026-08-04`" in text
    assert "`/qib meeting cancel 2026-07-28`" in text
    assert "`/qib meeting add 2026-08-11 14:00`" in text
    assert "28/7/2026 or 28 Jul" in text
    assert "2020" not in text and "2020" not in render.USAGE
    assert "`/qib meeting move DATE NEWDATE [HH:MM]`" in text
