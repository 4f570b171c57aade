"""Status queries and the chair's summary: the plan as the board reads it, Slack-free.

Every query takes the session, the plan and the local date (``today``, in the plan's timezone) as
keyword arguments and returns frozen dataclasses, never ORM rows, so the Slack, console and CLI
renderers share them.

Each query runs a fixed, small number of SQL statements whatever the size of the plan: the plan and
board (one), the meeting overrides (one), then one statement per kind of thing shown (milestones, the
updates since the last meeting, ...). Nothing is lazy-loaded and nothing is queried per milestone or per
area. The latest update of a milestone (for the reason behind its rating) is a correlated
``ORDER BY at DESC, id DESC LIMIT 1`` on the ``(milestone_id, at, id)`` index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Select, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from bot.services.calendar import Meeting, Override, next_meeting, previous_meeting
from bot.services.due_dates import due_phrase
from bot.services.errors import InvalidInput, NotFound
from bot.services.milestone_events import MilestoneEvent, milestone_events
from bot.services.search import normalise_code
from bot.services.status import SEVERITY, Health, health, is_stale, roll_up
from models import (
    Area,
    Board,
    MeetingOverride,
    Milestone,
    Person,
    Plan,
    Priority,
    ProgressUpdate,
    priority_area,
)
from models.base import UTCDateTime
from models.vocab import Status

__all__ = [
    "DEFAULT_DUE_SOON_DAYS",
    "REASON_MAX_CHARS",
    "AreaDetail",
    "AreaRef",
    "AreaSummary",
    "BoardCalendar",
    "Change",
    "ChairSummary",
    "DueSoon",
    "ExceptionKind",
    "ExceptionItem",
    "Figures",
    "MilestoneDetail",
    "MilestoneList",
    "MilestoneRow",
    "OwnedMilestone",
    "PersonInfo",
    "PersonMilestones",
    "PersonRef",
    "PlanInfo",
    "PlanOverview",
    "PriorityRef",
    "PriorityReport",
    "PriorityView",
    "RatedList",
    "UpdateEntry",
    "area_detail",
    "board_calendar",
    "by_priority",
    "by_rating",
    "changes",
    "chair_summary",
    "chair_summary_and_rows",
    "due_soon",
    "find_person",
    "milestone_detail",
    "milestones_for",
    "overdue",
    "person_by_slack_id",
    "plan_overview",
    "stale",
]

#: due_soon(days=None) looks up to the next board meeting; with no meeting in view, this far ahead.
DEFAULT_DUE_SOON_DAYS = 28

#: The reason shown beside a rating (latest note and blockers) is cut to this length.
REASON_MAX_CHARS = 280

_COMPLETE = Status.COMPLETE.value
_STATUSES: dict[str, Status] = {s.value: s for s in Status}


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    title: str
    authority: str
    timezone: str
    channel: str | None


@dataclass(frozen=True, slots=True)
class BoardCalendar:
    """The board meetings either side of ``today``: previous is strictly before it, next is today or later."""

    today: date
    timezone: str
    board_name: str | None
    previous: Meeting | None
    next: Meeting | None

    @property
    def previous_on(self) -> date | None:
        return self.previous.on if self.previous else None

    @property
    def next_on(self) -> date | None:
        return self.next.on if self.next else None

    @property
    def since_previous(self) -> datetime | None:
        """The UTC instant the previous meeting's local day began: updates from then on are "since"."""
        if self.previous is None:
            return None
        return _local_day_start(self.previous.on, self.timezone)


@dataclass(frozen=True, slots=True)
class PersonRef:
    key: str
    name: str
    role: str | None
    slack_user_id: str | None


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: int
    key: str
    name: str
    role: str | None
    slack_user_id: str | None
    email: str | None
    is_admin: bool
    is_chair: bool
    delegate: PersonRef | None
    delegate_until: date | None

    @property
    def ref(self) -> PersonRef:
        return PersonRef(self.key, self.name, self.role, self.slack_user_id)


