"""The monthly digest: what the board must look at before a meeting, built from the plan and frozen.

The digest is data (a pydantic model), so the exact content posted can be stored with its claim and
shown or exported later as the board saw it, whatever has been updated since.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.digest_latest import Latest, latest_updates
from bot.services.digest_model import (
    BRAG,
    BRAG_COLOURS,
    BragPoint,
    DatedEvent,
    Digest,
    DigestArea,
    DigestChange,
    DigestDecision,
    DigestMeasure,
    DigestPriority,
    DigestRisk,
    DigestRow,
    DigestRowKind,
    FrozenDigest,
    Headline,
)
from bot.services.errors import NotFound
from bot.services.inspection import inspection_view
from bot.services.measure_charts import board_meetings, chart_data
from bot.services.measures import format_change, read_measures
from bot.services.periods import period_end
from bot.services.queries import AreaSummary, Change, Figures, MilestoneRow
from bot.services.read_model import cached
from bot.services.status import Health, roll_up
from bot.services.wording import full_day
from models import Area, Priority, ScheduledPost, timezones
from models.plan import priority_area
from models.vocab import PostKind

__all__ = [
    "BRAG",
    "BRAG_COLOURS",
    "BragPoint",
    "DatedEvent",
    "Digest",
    "DigestArea",
    "DigestChange",
    "DigestDecision",
    "DigestMeasure",
    "DigestPriority",
    "DigestRisk",
    "DigestRow",
    "DigestRowKind",
    "FrozenDigest",
    "Headline",
    "build_digest",
    "last_headline",
    "frozen_digest",
]


def _row(r: MilestoneRow, kind: DigestRowKind | None = None, latest: Latest | None = None) -> DigestRow:
    return DigestRow(
        code=r.code,
        title=r.title,
        area_code=r.area_code,
        owner=r.owner_name,
        owner_role=r.owner_role,
        due=r.due,
        health=r.health,
        percent=r.percent,
        stale=r.stale,
        reason=r.reason,
        kind=kind,
        recovery=latest.next_steps if latest else None,
        baseline_due=r.baseline_due,
        revised_due=r.due_requested,
        revised_reason=r.due_request_reason,
    )


def _priorities(db: Session, plan_id: int, rows: list[MilestoneRow]) -> list[DigestPriority]:
    """Each priority's milestones: those linked to it and those of the areas it serves, each once."""
    found = db.execute(
        select(Priority.id, Priority.code, Priority.title, Priority.period)
        .where(Priority.plan_id == plan_id)
        .order_by(Priority.position, Priority.id)
    ).all()
    links = db.execute(
        select(priority_area.c.priority_id, Area.code)
        .join(Area, Area.id == priority_area.c.area_id)
        .where(Area.plan_id == plan_id)
        .order_by(Area.position, Area.id)
    ).all()
    out = []
    for p in found:
        areas = [code for pid, code in links if pid == p.id]
        mine = [r for r in rows if r.priority_code == p.code or r.area_code in areas]
        counts = {k: sum(1 for r in mine if r.health == k) for k in BRAG}
        out.append(
            DigestPriority(
                code=p.code,
                title=p.title,
                period=p.period,
                areas=areas,
                milestones=len(mine),
                complete=counts[Health.COMPLETE],
                counts=counts,
                health=_value(roll_up(r.health for r in mine)),
            )
        )
    return out


def build_digest(
    *,
    db: Session,
    plan_id: int,
    meeting_on: date,
    meeting_local: str,
    now: datetime,
    today: date,
    bank_holiday: bool = False,
    reminders_at: datetime | None = None,
    next_meeting: date | None = None,
    dates_ahead: list[DatedEvent] | None = None,
) -> Digest:
    """The digest as it would be posted at `now`, for the meeting on `meeting_on`.

    `reminders_at` is when this meeting's owner reminders went out: an item with no update since then
    is "awaiting an update". `next_meeting` is the board after this one: the month ahead runs to it.

    Kept in the read model while the plan's revision stands: `now` enters the paper only as the moment
    it was generated (the rest depends on the local date and the moments passed in), so the kept paper is
    given this `now` on the way out (a shallow copy sharing its frozen contents).
    """
    paper = _paper(
        db=db,
        plan_id=plan_id,
        meeting_on=meeting_on,
        meeting_local=meeting_local,
        today=today,
        bank_holiday=bank_holiday,
        reminders_at=reminders_at,
        next_meeting=next_meeting,
        dates_ahead=tuple(dates_ahead or ()),
    )
    return paper.model_copy(update={"generated_at": now})


_UNDATED = datetime.fromtimestamp(0, UTC)  # a kept paper's generated_at: build_digest gives it its moment


