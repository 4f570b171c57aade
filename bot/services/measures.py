"""Performance measures: reading them with RAG, change and a sparkline, and recording a period's value.

A measure is RAG against its target, not against a plan: green at or beyond the target, amber within
`amber_within` of it, red further away; "beyond" depends on the direction (up: higher is better).
Reading is a fixed number of statements whatever the number of measures and values: the board calendar
(two), the measures with their areas, priorities and owners (three), and every value of the plan (one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import acting
from bot.services.periods import (
    current_period,
    last_complete_period,
    parse_period,
    period_end,
    period_label,
)
from bot.services.privacy import PersonalDataSuspected, check_update_fields
from bot.services.queries import board_calendar
from bot.services.read_model import cached
from models import Measure, MeasureValue, Plan, timezones

SPARKS = "▁▂▃▄▅▆▇█"
SPARK_POINTS = 12
MAX_NOTE_CHARS = 3000


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "no value"


@dataclass(frozen=True, slots=True)
class Point:
    """A period's current value (the latest one recorded for it)."""

    period: str
    value: float
    note: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Change:
    """A difference between two values and whether it is for the better (by the measure's direction)."""

    since: str  # the period compared with
    delta: float
    better: bool | None  # None: no change


@dataclass(frozen=True, slots=True)
class MeasureView:
    code: str
    title: str
    question: int | None
    question_text: str | None
    unit: str
    direction: str
    target: float
    amber_within: float
    frequency: str
    owner_id: int | None
    owner_name: str | None
    areas: tuple[str, ...]
    priorities: tuple[str, ...]
    points: tuple[Point, ...]  # one per period, oldest first
    rag: Rag
    since_previous: Change | None
    since_board: Change | None
    sparkline: str
    last_period: str  # the last complete period: its value is the one owners are asked for
    missing_last_period: bool

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None


@dataclass(frozen=True, slots=True)
class MeasuresView:
    today: date
    previous_meeting: date | None
    measures: tuple[MeasureView, ...]


# ---------------------------------------------------------------- the arithmetic (pure)


def rag_of(value: float | None, *, target: float, amber_within: float, direction: str) -> Rag:
    """Green at or beyond target, amber within `amber_within` short of it, red further short."""
    if value is None:
        return Rag.NONE
    short = target - value if direction == "up" else value - target
    if short <= 0:
        return Rag.GREEN
    return Rag.AMBER if short <= amber_within else Rag.RED


def change_of(now: Point | None, then: Point | None, direction: str) -> Change | None:
    if now is None or then is None or now is then:
        return None
    delta = now.value - then.value
    better = None if delta == 0 else (delta > 0) == (direction == "up")
    return Change(since=then.period, delta=delta, better=better)


def sparkline(values: Sequence[float]) -> str:
    """One bar per value, scaled between the lowest and highest shown; all equal is a flat middle line."""
    shown = list(values)[-SPARK_POINTS:]
    if not shown:
        return ""
    low, high = min(shown), max(shown)
    if high == low:
        return SPARKS[3] * len(shown)
    top = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * top)] for v in shown)


def format_value(value: float, unit: str) -> str:
    number = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return {"percent": f"{number}%", "days": f"{number} days"}.get(unit, number)


def format_change(change: Change, unit: str) -> str:
    number = f"{abs(change.delta):.0f}" if float(change.delta).is_integer() else f"{abs(change.delta):.1f}"
    sign = "+" if change.delta > 0 else ("−" if change.delta < 0 else "±")
    suffix = {"percent": " pts", "days": " days"}.get(unit, "")
    verdict = {True: "better", False: "worse", None: "no change"}[change.better]
    return f"{sign}{number}{suffix} ({verdict}) since {period_label(change.since)}"


# ---------------------------------------------------------------- reading