@dataclass(frozen=True, slots=True)
class AreaRef:
    code: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class PriorityRef:
    code: str
    title: str
    period: str | None


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """One milestone as the board reads it today."""

    code: str
    title: str
    area_code: str
    area_title: str
    priority_code: str | None
    owner_key: str | None
    owner_name: str | None
    owner_role: str | None
    owner_slack_id: str | None
    due: date | None
    status: Status  # as stored (the latest update's)
    health: Health  # what the board reads: overdue beats the stored status
    percent: int
    last_update_at: datetime | None  # aware, UTC
    last_update_age_days: int | None  # local days since the last update; None when never updated
    stale: bool  # unfinished, and no update since the previous board meeting
    reason: str | None  # the latest update's blockers and note, trimmed
    overdue_days: int  # 0 unless overdue
    baseline_due: date | None = None  # the plan's original date, once a revised one is approved
    due_requested: date | None = None  # a revised date the owner asked for, awaiting the chair
    due_request_reason: str | None = None  # why the owner asked for it


@dataclass(frozen=True, slots=True)
class Figures:
    """Totals over a set of milestones (an area, a priority, the plan)."""

    milestones: int
    complete: int
    counts: Mapping[Health, int]  # every Health, worst first
    percent_complete: float  # mean of the milestones' percent, one decimal
    share_complete: float  # percentage of the milestones that are complete, one decimal
    overdue: int
    stale: int
    next_due: date | None  # earliest due date, today or later, of an unfinished milestone


@dataclass(frozen=True, slots=True)
class AreaSummary:
    code: str
    title: str
    description: str
    health: Health | None  # rolled up from its milestones; None when it has none
    figures: Figures


@dataclass(frozen=True, slots=True)
class PlanOverview:
    plan: PlanInfo
    calendar: BoardCalendar
    health: Health | None
    totals: Figures
    areas: list[AreaSummary]


@dataclass(frozen=True, slots=True)
class AreaDetail:
    area: AreaSummary
    priorities: list[PriorityRef]  # the strategic priorities that serve this area
    milestones: list[MilestoneRow]
    calendar: BoardCalendar


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    at: datetime
    author_key: str | None
    author_name: str | None
    status: Status
    previous_status: Status | None
    percent: int
    previous_percent: int | None
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    source: str
    update_id: int | None = None  # shown as its reference, U-1234 (bot.services.redaction)


@dataclass(frozen=True, slots=True)
class MilestoneDetail:
    row: MilestoneRow
    area: AreaRef
    priority: PriorityRef | None
    owner: PersonInfo | None
    delegate: PersonRef | None  # who covers for the owner today, if anyone
    history: list[UpdateEntry]  # newest first
    calendar: BoardCalendar
    due_line: str = ""  # "due 31 Mar, revised to 30 Apr, approved by ..." (plain text)
    events: tuple[MilestoneEvent, ...] = ()  # revised dates, owner changes, reopenings; newest first


@dataclass(frozen=True, slots=True)
class OwnedMilestone:
    row: MilestoneRow
    covered_for: PersonRef | None  # the owner this person covers for; None for their own

    @property
    def covered(self) -> bool:
        return self.covered_for is not None


@dataclass(frozen=True, slots=True)
class PersonMilestones:
    person: PersonInfo
    covering_for: list[PersonRef]  # people whose milestones this person covers today
    items: list[OwnedMilestone]  # their own first, then those covered; each by due date
    calendar: BoardCalendar


@dataclass(frozen=True, slots=True)
class MilestoneList:
    kind: Literal["overdue", "stale"]
    rows: list[MilestoneRow]
    calendar: BoardCalendar


@dataclass(frozen=True, slots=True)
class DueSoon:
    rows: list[MilestoneRow]
    frm: date  # inclusive (today, unless a window was asked for)
    until: date  # inclusive
    basis: Literal["days", "next meeting", "dates"]
    calendar: BoardCalendar


@dataclass(frozen=True, slots=True)
class RatedList:
    """Milestones with any of the ratings asked for (the board's reading: overdue beats the stored one)."""

    ratings: frozenset[Health]
    rows: list[MilestoneRow]
    calendar: BoardCalendar