@cached
def _paper(
    *,
    db: Session,
    plan_id: int,
    meeting_on: date,
    meeting_local: str,
    today: date,
    bank_holiday: bool,
    reminders_at: datetime | None,
    next_meeting: date | None,
    dates_ahead: tuple[DatedEvent, ...],
) -> Digest:
    """The paper for one meeting as of `today`, all but the moment it was generated."""
    summary, rows = queries.chair_summary_and_rows(db=db, plan_id=plan_id, today=today)
    calendar = summary.calendar
    tz = summary.plan.timezone
    totals = summary.totals
    latest = latest_updates(db, plan_id)
    headline = _headline(totals)
    by_area: dict[str, list[DigestRow]] = {}
    for r in rows:
        by_area.setdefault(r.area_code, []).append(_row(r, latest=latest.get(r.code)))
    open_rows = [r for r in rows if r.health is not Health.COMPLETE]
    ahead_to = next_meeting or meeting_on
    awaiting = _awaiting(open_rows, reminders_at)
    decisions, risks = _decisions_and_risks(open_rows, latest, tz)
    completions = _completions(summary.completions, rows, latest, tz)
    previous = _previous_digests(db=db, plan_id=plan_id, before=meeting_on)
    last_digest = previous[-1] if previous else None
    return Digest(
        plan_title=summary.plan.title,
        authority=summary.plan.authority,
        board_name=calendar.board_name or "The board",
        meeting_on=meeting_on,
        meeting_local=meeting_local,
        previous_meeting=calendar.previous_on,
        generated_at=_UNDATED,
        headline=headline,
        last_headline=last_digest.headline if last_digest else None,
        health=None,  # no plan-wide worst-wins status: the BRAG counts say where the plan stands
        exceptions=[_row(e.row, DigestRowKind(e.kind), latest.get(e.row.code)) for e in summary.exceptions],
        completions=completions,
        moves=[_change(c) for c in summary.status_moves if not c.completed],
        due_before_meeting=_due_before(open_rows, today, meeting_on),
        areas=[_area(a, by_area.get(a.code, [])) for a in summary.areas],
        meeting_on_bank_holiday=bank_holiday,
        inspection=inspection_view(db=db, plan_id=plan_id, today=today),
        timezone=tz,
        awaiting_update=awaiting,
        awaiting_since=timezones.local_date(reminders_at, tz) if reminders_at else None,
        decisions=decisions,
        risks=risks,
        priorities=_priorities(db, plan_id, rows),
        next_meeting=next_meeting,
        month_ahead=_month_ahead(open_rows, ahead_to),
        dates_ahead=list(dates_ahead),
        last_area_health={a.code: a.health for a in last_digest.areas} if last_digest else None,
        brag_history=_brag_history(previous, meeting_on, headline),
        measures=_measures(db, plan_id, today),
        paper=True,
    )


def _headline(totals: Figures) -> Headline:
    return Headline(
        milestones=totals.milestones,
        complete=totals.complete,
        share_complete=totals.share_complete,
        percent_complete=totals.percent_complete,
        counts={h.value: n for h, n in totals.counts.items()},
    )


def _due_before(open_rows: list[MilestoneRow], today: date, meeting_on: date) -> list[DigestRow]:
    """Unfinished items falling due between today and the meeting, soonest first."""
    due = [_row(r) for r in open_rows if r.due is not None and today <= r.due < meeting_on]
    return sorted(due, key=lambda d: (d.due or meeting_on, d.code))


def _month_ahead(open_rows: list[MilestoneRow], ahead_to: date) -> list[DigestRow]:
    """Unfinished, not yet overdue items due before the next board, soonest first."""
    ahead = [
        _row(r)
        for r in open_rows
        if r.due is not None and r.due < ahead_to and r.health is not Health.OVERDUE
    ]
    return sorted(ahead, key=lambda d: (d.due or ahead_to, d.code))


def _brag_history(previous: list[Digest], meeting_on: date, headline: Headline) -> list[BragPoint]:
    """The last eleven boards' BRAG counts and this one's: the chart's twelve bars."""
    history = [BragPoint(meeting_on=p.meeting_on, counts=p.headline.counts) for p in previous[-11:]]
    history.append(BragPoint(meeting_on=meeting_on, counts=headline.counts))
    return history


def _awaiting(open_rows: list[MilestoneRow], reminders_at: datetime | None) -> list[str]:
    """Codes with no update since this meeting's reminders went out (or since the last board)."""
    if reminders_at is not None:
        return [r.code for r in open_rows if r.last_update_at is None or r.last_update_at < reminders_at]
    return [r.code for r in open_rows if r.stale]


