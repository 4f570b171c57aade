"""The monthly digest: what the board must look at before a meeting, built from the plan and frozen.

The digest is data (a pydantic model), so the exact content posted can be stored with its claim and
shown or exported later as the board saw it, whatever has been updated since.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.errors import NotFound
from bot.services.inspection import InspectionView, inspection_view
from bot.services.queries import MilestoneRow
from bot.services.status import Health
from bot.services.wording import full_day
from models import ScheduledPost
from models.vocab import PostKind


class DigestRow(BaseModel):
    code: str
    title: str
    area_code: str
    owner: str | None
    owner_role: str | None
    due: date | None
    health: str
    percent: int
    stale: bool
    reason: str | None
    kind: str | None = None  # for exceptions: overdue, off track, at risk, stale
    baseline_due: date | None = None  # the plan's original date, when an approved revision moved it


class DigestChange(BaseModel):
    code: str
    title: str
    from_status: str | None
    to_status: str
    completed: bool
    by: str | None


class DigestArea(BaseModel):
    code: str
    title: str
    description: str
    health: str | None
    milestones: int
    complete: int
    overdue: int
    stale: int
    percent_complete: float
    rows: list[DigestRow]


class Headline(BaseModel):
    milestones: int
    complete: int
    share_complete: float
    percent_complete: float
    counts: dict[str, int]


class Digest(BaseModel):
    plan_title: str
    authority: str
    board_name: str
    meeting_on: date
    meeting_local: str  # e.g. "Thu 20 Feb 2020, 10:00"
    previous_meeting: date | None
    generated_at: datetime
    headline: Headline
    last_headline: Headline | None  # from the previous digest, for the change since the last meeting
    health: str | None
    exceptions: list[DigestRow]
    completions: list[DigestChange]
    moves: list[DigestChange]
    due_before_meeting: list[DigestRow]
    areas: list[DigestArea]
    meeting_on_bank_holiday: bool = False
    inspection: InspectionView | None = None  # for the cover; older stored digests have none
    # The one sanctioned change to a frozen digest: "U-12 redacted on 2020-02-12 by Sam Carter".
    redactions: list[str] = []

    @property
    def change(self) -> str:
        """`+3 complete, progress +4.5 points since the last digest`, or what happened since the last meeting."""
        if self.last_headline is None:
            return f"{len(self.completions)} completed since the last meeting"
        done = self.headline.complete - self.last_headline.complete
        points = round(self.headline.percent_complete - self.last_headline.percent_complete, 1)
        return f"{done:+d} complete, average progress {points:+g} points since the last digest"


def _row(r: MilestoneRow, kind: str | None = None) -> DigestRow:
    return DigestRow(
        code=r.code,
        title=r.title,
        area_code=r.area_code,
        owner=r.owner_name,
        owner_role=r.owner_role,
        due=r.due,
        health=r.health.value,
        percent=r.percent,
        stale=r.stale,
        reason=r.reason,
        kind=kind,
        baseline_due=r.baseline_due,
    )


def build_digest(
    *,
    db: Session,
    plan_id: int,
    meeting_on: date,
    meeting_local: str,
    now: datetime,
    today: date,
    bank_holiday: bool = False,
) -> Digest:
    """The digest as it would be posted at `now`, for the meeting on `meeting_on`."""
    summary, rows = queries.chair_summary_and_rows(db=db, plan_id=plan_id, today=today)
    calendar = summary.calendar
    totals = summary.totals
    headline = Headline(
        milestones=totals.milestones,
        complete=totals.complete,
        share_complete=totals.share_complete,
        percent_complete=totals.percent_complete,
        counts={h.value: n for h, n in totals.counts.items()},
    )
    by_area: dict[str, list[DigestRow]] = {}
    for r in rows:
        by_area.setdefault(r.area_code, []).append(_row(r))
    due_before = [
        _row(r)
        for r in rows
        if r.health is not Health.COMPLETE and r.due is not None and today <= r.due < meeting_on
    ]
    return Digest(
        plan_title=summary.plan.title,
        authority=summary.plan.authority,
        board_name=calendar.board_name or "The board",
        meeting_on=meeting_on,
        meeting_local=meeting_local,
        previous_meeting=calendar.previous_on,
        generated_at=now,
        headline=headline,
        last_headline=last_headline(db=db, plan_id=plan_id, before=meeting_on),
        health=summary.health.value if summary.health else None,
        exceptions=[_row(e.row, e.kind) for e in summary.exceptions],
        completions=[_change(c) for c in summary.completions],
        moves=[_change(c) for c in summary.status_moves if not c.completed],
        due_before_meeting=sorted(due_before, key=lambda d: (d.due or meeting_on, d.code)),
        areas=[
            DigestArea(
                code=a.code,
                title=a.title,
                description=a.description,
                health=a.health.value if a.health else None,
                milestones=a.figures.milestones,
                complete=a.figures.complete,
                overdue=a.figures.overdue,
                stale=a.figures.stale,
                percent_complete=a.figures.percent_complete,
                rows=by_area.get(a.code, []),
            )
            for a in summary.areas
        ],
        meeting_on_bank_holiday=bank_holiday,
        inspection=inspection_view(db=db, plan_id=plan_id, today=today),
    )


def _change(c: queries.Change) -> DigestChange:
    return DigestChange(
        code=c.code,
        title=c.title,
        from_status=c.from_status.value if c.from_status else None,
        to_status=c.to_status.value,
        completed=c.completed,
        by=c.author_name,
    )


def last_headline(*, db: Session, plan_id: int, before: date) -> Headline | None:
    """The headline of the last digest posted for an earlier meeting."""
    content = db.scalar(
        select(ScheduledPost.content)
        .where(
            ScheduledPost.plan_id == plan_id,
            ScheduledPost.kind == PostKind.DIGEST.value,
            ScheduledPost.posted_at.is_not(None),
            ScheduledPost.meeting_on < before,
        )
        .order_by(ScheduledPost.meeting_on.desc())
        .limit(1)
    )
    if not content or "digest" not in content:
        return None
    return Digest.model_validate(content["digest"]).headline


class FrozenDigest(BaseModel):
    """A digest as it was posted: the data, and the exact Slack payloads."""

    meeting_on: date
    posted_at: datetime
    channel: str | None
    ts: str | None
    late: bool
    digest: Digest
    message: dict[str, Any]
    thread: list[dict[str, Any]]


def frozen_digest(*, db: Session, plan_id: int, meeting_on: date | None = None) -> FrozenDigest:
    """The digest posted for a meeting (the latest one when no date is given)."""
    query = select(ScheduledPost).where(
        ScheduledPost.plan_id == plan_id,
        ScheduledPost.kind == PostKind.DIGEST.value,
        ScheduledPost.posted_at.is_not(None),
    )
    if meeting_on is not None:
        query = query.where(ScheduledPost.meeting_on == meeting_on)
    row = db.scalar(query.order_by(ScheduledPost.meeting_on.desc()).limit(1))
    if row is None or not row.content or row.posted_at is None:
        when = f"the meeting on {full_day(meeting_on)}" if meeting_on else "any meeting yet"
        raise NotFound(f"No digest has been posted for {when}.")
    return FrozenDigest(
        meeting_on=row.meeting_on,
        posted_at=row.posted_at,
        channel=row.channel,
        ts=row.ts,
        late=row.late,
        digest=Digest.model_validate(row.content["digest"]),
        message=row.content.get("message", {}),
        thread=row.content.get("thread", []),
    )