@dataclass(frozen=True, slots=True)
class PriorityView:
    code: str
    title: str
    period: str | None
    health: Health | None
    figures: Figures
    areas: list[AreaRef]  # the areas it serves, in plan order
    milestones: list[MilestoneRow]


@dataclass(frozen=True, slots=True)
class PriorityReport:
    priorities: list[PriorityView]
    calendar: BoardCalendar


class ExceptionKind(StrEnum):
    """What makes a milestone an exception for the board, worst first.

    Staleness is not one: a milestone keeps its rating and staleness is a marker beside it. A revised
    due date awaiting the chair's approval is one (REVISED_DATE) when nothing worse is: the board
    decides on it. A worse exception keeps its kind and its row still carries the requested date.
    """

    OVERDUE = "overdue"
    OFF_TRACK = "off track"
    AT_RISK = "at risk"
    REVISED_DATE = "revised date awaiting approval"


@dataclass(frozen=True, slots=True)
class ExceptionItem:
    kind: ExceptionKind  # the worst thing about it; row.stale may also be true
    row: MilestoneRow


@dataclass(frozen=True, slots=True)
class Change:
    """What happened to one milestone since the previous board meeting (all its updates in that time)."""

    code: str
    title: str
    area_code: str
    from_status: Status | None  # before the first update since the meeting (None: never rated before)
    to_status: Status  # after the latest one
    from_percent: int | None
    to_percent: int
    updates: int
    at: datetime  # the latest update
    author_name: str | None  # of the latest update

    @property
    def moved(self) -> bool:
        return self.from_status != self.to_status

    @property
    def completed(self) -> bool:
        return self.to_status is Status.COMPLETE and self.from_status is not Status.COMPLETE


@dataclass(frozen=True, slots=True)
class ChairSummary:
    plan: PlanInfo
    calendar: BoardCalendar
    health: Health | None
    totals: Figures
    areas: list[AreaSummary]
    exceptions: list[ExceptionItem]  # worst first, then by due date
    changes: list[Change]  # milestones updated since the previous meeting, most recent first
    due_before_next: list[MilestoneRow]  # unfinished, due from today until the next meeting

    awaiting_update: list[str] = field(default_factory=list)  # unfinished, no update since the last board

    @property
    def status_moves(self) -> list[Change]:
        return [c for c in self.changes if c.moved]

    @property
    def completions(self) -> list[Change]:
        return [c for c in self.changes if c.completed]


# ---------------------------------------------------------------------------------------------------
# Plan and board calendar (two statements)
# ---------------------------------------------------------------------------------------------------


@cache
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _local_day_start(d: date, tz: str) -> datetime:
    return datetime.combine(d, time.min, tzinfo=_zone(tz)).astimezone(UTC)


def _local_date(moment: datetime | None, tz: str) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(_zone(tz)).date()


# The statements every query starts with, built once (statements are immutable; values are bound).
_PLAN_AND_BOARD = (
    select(
        Plan.id,
        Plan.title,
        Plan.authority,
        Plan.timezone,
        Plan.channel,
        Board.name,
        Board.rrule,
        Board.start,
        Board.time,
        Board.timezone,
    )
    .outerjoin(Board, Board.plan_id == Plan.id)
    .where(Plan.id == bindparam("plan_id"))
)
_OVERRIDES = (
    select(MeetingOverride.on, MeetingOverride.action, MeetingOverride.to, MeetingOverride.at)
    .join(Board, Board.id == MeetingOverride.board_id)
    .where(Board.plan_id == bindparam("plan_id"))
    .order_by(MeetingOverride.on)
)


@lru_cache(maxsize=64)
def _meetings_around(
    rrule: str, start: date, at: time, tz: str, overrides: tuple[Override, ...], today: date
) -> tuple[Meeting | None, Meeting | None]:
    """The meetings either side of today. Pure, so kept: walking the rule is the costly part of a status
    query, and its inputs (the rule, every override, today) are the key, so a change is never missed."""
    boundary = datetime.combine(today, time.min, tzinfo=_zone(tz))
    return (
        previous_meeting(rrule, start, at, tz, overrides, boundary),
        next_meeting(rrule, start, at, tz, overrides, boundary),
    )


