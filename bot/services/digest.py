"""The monthly digest: what the board must look at before a meeting, built from the plan and frozen.

The digest is data (a pydantic model), so the exact content posted can be stored with its claim and
shown or exported later as the board saw it, whatever has been updated since.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.errors import NotFound
from bot.services.inspection import InspectionView, inspection_view
from bot.services.measure_charts import board_meetings, chart_data
from bot.services.measures import format_change, read_measures
from bot.services.periods import period_end
from bot.services.queries import MilestoneRow
from bot.services.status import Health, roll_up
from bot.services.wording import full_day
from models import Area, Milestone, Person, Priority, ProgressUpdate, ScheduledPost
from models.plan import priority_area
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
    kind: str | None = None  # for exceptions: overdue, off track, at risk (older digests: stale)
    recovery: str | None = None  # the latest update's next steps: how it gets back on track
    revised_due: date | None = None  # a revised date the owner asked for, awaiting the chair's approval
    revised_reason: str | None = None  # the owner's reason for it
    baseline_due: date | None = None  # the plan's original date, when an approved revision moved it


class DigestChange(BaseModel):
    code: str
    title: str
    from_status: str | None
    to_status: str
    completed: bool
    by: str | None
    impact: str | None = None  # the completing update's note: what is better for children and families
    evidence_url: str | None = None
    due: date | None = None
    done_on: date | None = None  # local date of the completing update
    on_time: bool | None = None


class DigestDecision(BaseModel):
    """A decision an owner needs from the board, as their latest update on the milestone asks it."""

    code: str
    title: str
    owner: str | None
    owner_role: str | None
    asked_by: str | None
    asked_on: date
    decision: str


class DigestRisk(BaseModel):
    """Risks and blockers as the owner wrote them in their latest update."""

    code: str
    title: str
    owner: str | None
    owner_role: str | None
    health: str
    blockers: str


class DigestPriority(BaseModel):
    """A strategic priority, counted through its areas' milestones as well as those linked directly."""

    code: str
    title: str
    period: str | None
    areas: list[str]
    milestones: int
    complete: int
    counts: dict[str, int]
    health: str | None


class DatedEvent(BaseModel):
    on: date
    what: str  # "Owner reminders", "Digest", "Board meeting"


class BragPoint(BaseModel):
    """One board meeting's BRAG counts, for the chart: from each posted digest's headline."""

    meeting_on: date
    counts: dict[str, int]


class DigestMeasure(BaseModel):
    """A performance measure as the paper shows it, with the series its trend chart is drawn from.

    Frozen with the digest, so a paper re-exported after later values are recorded draws the same chart.
    """

    code: str
    title: str
    unit: str
    direction: str
    target: float
    amber: tuple[float, float]
    rag: str
    latest_period: str | None
    latest_value: float | None
    since_board: str | None  # "+5 pts (better) since Dec 2019"; None with nothing to compare
    periods: list[str]
    values: list[float]
    meetings: list[tuple[float, date]]  # where the board meetings fall on the chart's x axis


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
    # The board paper (older stored digests have none of these and render without them).
    timezone: str | None = None  # the plan's, frozen with the paper (older digests: None)
    protective_marking: str = "Official"
    awaiting_update: list[str] = []  # unfinished, no update since the reminders went out
    awaiting_since: date | None = None  # the reminder round (None: since the last meeting)
    decisions: list[DigestDecision] = []
    risks: list[DigestRisk] = []
    priorities: list[DigestPriority] = []
    next_meeting: date | None = None  # the board after this one
    month_ahead: list[DigestRow] = []  # unfinished, due before the next board
    dates_ahead: list[DatedEvent] = []
    last_area_health: dict[str, str | None] | None = None  # each area's rating at the last board
    brag_history: list[BragPoint] = []  # one point per board meeting, oldest first, this one last
    measures: list[DigestMeasure] = []  # the plan's performance measures (none: no measures section)
    paper: bool = False  # built as a board paper (BRAG headline, exceptions without stale)
    # The one sanctioned change to a frozen digest: "U-12 redacted on 2020-02-12 by Sam Carter".
    redactions: list[str] = []

    @property
    def change(self) -> str:
        """What changed since the last board, in words: completions, on time or late."""
        done = [c for c in self.completions if c.completed]
        if not done:
            return "Nothing completed since the last board"
        late = sum(1 for c in done if c.on_time is False)
        on_time = sum(1 for c in done if c.on_time is True)
        parts = [f"{len(done)} completed since the last board"]
        if on_time or late:
            parts.append(f"{on_time} on time, {late} late")
        return ", ".join(parts)

    def brag(self) -> list[tuple[str, int, int | None]]:
        """BRAG counts now, with the count at the last board (None when there was no earlier digest)."""
        last = self.last_headline.counts if self.last_headline is not None else None
        return [(k, self.headline.counts.get(k, 0), None if last is None else last.get(k, 0)) for k in BRAG]


#: The headline's counts, in the order boards read them: blue, green, amber, red, not started, overdue.
BRAG = ("complete", "on track", "at risk", "off track", "not started", "overdue")
BRAG_COLOURS = {
    "complete": "#1f6fd1",
    "on track": "#2e8b57",
    "at risk": "#f0a020",
    "off track": "#c8102e",
    "not started": "#9e9e9e",
    "overdue": "#6d0f1a",
}


