"""What the meeting reads and changes return: upcoming meetings, ignored overrides and a change made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from bot.services.calendar import (
    DEFAULT_HORIZON,
    MeetingKind,
    bank_holidays,
)

#: upcoming() shows at most this many meetings, whatever it is asked for.
MAX_UPCOMING = 12

#: How far ahead a meeting can be moved or added: the same two years the calendar looks ahead.
_MAX_AHEAD = DEFAULT_HORIZON

#: "The nearest meetings are ..." looks this far either side of a date that has none.
_NEAREST_WINDOW = timedelta(days=190)

_WEEKEND = ("Saturday", "Sunday")

_PARTICIPLE = {"move": "moved", "cancel": "cancelled"}  # British spelling, as the council writes


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpcomingMeeting:
    """One meeting ahead, with the days its reminders and digest go out.

    Dates and ``*_time`` are local to the board's timezone; ``starts_at``, ``digest_at`` and
    ``reminder_at`` are the same moments as aware UTC instants.
    """

    on: date
    start_time: time  # local wall-clock time
    starts_at: datetime  # UTC
    kind: MeetingKind  # rule, moved or extra
    original: date | None  # the rule's date of a moved meeting
    digest_day: date
    digest_time: time
    digest_at: datetime  # UTC
    reminder_day: date
    reminder_time: time
    reminder_at: datetime  # UTC
    on_bank_holiday: bool
    on_weekend: bool
    rule_date_on_bank_holiday: bool  # stays true after the meeting is moved off the holiday
    note: str | None  # for the chair and admins: what to do about a meeting on a bank holiday


@dataclass(frozen=True, slots=True)
class IgnoredOverride:
    """A move or cancellation whose date the rule does not give, so the calendar ignores it."""

    on: date
    action: str
    to: date | None
    message: str


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The next meetings after ``now``, and the plan's meeting exceptions that no longer apply."""

    now: datetime  # UTC
    today: date  # local
    timezone: str
    board_name: str | None  # None: the plan has no board
    meetings: list[UpcomingMeeting]
    overrides_ignored: list[IgnoredOverride]

    def digest_due(self, meeting: UpcomingMeeting) -> bool:
        """The digest for ``meeting`` is due already (sent, or about to be sent late)."""
        return meeting.digest_at <= self.now

    def reminders_due(self, meeting: UpcomingMeeting) -> bool:
        return meeting.reminder_at <= self.now


ChangeAction = Literal["move", "cancel", "add"]


@dataclass(frozen=True, slots=True)
class MeetingChange:
    """What a move, cancellation or addition did, in words and as data."""

    action: ChangeAction
    summary: str  # one line for the person who asked, e.g. "Moved the board meeting of ... to ..."
    before: UpcomingMeeting | None  # None for an added meeting
    after: UpcomingMeeting | None  # None for a cancelled one
    warnings: list[str]  # weekend or bank holiday, digest already due, ...
    undo: str  # the command that puts it back, e.g. "/qib meeting move 2020-02-27 2020-02-20"
    board_name: str
    today: date


# ---------------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------------


def long_day(d: date) -> str:
    """``Thu 20 Feb 2020``: messages from the service always carry the year."""
    return f"{d:%a} {d.day} {d:%b} {d.year}"


def _hhmm(t: time) -> str:
    return f"{t:%H:%M}"


def _bank_holiday(d: date) -> bool:
    return d in bank_holidays(d.year)


def _day_warning(d: date) -> str | None:
    if _bank_holiday(d):
        return f"{long_day(d)} is a bank holiday."
    if d.weekday() >= 5:
        return f"{long_day(d)} is a {_WEEKEND[d.weekday() - 5]}."
    return None
