"""The board paper as data: which meeting it is for and what it says, built from the plan. Nothing is
posted; the scheduler posts it, `/qib digest preview` and `/qib summary` show it, the CLI prints it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.deps import Deps, post_times
from bot.services import schedule
from bot.services.calendar import Meeting, Schedule, schedule_for
from bot.services.digest import DatedEvent, Digest, build_digest
from bot.services.errors import NotFound
from bot.services.schedule import BoardRule
from bot.services.wording import full_day
from bot.settings import Settings

# The board paper as of a moment, read in the caller's session (use cases read it with their own lookups,
# so a warm request reads the plan revision once).
PaperIn = Callable[[Session, datetime], Digest]


def board_rule(deps: Deps, settings: Settings) -> BoardRule | None:
    """The plan's board: when it meets and where its paper goes (None: the plan has no board)."""
    with deps.sessions() as db:
        return rule_in(db, deps.plan_id(), settings)


def rule_in(db: Session, plan_id: int, settings: Settings) -> BoardRule | None:
    """board_rule in the caller's session, kept in the read model while the plan's revision stands."""
    return schedule.kept_board_rule(
        db=db, plan_id=plan_id, posts=post_times(settings), channel=settings.board_channel
    )


def upcoming(
    deps: Deps, settings: Settings, now: datetime, meeting_on: date | None = None
) -> tuple[BoardRule, Meeting]:
    """The meeting a preview is for: the given date, or the next one after now."""
    with deps.sessions() as db:
        return upcoming_in(db, deps.plan_id(), settings, now, meeting_on)


def upcoming_in(
    db: Session, plan_id: int, settings: Settings, now: datetime, meeting_on: date | None = None
) -> tuple[BoardRule, Meeting]:
    rule = rule_in(db, plan_id, settings)
    if rule is None:
        raise NotFound("The plan has no board, so there is no digest.")
    local = now.astimezone(ZoneInfo(rule.tz)).date()
    if meeting_on is not None:
        found = list(meetings(rule, meeting_on, meeting_on))
        if not found:
            raise NotFound(f"There is no board meeting on {full_day(meeting_on)}.")
        return rule, found[0]
    ahead = [m for m in meetings(rule, local, local + timedelta(days=400)) if m.starts_at > now]
    if not ahead:
        raise NotFound("No board meeting is scheduled in the next year.")
    return rule, ahead[0]


def preview(deps: Deps, settings: Settings, now: datetime, meeting_on: date | None = None) -> Digest:
    """The paper for the next meeting (or the one on `meeting_on`) as it would be posted now."""
    with deps.sessions() as db:
        return preview_in(db, deps.plan_id(), settings, now, meeting_on)


def preview_in(
    db: Session, plan_id: int, settings: Settings, now: datetime, meeting_on: date | None = None
) -> Digest:
    """preview in the caller's session."""
    rule, meeting = upcoming_in(db, plan_id, settings, now, meeting_on)
    return build_in(db, plan_id, rule, meeting, now)


@functools.lru_cache(maxsize=64)
def meetings(rule: BoardRule, frm: date, to: date) -> tuple[Meeting, ...]:
    """The rule's meetings from one date to another, worked out once per rule and dates (a rule is a
    value: its meetings cannot change while it stands), not on every summary and preview."""
    return tuple(rule.meetings(frm, to))


def meeting_schedule(rule: BoardRule, meeting: Meeting) -> Schedule:
    """When this meeting's reminders and paper go out, by the plan's timing."""
    return schedule_for(
        meeting,
        digest_working_days=rule.timing.digest_working_days,
        reminder_working_days=rule.timing.reminder_working_days,
        post_time=rule.timing.post_time,
        tz=rule.tz,
    )


def build(deps: Deps, rule: BoardRule, meeting: Meeting, now: datetime) -> Digest:
    """The paper for `meeting`, with the dates of the next board's reminders, paper and meeting."""
    with deps.sessions() as db:
        return build_in(db, deps.plan_id(), rule, meeting, now)


def build_in(db: Session, plan_id: int, rule: BoardRule, meeting: Meeting, now: datetime) -> Digest:
    """build in the caller's session."""
    local_today = now.astimezone(ZoneInfo(rule.tz)).date()
    this = meeting_schedule(rule, meeting)
    later = meetings(rule, meeting.on + timedelta(days=1), meeting.on + timedelta(days=400))
    dates: list[DatedEvent] = []
    next_on = None
    if later:
        following = later[0]
        next_on = following.on
        when = meeting_schedule(rule, following)
        dates = [
            DatedEvent(on=when.reminder_day, what="Owner reminders for the next board"),
            DatedEvent(on=when.digest_day, what="Digest for the next board"),
            DatedEvent(on=following.on, what=f"Board meeting, {following.local_start:%H:%M}"),
        ]
    return build_digest(
        db=db,
        plan_id=plan_id,
        meeting_on=meeting.on,
        meeting_local=f"{full_day(meeting.local_start.date())}, {meeting.local_start:%H:%M}",
        now=now,
        today=local_today,
        bank_holiday=meeting.on_bank_holiday,
        reminders_at=this.reminder_at if this.reminder_at <= now else None,
        next_meeting=next_on,
        dates_ahead=dates,
    )
