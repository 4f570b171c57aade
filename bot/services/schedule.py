"""Which digests and reminder rounds are due, and the claim that makes each happen exactly once.

A post is claimed by inserting its (plan, meeting, kind) row: the unique constraint lets only one
process win. A claim that is old and never got a message `ts` belongs to a process that died; it can
be taken over (compare-and-set on claimed_at), and the new owner checks the channel before posting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.calendar import Meeting, Override, meetings_between, schedule_for, working_days_before
from bot.services.read_model import cached
from models import AuditEvent, Board, MeetingOverride, Plan, ScheduledPost
from models.vocab import AuditAction, PostKind

LATE_AFTER = timedelta(minutes=15)
STALE_CLAIM = timedelta(minutes=10)
SKIPPED = "skipped: the meeting had already started"


@dataclass(frozen=True)
class DuePost:
    meeting: Meeting
    kind: PostKind
    due_at: datetime
    late: bool


@dataclass(frozen=True)
class Timing:
    digest_working_days: int
    reminder_working_days: int
    post_time: time
    tz: str


@dataclass(frozen=True)
class Claim:
    id: int
    meeting_on: date
    kind: PostKind
    attempt: int
    progress: dict[str, Any] | None
    late: bool


def due_posts(meetings: Sequence[Meeting], timing: Timing, *, now: datetime) -> list[DuePost]:
    """Posts whose time has come for meetings that have not started yet; reminders before digests."""
    due: list[DuePost] = []
    for meeting in meetings:
        if meeting.starts_at <= now:
            continue
        when = schedule_for(
            meeting,
            digest_working_days=timing.digest_working_days,
            reminder_working_days=timing.reminder_working_days,
            post_time=timing.post_time,
            tz=timing.tz,
        )
        if when.reminder_at <= now:
            due.append(
                DuePost(meeting, PostKind.REMINDERS, when.reminder_at, now - when.reminder_at > LATE_AFTER)
            )
        nudge_day = working_days_before(when.digest_day, 1)
        nudge_at = when.digest_at - timedelta(days=(when.digest_day - nudge_day).days)
        if nudge_day > when.reminder_day and nudge_at <= now < when.digest_at:
            due.append(DuePost(meeting, PostKind.NUDGE, nudge_at, now - nudge_at > LATE_AFTER))
        if when.digest_at <= now:
            due.append(DuePost(meeting, PostKind.DIGEST, when.digest_at, now - when.digest_at > LATE_AFTER))
    return due


def missed_posts(meetings: Sequence[Meeting], timing: Timing, *, now: datetime) -> list[DuePost]:
    """Digests that were due for meetings that have now started: too late to post."""
    missed = []
    for meeting in meetings:
        if meeting.starts_at > now:
            continue
        when = schedule_for(
            meeting,
            digest_working_days=timing.digest_working_days,
            reminder_working_days=timing.reminder_working_days,
            post_time=timing.post_time,
            tz=timing.tz,
        )
        missed.append(DuePost(meeting, PostKind.DIGEST, when.digest_at, True))
    return missed


def claim(
    db: Session,
    plan_id: int,
    post: DuePost,
    *,
    now: datetime,
    worker: str,
    stale_after: timedelta = STALE_CLAIM,
) -> Claim | None:
    """Take the post for this worker, or None when it is done, skipped, or in someone else's hands."""
    return claim_on(
        db,
        plan_id,
        on=post.meeting.on,
        kind=post.kind,
        due_at=post.due_at,
        late=post.late,
        now=now,
        worker=worker,
        stale_after=stale_after,
    )