@lru_cache(maxsize=64)
def _meeting_after(
    rrule: str, start: date, at: time, tz: str, overrides: tuple[Override, ...], meeting: Meeting
) -> Meeting | None:
    """The meeting after this one (kept, like _meetings_around: the inputs are the key)."""
    return next_meeting(rrule, start, at, tz, overrides, meeting.starts_at + timedelta(microseconds=1))


def _plan_context(
    db: Session, plan_id: int, today: date, now: datetime | None = None
) -> tuple[PlanInfo, BoardCalendar]:
    """The plan and its meetings either side of today: one SELECT for plan and board, one for overrides.

    With ``now`` (the current instant), a meeting earlier today that has already started is over for
    the board: the next meeting is the one after it ("next meets today at 10:00" only before 10:00).
    """
    found = db.execute(_PLAN_AND_BOARD, {"plan_id": plan_id}).one_or_none()
    if found is None:
        raise NotFound("That plan does not exist (it may have been removed).")
    pid, title, authority, plan_tz, channel, board_name, rrule, start, at, board_tz = found
    plan = PlanInfo(id=pid, title=title, authority=authority, timezone=plan_tz, channel=channel)
    previous = following = None
    if rrule is not None:
        overrides = tuple(
            Override(on=o.on, action=o.action, to=o.to, at=o.at)
            for o in db.execute(_OVERRIDES, {"plan_id": plan_id})
        )
        previous, following = _meetings_around(rrule, start, at, board_tz or plan_tz, overrides, today)
        if now is not None and following is not None and following.starts_at <= now:
            following = _meeting_after(rrule, start, at, board_tz or plan_tz, overrides, following)
    calendar = BoardCalendar(
        today=today, timezone=plan_tz, board_name=board_name, previous=previous, next=following
    )
    return plan, calendar


def board_calendar(*, db: Session, plan_id: int, today: date, now: datetime | None = None) -> BoardCalendar:
    """The previous (strictly before today) and next (today or later, not yet started) board meetings."""
    return _plan_context(db, plan_id, today, now)[1]


# ---------------------------------------------------------------------------------------------------
# Milestone rows (one statement)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A row plus the ids the queries need internally (never handed out)."""

    id: int
    owner_id: int | None
    priority_id: int | None
    area_id: int
    position: int
    row: MilestoneRow


def _latest(column_name: str) -> Any:
    """A column of the milestone's latest update, as a correlated scalar subquery.

    Each one is an index probe on ``(milestone_id, at, id)``, so the cost follows the milestones shown,
    not the plan's history. (An outer join on the latest id made PostgreSQL hash every update.)
    """
    pu = aliased(ProgressUpdate, name=f"latest_{column_name}")
    return (
        select(getattr(pu, column_name))
        .where(pu.milestone_id == Milestone.id, pu.superseded_at.is_(None))
        .order_by(pu.at.desc(), pu.id.desc())
        .limit(1)
        .correlate(Milestone)
        .scalar_subquery()
    )


@cache
def _rows_select(with_reason: bool) -> Select[Any]:
    """The milestone-row SELECT without its WHERE; built once (statements are immutable)."""
    owner = _person_alias("owner")
    columns: list[Any] = [
        Milestone.id,
        Milestone.owner_id,
        Milestone.priority_id,
        Milestone.area_id,
        Milestone.position,
        Milestone.code,
        Milestone.title,
        Milestone.due,
        Milestone.status,
        Milestone.percent,
        Milestone.last_update_at,
        Area.code,
        Area.title,
        Priority.code,
        owner.key,
        owner.name,
        owner.role,
        owner.slack_user_id,
        Milestone.baseline_due,
        Milestone.due_requested,
        Milestone.due_request_reason,
    ]
    if with_reason:
        columns += [_latest("note"), _latest("blockers")]
    return (
        select(*columns)
        .join(Area, Area.id == Milestone.area_id)
        .outerjoin(Priority, Priority.id == Milestone.priority_id)
        .outerjoin(owner, owner.id == Milestone.owner_id)
        .order_by(Milestone.position, Milestone.id)
    )


