"""The frozen results every query returns: plan, board calendar, people, rows, summaries.

No ORM rows leave the query package; the Slack, console and CLI renderers share these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from bot.services.calendar import Meeting
from bot.services.milestone_events import MilestoneEvent
from bot.services.status import Health
from models.timezones import local_date, local_day_start
from models.vocab import Status

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

    def day_of(self, at: datetime) -> date:
        """The plan's local day of the instant ``at`` (an update's, an event's)."""
        return local_date(at, self.timezone)

    @property
    def since_previous(self) -> datetime | None:
        """The UTC instant the previous meeting's local day began: updates from then on are "since"."""
        if self.previous is None:
            return None
        return local_day_start(self.previous.on, self.timezone)


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
