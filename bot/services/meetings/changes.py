"""Moving, cancelling and adding board meetings: checked, audited and told back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.calendar import (
    Meeting,
    meetings_between,
)
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.meetings.results import (
    _MAX_AHEAD,
    _NEAREST_WINDOW,
    _PARTICIPLE,
    ChangeAction,
    MeetingChange,
    UpcomingMeeting,
    _day_warning,
    _hhmm,
    long_day,
)
from bot.services.meetings.upcoming import _aware, _Context, _load
from bot.services.people import Actor, can_manage_meetings
from bot.services.schedule import PostTimes
from models import MeetingOverride
from models.vocab import OverrideAction

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
            db.add(
                MeetingOverride(
                    board_id=ctx.board_id, on=rule_date, action=OverrideAction.MOVED, to=to, at=stored_at
                )
            )
        else:
            row.action, row.to, row.at = OverrideAction.MOVED, to, stored_at
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
    _audit(db, ctx, actor, AuditAction.MEETING_MOVE, meeting.on, before, after, now)
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
        row.action, row.to, row.at = OverrideAction.CANCELLED, None, None
    else:
        db.add(MeetingOverride(board_id=ctx.board_id, on=meeting.on, action=OverrideAction.CANCELLED))
    db.flush()
    moved = f" (moved from {long_day(meeting.original)})" if meeting.original else ""
    extra = " (an extra meeting)" if meeting.kind == "extra" else ""
    summary = f"Cancelled the board meeting of {long_day(meeting.on)}{moved}{extra}."
    usual = meeting.local_start.time() == ctx.at
    undo = f"/qib meeting add {meeting.on.isoformat()}" + ("" if usual else f" {_hhmm(before.start_time)}")
    _audit(db, ctx, actor, AuditAction.MEETING_CANCEL, meeting.on, before, None, now)
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
    _audit(db, ctx, actor, AuditAction.MEETING_ADD, on, None, after, now)
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
        if o.on != day or o.action == OverrideAction.EXTRA:
            continue
        if o.action == OverrideAction.CANCELLED and _rule_gives(ctx, day):
            raise InvalidInput(
                f"The board meeting of {long_day(day)} is already cancelled. "
                f"`/qib meeting add {day.isoformat()}` puts it back."
            )
        if o.action == OverrideAction.MOVED and o.to is not None:
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
            MeetingOverride.action
            == (OverrideAction.MOVED if meeting.kind == "moved" else OverrideAction.EXTRA),
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
        db.add(MeetingOverride(board_id=ctx.board_id, on=day, action=OverrideAction.EXTRA, at=stored_at))
        return
    if row.action == OverrideAction.CANCELLED and _rule_gives(ctx, day):
        if stored_at is None:
            db.delete(row)
        else:  # the rule's meeting back, at another time
            row.action, row.to, row.at = OverrideAction.MOVED, day, stored_at
        return
    if row.action == OverrideAction.MOVED and _rule_gives(ctx, day):
        # (board, on) is unique: the day's own exception already says where its meeting went.
        assert row.to is not None
        raise InvalidInput(
            f"{long_day(day)} is the rule's date of the meeting moved to {long_day(row.to)}. "
            f"To meet on {long_day(day)} again, move that one back: "
            f"`/qib meeting move {row.to.isoformat()} {day.isoformat()}`."
        )
    # A stale exception for a day the rule no longer gives (see upcoming().overrides_ignored): reuse it.
    row.action, row.to, row.at = OverrideAction.EXTRA, None, stored_at


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
    action: AuditAction,
    on: date,
    before: UpcomingMeeting | None,
    after: UpcomingMeeting | None,
    now: datetime,
) -> None:
    assert actor is not None
    audit(
        db,
        plan_id=ctx.plan_id,
        at=_aware(now).astimezone(UTC),
        actor_id=actor.person_id,
        actor=actor.name,
        action=AuditAction(action),
        entity="meeting",
        entity_code=on.isoformat(),
        before=_snapshot(before) if before else None,
        after=_snapshot(after) if after else None,
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