def _row(r: MilestoneRow, kind: str | None = None, latest: _Latest | None = None) -> DigestRow:
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
        recovery=latest.next_steps if latest else None,
        baseline_due=r.baseline_due,
        revised_due=r.due_requested,
        revised_reason=r.due_request_reason,
    )


class _Latest(BaseModel):
    """A milestone's latest progress update: what the paper quotes from it."""

    at: datetime
    status: str
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    decision: str | None
    author: str | None


def _latest_updates(db: Session, plan_id: int) -> dict[str, _Latest]:
    """Each milestone's latest update, by code: one statement (a window over the plan's updates)."""
    pu = ProgressUpdate
    ranked = (
        select(
            pu.id.label("id"),
            func.row_number()
            .over(partition_by=pu.milestone_id, order_by=(pu.at.desc(), pu.id.desc()))
            .label("n"),
        )
        .where(pu.plan_id == plan_id, pu.shown())
        .subquery("ranked")
    )
    stmt = (
        select(
            Milestone.code,
            pu.at,
            pu.status,
            pu.note,
            pu.evidence_url,
            pu.next_steps,
            pu.blockers,
            pu.decision,
            Person.name,
        )
        .join(ranked, and_(ranked.c.id == pu.id, ranked.c.n == 1))
        .join(Milestone, Milestone.id == pu.milestone_id)
        .outerjoin(Person, Person.id == pu.author_id)
    )
    return {
        row[0]: _Latest(
            at=row[1],
            status=row[2],
            note=row[3],
            evidence_url=row[4],
            next_steps=row[5],
            blockers=row[6],
            decision=row[7],
            author=row[8],
        )
        for row in db.execute(stmt)
    }


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
        counts = {k: sum(1 for r in mine if r.health.value == k) for k in BRAG}
        out.append(
            DigestPriority(
                code=p.code,
                title=p.title,
                period=p.period,
                areas=areas,
                milestones=len(mine),
                complete=counts["complete"],
                counts=counts,
                health=_value(roll_up(r.health for r in mine)),
            )
        )
    return out


def _local_date(moment: datetime, tz: str) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(tz)).date()


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
    """
    summary, rows = queries.chair_summary_and_rows(db=db, plan_id=plan_id, today=today)
    calendar = summary.calendar
    tz = summary.plan.timezone
    totals = summary.totals
    latest = _latest_updates(db, plan_id)
    headline = Headline(
        milestones=totals.milestones,
        complete=totals.complete,
        share_complete=totals.share_complete,
        percent_complete=totals.percent_complete,
        counts={h.value: n for h, n in totals.counts.items()},
    )
    by_area: dict[str, list[DigestRow]] = {}
    for r in rows:
        by_area.setdefault(r.area_code, []).append(_row(r, latest=latest.get(r.code)))
    open_rows = [r for r in rows if r.health is not Health.COMPLETE]
    due_before = [_row(r) for r in open_rows if r.due is not None and today <= r.due < meeting_on]
    ahead_to = next_meeting or meeting_on
    month_ahead = [
        _row(r)
        for r in open_rows
        if r.due is not None and r.due < ahead_to and r.health is not Health.OVERDUE
    ]
    if reminders_at is not None:
        awaiting = [r.code for r in open_rows if r.last_update_at is None or r.last_update_at < reminders_at]
    else:
        awaiting = [r.code for r in open_rows if r.stale]
    decisions = []
    risks = []
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
                    asked_on=_local_date(last.at, tz),
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
    due_of = {r.code: r.due for r in rows}
    completions = []
    for c in summary.completions:
        last = latest.get(c.code)
        done_on = _local_date(c.at, tz)
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
    previous = _previous_digests(db=db, plan_id=plan_id, before=meeting_on)
    last_digest = previous[-1] if previous else None
    history = [BragPoint(meeting_on=p.meeting_on, counts=p.headline.counts) for p in previous[-11:]]
    history.append(BragPoint(meeting_on=meeting_on, counts=headline.counts))
    return Digest(
        plan_title=summary.plan.title,
        authority=summary.plan.authority,
        board_name=calendar.board_name or "The board",
        meeting_on=meeting_on,
        meeting_local=meeting_local,
        previous_meeting=calendar.previous_on,
        generated_at=now,
        headline=headline,
        last_headline=last_digest.headline if last_digest else None,
        health=None,  # no plan-wide worst-wins status: the BRAG counts say where the plan stands
        exceptions=[_row(e.row, e.kind.value, latest.get(e.row.code)) for e in summary.exceptions],
        completions=completions,
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
        timezone=tz,
        awaiting_update=awaiting,
        awaiting_since=_local_date(reminders_at, tz) if reminders_at is not None else None,
        decisions=decisions,
        risks=risks,
        priorities=_priorities(db, plan_id, rows),
        next_meeting=next_meeting,
        month_ahead=sorted(month_ahead, key=lambda d: (d.due or ahead_to, d.code)),
        dates_ahead=dates_ahead or [],
        last_area_health={a.code: a.health for a in last_digest.areas} if last_digest else None,
        brag_history=history,
        measures=_measures(db, plan_id, today),
        paper=True,
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


def _value(h: Health | None) -> str | None:
    return h.value if h is not None else None