def _load_rows(
    db: Session,
    plan_id: int,
    calendar: BoardCalendar,
    *where: ColumnElement[bool],
    with_reason: bool = True,
) -> list[_Loaded]:
    """Milestones of the plan matching ``where``, in plan order, as rows: one SELECT."""
    stmt = _rows_select(with_reason).where(Milestone.plan_id == plan_id, *where)
    loaded = []
    for r in db.execute(stmt):
        loaded.append(
            _Loaded(
                id=r[0],
                owner_id=r[1],
                priority_id=r[2],
                area_id=r[3],
                position=r[4],
                row=_make_row(
                    calendar,
                    code=r[5],
                    title=r[6],
                    due=r[7],
                    status=r[8],
                    percent=r[9],
                    last_update_at=r[10],
                    area_code=r[11],
                    area_title=r[12],
                    priority_code=r[13],
                    owner_key=r[14],
                    owner_name=r[15],
                    owner_role=r[16],
                    owner_slack_id=r[17],
                    baseline_due=r[18],
                    due_requested=r[19],
                    due_request_reason=r[20],
                    reason=_reason(r[21], r[22]) if with_reason else None,
                ),
            )
        )
    return loaded


def _make_row(
    calendar: BoardCalendar,
    *,
    code: str,
    title: str,
    due: date | None,
    status: str,
    percent: int,
    last_update_at: datetime | None,
    area_code: str,
    area_title: str,
    priority_code: str | None,
    owner_key: str | None,
    owner_name: str | None,
    owner_role: str | None,
    owner_slack_id: str | None,
    reason: str | None,
    baseline_due: date | None = None,
    due_requested: date | None = None,
    due_request_reason: str | None = None,
) -> MilestoneRow:
    today = calendar.today
    h = health(status, due, today)
    updated_on = _local_date(last_update_at, calendar.timezone)
    return MilestoneRow(
        code=code,
        title=title,
        area_code=area_code,
        area_title=area_title,
        priority_code=priority_code,
        owner_key=owner_key,
        owner_name=owner_name,
        owner_role=owner_role,
        owner_slack_id=owner_slack_id,
        due=due,
        status=_STATUSES[status],
        health=h,
        percent=percent,
        last_update_at=last_update_at,
        last_update_age_days=max(0, (today - updated_on).days) if updated_on else None,
        stale=_is_stale(status, updated_on, calendar),
        reason=reason,
        overdue_days=(today - due).days if h is Health.OVERDUE and due is not None else 0,
        baseline_due=baseline_due if baseline_due != due else None,
        due_requested=due_requested if status != _COMPLETE else None,
        due_request_reason=due_request_reason if due_requested and status != _COMPLETE else None,
    )


def _is_stale(status: str, updated_on: date | None, calendar: BoardCalendar) -> bool:
    """A finished milestone needs no more updates, so it is never stale."""
    return status != _COMPLETE and is_stale(updated_on, calendar.previous_on)


_SPACES = re.compile(r"\s+")


