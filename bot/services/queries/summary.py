"""The chair's summary: exceptions, changes since the last meeting and the headline figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.services.queries.context import _plan_context
from bot.services.queries.people import _person_alias
from bot.services.queries.results import (
    _STATUSES,
    DEFAULT_DUE_SOON_DAYS,
    BoardCalendar,
    ChairSummary,
    Change,
    ExceptionItem,
    ExceptionKind,
    MilestoneRow,
    PlanInfo,
)
from bot.services.queries.rows import _due_order, _load_rows, _stale_filter, _unfinished
from bot.services.queries.tally import _aggregate, _area_summaries, _load_areas, _Tally
from bot.services.status import SEVERITY, Health
from models import (
    Area,
    Milestone,
    ProgressUpdate,
)
from models.timezones import local_day_start
from models.vocab import Status

# ---------------------------------------------------------------------------------------------------
# The chair's summary
# ---------------------------------------------------------------------------------------------------

_EXCEPTION_HEALTH: dict[Health, ExceptionKind] = {
    Health.OVERDUE: ExceptionKind.OVERDUE,
    Health.OFF_TRACK: ExceptionKind.OFF_TRACK,
    Health.AT_RISK: ExceptionKind.AT_RISK,
}


def _exceptions(rows: Iterable[MilestoneRow]) -> list[ExceptionItem]:
    """Off track, at risk or overdue, or a revised date awaiting the chair: what the board must look at.

    A stale on-track item is not one. A revised date comes after the ratings: it asks for a decision,
    not a recovery.
    """
    items: list[tuple[tuple[int, date, str], ExceptionItem]] = []
    for r in rows:
        kind = _EXCEPTION_HEALTH.get(r.health)
        rank = SEVERITY[r.health]
        if kind is None and r.due_requested is not None and r.health is not Health.COMPLETE:
            kind, rank = ExceptionKind.REVISED_DATE, len(SEVERITY)
        if kind is None:
            continue
        items.append(((rank, r.due or date.max, r.code), ExceptionItem(kind=kind, row=r)))
    return [item for _key, item in sorted(items, key=lambda pair: pair[0])]


def _changes_since(
    db: Session, plan_id: int, calendar: BoardCalendar, since_day: date | None = None
) -> list[Change]:
    """Every milestone updated since the previous meeting's day (up to the end of today). One statement.

    Window functions keep only each milestone's first and last update of the period, so the rows
    returned follow the milestones updated, not the number of updates.
    """
    since = calendar.since_previous if since_day is None else local_day_start(since_day, calendar.timezone)
    if since is None:
        return []
    end = local_day_start(calendar.today + timedelta(days=1), calendar.timezone)
    pu = ProgressUpdate
    recent = (
        select(
            pu.milestone_id.label("milestone_id"),
            pu.at.label("at"),
            pu.status.label("status"),
            pu.previous_status.label("previous_status"),
            pu.percent.label("percent"),
            pu.previous_percent.label("previous_percent"),
            pu.author_id.label("author_id"),
            func.row_number().over(partition_by=pu.milestone_id, order_by=(pu.at, pu.id)).label("first_rank"),
            func.row_number()
            .over(partition_by=pu.milestone_id, order_by=(pu.at.desc(), pu.id.desc()))
            .label("last_rank"),
            func.count().over(partition_by=pu.milestone_id).label("n"),
        )
        # A range scan of the (plan_id, at) index: the updates of the period, not the plan's history.
        .where(pu.plan_id == plan_id, pu.at >= since, pu.at < end, pu.shown())
        .subquery("recent")
    )
    r = recent.c
    author = _person_alias("author")
    stmt = (
        select(
            r.milestone_id,
            r.first_rank,
            r.at,
            r.status,
            r.previous_status,
            r.percent,
            r.previous_percent,
            r.n,
            Milestone.code,
            Milestone.title,
            Area.code,
            author.name,
        )
        .join(Milestone, Milestone.id == r.milestone_id)
        .join(Area, Area.id == Milestone.area_id)
        .outerjoin(author, author.id == r.author_id)
        .where(or_(r.first_rank == 1, r.last_rank == 1))
    )
    firsts: dict[int, Any] = {}
    lasts: dict[int, Any] = {}
    for row in db.execute(stmt):
        if row[1] == 1:
            firsts[row[0]] = row
        if row[1] == row[7]:  # first rank n is the last one
            lasts[row[0]] = row
    changes = []
    for milestone_id, last in lasts.items():
        first = firsts[milestone_id]
        changes.append(
            Change(
                code=last[8],
                title=last[9],
                area_code=last[10],
                from_status=_STATUSES[first[4]] if first[4] else None,
                to_status=_STATUSES[last[3]],
                from_percent=first[6],
                to_percent=last[5],
                updates=last[7],
                at=last[2],
                author_name=last[11],
            )
        )
    changes.sort(key=lambda c: (c.at, c.code), reverse=True)
    return changes


def changes(
    *, db: Session, plan_id: int, today: date, since: date | None = None, now: datetime | None = None
) -> tuple[BoardCalendar, list[Change]]:
    """Milestones updated since a day (or since the previous meeting's day), most recent first.
    Three statements."""
    _, calendar = _plan_context(db, plan_id, today, now)
    return calendar, _changes_since(db, plan_id, calendar, since)


def chair_summary(*, db: Session, plan_id: int, today: date, now: datetime | None = None) -> ChairSummary:
    """The board's headline: position, areas, exceptions first, changes since the last meeting, what is due.

    Six statements: plan and board, overrides, areas, totals (one GROUP BY), the milestones worth
    naming (exceptions and those due before the next meeting, with their latest update), and the
    updates since the previous meeting.
    """
    plan, calendar = _plan_context(db, plan_id, today, now)
    areas = _load_areas(db, plan_id)
    total, by_area = _aggregate(db, plan_id, calendar, Milestone.area_id)

    worth_naming: list[ColumnElement[bool]] = [
        Milestone.status.in_([Status.AT_RISK.value, Status.OFF_TRACK.value]),
        Milestone.due < today,
        Milestone.due_requested.is_not(None),
    ]
    stale_condition = _stale_filter(calendar)
    if stale_condition is not None:
        worth_naming.append(stale_condition)
    worth_naming.append(Milestone.due < due_horizon(calendar))  # due from today until the meeting
    rows = [item.row for item in _load_rows(db, plan_id, calendar, _unfinished(), or_(*worth_naming))]
    return _summary(db, plan, calendar, areas, total, by_area, rows)


def _summary(
    db: Session,
    plan: PlanInfo,
    calendar: BoardCalendar,
    areas: Sequence[tuple[int, str, str, str]],
    total: _Tally,
    by_area: Mapping[int, _Tally],
    rows: Sequence[MilestoneRow],
) -> ChairSummary:
    """The summary from its figures and the milestones worth naming (in plan order); reads the changes."""
    today, until = calendar.today, due_horizon(calendar)
    due_before_next = sorted(
        (r for r in rows if r.due is not None and today <= r.due < until), key=_due_order
    )
    return ChairSummary(
        plan=plan,
        calendar=calendar,
        health=total.health(),
        totals=total.figures(),
        areas=_area_summaries(areas, by_area),
        exceptions=_exceptions(rows),
        changes=_changes_since(db, plan.id, calendar),
        awaiting_update=[r.code for r in rows if r.stale],
        due_before_next=due_before_next,
    )


def _worth_naming(r: MilestoneRow, calendar: BoardCalendar) -> bool:
    """chair_summary's SQL filter, for a row already read: unfinished, and at risk or off track,
    overdue, stale, due before the next meeting, or with a revised date awaiting approval."""
    if r.status is Status.COMPLETE:
        return False
    return (
        r.status in (Status.AT_RISK, Status.OFF_TRACK)
        or r.stale
        or r.due_requested is not None
        or (r.due is not None and r.due < due_horizon(calendar))
    )


def due_horizon(calendar: BoardCalendar) -> date:
    """The day before which a milestone counts as "due before the next board": the next meeting's day,
    or, with no meeting in view, the day after the DEFAULT_DUE_SOON_DAYS that `/qib due` looks ahead."""
    if calendar.next_on is not None:
        return calendar.next_on
    return calendar.today + timedelta(days=DEFAULT_DUE_SOON_DAYS + 1)


def chair_summary_and_rows(
    *, db: Session, plan_id: int, today: date
) -> tuple[ChairSummary, list[MilestoneRow]]:
    """chair_summary and milestone_rows together, from one read of the milestones (the digest needs both).

    Five statements: plan and board, overrides, areas, every milestone with its latest update, and the
    updates since the previous meeting. The totals and the milestones worth naming are worked out
    from the rows, as area_detail does, instead of being read again.
    """
    plan, calendar = _plan_context(db, plan_id, today)
    areas = _load_areas(db, plan_id)
    loaded = _load_rows(db, plan_id, calendar)
    total = _Tally()
    by_area: dict[int, _Tally] = defaultdict(_Tally)
    for item in loaded:
        total.add_row(item.row, today)
        by_area[item.area_id].add_row(item.row, today)
    rows = [item.row for item in loaded]
    named = [r for r in rows if _worth_naming(r, calendar)]
    return _summary(db, plan, calendar, areas, total, by_area, named), rows


def milestone_rows(*, db: Session, plan_id: int, today: date) -> tuple[BoardCalendar, list[MilestoneRow]]:
    """Every milestone of the plan as the board reads it today, in plan order: three statements."""
    _, calendar = _plan_context(db, plan_id, today)
    return calendar, [item.row for item in _load_rows(db, plan_id, calendar)]