@cached
def read_measures(*, db: Session, plan_id: int, today: date) -> MeasuresView:
    """Every measure of the plan with its values, RAG and changes: six statements, however many.
    Kept in the read model while the plan's revision stands (bot.services.read_model)."""
    calendar = board_calendar(db=db, plan_id=plan_id, today=today)
    measures = db.scalars(
        select(Measure)
        .where(Measure.plan_id == plan_id)
        .options(
            joinedload(Measure.owner),
            selectinload(Measure.areas),
            selectinload(Measure.priorities),
        )
        .order_by(Measure.position, Measure.id)
    ).all()
    points: dict[int, dict[str, Point]] = {}
    for v in db.scalars(
        select(MeasureValue).where(MeasureValue.plan_id == plan_id).order_by(MeasureValue.id)
    ):
        points.setdefault(v.measure_id, {})[v.period] = Point(v.period, v.value, v.note, v.at)
    views = tuple(
        _view(m, [p for _, p in sorted(points.get(m.id, {}).items())], calendar.previous_on, today)
        for m in measures
    )
    return MeasuresView(today=today, previous_meeting=calendar.previous_on, measures=views)


def _view(m: Measure, points: list[Point], previous_meeting: date | None, today: date) -> MeasureView:
    latest = points[-1] if points else None
    before = points[-2] if len(points) > 1 else None
    # The figure the board could have seen: the latest for a period that had ended by its meeting.
    at_board = (
        next((p for p in reversed(points) if period_end(p.period) < previous_meeting), None)
        if previous_meeting
        else None
    )
    last = last_complete_period(m.frequency, today)
    return MeasureView(
        code=m.code,
        title=m.title,
        question=m.question,
        question_text=m.question_text,
        unit=m.unit,
        direction=m.direction,
        target=m.target,
        amber_within=m.amber_within,
        frequency=m.frequency,
        owner_id=m.owner_id,
        owner_name=m.owner.name if m.owner else None,
        areas=tuple(a.code for a in m.areas),
        priorities=tuple(p.code for p in m.priorities),
        points=tuple(points),
        rag=rag_of(
            latest.value if latest else None,
            target=m.target,
            amber_within=m.amber_within,
            direction=m.direction,
        ),
        since_previous=change_of(latest, before, m.direction),
        since_board=change_of(latest, at_board, m.direction),
        sparkline=sparkline([p.value for p in points]),
        last_period=last,
        missing_last_period=not any(p.period == last for p in points),
    )


def select_measures(view: MeasuresView, text: str) -> tuple[MeasureView, ...]:
    """A measure code, an area or priority code, or words found in the title or question; "" is all."""
    wanted = text.strip()
    if not wanted:
        return view.measures
    upper = wanted.upper()
    by_code = tuple(m for m in view.measures if m.code.upper() == upper)
    if by_code:
        return by_code
    by_link = tuple(m for m in view.measures if upper in m.areas or upper in m.priorities)
    if by_link:
        return by_link
    words = wanted.lower().split()
    return tuple(
        m for m in view.measures if all(w in f"{m.title} {m.question_text or ''}".lower() for w in words)
    )


def owned_by(view: MeasuresView, person_id: int) -> tuple[MeasureView, ...]:
    return tuple(m for m in view.measures if m.owner_id == person_id)


# ---------------------------------------------------------------- recording


@dataclass(frozen=True, slots=True)
class Recorded:
    """The outcome of recording a value: saved, or waiting for the user to confirm a replacement."""

    code: str
    title: str
    unit: str
    period: str
    value: float
    saved: bool
    replaced: Point | None  # the value already recorded for the period, if any


def screen_note(note: str | None, *, confirmed: bool) -> list[str]:
    """The personal-data screen progress updates use; returns the kinds found (for the audit) if confirmed.

    The one place measures call bot.services.privacy.
    """
    findings = check_update_fields({"note": note})
    if findings and not confirmed:
        raise PersonalDataSuspected(findings)
    return list(dict.fromkeys(finding.kind for _, finding in findings))


def _period_to_record(measure: Measure, period_text: str | None, today: date) -> str:
    """The period typed, or the last complete one; never one that has not begun."""
    period = (
        parse_period(period_text, measure.frequency)
        if period_text
        else last_complete_period(measure.frequency, today)
    )
    if period > current_period(measure.frequency, today):
        raise InvalidInput(
            f"{period_label(period)} has not begun: values are recorded for a period that has.",
            field="period",
        )
    return period