def _decisions_and_risks(
    open_rows: list[MilestoneRow], latest: dict[str, Latest], tz: str
) -> tuple[list[DigestDecision], list[DigestRisk]]:
    """The decisions owners asked of the board and the blockers they named, from each latest update."""
    decisions: list[DigestDecision] = []
    risks: list[DigestRisk] = []
    for r in open_rows:
        last = latest.get(r.code)
        if last is None:
            continue
        if last.decision:
            decisions.append(
                DigestDecision(
                    code=r.code,
                    title=r.title,
                    owner=r.owner_name,
                    owner_role=r.owner_role,
                    asked_by=last.author,
                    asked_on=timezones.local_date(last.at, tz),
                    decision=last.decision,
                )
            )
        if last.blockers:
            risks.append(
                DigestRisk(
                    code=r.code,
                    title=r.title,
                    owner=r.owner_name,
                    owner_role=r.owner_role,
                    health=r.health.value,
                    blockers=last.blockers,
                )
            )
    return decisions, risks


def _completions(
    changes: Sequence[Change], rows: list[MilestoneRow], latest: dict[str, Latest], tz: str
) -> list[DigestChange]:
    """Milestones completed since the last board, with their impact, evidence and whether on time."""
    due_of = {r.code: r.due for r in rows}
    completions = []
    for c in changes:
        last = latest.get(c.code)
        done_on = timezones.local_date(c.at, tz)
        due = due_of.get(c.code)
        completions.append(
            _change(c).model_copy(
                update={
                    "impact": last.note if last and last.status == "complete" else None,
                    "evidence_url": last.evidence_url if last and last.status == "complete" else None,
                    "due": due,
                    "done_on": done_on,
                    "on_time": None if due is None else done_on <= due,
                }
            )
        )
    return completions


def _area(a: AreaSummary, rows: list[DigestRow]) -> DigestArea:
    return DigestArea(
        code=a.code,
        title=a.title,
        description=a.description,
        health=a.health.value if a.health else None,
        milestones=a.figures.milestones,
        complete=a.figures.complete,
        overdue=a.figures.overdue,
        stale=a.figures.stale,
        percent_complete=a.figures.percent_complete,
        rows=rows,
    )


def _measures(db: Session, plan_id: int, today: date) -> list[DigestMeasure]:
    """Each measure with what its row and chart need, read once (the charts' meetings in one more read)."""
    view = read_measures(db=db, plan_id=plan_id, today=today)
    spans = [(m.points[0].period, m.points[-1].period) for m in view.measures if m.points]
    meetings: list[date] = []
    if spans:
        first = min(period_end(a).replace(day=1) for a, _ in spans)
        meetings = board_meetings(db, plan_id, first, max(period_end(b) for _, b in spans))
    out = []
    for m in view.measures:
        data = chart_data(m, meetings)
        latest = m.latest
        out.append(
            DigestMeasure(
                code=m.code,
                title=m.title,
                unit=m.unit,
                direction=m.direction,
                target=m.target,
                amber=data.amber,
                rag=m.rag.value,
                latest_period=latest.period if latest else None,
                latest_value=latest.value if latest else None,
                since_board=format_change(m.since_board, m.unit) if m.since_board else None,
                periods=list(data.periods),
                values=list(data.values),
                meetings=list(data.meetings),
            )
        )
    return out


def _change(c: queries.Change) -> DigestChange:
    return DigestChange(
        code=c.code,
        title=c.title,
        from_status=c.from_status.value if c.from_status else None,
        to_status=c.to_status.value,
        completed=c.completed,
        by=c.author_name,
    )


def _previous_digests(*, db: Session, plan_id: int, before: date) -> list[Digest]:
    """The digests posted for earlier meetings, oldest first (the last twelve)."""
    contents = db.scalars(
        select(ScheduledPost.content)
        .where(
            ScheduledPost.plan_id == plan_id,
            ScheduledPost.kind == PostKind.DIGEST.value,
            ScheduledPost.posted_at.is_not(None),
            ScheduledPost.meeting_on < before,
        )
        .order_by(ScheduledPost.meeting_on.desc())
        .limit(12)
    ).all()
    found = [Digest.model_validate(c["digest"]) for c in contents if c and "digest" in c]
    return list(reversed(found))


def last_headline(*, db: Session, plan_id: int, before: date) -> Headline | None:
    """The headline of the last digest posted for an earlier meeting."""
    previous = _previous_digests(db=db, plan_id=plan_id, before=before)
    return previous[-1].headline if previous else None


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


def _value(h: Health | None) -> str | None:
    return h.value if h is not None else None