def claim_on(
    db: Session,
    plan_id: int,
    *,
    on: date,
    kind: PostKind,
    due_at: datetime,
    late: bool,
    now: datetime,
    worker: str,
    stale_after: timedelta = STALE_CLAIM,
) -> Claim | None:
    """`claim` for any post keyed by a date: a meeting's, or a deadline's (the action-plan reminder)."""
    row = db.scalar(
        select(ScheduledPost).where(
            ScheduledPost.plan_id == plan_id,
            ScheduledPost.meeting_on == on,
            ScheduledPost.kind == kind.value,
        )
    )
    if row is None:
        fresh = ScheduledPost(
            plan_id=plan_id,
            meeting_on=on,
            kind=kind.value,
            due_at=due_at,
            claimed_at=now,
            claimed_by=worker,
            attempts=1,
            late=late,
        )
        try:
            with db.begin_nested():
                db.add(fresh)
        except IntegrityError:
            return None  # another process inserted it first
        return Claim(fresh.id, on, kind, 1, None, late)
    if row.posted_at is not None or (row.error or "").startswith("skipped"):
        return None
    if row.claimed_at > now - stale_after:
        return None
    taken = db.execute(
        update(ScheduledPost)
        .where(ScheduledPost.id == row.id, ScheduledPost.claimed_at == row.claimed_at)
        .values(claimed_at=now, claimed_by=worker, attempts=ScheduledPost.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return Claim(row.id, row.meeting_on, PostKind(row.kind), row.attempts + 1, row.content, row.late)


def record_skip(db: Session, plan_id: int, post: DuePost, *, now: datetime, worker: str) -> bool:
    """Note once that a digest was never posted because its meeting came first; True if newly noted."""
    exists = db.scalar(
        select(ScheduledPost.id).where(
            ScheduledPost.plan_id == plan_id,
            ScheduledPost.meeting_on == post.meeting.on,
            ScheduledPost.kind == post.kind.value,
        )
    )
    if exists is not None:
        return False
    try:
        with db.begin_nested():
            db.add(
                ScheduledPost(
                    plan_id=plan_id,
                    meeting_on=post.meeting.on,
                    kind=post.kind.value,
                    due_at=post.due_at,
                    claimed_at=now,
                    claimed_by=worker,
                    attempts=0,
                    late=True,
                    error=SKIPPED,
                )
            )
    except IntegrityError:
        return False
    return True


def record_progress(
    db: Session, claim_id: int, progress: dict[str, Any], *, error: str | None = None
) -> None:
    """Save how far a post got (e.g. the owners already reminded), so a retry does not repeat it."""
    db.execute(
        update(ScheduledPost)
        .where(ScheduledPost.id == claim_id)
        .values(content=progress, error=error)
        .execution_options(synchronize_session=False)
    )


def record_posted(
    db: Session, claim_id: int, *, now: datetime, channel: str | None, ts: str | None, content: dict[str, Any]
) -> None:
    db.execute(
        update(ScheduledPost)
        .where(ScheduledPost.id == claim_id)
        .values(posted_at=now, channel=channel, ts=ts, content=content, error=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class PostTimes:
    """Deployment settings that override the plan's digest and reminder timing (None: the plan's own)."""

    digest_working_days: int | None = None
    reminder_working_days: int | None = None
    digest_time: time | None = None


@dataclass(frozen=True)
class BoardRule:
    """A board's meeting rule with its exceptions, and the plan's posting times: enough to plan posts."""

    board_id: int
    name: str
    chair_id: int | None
    rrule: str
    start: date
    at: time
    tz: str
    overrides: tuple[Override, ...]
    timing: Timing
    channel: str | None
    as_at: date | None = None  # the day the plan file describes: meetings before it are history, not missed
    # When the plan was first imported: a post due before then could not have been posted, so its
    # meeting is history, not a digest the bot missed.
    imported_at: datetime | None = None

    def before_the_plan(self, meeting_on: date, due_at: datetime) -> bool:
        """A post the bot could never have made: its meeting was before the day the plan describes, or
        it was due before the plan was first imported. Its meeting is history, not a missed digest."""
        return (self.as_at is not None and meeting_on < self.as_at) or (
            self.imported_at is not None and due_at < self.imported_at
        )

    def meetings(self, frm: date, to: date) -> list[Meeting]:
        return meetings_between(self.rrule, self.start, self.at, self.tz, list(self.overrides), frm, to)


def board_rule(
    db: Session,
    plan_id: int,
    *,
    posts: PostTimes | None = None,
    channel: str | None = None,
    for_update: bool = False,
) -> BoardRule | None:
    """The plan's board and posting times (deployment settings win over the plan file); None without a board.

    `for_update` locks the board row on PostgreSQL, so two people changing meetings at once queue.
    """
    query = (
        select(
            Board.id,
            Board.name,
            Board.chair_id,
            Board.rrule,
            Board.start,
            Board.time,
            Board.timezone.label("board_tz"),
            Plan.timezone.label("plan_tz"),
            Plan.digest_working_days,
            Plan.reminder_working_days,
            Plan.digest_time,
            Plan.channel,
            Plan.as_at,
            select(func.min(AuditEvent.at))
            .where(
                AuditEvent.plan_id == plan_id,
                AuditEvent.action == AuditAction.IMPORT,
                AuditEvent.entity == "plan",
            )
            .scalar_subquery()
            .label("imported_at"),
        )
        .join(Plan, Plan.id == Board.plan_id)
        .where(Board.plan_id == plan_id)
    )
    found = db.execute(query.with_for_update(of=Board) if for_update else query).one_or_none()
    if found is None:
        return None
    overrides = tuple(
        Override(on=o.on, action=o.action, to=o.to, at=o.at)
        for o in db.execute(
            select(MeetingOverride.on, MeetingOverride.action, MeetingOverride.to, MeetingOverride.at)
            .where(MeetingOverride.board_id == found.id)
            .order_by(MeetingOverride.on)
        )
    )
    posts = posts or PostTimes()
    tz = found.board_tz or found.plan_tz
    timing = Timing(
        digest_working_days=found.digest_working_days
        if posts.digest_working_days is None
        else posts.digest_working_days,
        reminder_working_days=found.reminder_working_days
        if posts.reminder_working_days is None
        else posts.reminder_working_days,
        post_time=posts.digest_time or found.digest_time,
        tz=tz,
    )
    return BoardRule(
        board_id=found.id,
        name=found.name,
        chair_id=found.chair_id,
        rrule=found.rrule,
        start=found.start,
        at=found.time,
        tz=tz,
        overrides=overrides,
        timing=timing,
        channel=channel or found.channel,
        as_at=found.as_at,
        imported_at=found.imported_at,
    )


@cached
def kept_board_rule(
    *, db: Session, plan_id: int, posts: PostTimes | None, channel: str | None
) -> BoardRule | None:
    """board_rule for reading (never to lock), kept in the read model while the plan's revision stands."""
    return board_rule(db, plan_id, posts=posts, channel=channel)