def _check_value(measure: Measure, value: float) -> None:
    """Nothing negative; a percentage no more than 100."""
    if value < 0 or (measure.unit == "percent" and value > 100):
        raise InvalidInput(
            f"{format_value(value, measure.unit)} is not a possible value for {measure.code} "
            f"({'0 to 100' if measure.unit == 'percent' else '0 or more'}).",
            field="value",
        )


def record_value(
    *,
    db: Session,
    plan_id: int,
    code: str,
    author_id: int,
    value: float,
    period_text: str | None,
    note: str | None,
    now: datetime,
    source: str,
    replace: bool = False,
    confirm_not_personal: bool = False,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> Recorded:
    """Record a measure's value for a period (by default the last complete one); appended, never overwritten.

    The measure's owner, the owner's delegate while the cover lasts, and admins may record. The period is
    read from what was typed ("2020-01", "jan 2020", "Q1 2020"). A period that has a value already is only
    given a new one with `replace=True`: both stay in the history.
    """
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise NotFound("That plan does not exist (it may have been removed).")
    today = now.astimezone(timezones.zone(plan.timezone)).date()
    measure = db.scalars(
        select(Measure).where(Measure.plan_id == plan_id, Measure.code == code.strip().upper())
    ).one_or_none()
    if measure is None:
        raise NotFound(f"There is no measure {code.strip().upper()}. `/qib measures` lists them.")
    acting_as = acting(
        db,
        plan_id=plan_id,
        author_id=author_id,
        owner_id=measure.owner_id,
        today=today,
        extra_admin_slack_ids=extra_admin_slack_ids,
        doing="record values",
    )
    author, owner = acting_as.author, acting_as.owner
    if not acting_as.allowed:
        who = f" ({owner.name})" if owner else ""
        raise NotAllowed(
            f"Only the owner of {measure.code}{who}, their delegate or a plan admin can record its values."
        )
    period = _period_to_record(measure, period_text, today)
    _check_value(measure, value)
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"The note is longer than {MAX_NOTE_CHARS} characters.", field="note")
    kinds = screen_note(note, confirmed=confirm_not_personal)
    earlier = db.scalars(
        select(MeasureValue)
        .where(
            MeasureValue.plan_id == plan_id,
            MeasureValue.measure_id == measure.id,
            MeasureValue.period == period,
        )
        .order_by(MeasureValue.id.desc())
        .limit(1)
    ).one_or_none()
    existing = Point(earlier.period, earlier.value, earlier.note, earlier.at) if earlier else None
    result = Recorded(
        code=measure.code,
        title=measure.title,
        unit=measure.unit,
        period=period,
        value=value,
        saved=existing is None or replace,
        replaced=existing,
    )
    if not result.saved:
        return result
    row = MeasureValue(
        plan_id=plan_id,
        measure_id=measure.id,
        period=period,
        value=float(value),
        note=note,
        author_id=author.id,
        at=now,
        source=source,
    )
    db.add(row)
    db.flush()
    audit(
        db,
        plan_id=plan_id,
        at=now,
        actor_id=author.id,
        actor=author.name,
        action=AuditAction.RECORD_VALUE if existing is None else AuditAction.REPLACE_VALUE,
        entity="measure",
        entity_code=measure.code,
        before={"period": period, "value": existing.value} if existing else None,
        after={"period": period, "value": float(value), "value_id": row.id},
    )
    if kinds:  # what was overridden, never the text itself
        audit(
            db,
            plan_id=plan_id,
            at=now,
            actor_id=author.id,
            actor=author.name,
            action=AuditAction.PERSONAL_DATA_OVERRIDE,
            entity="measure_value",
            entity_code=measure.code,
            after={"value_id": row.id, "fields": ["note"], "kinds": kinds},
        )
    db.flush()
    return result
