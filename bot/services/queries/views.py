"""The plan overview, an area, a milestone, and the milestone lists (overdue, due soon, by rating, stale, by priority)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.services.due_dates import due_phrase
from bot.services.errors import InvalidInput, NotFound
from bot.services.milestone_events import milestone_events
from bot.services.queries.context import _plan_context
from bot.services.queries.people import (
    _delegate_active,
    _person_alias,
    _person_columns,
    _person_info,
)
from bot.services.queries.results import (
    DEFAULT_DUE_SOON_DAYS,
    AreaDetail,
    AreaRef,
    BoardCalendar,
    DueSoon,
    MilestoneDetail,
    MilestoneList,
    MilestoneRow,
    PlanOverview,
    PriorityRef,
    PriorityReport,
    PriorityView,
    RatedList,
    UpdateEntry,
)
from bot.services.queries.rows import _due_order, _load_rows, _stale_filter, _unfinished
from bot.services.queries.tally import _aggregate, _area_summaries, _load_areas, _tally
from bot.services.read_model import cached, uses_cache
from bot.services.status import SEVERITY, Health
from models import (
    Area,
    Milestone,
    Priority,
    ProgressUpdate,
    priority_area,
)
from models.codes import normal_code
from models.vocab import Status

# ---------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------


def plan_overview(*, db: Session, plan_id: int, today: date, now: datetime | None = None) -> PlanOverview:
    """Each area (in plan order) with its rolled-up health and figures, and the plan's totals.

    Four statements: plan and board, overrides, areas, and one GROUP BY over the milestones.
    """
    plan, calendar = _plan_context(db, plan_id, today, now)
    areas = _load_areas(db, plan_id)
    total, by_area = _aggregate(db, plan_id, calendar, Milestone.area_id)
    return PlanOverview(
        plan=plan,
        calendar=calendar,
        health=total.health(),
        totals=total.figures(),
        areas=_area_summaries(areas, by_area),
    )


def _normal_code(text: str) -> str:
    return text.strip().upper()


def _not_found(kind: str, code: str, known: Sequence[str]) -> NotFound:
    shown = code.strip() or "(blank)"
    if known and len(known) <= 30:
        return NotFound(f"There is no {kind} {shown} in this plan. It has: {', '.join(known)}.")
    return NotFound(f"There is no {kind} {shown} in this plan.")


def _same_code(code: str, wanted: str) -> bool:
    """ "AFI-5", "afi5" and "afi 05" name the same thing."""
    return normal_code(code) == normal_code(wanted)


def area_detail(*, db: Session, plan_id: int, today: date, code: str) -> AreaDetail:
    """An area, its milestones and the strategic priorities that serve it. Five statements; with kept
    answers, none once the plan's areas are kept for the revision and day (_plan_areas)."""
    if uses_cache(db):
        kept = _plan_areas(db=db, plan_id=plan_id, today=today)
        found = _find_area(kept.areas, code)
        return _area_detail(
            found, kept.priorities.get(found[0], ()), kept.milestones.get(found[0], ()), kept.calendar
        )
    _plan, calendar = _plan_context(db, plan_id, today)
    found = _find_area(_load_areas(db, plan_id), code)
    priorities = [
        PriorityRef(code=p.code, title=p.title, period=p.period)
        for p in db.execute(_AREA_PRIORITIES.where(priority_area.c.area_id == found[0]))
    ]
    rows = [item.row for item in _load_rows(db, plan_id, calendar, Milestone.area_id == found[0])]
    return _area_detail(found, priorities, rows, calendar)


def _find_area(areas: Sequence[tuple[int, str, str, str]], code: str) -> tuple[int, str, str, str]:
    found = next((a for a in areas if _same_code(a[1], code)), None)
    if found is None:
        raise _not_found("area", code, [a[1] for a in areas])
    return found


