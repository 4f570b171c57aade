"""The board's upcoming meetings, read in one go with the plan's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.calendar import (
    DEFAULT_HORIZON,
    Meeting,
    Override,
    meetings_between,
    schedule_for,
    unmatched_overrides,
)
from bot.services.errors import NotFound
from bot.services.meetings.results import MAX_UPCOMING, IgnoredOverride, Upcoming, UpcomingMeeting, long_day
from bot.services.schedule import PostTimes, board_rule
from bot.services.wording import person_label
from models import Person, Plan, timezones
from models.defaults import DIGEST_TIME, DIGEST_WORKING_DAYS, REMINDER_WORKING_DAYS

# ---------------------------------------------------------------------------------------------------
# Loading the board
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    """The plan's meeting settings, its board's rule and its overrides (as calendar values)."""

    plan_id: int
    tz: str
    digest_working_days: int
    reminder_working_days: int
    digest_time: time
    board_id: int | None
    board_name: str | None
    chair_label: str | None
    rrule: str | None
    start: date | None
    at: time | None
    overrides: tuple[Override, ...]

    @property
    def zone(self) -> ZoneInfo:
        return timezones.zone(self.tz)

    def between(self, frm: date, to: date) -> list[Meeting]:
        if self.rrule is None or self.start is None or self.at is None:
            return []
        return meetings_between(self.rrule, self.start, self.at, self.tz, self.overrides, frm, to)

    def today(self, now: datetime) -> date:
        return _aware(now).astimezone(self.zone).date()

    def describe(self, meeting: Meeting) -> UpcomingMeeting:
        when = schedule_for(
            meeting,
            digest_working_days=self.digest_working_days,
            reminder_working_days=self.reminder_working_days,
            post_time=self.digest_time,
            tz=self.tz,
        )
        zone = self.zone
        note = None
        if meeting.on_bank_holiday:
            how = f"move it with /qib meeting move {meeting.on.isoformat()} YYYY-MM-DD or cancel it."
            if meeting.kind == "rule":
                note = f"The rule puts this meeting on {long_day(meeting.on)}, a bank holiday: {how}"
            else:
                note = f"This meeting is on {long_day(meeting.on)}, a bank holiday: {how}"
        return UpcomingMeeting(
            on=meeting.on,
            start_time=meeting.local_start.time(),
            starts_at=meeting.starts_at,
            kind=meeting.kind,
            original=meeting.original,
            digest_day=when.digest_day,
            digest_time=when.digest_at.astimezone(zone).time(),
            digest_at=when.digest_at,
            reminder_day=when.reminder_day,
            reminder_time=when.reminder_at.astimezone(zone).time(),
            reminder_at=when.reminder_at,
            on_bank_holiday=meeting.on_bank_holiday,
            on_weekend=meeting.on.weekday() >= 5,
            rule_date_on_bank_holiday=meeting.rule_date_on_bank_holiday,
            note=note,
        )


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return moment


def _load(db: Session, plan_id: int, posts: PostTimes | None, *, for_update: bool = False) -> _Context:
    """The plan's board rule and posting times (bot.services.schedule.board_rule), and the chair's name."""
    rule = board_rule(db, plan_id, posts=posts, for_update=for_update)
    if rule is None:
        plan_tz = db.scalar(select(Plan.timezone).where(Plan.id == plan_id))
        if plan_tz is None:
            raise NotFound("That plan does not exist (it may have been removed).")
        return _Context(
            plan_id=plan_id,
            tz=plan_tz,
            digest_working_days=DIGEST_WORKING_DAYS,
            reminder_working_days=REMINDER_WORKING_DAYS,
            digest_time=DIGEST_TIME,
            board_id=None,
            board_name=None,
            chair_label=None,
            rrule=None,
            start=None,
            at=None,
            overrides=(),
        )
    chair_label = None
    if rule.chair_id is not None:
        chair = db.execute(select(Person.name, Person.role).where(Person.id == rule.chair_id)).one_or_none()
        if chair is not None:
            chair_label = person_label(chair.name, chair.role)
    return _Context(
        plan_id=plan_id,
        tz=rule.tz,
        digest_working_days=rule.timing.digest_working_days,
        reminder_working_days=rule.timing.reminder_working_days,
        digest_time=rule.timing.post_time,
        board_id=rule.board_id,
        board_name=rule.name,
        chair_label=chair_label,
        rrule=rule.rrule,
        start=rule.start,
        at=rule.at,
        overrides=rule.overrides,
    )


# ---------------------------------------------------------------------------------------------------
# Upcoming meetings
# ---------------------------------------------------------------------------------------------------


def upcoming(
    *, db: Session, plan_id: int, now: datetime, count: int = 3, posts: PostTimes | None = None
) -> Upcoming:
    """The next ``count`` meetings starting after ``now``, looking two years ahead. Two statements.

    ``overrides_ignored`` lists the moves and cancellations of dates the rule does not give (the rule
    may have changed since they were written) that are today or later: the chair should know that
    "cancel 21 Aug" did nothing.
    """
    now = _aware(now).astimezone(UTC)
    count = max(0, min(count, MAX_UPCOMING))
    ctx = _load(db, plan_id, posts)
    today = ctx.today(now)
    found = [m for m in ctx.between(today, today + DEFAULT_HORIZON) if m.starts_at > now][:count]
    ignored: list[IgnoredOverride] = []
    if ctx.rrule is not None and ctx.start is not None and ctx.at is not None:
        for o in unmatched_overrides(ctx.rrule, ctx.start, ctx.at, ctx.tz, ctx.overrides):
            if max(o.on, o.to or o.on) < today:
                continue
            if o.action == "moved" and o.to is not None:
                message = (
                    f"The move of {long_day(o.on)} to {long_day(o.to)} is ignored: "
                    f"the board's rule gives no meeting on {long_day(o.on)}."
                )
            else:
                message = (
                    f"The cancellation of {long_day(o.on)} is ignored: "
                    f"the board's rule gives no meeting that day."
                )
            ignored.append(IgnoredOverride(on=o.on, action=o.action, to=o.to, message=message))
    return Upcoming(
        now=now,
        today=today,
        timezone=ctx.tz,
        board_name=ctx.board_name,
        meetings=[ctx.describe(m) for m in found],
        overrides_ignored=ignored,
    )