def _reason(note: str | None, blockers: str | None) -> str | None:
    """Blockers first (they explain a red or amber), then the note; whitespace folded, cut at a word."""
    parts = []
    if blockers and blockers.strip():
        parts.append("Blockers: " + _SPACES.sub(" ", blockers.strip()))
    if note and note.strip():
        parts.append(_SPACES.sub(" ", note.strip()))
    if not parts:
        return None
    text = " — ".join(parts)
    if len(text) <= REASON_MAX_CHARS:
        return text
    cut = text[: REASON_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > REASON_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def _unfinished() -> ColumnElement[bool]:
    return Milestone.status != _COMPLETE


def _stale_filter(calendar: BoardCalendar) -> ColumnElement[bool] | None:
    """SQL for "unfinished and not updated since the previous meeting's day"; None if no meeting yet."""
    since = calendar.since_previous
    if since is None:
        return None
    return and_(_unfinished(), or_(Milestone.last_update_at.is_(None), Milestone.last_update_at < since))


def _due_order(row: MilestoneRow) -> tuple[date, str]:
    return (row.due or date.max, row.code)


# ---------------------------------------------------------------------------------------------------
# Figures and roll-ups (pure)
# ---------------------------------------------------------------------------------------------------


_HEALTHS = tuple(Health)  # iterating the enum itself is slow, and a tally is made per area per request


class _Tally:
    """Running totals for one set of milestones (an area, a priority, the plan)."""

    __slots__ = ("counts", "next_due", "percent", "stale")

    def __init__(self) -> None:
        self.counts: dict[Health, int] = dict.fromkeys(_HEALTHS, 0)
        self.percent = 0
        self.stale = 0
        self.next_due: date | None = None

    def add(self, h: Health, *, n: int, percent: int, stale: int, due_ahead: date | None) -> None:
        self.counts[h] += n
        self.percent += percent
        self.stale += stale
        if due_ahead is not None and (self.next_due is None or due_ahead < self.next_due):
            self.next_due = due_ahead

    def add_row(self, r: MilestoneRow, today: date) -> None:
        ahead = r.due if r.due is not None and r.due >= today and r.status != _COMPLETE else None
        self.add(r.health, n=1, percent=r.percent, stale=int(r.stale), due_ahead=ahead)

    def health(self) -> Health | None:
        # The roll-up depends only on which healths are present, not on how many of each.
        return roll_up(h for h, n in self.counts.items() if n)

    def figures(self) -> Figures:
        total = sum(self.counts.values())
        complete = self.counts[Health.COMPLETE]
        return Figures(
            milestones=total,
            complete=complete,
            counts=dict(self.counts),
            percent_complete=round(self.percent / total, 1) if total else 0.0,
            share_complete=round(100 * complete / total, 1) if total else 0.0,
            overdue=self.counts[Health.OVERDUE],
            stale=self.stale,
            next_due=self.next_due,
        )


def _tally(rows: Iterable[MilestoneRow], today: date) -> _Tally:
    tally = _Tally()
    for r in rows:
        tally.add_row(r, today)
    return tally


def _aggregate(
    db: Session, plan_id: int, calendar: BoardCalendar, key: Any
) -> tuple[_Tally, dict[Any, _Tally]]:
    """Totals for the plan and per ``key`` (a milestone column such as area_id) in one GROUP BY.

    Milestones are grouped by key, stored status, "due before today" and "not updated since the
    previous meeting", so every milestone in a group has the same health and staleness; each group's
    health and staleness then come from ``health()`` and ``is_stale()`` applied to a representative
    (its earliest due date, its latest update), never re-implemented in SQL.
    """
    today = calendar.today
    since = calendar.since_previous
    stmt = _aggregate_select(key, since is not None)
    rows = db.execute(stmt, {"plan_id": plan_id, "today": today, "since": since})
    total = _Tally()
    by_key: dict[Any, _Tally] = defaultdict(_Tally)
    for group_key, status, n, percent, first_due, last_update, first_due_ahead in rows:
        h = health(status, first_due, today)
        stale_n = n if _is_stale(status, _local_date(last_update, calendar.timezone), calendar) else 0
        ahead = first_due_ahead if status != _COMPLETE else None
        for tally in (total, by_key[group_key]):
            tally.add(h, n=n, percent=int(percent or 0), stale=stale_n, due_ahead=ahead)
    return total, by_key


@cache
def _aggregate_select(key: Any, with_since: bool) -> Select[Any]:
    """The GROUP BY of _aggregate, built once per key column; plan, today and since are bound."""
    today = bindparam("today", type_=Date)
    late = case((Milestone.due < today, 1), else_=0)
    old = (
        case(
            (
                or_(
                    Milestone.last_update_at.is_(None),
                    Milestone.last_update_at < bindparam("since", type_=UTCDateTime),
                ),
                1,
            ),
            else_=0,
        )
        if with_since
        else literal(0)
    )
    flagged = (
        select(
            key.label("key"),
            Milestone.status.label("status"),
            late.label("late"),
            old.label("old"),
            Milestone.percent.label("percent"),
            Milestone.due.label("due"),
            Milestone.last_update_at.label("last_update_at"),
        )
        .where(Milestone.plan_id == bindparam("plan_id"))
        .subquery("flagged")
    )
    c = flagged.c
    return select(
        c.key,
        c.status,
        func.count(),
        func.sum(c.percent),
        func.min(c.due),
        func.max(c.last_update_at),
        func.min(case((c.due >= today, c.due))),
    ).group_by(c.key, c.status, c.late, c.old)


def _area_summaries(
    areas: Sequence[tuple[int, str, str, str]], tallies: Mapping[int, _Tally]
) -> list[AreaSummary]:
    empty = _Tally()
    return [
        AreaSummary(
            code=code,
            title=title,
            description=description,
            health=tallies.get(area_id, empty).health(),
            figures=tallies.get(area_id, empty).figures(),
        )
        for area_id, code, title, description in areas
    ]


def _load_areas(db: Session, plan_id: int) -> list[tuple[int, str, str, str]]:
    return [
        (r.id, r.code, r.title, r.description)
        for r in db.execute(
            select(Area.id, Area.code, Area.title, Area.description)
            .where(Area.plan_id == plan_id)
            .order_by(Area.position, Area.id)
        )
    ]


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
    return normalise_code(code) == normalise_code(wanted)


def area_detail(*, db: Session, plan_id: int, today: date, code: str) -> AreaDetail:
    """An area, its milestones and the strategic priorities that serve it. Five statements."""
    plan, calendar = _plan_context(db, plan_id, today)
    areas = _load_areas(db, plan_id)
    found = next((a for a in areas if _same_code(a[1], code)), None)
    if found is None:
        raise _not_found("area", code, [a[1] for a in areas])
    area_id, area_code, title, description = found
    priorities = [
        PriorityRef(code=p.code, title=p.title, period=p.period)
        for p in db.execute(
            select(Priority.code, Priority.title, Priority.period)
            .join(priority_area, priority_area.c.priority_id == Priority.id)
            .where(priority_area.c.area_id == area_id)
            .order_by(Priority.position, Priority.id)
        )
    ]
    rows = [item.row for item in _load_rows(db, plan_id, calendar, Milestone.area_id == area_id)]
    summary = _area_summaries([found], {area_id: _tally(rows, today)})[0]
    return AreaDetail(area=summary, priorities=priorities, milestones=rows, calendar=calendar)


def _person_columns(p: Any, d: Any) -> list[Any]:
    return [
        p.id,
        p.key,
        p.name,
        p.role,
        p.slack_user_id,
        p.email,
        p.is_admin,
        p.is_chair,
        p.delegate_until,
        d.key,
        d.name,
        d.role,
        d.slack_user_id,
    ]


def _person_info(r: Sequence[Any], offset: int = 0) -> PersonInfo | None:
    v = list(r[offset : offset + 13])
    if v[0] is None:
        return None
    delegate = PersonRef(v[9], v[10], v[11], v[12]) if v[9] is not None else None
    return PersonInfo(
        id=v[0],
        key=v[1],
        name=v[2],
        role=v[3],
        slack_user_id=v[4],
        email=v[5],
        is_admin=bool(v[6]),
        is_chair=bool(v[7]),
        delegate=delegate,
        delegate_until=v[8],
    )


def _delegate_active(until: date | None, today: date) -> bool:
    return until is None or today <= until


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


@cache
def _person_alias(name: str) -> Any:
    """An alias of Person, made once: making one (and its columns) costs more than running the query."""
    return aliased(Person, name=name)


@cache
def _people_select() -> Select[Any]:
    p, d = _person_alias("p"), _person_alias("d")
    return select(*_person_columns(p, d)).outerjoin(d, d.id == p.delegate_id).order_by(p.position, p.id)


def _select_people(plan_id: int) -> Any:
    p = _person_alias("p")
    return p, _people_select().where(p.plan_id == plan_id)


def person_by_slack_id(db: Session, plan_id: int, slack_user_id: str) -> PersonInfo | None:
    """The plan's person with this Slack user id, or None when nobody is mapped to it. One statement."""
    p, stmt = _select_people(plan_id)
    found = db.execute(stmt.where(p.slack_user_id == slack_user_id.strip())).first()
    return _person_info(found) if found is not None else None


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def find_person(db: Session, plan_id: int, text: str) -> PersonInfo | None:
    """A person by key, Slack id (or ``<@U123>`` mention), name or email, else by part of name or role.

    Exact matches (ignoring case) win; a partial match must be unique. Returns None when nobody
    matches; raises InvalidInput, naming the candidates, when a partial match is ambiguous.
    One statement (the plan's people are few).
    """
    wanted = text.strip().lstrip("@").strip()
    mention = _MENTION.match(text.strip())
    if mention:
        wanted = mention.group(1)
    if not wanted:
        return None
    _p, stmt = _select_people(plan_id)
    people = [info for info in (_person_info(r) for r in db.execute(stmt)) if info is not None]
    folded = " ".join(wanted.casefold().split())
    exact = [
        person
        for person in people
        if folded
        in {
            person.key.casefold(),
            (person.slack_user_id or "").casefold(),
            " ".join(person.name.casefold().split()),
            (person.email or "").casefold(),
        }
    ]
    if exact:
        return exact[0]
    partial = [
        person
        for person in people
        if folded in " ".join(person.name.casefold().split())
        or folded in " ".join((person.role or "").casefold().split())
    ]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "; ".join(f"{p.name} ({p.key})" for p in partial[:8])
        raise InvalidInput(f'"{wanted}" could be several people: {names}. Use their key.', field="person")
    return None


def milestones_for(*, db: Session, plan_id: int, today: date, person_id: int) -> PersonMilestones:
    """What a person owns, plus what they cover for as a delegate today (until ``delegate_until``).

    Four statements: plan and board, overrides, the person and whom they cover for, the milestones.
    """
    plan, calendar = _plan_context(db, plan_id, today)
    p, stmt = _select_people(plan_id)
    people_rows = db.execute(
        stmt.where(
            or_(
                p.id == person_id,
                and_(
                    p.delegate_id == person_id,
                    or_(p.delegate_until.is_(None), p.delegate_until >= today),
                ),
            )
        )
    ).all()
    people = {info.id: info for info in (_person_info(r) for r in people_rows) if info is not None}
    person = people.pop(person_id, None)
    if person is None:
        raise NotFound("That person is not in this plan.")
    covered = {pid: info.ref for pid, info in people.items()}
    owners = [person_id, *covered]
    loaded = _load_rows(db, plan_id, calendar, Milestone.owner_id.in_(owners))
    items = [
        OwnedMilestone(row=item.row, covered_for=covered.get(item.owner_id or 0))
        for item in sorted(
            loaded,
            key=lambda i: (i.owner_id != person_id, i.row.due or date.max, i.position, i.row.code),
        )
    ]
    return PersonMilestones(
        person=person, covering_for=list(covered.values()), items=items, calendar=calendar
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
    since = calendar.since_previous if since_day is None else _local_day_start(since_day, calendar.timezone)
    if since is None:
        return []
    end = _local_day_start(calendar.today + timedelta(days=1), calendar.timezone)
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
    next_on = calendar.next_on
    if next_on is not None:
        worth_naming.append(Milestone.due < next_on)  # due from today (or earlier) until the meeting
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
    today, next_on = calendar.today, calendar.next_on
    due_before_next = (
        sorted(
            (r for r in rows if r.due is not None and today <= r.due < next_on),
            key=_due_order,
        )
        if next_on is not None
        else []
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
        or (
            r.due is not None
            and (r.due < calendar.today or (calendar.next_on is not None and r.due < calendar.next_on))
        )
    )


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