_AREA_PRIORITIES = (
    select(Priority.code, Priority.title, Priority.period, priority_area.c.area_id)
    .join(priority_area, priority_area.c.priority_id == Priority.id)
    .order_by(Priority.position, Priority.id)
)


def _area_detail(
    area: tuple[int, str, str, str],
    priorities: Iterable[PriorityRef],
    rows: Iterable[MilestoneRow],
    calendar: BoardCalendar,
) -> AreaDetail:
    shown = list(rows)
    summary = _area_summaries([area], {area[0]: _tally(shown, calendar.today)})[0]
    return AreaDetail(area=summary, priorities=list(priorities), milestones=shown, calendar=calendar)


@dataclass(frozen=True, slots=True)
class _PlanAreas:
    """Every area with its priorities and milestones, as the board reads them today."""

    calendar: BoardCalendar
    areas: tuple[tuple[int, str, str, str], ...]
    priorities: dict[int, tuple[PriorityRef, ...]]
    milestones: dict[int, tuple[MilestoneRow, ...]]


def keep_areas(*, db: Session, plan_id: int, today: date) -> None:
    """Read the plan's areas now (at start-up), for the first area asked."""
    _plan_areas(db=db, plan_id=plan_id, today=today)


@cached
def _plan_areas(*, db: Session, plan_id: int, today: date) -> _PlanAreas:
    """Five statements once per revision and day, so that each area asked after the first costs none
    (a plan's areas are asked for one by one, 3 to 30 of them)."""
    _plan, calendar = _plan_context(db, plan_id, today)
    areas = tuple(_load_areas(db, plan_id))
    priorities: dict[int, list[PriorityRef]] = defaultdict(list)
    for p in db.execute(_AREA_PRIORITIES.where(Priority.plan_id == plan_id)):
        priorities[p.area_id].append(PriorityRef(code=p.code, title=p.title, period=p.period))
    milestones: dict[int, list[MilestoneRow]] = defaultdict(list)
    for item in _load_rows(db, plan_id, calendar):
        milestones[item.area_id].append(item.row)
    return _PlanAreas(
        calendar,
        areas,
        {area_id: tuple(found) for area_id, found in priorities.items()},
        {area_id: tuple(rows) for area_id, rows in milestones.items()},
    )


