"""Board meetings as the chair manages them: the next few, and moving, cancelling or adding one.

Slack-free. Reads take the session, the plan and the time (``now``, aware) as keyword arguments and
return frozen dataclasses; writes also take the acting person, record their change as a
``MeetingOverride`` row against the board's rule and audit it. The caller owns the transaction.

A meeting is named by the date it is on now: the rule's date, the new date of a moved meeting, or
the date of an extra one. A moved meeting may also be named by the rule's date it was moved from,
as long as no other meeting is on that day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.calendar import (
    DEFAULT_HORIZON,
    Meeting,
    MeetingKind,
    Override,
    bank_holidays,
    meetings_between,
    schedule_for,
    unmatched_overrides,
)
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import Actor, can_manage_meetings
from bot.services.schedule import PostTimes, board_rule
from bot.services.wording import person_label
from models import AuditEvent, MeetingOverride, Person, Plan

__all__ = [
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
]

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
        return ZoneInfo(self.tz)

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
            digest_working_days=5,
            reminder_working_days=3,
            digest_time=time(9, 0),
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


# ---------------------------------------------------------------------------------------------------
# Changing meetings
# ---------------------------------------------------------------------------------------------------


def ensure_can_manage(*, db: Session, plan_id: int, actor: Actor | None) -> None:
    """NotAllowed, naming the chair, unless the actor chairs the board or administers the plan."""
    if can_manage_meetings(actor):
        return
    chair = _load(db, plan_id, None).chair_label
    ask = f" Ask {chair} if a meeting needs to change." if chair else ""
    raise NotAllowed(f"Only the board's chair or a plan admin can move, cancel or add board meetings.{ask}")


def move_meeting(
    *,
    db: Session,
    plan_id: int,
    actor: Actor | None,
    on: date,
    to: date,
    at: time | None = None,
    now: datetime,
    posts: PostTimes | None = None,
) -> MeetingChange:
    """Move the meeting on ``on`` to ``to`` (at ``at``, else at the time it has now).

    A rule meeting gets a ``moved`` override; a moved one has its override updated (and removed when it
    goes back to the rule's date and time); an extra one simply changes date. The new date may be a
    weekend or a bank holiday (the result warns), but not in the past, not more than two years ahead,
    and not a day that already has a meeting.
    """
    ctx, meeting, row = _begin_change(db, plan_id, posts, actor, on, now, verb="move")
    assert ctx.board_id is not None and ctx.at is not None
    at = at.replace(second=0, microsecond=0) if at is not None else None
    new_time = at or meeting.local_start.time()
    if to == meeting.on and new_time == meeting.local_start.time():
        raise InvalidInput(
            f"The meeting is already on {long_day(to)} at {_hhmm(new_time)}: give a different date or time."
        )
    _check_free(ctx, to, new_time, now, besides=meeting)

    before = ctx.describe(meeting)
    rule_date = meeting.original if meeting.kind == "moved" else meeting.on
    if meeting.kind == "extra":
        assert row is not None
        db.delete(row)
        db.flush()
        _place_extra(db, ctx, to, new_time)
    else:
        stored_at = None if new_time == ctx.at else new_time
        if to == rule_date and stored_at is None:
            if row is not None:  # back where the rule puts it: no exception needed any more
                db.delete(row)
        elif row is None:
            db.add(MeetingOverride(board_id=ctx.board_id, on=rule_date, action="moved", to=to, at=stored_at))
        else:
            row.action, row.to, row.at = "moved", to, stored_at
    db.flush()

    after = _meeting_on(_load(db, plan_id, posts), to)
    assert after is not None, "a moved meeting must be found on its new date"
    kind_note = " (an extra meeting)" if meeting.kind == "extra" else ""
    summary = (
        f"Moved the board meeting of {long_day(meeting.on)}{kind_note} to "
        f"{long_day(after.on)} at {_hhmm(after.start_time)}."
    )
    warnings = _warnings(after, now)
    undo = f"/qib meeting move {after.on.isoformat()} {meeting.on.isoformat()}"
    if after.start_time != before.start_time:
        undo += f" {_hhmm(before.start_time)}"
    _audit(db, ctx, actor, "meeting_move", meeting.on, before, after, now)
    return _change(ctx, "move", summary, before, after, warnings, undo, now)


def cancel_meeting(
    *,
    db: Session,
    plan_id: int,
    actor: Actor | None,
    on: date,
    now: datetime,
    posts: PostTimes | None = None,
) -> MeetingChange:
    """Cancel the meeting on ``on``: a rule meeting gets a ``cancelled`` override (a moved one's override
    becomes one); an extra meeting's override is deleted."""
    ctx, meeting, row = _begin_change(db, plan_id, posts, actor, on, now, verb="cancel")
    assert ctx.board_id is not None
    before = ctx.describe(meeting)
    if meeting.kind == "extra":
        assert row is not None
        db.delete(row)
    elif meeting.kind == "moved":
        assert row is not None
        row.action, row.to, row.at = "cancelled", None, None
    else:
        db.add(MeetingOverride(board_id=ctx.board_id, on=meeting.on, action="cancelled"))
    db.flush()
    moved = f" (moved from {long_day(meeting.original)})" if meeting.original else ""
    extra = " (an extra meeting)" if meeting.kind == "extra" else ""
    summary = f"Cancelled the board meeting of {long_day(meeting.on)}{moved}{extra}."
    usual = meeting.local_start.time() == ctx.at
    undo = f"/qib meeting add {meeting.on.isoformat()}" + ("" if usual else f" {_hhmm(before.start_time)}")
    _audit(db, ctx, actor, "meeting_cancel", meeting.on, before, None, now)
    return _change(ctx, "cancel", summary, before, None, [], undo, now)


def add_meeting(
    *,
    db: Session,
    plan_id: int,
    actor: Actor | None,
    on: date,
    at: time | None = None,
    now: datetime,
    posts: PostTimes | None = None,
) -> MeetingChange:
    """Add a meeting on ``on`` (at ``at``, else the board's usual time).

    On a date the rule gives but that was cancelled, the cancellation is removed (or turned into a
    change of time); on any other free date, an ``extra`` override is written.
    """
    now = _aware(now)
    _require(db, plan_id, actor)
    ctx = _load(db, plan_id, posts, for_update=True)
    _require_board(ctx)
    assert ctx.board_id is not None and ctx.at is not None
    at = at.replace(second=0, microsecond=0) if at is not None else None
    new_time = at or ctx.at
    _check_free(ctx, on, new_time, now, besides=None)
    _place_extra(db, ctx, on, new_time)
    db.flush()
    after = _meeting_on(_load(db, plan_id, posts), on)
    assert after is not None, "an added meeting must be found on its date"
    restored = " (the rule's date: its cancellation is withdrawn)" if after.kind != "extra" else ""
    summary = f"Added a board meeting on {long_day(on)} at {_hhmm(after.start_time)}{restored}."
    warnings = _warnings(after, now)
    _audit(db, ctx, actor, "meeting_add", on, None, after, now)
    return _change(ctx, "add", summary, None, after, warnings, f"/qib meeting cancel {on.isoformat()}", now)


# ---------------------------------------------------------------------------------------------------
# Change helpers
# ---------------------------------------------------------------------------------------------------


def _require(db: Session, plan_id: int, actor: Actor | None) -> None:
    ensure_can_manage(db=db, plan_id=plan_id, actor=actor)


def _require_board(ctx: _Context) -> None:
    if ctx.board_id is None or ctx.rrule is None:
        raise NotFound(
            "The plan has no board meeting rule, so there are no meetings to change: "
            "add a board (rrule, start, time) to the plan file."
        )


def _begin_change(
    db: Session,
    plan_id: int,
    posts: PostTimes | None,
    actor: Actor | None,
    on: date,
    now: datetime,
    *,
    verb: Literal["move", "cancel"],
) -> tuple[_Context, Meeting, MeetingOverride | None]:
    """Permission, the board (locked), the meeting named by ``on`` and its override row, if any."""
    now = _aware(now)
    _require(db, plan_id, actor)
    ctx = _load(db, plan_id, posts, for_update=True)
    _require_board(ctx)
    meeting = _meeting_named(ctx, on)
    if meeting.starts_at <= now:
        when = "has already taken place" if meeting.on < ctx.today(now) else "has already started"
        raise InvalidInput(
            f"The board meeting of {long_day(meeting.on)} {when}: it cannot be {_PARTICIPLE[verb]} now."
        )
    row = _override_row(db, ctx, meeting)
    return ctx, meeting, row


def _meeting_on(ctx: _Context, day: date) -> UpcomingMeeting | None:
    found = ctx.between(day, day)
    return ctx.describe(found[0]) if found else None


def _meeting_named(ctx: _Context, day: date) -> Meeting:
    """The meeting on ``day``, or the moved meeting whose rule date it is; InvalidInput saying what is near."""
    found = ctx.between(day, day)
    if found:
        return found[0]
    for o in ctx.overrides:
        if o.on != day or o.action == "extra":
            continue
        if o.action == "cancelled" and _rule_gives(ctx, day):
            raise InvalidInput(
                f"The board meeting of {long_day(day)} is already cancelled. "
                f"`/qib meeting add {day.isoformat()}` puts it back."
            )
        if o.action == "moved" and o.to is not None:
            moved = [m for m in ctx.between(o.to, o.to) if m.kind == "moved" and m.original == day]
            if moved:
                return moved[0]
    raise InvalidInput(f"There is no board meeting on {long_day(day)}. {_nearest(ctx, day)}")


def _rule_gives(ctx: _Context, day: date) -> bool:
    """The rule (without overrides) has a meeting on ``day``."""
    assert ctx.rrule is not None and ctx.start is not None and ctx.at is not None
    return bool(meetings_between(ctx.rrule, ctx.start, ctx.at, ctx.tz, (), day, day))


def _nearest(ctx: _Context, day: date) -> str:
    around = ctx.between(day - _NEAREST_WINDOW, day + _NEAREST_WINDOW)
    before = [m for m in around if m.on < day]
    after = [m for m in around if m.on > day]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    if not near:
        return "The board has no meetings within six months of it."
    if len(near) == 1:
        return f"The nearest is {long_day(near[0].on)}."
    return f"The nearest are {long_day(near[0].on)} and {long_day(near[1].on)}."


def _override_row(db: Session, ctx: _Context, meeting: Meeting) -> MeetingOverride | None:
    """The override row behind a moved or extra meeting (None for a rule meeting)."""
    if meeting.kind == "rule":
        return None
    key = meeting.original if meeting.kind == "moved" else meeting.on
    return db.scalars(
        select(MeetingOverride).where(
            MeetingOverride.board_id == ctx.board_id,
            MeetingOverride.on == key,
            MeetingOverride.action == ("moved" if meeting.kind == "moved" else "extra"),
        )
    ).one()


def _check_free(ctx: _Context, day: date, at: time, now: datetime, *, besides: Meeting | None) -> None:
    """``day`` at ``at`` is in the future, within two years, and no other meeting is on that day."""
    today = ctx.today(now)
    if day < today:
        raise InvalidInput(f"{long_day(day)} is in the past: choose a date from today on.")
    if datetime.combine(day, at, tzinfo=ctx.zone) <= now:
        raise InvalidInput(f"{_hhmm(at)} today has already passed: choose a later time or another day.")
    if day > today + _MAX_AHEAD:
        raise InvalidInput(f"{long_day(day)} is more than two years ahead: choose a nearer date.")
    clash = [m for m in ctx.between(day, day) if besides is None or m != besides]
    if clash:
        raise InvalidInput(
            f"There is already a board meeting on {long_day(day)} (at {_hhmm(clash[0].local_start.time())})."
        )


def _place_extra(db: Session, ctx: _Context, day: date, at: time) -> None:
    """A meeting on a free ``day``: the rule's own meeting back if it was cancelled, else an extra one."""
    assert ctx.board_id is not None and ctx.at is not None
    stored_at = None if at == ctx.at else at
    row = db.scalars(
        select(MeetingOverride).where(MeetingOverride.board_id == ctx.board_id, MeetingOverride.on == day)
    ).one_or_none()
    if row is None:
        db.add(MeetingOverride(board_id=ctx.board_id, on=day, action="extra", at=stored_at))
        return
    if row.action == "cancelled" and _rule_gives(ctx, day):
        if stored_at is None:
            db.delete(row)
        else:  # the rule's meeting back, at another time
            row.action, row.to, row.at = "moved", day, stored_at
        return
    if row.action == "moved" and _rule_gives(ctx, day):
        # (board, on) is unique: the day's own exception already says where its meeting went.
        assert row.to is not None
        raise InvalidInput(
            f"{long_day(day)} is the rule's date of the meeting moved to {long_day(row.to)}. "
            f"To meet on {long_day(day)} again, move that one back: "
            f"`/qib meeting move {row.to.isoformat()} {day.isoformat()}`."
        )
    # A stale exception for a day the rule no longer gives (see upcoming().overrides_ignored): reuse it.
    row.action, row.to, row.at = "extra", None, stored_at


def _warnings(after: UpcomingMeeting, now: datetime) -> list[str]:
    warnings = []
    day = _day_warning(after.on)
    if day:
        warnings.append(day)
    if after.digest_at <= now:
        warnings.append(
            f"Its digest was due on {long_day(after.digest_day)}, which has passed: "
            "it goes out late, at the scheduler's next run."
        )
    elif after.reminder_at <= now:
        warnings.append(
            f"Its reminders were due on {long_day(after.reminder_day)}, which has passed: "
            "they go out late, at the scheduler's next run."
        )
    return warnings


def _snapshot(m: UpcomingMeeting) -> dict[str, Any]:
    return {
        "date": m.on.isoformat(),
        "time": _hhmm(m.start_time),
        "kind": m.kind,
        "rule_date": m.original.isoformat() if m.original else None,
    }


def _audit(
    db: Session,
    ctx: _Context,
    actor: Actor | None,
    action: str,
    on: date,
    before: UpcomingMeeting | None,
    after: UpcomingMeeting | None,
    now: datetime,
) -> None:
    assert actor is not None
    db.add(
        AuditEvent(
            plan_id=ctx.plan_id,
            at=_aware(now).astimezone(UTC),
            actor_id=actor.person_id,
            actor=actor.name,
            action=action,
            entity="meeting",
            entity_code=on.isoformat(),
            before=_snapshot(before) if before else None,
            after=_snapshot(after) if after else None,
        )
    )
    db.flush()


def _change(
    ctx: _Context,
    action: ChangeAction,
    summary: str,
    before: UpcomingMeeting | None,
    after: UpcomingMeeting | None,
    warnings: Sequence[str],
    undo: str,
    now: datetime,
) -> MeetingChange:
    return MeetingChange(
        action=action,
        summary=summary,
        before=before,
        after=after,
        warnings=list(warnings),
        undo=undo,
        board_name=ctx.board_name or "The board",
        today=ctx.today(now),
    )


# ---------------------------------------------------------------------------------------------------
# Reading dates and times from command text
# ---------------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$")
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_HINT = "write it like 2020-05-04."


def _word(token: str) -> str:
    return token.strip(",").lower()


def _not_a_date(text: str) -> InvalidInput:
    return InvalidInput(f"“{text}” is not a date: {_HINT}", field="date")


def _make(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _not_a_date(shown) from None


def _next_occurrence(month: int, day: int, today: date, shown: str) -> date:
    """The first ``day``/``month`` from today on (29 February waits for a leap year)."""
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _not_a_date(shown)


def take_date(words: Sequence[str], *, today: date) -> tuple[date, list[str]]:
    """Read one date from the front of ``words``; return it and the words after it.

    Accepts 2020-05-04; 4/5/2020, 4/5/20 and 4/5 (day first, as in the UK); 4 May 2020, 4th May,
    May 4 2020; each optionally after a weekday (Thu 20 Feb), which must then be right. Without a
    year it is the next such day from ``today`` on. Anything else is InvalidInput.
    """
    rest = list(words)
    if not rest:
        raise InvalidInput(f"A date is missing: {_HINT}", field="date")
    weekday = None
    if _word(rest[0]) in _WEEKDAYS and len(rest) > 1:
        weekday = rest.pop(0)
    first = rest[0].strip(",")
    shown_prefix = f"{weekday} " if weekday else ""
    found: date
    used: int

    iso = _ISO.match(first)
    numeric = _NUMERIC.match(first)
    if iso:
        found, used = _make(int(iso[1]), int(iso[2]), int(iso[3]), shown_prefix + first), 1
    elif numeric:
        d, m, y = numeric.groups()
        shown = shown_prefix + first
        if y is None:
            if not 1 <= int(m) <= 12:
                raise _not_a_date(shown)
            found = _next_occurrence(int(m), int(d), today, shown)
        else:
            year = int(y) + (2000 if len(y) == 2 else 0)
            found = _make(year, int(m), int(d), shown)
        used = 1
    else:
        second = _word(rest[1]) if len(rest) > 1 else ""
        day_first = _DAY.match(first)
        if day_first and second in _MONTHS:
            day_number, month, used = int(day_first[1]), _MONTHS[second], 2
        elif _word(first) in _MONTHS and _DAY.match(rest[1].strip(",") if len(rest) > 1 else ""):
            match = _DAY.match(rest[1].strip(","))
            assert match is not None
            day_number, month, used = int(match[1]), _MONTHS[_word(first)], 2
        else:
            shown = " ".join(rest[:2]) if _DAY.match(first) and len(rest) > 1 else rest[0]
            raise _not_a_date(shown_prefix + shown)
        shown = shown_prefix + " ".join(rest[:used])
        if len(rest) > used and _YEAR.match(rest[used].strip(",")):
            year = int(rest[used].strip(","))
            used += 1
            found = _make(year, month, day_number, shown_prefix + " ".join(rest[:used]))
        else:
            if day_number < 1 or day_number > 31:
                raise _not_a_date(shown)
            found = _next_occurrence(month, day_number, today, shown)
    if weekday is not None and found.weekday() != _WEEKDAYS[_word(weekday)]:
        raise InvalidInput(
            f"“{weekday} {' '.join(rest[:used])}” does not add up: "
            f"{found.day} {found:%B} {found.year} is a {found:%A}.",
            field="date",
        )
    return found, rest[used:]


def parse_date(text: str, *, today: date) -> date:
    """One date and nothing else (see ``take_date``); InvalidInput otherwise."""
    words = text.split()
    if not words:
        raise InvalidInput(f"A date is missing: {_HINT}", field="date")
    try:
        found, rest = take_date(words, today=today)
    except InvalidInput as exc:
        if len(words) == 1 or "does not add up" in exc.message:
            raise
        raise _not_a_date(text.strip()) from None
    if rest:
        raise _not_a_date(text.strip())
    return found


def parse_time(text: str) -> time:
    """14:30, 9:00, 14.30, 2pm, 2:30pm; InvalidInput otherwise."""
    match = _TIME.match(text.strip())
    problem = InvalidInput(f"“{text.strip()}” is not a time: write it like 14:30.", field="time")
    if not match:
        raise problem
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if match[2] is None and not half:
        raise problem  # a bare number is more likely a mistyped date than an hour
    if half:
        if not 1 <= hour <= 12:
            raise problem
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise problem
    return time(hour, minute)
