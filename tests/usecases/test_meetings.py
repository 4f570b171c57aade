"""Board meetings as calls: listing, and changes by the chair only, refused before dates are read."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.services.meetings import MeetingChange
from bot.services.schedule import PostTimes
from bot.usecases import meetings
from bot.usecases.results import Refused
from tests.usecases.support import CHAIR, IRO, STRANGER, TODAY, Who

POSTS = PostTimes()


def change(sessions, asker, verb: meetings.Verb, text: str) -> MeetingChange | Refused:
    return meetings.change_meeting(sessions, meetings.ChangeRequest(asker, verb, tuple(text.split()), POSTS))


def test_everyone_sees_the_next_meetings_and_only_the_chair_is_offered_changes(sessions, who: Who) -> None:
    for user, may in ((CHAIR, True), (IRO, False), (STRANGER, False)):
        listing = meetings.list_meetings(sessions, who(user), POSTS)
        assert listing.may_change is may
        assert listing.upcoming.meetings[0].on == date(2020, 2, 20)


def test_the_chair_moves_a_meeting_and_the_listing_follows(sessions, who: Who) -> None:
    moved = change(sessions, who(CHAIR), "move", "20 Feb to 27/2/2020 at 14:00")
    assert isinstance(moved, MeetingChange) and moved.after is not None
    assert (moved.after.on, moved.after.start_time) == (date(2020, 2, 27), time(14, 0))
    assert meetings.list_meetings(sessions, who(IRO), POSTS).upcoming.meetings[0].on == date(2020, 2, 27)


def test_the_chair_cancels_and_adds(sessions, who: Who) -> None:
    assert isinstance(change(sessions, who(CHAIR), "cancel", "19 March"), MeetingChange)
    added = change(sessions, who(CHAIR), "add", "2020-03-26 2pm")
    assert (
        isinstance(added, MeetingChange) and added.after is not None and added.after.on == date(2020, 3, 26)
    )


@pytest.mark.parametrize("user", [IRO, STRANGER])
def test_others_are_refused_before_their_dates_are_read(sessions, who: Who, user: str) -> None:
    refused = change(sessions, who(user), "move", "soonish")
    assert isinstance(refused, Refused) and refused.field is None
    assert "is not a date" not in refused.reason


def test_unreadable_dates_are_refused_with_the_usage_or_the_date_problem(sessions, who: Who) -> None:
    missing = change(sessions, who(CHAIR), "move", "2020-02-20")
    assert isinstance(missing, Refused) and missing.field == meetings.USAGE_FIELD
    assert change(sessions, who(CHAIR), "move", "soonish 2020-02-27") == Refused(
        "“soonish” is not a date: write it like 2020-05-04.", field="date"
    )


def test_reading_dates_is_pure() -> None:
    assert meetings.read_dates("move", ["2020-02-20", "to", "2020-02-27", "at", "14:00"], today=TODAY) == (
        meetings.MeetingDates("move", date(2020, 2, 20), date(2020, 2, 27), time(14, 0))
    )
    assert meetings.read_dates("cancel", ["19", "March"], today=TODAY).on == date(2020, 3, 19)