def milestone_detail(*, db: Session, plan_id: int, today: date, code: str) -> MilestoneDetail:
    """One milestone with its area, priority, owner, the owner's delegate and every update, newest first.

    Six statements (the sixth: revised dates, owner changes and reopenings from the audit log).
    """
    plan, calendar = _plan_context(db, plan_id, today)
    loaded = _load_rows(db, plan_id, calendar, func.upper(Milestone.code) == _normal_code(code))
    if not loaded:  # "m7" for M-07: one more statement to read the codes, only when the exact one fails
        codes = db.execute(
            select(Milestone.id, Milestone.code)
            .where(Milestone.plan_id == plan_id)
            .order_by(Milestone.position, Milestone.id)
        ).all()
        match = next((m for m in codes if _same_code(m.code, code)), None)
        if match is None:
            raise _not_found("milestone", code, [m.code for m in codes])
        loaded = _load_rows(db, plan_id, calendar, Milestone.id == match.id)
    item = loaded[0]

    owner, delegate = _person_alias("owner"), _person_alias("delegate")
    extra = db.execute(
        select(
            Area.code,
            Area.title,
            Area.description,
            Priority.code,
            Priority.title,
            Priority.period,
            *_person_columns(owner, delegate),
            Milestone.due,
            Milestone.baseline_due,
            Milestone.due_revised_by,
            Milestone.due_revised_on,
            Milestone.due_requested,
        )
        .select_from(Milestone)
        .join(Area, Area.id == Milestone.area_id)
        .outerjoin(Priority, Priority.id == Milestone.priority_id)
        .outerjoin(owner, owner.id == Milestone.owner_id)
        .outerjoin(delegate, delegate.id == owner.delegate_id)
        .where(Milestone.id == item.id)
    ).one()
    due, baseline, revised_by, revised_on, requested = tuple(extra)[-5:]
    owner_info = _person_info(extra, 6)
    active_delegate = (
        owner_info.delegate
        if owner_info is not None and _delegate_active(owner_info.delegate_until, today)
        else None
    )

    author = _person_alias("author")
    history = [
        UpdateEntry(
            at=u.at,
            author_key=u.author_key,
            author_name=u.author_name,
            status=Status(u.status),
            previous_status=Status(u.previous_status) if u.previous_status else None,
            percent=u.percent,
            previous_percent=u.previous_percent,
            note=u.note,
            evidence_url=u.evidence_url,
            next_steps=u.next_steps,
            blockers=u.blockers,
            source=u.source,
            update_id=u.id,
        )
        for u in db.execute(
            select(
                ProgressUpdate.id,
                ProgressUpdate.at,
                author.key.label("author_key"),
                author.name.label("author_name"),
                ProgressUpdate.status,
                ProgressUpdate.previous_status,
                ProgressUpdate.percent,
                ProgressUpdate.previous_percent,
                ProgressUpdate.note,
                ProgressUpdate.evidence_url,
                ProgressUpdate.next_steps,
                ProgressUpdate.blockers,
                ProgressUpdate.source,
            )
            .outerjoin(author, author.id == ProgressUpdate.author_id)
            .where(ProgressUpdate.milestone_id == item.id, ProgressUpdate.shown())
            .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        )
    ]
    return MilestoneDetail(
        due_line=due_phrase(due, baseline, revised_by, revised_on, requested) if due else "",
        events=tuple(milestone_events(db, plan_id, item.row.code)),
        row=item.row,
        area=AreaRef(code=extra[0], title=extra[1], description=extra[2]),
        priority=PriorityRef(code=extra[3], title=extra[4], period=extra[5]) if extra[3] else None,
        owner=owner_info,
        delegate=active_delegate,
        history=history,
        calendar=calendar,
    )


def overdue(*, db: Session, plan_id: int, today: date) -> MilestoneList:
    """Unfinished milestones past their due date, longest overdue first. Three statements."""
    plan, calendar = _plan_context(db, plan_id, today)
    loaded = _load_rows(db, plan_id, calendar, _unfinished(), Milestone.due < today)
    rows = sorted((i.row for i in loaded), key=_due_order)
    return MilestoneList(kind="overdue", rows=rows, calendar=calendar)


