"""The plan file (YAML) as pydantic models: the edge where a plan enters and leaves the database.

The format is documented in docs/plan-file.md. Validation errors are turned into lines such as
`milestones[4] (M-05).due: "31.06.18" is not a date` by `bot.services.planfile`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from models.codes import CODE_PATTERN
from models.control import CONTROL
from models.defaults import DIGEST_TIME, DIGEST_WORKING_DAYS, REMINDER_WORKING_DAYS
from models.timezones import zone
from models.vocab import Grade, InspectionType, OverrideAction, Source, Status, parse_grade, parse_status

CODE = CODE_PATTERN  # M-07, AFI-5, M1-2, 1.1, M0.1: see models.codes
KEY = r"^[a-z0-9][a-z0-9._-]*$"


def _to_date(v: Any) -> Any:
    if isinstance(v, datetime):
        raise ValueError(f'"{v}" is not a date (give a date like 2020-03-31, without a time)')
    if isinstance(v, date):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise ValueError(f'"{v}" is not a date (write it as YYYY-MM-DD)')


def _to_time(v: Any) -> Any:
    if isinstance(v, time):
        return v
    if isinstance(v, int) and 0 <= v < 24 * 60:
        # YAML 1.1 reads an unquoted 10:00 as the sexagesimal number 600.
        return time(v // 60, v % 60)
    if isinstance(v, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", v.strip()):
        hours, minutes = v.strip().split(":")
        return time(int(hours), int(minutes))
    raise ValueError(f'"{v}" is not a time (write it as HH:MM, e.g. "09:30")')


def _to_aware(v: Any) -> Any:
    if isinstance(v, str):
        try:
            v = datetime.fromisoformat(v.strip())
        except ValueError:
            raise ValueError(
                f'"{v}" is not a date and time (ISO 8601, e.g. 2020-01-15T10:00:00+00:00)'
            ) from None
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError(f'"{v.isoformat()}" has no UTC offset (add +00:00 or Z)')
        return v
    raise ValueError(f'"{v}" is not a date and time')


def _zone(v: str) -> str:
    zone(v)  # raises ValueError, saying what a good name looks like
    return v


def _rrule(v: str) -> str:
    """Light shape check; bot.services.planfile checks the rule itself against the board's start."""
    text = v.strip().removeprefix("RRULE:")
    if not text.upper().startswith("FREQ=") and ";FREQ=" not in text.upper():
        raise ValueError(f'"{v}" is not an RRULE (it needs FREQ=..., e.g. FREQ=MONTHLY;BYDAY=+3TH)')
    return text


def _status(v: Any) -> Status:
    return parse_status(str(v))


def _grade(v: Any) -> Grade:
    return parse_grade(str(v))


