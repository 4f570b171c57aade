"""Plan and board calendar: the statements every query starts with (two statements)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services.calendar import Meeting, Override, next_meeting, previous_meeting
from bot.services.errors import NotFound
from bot.services.queries.results import BoardCalendar, PlanInfo
from models import (
    Board,
    MeetingOverride,
    Plan,
)
from models.timezones import zone

# The statements every query starts with, built once (statements are immutable; values are bound).
_PLAN_AND_BOARD = (
    select(
        Plan.id,
        Plan.title,
        Plan.authority,
        Plan.timezone,
        Plan.channel,
        Board.name,
        Board.rrule,
        Board.start,
        Board.time,
        Board.timezone,
    )
    .outerjoin(Board, Board.plan_id == Plan.id)
    .where(Plan.id == bindparam("plan_id"))
)

_OVERRIDES = (
    select(MeetingOverride.on, MeetingOverride.action, MeetingOverride.to, MeetingOverride.at)
    .join(Board, Board.id == MeetingOverride.board_id)
    .where(Board.plan_id == bindparam("plan_id"))
    .order_by(MeetingOverride.on)
)


@lru_cache(maxsize=64)
def _meetings_around(
    rrule: str, start: date, at: time, tz: str, overrides: tuple[Override, ...], today: date
) -> tuple[Meeting | None, Meeting | None]:
    """The meetings either side of today. Pure, so kept: walking the rule is the costly part of a status
    query, and its inputs (the rule, every override, today) are the key, so a change is never missed."""
    boundary = datetime.combine(today, time.min, tzinfo=zone(tz))
    return (
        previous_meeting(rrule, start, at, tz, overrides, boundary),
        next_meeting(rrule, start, at, tz, overrides, boundary),
    )


@lru_cache(maxsize=64)
def _meeting_after(
    rrule: str, start: date, at: time, tz: str, overrides: tuple[Override, ...], meeting: Meeting
) -> Meeting | None:
    """The meeting after this one (kept, like _meetings_around: the inputs are the key)."""
    return next_meeting(rrule, start, at, tz, overrides, meeting.starts_at + timedelta(microseconds=1))


def _plan_context(
    db: Session, plan_id: int, today: date, now: datetime | None = None
) -> tuple[PlanInfo, BoardCalendar]:
    """The plan and its meetings either side of today: one SELECT for plan and board, one for overrides.

    With ``now`` (the current instant), a meeting earlier today that has already started is over for
    the board: the next meeting is the one after it ("next meets today at 10:00" only before 10:00).
    """
    found = db.execute(_PLAN_AND_BOARD, {"plan_id": plan_id}).one_or_none()
    if found is None:
        raise NotFound("That plan does not exist (it may have been removed).")
    pid, title, authority, plan_tz, channel, board_name, rrule, start, at, board_tz = found
    plan = PlanInfo(id=pid, title=title, authority=authority, timezone=plan_tz, channel=channel)
    previous = following = None
    if rrule is not None:
        overrides = tuple(
            Override(on=o.on, action=o.action, to=o.to, at=o.at)
            for o in db.execute(_OVERRIDES, {"plan_id": plan_id})
        )
        previous, following = _meetings_around(rrule, start, at, board_tz or plan_tz, overrides, today)
        if now is not None and following is not None and following.starts_at <= now:
            following = _meeting_after(rrule, start, at, board_tz or plan_tz, overrides, following)
    calendar = BoardCalendar(
        today=today, timezone=plan_tz, board_name=board_name, previous=previous, next=following
    )
    return plan, calendar


def board_calendar(*, db: Session, plan_id: int, today: date, now: datetime | None = None) -> BoardCalendar:
    """The previous (strictly before today) and next (today or later, not yet started) board meetings."""
    return _plan_context(db, plan_id, today, now)[1]