def due_soon(
    *,
    db: Session,
    plan_id: int,
    today: date,
    days: int | None = None,
    frm: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> DueSoon:
    """Unfinished milestones due from today to ``days`` ahead (inclusive), from ``frm`` to ``until``
    (a window asked for in words), or else from today until the next meeting (the day before it, but
    never before today: on a board day that is today's items).

    With no next meeting in view, the default looks DEFAULT_DUE_SOON_DAYS ahead. Three statements.
    """
    if days is not None and days < 0:
        raise InvalidInput("The number of days ahead cannot be negative.", field="days")
    plan, calendar = _plan_context(db, plan_id, today, now)
    basis: Literal["days", "next meeting", "dates"] = "days"
    start = today
    if frm is not None and until is not None:
        if until < frm:
            raise InvalidInput("That window ends before it starts.", field="days")
        start, basis = frm, "dates"
    elif days is not None:
        until = today + timedelta(days=days)
    elif calendar.next_on is not None:
        until, basis = max(today, calendar.next_on - timedelta(days=1)), "next meeting"
    else:
        until = today + timedelta(days=DEFAULT_DUE_SOON_DAYS)
    loaded = _load_rows(db, plan_id, calendar, _unfinished(), Milestone.due >= start, Milestone.due <= until)
    rows = sorted((i.row for i in loaded), key=_due_order)
    return DueSoon(rows=rows, frm=start, until=until, basis=basis, calendar=calendar)


def by_rating(
    *, db: Session, plan_id: int, today: date, ratings: Iterable[str], now: datetime | None = None
) -> RatedList:
    """Milestones the board reads as any of these ratings ("off track", "overdue", "complete", ...),
    worst first, then by due date. Three statements."""
    wanted = frozenset(Health(r) for r in ratings)
    plan, calendar = _plan_context(db, plan_id, today, now)
    statuses = [h.value for h in wanted if h is not Health.OVERDUE]
    conditions: list[ColumnElement[bool]] = [Milestone.status.in_(statuses)] if statuses else []
    if Health.OVERDUE in wanted:
        conditions.append(and_(_unfinished(), Milestone.due < today))
    loaded = _load_rows(db, plan_id, calendar, or_(*conditions))
    rows = sorted(
        (i.row for i in loaded if i.row.health in wanted),
        key=lambda r: (SEVERITY[r.health], r.due or date.max, r.code),
    )
    return RatedList(ratings=wanted, rows=rows, calendar=calendar)


def stale(*, db: Session, plan_id: int, today: date) -> MilestoneList:
    """Unfinished milestones with no update since the previous board meeting, least recently updated first.

    Three statements (two when the board has not met yet).
    """
    plan, calendar = _plan_context(db, plan_id, today)
    condition = _stale_filter(calendar)
    if condition is None:
        return MilestoneList(kind="stale", rows=[], calendar=calendar)
    loaded = _load_rows(db, plan_id, calendar, condition)
    never = datetime.min.replace(tzinfo=UTC)
    rows = sorted(
        (i.row for i in loaded), key=lambda r: (r.last_update_at or never, r.due or date.max, r.code)
    )
    return MilestoneList(kind="stale", rows=rows, calendar=calendar)


def by_priority(*, db: Session, plan_id: int, today: date, code: str | None = None) -> PriorityReport:
    """Each strategic priority (or the one named): the areas it serves and its milestones, counted
    through those areas as well as direct links. Five statements."""
    plan, calendar = _plan_context(db, plan_id, today)
    priorities = db.execute(
        select(Priority.id, Priority.code, Priority.title, Priority.period)
        .where(Priority.plan_id == plan_id)
        .order_by(Priority.position, Priority.id)
    ).all()
    if code is not None:
        chosen = [p for p in priorities if _same_code(p.code, code)][:1]
        if not chosen:
            raise _not_found("strategic priority", code, [p.code for p in priorities])
        priorities = chosen
    ids = [p.id for p in priorities]
    served: dict[int, list[AreaRef]] = defaultdict(list)
    link_stmt = (
        select(priority_area.c.priority_id, Area.code, Area.title, Area.description)
        .join(Area, Area.id == priority_area.c.area_id)
        .where(Area.plan_id == plan_id)
        .order_by(Area.position, Area.id)
    )
    served_ids: dict[int, set[int]] = defaultdict(set)
    if code is not None:
        link_stmt = link_stmt.where(priority_area.c.priority_id == ids[0])
    for link in db.execute(link_stmt.add_columns(Area.id)):
        served[link.priority_id].append(
            AreaRef(code=link.code, title=link.title, description=link.description)
        )
        served_ids[link.priority_id].add(link.id)
    # A priority's milestones: those linked to it directly and those of the areas it serves, each once.
    by_id: dict[int, list[MilestoneRow]] = defaultdict(list)
    for item in _load_rows(db, plan_id, calendar):
        for pid in ids:
            if item.priority_id == pid or item.area_id in served_ids[pid]:
                by_id[pid].append(item.row)
    tallies = {p.id: _tally(by_id[p.id], today) for p in priorities}
    views = [
        PriorityView(
            code=p.code,
            title=p.title,
            period=p.period,
            health=tallies[p.id].health(),
            figures=tallies[p.id].figures(),
            areas=served[p.id],
            milestones=by_id[p.id],
        )
        for p in priorities
    ]
    return PriorityReport(priorities=views, calendar=calendar)
