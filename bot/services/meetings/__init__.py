"""Board meetings as the chair manages them: the next few, and moving, cancelling or adding one.

Slack-free. Reads take the session, the plan and the time (``now``, aware) as keyword arguments and
return frozen dataclasses; writes also take the acting person, record their change as a
``MeetingOverride`` row against the board's rule and audit it. The caller owns the transaction.

A meeting is named by the date it is on now: the rule's date, the new date of a moved meeting, or
the date of an extra one. A moved meeting may also be named by the rule's date it was moved from,
as long as no other meeting is on that day.
"""

from __future__ import annotations

from bot.services.meetings.changes import add_meeting, cancel_meeting, ensure_can_manage, move_meeting
from bot.services.meetings.dates import parse_date, parse_time, take_date
from bot.services.meetings.results import (
    MAX_UPCOMING,
    ChangeAction,
    IgnoredOverride,
    MeetingChange,
    Upcoming,
    UpcomingMeeting,
    long_day,
)
from bot.services.meetings.upcoming import upcoming
from bot.services.schedule import PostTimes

__all__ = [
    "PostTimes",
    "MAX_UPCOMING",
    "IgnoredOverride",
    "MeetingChange",
    "PostTimes",
    "Upcoming",
    "UpcomingMeeting",
    "add_meeting",
    "cancel_meeting",
    "ensure_can_manage",
    "long_day",
    "move_meeting",
    "parse_date",
    "parse_time",
    "take_date",
    "upcoming",
    "ChangeAction",
]