def _text(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        if not v:
            raise ValueError("must not be empty")
    return v


FileDate = Annotated[date, BeforeValidator(_to_date)]
FileTime = Annotated[time, BeforeValidator(_to_time)]
FileDateTime = Annotated[datetime, BeforeValidator(_to_aware)]
Zone = Annotated[str, AfterValidator(_zone)]
Code = Annotated[str, Field(pattern=CODE, max_length=16)]
Key = Annotated[str, Field(pattern=KEY, max_length=64)]
FileStatus = Annotated[Status, BeforeValidator(_status)]
FileGrade = Annotated[Grade, BeforeValidator(_grade)]
Text = Annotated[str, BeforeValidator(_text)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, v: Any) -> Any:
        for text in v if isinstance(v, list) else [v]:
            found = CONTROL.search(text) if isinstance(text, str) else None
            if found:
                raise ValueError(f"contains the control character U+{ord(found.group()):04X}: remove it")
        return v


class PlanInfo(_Doc):
    title: Text = Field(max_length=300)
    authority: Text = Field(max_length=200)
    timezone: Zone = "Europe/London"
    channel: str | None = Field(None, max_length=80)
    digest_working_days: int = Field(DIGEST_WORKING_DAYS, ge=0, le=30)
    reminder_working_days: int = Field(REMINDER_WORKING_DAYS, ge=0, le=30)
    digest_time: FileTime = DIGEST_TIME
    announce_updates: bool = True
    # The day the file's statuses describe (a board paper's date): the console starts its clock there.
    as_at: date | None = None


class JudgementDoc(_Doc):
    area: Text = Field(max_length=300)
    grade: FileGrade


class InspectionDoc(_Doc):
    type: InspectionType
    start: FileDate
    end: FileDate
    published: FileDate | None = None
    lead_inspector: str | None = Field(None, max_length=200)
    action_plan_sent: FileDate | None = None
    judgements: list[JudgementDoc] = []


class EarlierInspectionDoc(_Doc):
    """An earlier inspection or visit: dated by `start` (and `end`), or only by `month` when that is all
    the record gives."""

    type: InspectionType
    start: FileDate | None = None
    end: FileDate | None = None
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    published: FileDate | None = None
    outcome: str | None = Field(None, max_length=2000)


class AreaDoc(_Doc):
    code: Code
    title: Text = Field(max_length=200)
    description: Text = Field(max_length=5000)


class PriorityDoc(_Doc):
    code: Code
    title: Text = Field(max_length=300)
    period: str | None = Field(None, max_length=80)
    areas: list[Code] = []


class PersonDoc(_Doc):
    key: Key
    name: Text = Field(max_length=200)
    role: str | None = Field(None, max_length=200)
    slack_user_id: str | None = Field(None, pattern=r"^[UW][A-Z0-9]{2,30}$")
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    roles: list[Literal["admin", "chair", "privacy_officer"]] = []
    delegate: Key | None = None
    delegate_until: FileDate | None = None


class UpdateDoc(_Doc):
    at: FileDateTime
    author: Key | None = None
    status: FileStatus
    percent: int = Field(ge=0, le=100)
    note: str | None = Field(None, max_length=3000)
    evidence_url: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    next_steps: str | None = Field(None, max_length=3000)
    blockers: str | None = Field(None, max_length=3000)
    reopen_reason: str | None = Field(None, max_length=3000)
    source: Source = Source.IMPORT
    key: str = Field(min_length=1, max_length=255)


class OwnerChangeDoc(_Doc):
    """An owner change made in Slack (`/qib owner`): when, by whom, from which person to which."""

    at: FileDateTime
    by: Text | None = Field(None, max_length=200)
    before: Key | None = None
    after: Key | None = None


class MilestoneDoc(_Doc):
    code: Code
    area: Code
    priority: Code | None = None
    title: Text = Field(max_length=500)
    owner: Key | None = None
    due: FileDate | None = None
    # A revised due date: the original date, who approved the revision and when (see bot.services.due_dates).
    baseline_due: FileDate | None = None
    due_revised_by: Text | None = Field(None, max_length=200)
    due_revised_on: FileDate | None = None
    # A revised due date asked for and still awaiting the chair, with its reason and who asked.
    due_requested: FileDate | None = None
    due_request_reason: str | None = Field(None, max_length=3000)
    due_requested_by: Key | None = None
    owner_changes: list[OwnerChangeDoc] = []
    status: FileStatus = Status.NOT_STARTED
    percent: int = Field(0, ge=0, le=100)
    updates: list[UpdateDoc] = []


class OverrideDoc(_Doc):
    date: FileDate
    action: OverrideAction
    to: FileDate | None = None
    time: FileTime | None = None


class BoardDoc(_Doc):
    name: Text = Field(max_length=200)
    chair: Key | None = None
    rrule: Annotated[str, AfterValidator(_rrule)]
    start: FileDate
    time: FileTime = time(10, 0)
    timezone: Zone | None = None
    overrides: list[OverrideDoc] = []


class PlanDoc(_Doc):
    version: Literal[1] = 1
    plan: PlanInfo
    inspection: InspectionDoc | None = None
    areas: list[AreaDoc] = []
    priorities: list[PriorityDoc] = []
    people: list[PersonDoc] = []
    milestones: list[MilestoneDoc] = []
    board: BoardDoc | None = None
    earlier_inspections: list[EarlierInspectionDoc] = []
    measures: list[MeasureDoc] = []


# ---------------------------------------------------------------- performance measures


def _number(v: Any) -> Any:
    """A figure, written as a number: "71" in quotes, true or .nan are refused rather than guessed at."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f'"{v}" is not a number')
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(f'"{v}" is not a number')
    return v


Number = Annotated[float, BeforeValidator(_number)]
# 2019-10 for a month, 2019-Q4 for a quarter; bot.services.measure_file checks it against the frequency.
Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")]


class ReplacedValueDoc(_Doc):
    """A value that a later one for the same period replaced: kept, so the history is never lost."""

    value: Number
    note: str | None = Field(None, max_length=3000)
    at: FileDateTime | None = None
    author: Key | None = None
    source: Source = Source.IMPORT


class MeasureValueDoc(_Doc):
    period: Period
    value: Number
    note: str | None = Field(None, max_length=3000)
    at: FileDateTime | None = None
    author: Key | None = None
    source: Source = Source.IMPORT
    replaced: list[ReplacedValueDoc] = []


class MeasureDoc(_Doc):
    code: Code
    title: Text = Field(max_length=300)
    question: int | None = Field(None, ge=1, le=99)
    question_text: str | None = Field(None, max_length=500)
    areas: list[Code] = []
    priorities: list[Code] = []
    owner: Key | None = None
    unit: Literal["percent", "count", "days", "rate"]
    direction: Literal["up", "down"]
    target: Number
    amber_within: Number = 0
    frequency: Literal["monthly", "quarterly"] = "monthly"
    values: list[MeasureValueDoc] = []


PlanDoc.model_rebuild()
