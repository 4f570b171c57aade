"""The digest as data: pydantic models of what was posted, so it can be shown or exported later as the board saw it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.services.inspection import InspectionView
from bot.services.status import Health
from models.timezones import local_date


class DigestRowKind(StrEnum):
    """Why a row is among the digest's exceptions (stored in frozen digests as these words)."""

    OVERDUE = "overdue"
    OFF_TRACK = "off track"
    AT_RISK = "at risk"
    REVISED_DATE = "revised date awaiting approval"
    STALE = "stale"  # older digests listed stale items among the exceptions


class _Frozen(BaseModel):
    """Frozen: the digest is kept and shared (bot.services.read_model): no field of it may change once built."""

    model_config = ConfigDict(frozen=True)


class DigestRow(_Frozen):
    code: str
    title: str
    area_code: str
    owner: str | None
    owner_role: str | None
    due: date | None
    health: Health
    percent: int
    stale: bool
    reason: str | None
    kind: DigestRowKind | None = None  # for exceptions: overdue, off track, at risk (older digests: stale)
    recovery: str | None = None  # the latest update's next steps: how it gets back on track
    revised_due: date | None = None  # a revised date the owner asked for, awaiting the chair's approval
    revised_reason: str | None = None  # the owner's reason for it
    baseline_due: date | None = None  # the plan's original date, when an approved revision moved it


class DigestChange(_Frozen):
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


class DigestDecision(_Frozen):
    """A decision an owner needs from the board, as their latest update on the milestone asks it."""

    code: str
    title: str
    owner: str | None
    owner_role: str | None
    asked_by: str | None
    asked_on: date
    decision: str


class DigestRisk(_Frozen):
    """Risks and blockers as the owner wrote them in their latest update."""

    code: str
    title: str
    owner: str | None
    owner_role: str | None
    health: str
    blockers: str


class DigestPriority(_Frozen):
    """A strategic priority, counted through its areas' milestones as well as those linked directly."""

    code: str
    title: str
    period: str | None
    areas: list[str]
    milestones: int
    complete: int
    counts: dict[str, int]
    health: str | None


class DatedEvent(_Frozen):
    on: date
    what: str  # "Owner reminders", "Digest", "Board meeting"


class BragPoint(_Frozen):
    """One board meeting's BRAG counts, for the chart: from each posted digest's headline."""

    meeting_on: date
    counts: dict[str, int]


class DigestMeasure(_Frozen):
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


class DigestArea(_Frozen):
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


class Headline(_Frozen):
    milestones: int
    complete: int
    share_complete: float
    percent_complete: float
    counts: dict[str, int]


class Digest(_Frozen):
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
    def local_today(self) -> date:
        """The day the paper was made in the plan's zone: what "this year" and "overdue" are read against."""
        return local_date(self.generated_at, self.timezone)

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

    def brag(self) -> list[tuple[Health, int, int | None]]:
        """BRAG counts now, with the count at the last board (None when there was no earlier digest)."""
        last = self.last_headline.counts if self.last_headline is not None else None
        return [(k, self.headline.counts.get(k, 0), None if last is None else last.get(k, 0)) for k in BRAG]


#: The headline's counts, in the order boards read them: blue, green, amber, red, not started, overdue.
BRAG: tuple[Health, ...] = (
    Health.COMPLETE,
    Health.ON_TRACK,
    Health.AT_RISK,
    Health.OFF_TRACK,
    Health.NOT_STARTED,
    Health.OVERDUE,
)

BRAG_COLOURS: dict[Health, str] = {
    Health.COMPLETE: "#1f6fd1",
    Health.ON_TRACK: "#2e8b57",
    Health.AT_RISK: "#f0a020",
    Health.OFF_TRACK: "#c8102e",
    Health.NOT_STARTED: "#9e9e9e",
    Health.OVERDUE: "#6d0f1a",
}


class FrozenDigest(_Frozen):
    """A digest as it was posted: the data, and the exact Slack payloads."""

    meeting_on: date
    posted_at: datetime
    channel: str | None
    ts: str | None
    late: bool
    digest: Digest
    message: dict[str, Any]
    thread: list[dict[str, Any]]
