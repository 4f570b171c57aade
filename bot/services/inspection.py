"""The inspection a plan answers, in Ofsted's words, its action-plan deadline, and the inspections before it.

After an ILACS standard or short inspection the council sends Ofsted its written action plan within
70 working days of the report's publication (England working days, bank holidays excluded). The bot
shows that deadline until the plan file records the plan as sent, and reminds the chair 10 working
days before it. Nothing here knows about Slack.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.services.calendar import working_days_after, working_days_before, working_days_between
from bot.services.errors import NotFound
from bot.services.read_model import cached
from models import Area, EarlierInspection, Inspection, Plan
from models.vocab import InspectionType

ACTION_PLAN_WORKING_DAYS = 70
CHAIR_REMINDER_WORKING_DAYS = 10
NEEDS_ACTION_PLAN = frozenset({InspectionType.ILACS_STANDARD.value, InspectionType.ILACS_SHORT.value})

TYPE_NAMES = {
    InspectionType.ILACS_STANDARD.value: "ILACS standard inspection",
    InspectionType.ILACS_SHORT.value: "ILACS short inspection",
    InspectionType.FOCUSED_VISIT.value: "Focused visit",
    InspectionType.MONITORING_VISIT.value: "Monitoring visit",
    InspectionType.JTAI.value: "Joint targeted area inspection (JTAI)",
    InspectionType.SIF.value: "Single inspection framework (SIF) inspection",
}


def type_name(kind: str) -> str:
    return TYPE_NAMES.get(kind, kind)


def grade_words(grade: str) -> str:
    """A grade as Ofsted prints it: "Requires improvement to be good", "Good"."""
    return grade[:1].upper() + grade[1:]


def action_plan_due(published: date) -> date:
    """70 working days after publication, the day after publication being day 1."""
    return working_days_after(published, ACTION_PLAN_WORKING_DAYS)


def chair_reminder_day(due: date) -> date:
    """The working day 10 working days before the deadline, when the chair is reminded."""
    return working_days_before(due, CHAIR_REMINDER_WORKING_DAYS)


class _Frozen(BaseModel):
    """Frozen: inspection views are kept and shared (bot.services.read_model): no field may change once built."""

    model_config = ConfigDict(frozen=True)


class ActionPlan(_Frozen):
    """The written action plan owed to Ofsted, as it stands on `today`."""

    due: date
    remind_on: date
    sent: date | None
    today: date

    @property
    def outstanding(self) -> bool:
        return self.sent is None

    @property
    def working_days_left(self) -> int:
        """Working days from today to the deadline (0 on the day, negative once past)."""
        return working_days_between(self.today, self.due)


class JudgementView(_Frozen):
    area: str
    grade: str  # stored form, "requires improvement to be good"

    @property
    def grade_words(self) -> str:
        return grade_words(self.grade)


class AreaText(_Frozen):
    code: str
    title: str
    description: str  # the report's own words where the plan file has them


class InspectionView(_Frozen):
    type: str
    start: date
    end: date
    published: date | None
    lead_inspector: str | None
    judgements: list[JudgementView]
    areas: list[AreaText]  # report order
    action_plan: ActionPlan | None  # None when the inspection type needs none or publication is unknown

    @property
    def type_name(self) -> str:
        return type_name(self.type)


class EarlierView(_Frozen):
    type: str
    start: date | None
    end: date | None
    month: str | None
    published: date | None
    outcome: str | None

    @property
    def type_name(self) -> str:
        return type_name(self.type)

    @property
    def sort_key(self) -> date:
        if self.start is not None:
            return self.start
        year, month = (self.month or "0001-01").split("-")
        return date(int(year), int(month), 1)


def action_plan_for(row: Inspection, today: date) -> ActionPlan | None:
    if row.type not in NEEDS_ACTION_PLAN or row.published is None:
        return None
    due = action_plan_due(row.published)
    return ActionPlan(due=due, remind_on=chair_reminder_day(due), sent=row.action_plan_sent, today=today)


@cached
def inspection_view(*, db: Session, plan_id: int, today: date) -> InspectionView | None:
    """The plan's inspection, or None when the plan file names none (kept in the read model while the
    plan's revision stands)."""
    row = db.scalar(
        select(Inspection).where(Inspection.plan_id == plan_id).options(selectinload(Inspection.judgements))
    )
    if row is None:
        return None
    areas = db.execute(
        select(Area.code, Area.title, Area.description)
        .where(Area.plan_id == plan_id)
        .order_by(Area.position, Area.id)
    ).all()
    return InspectionView(
        type=row.type,
        start=row.start,
        end=row.end,
        published=row.published,
        lead_inspector=row.lead_inspector,
        judgements=[JudgementView(area=j.area, grade=j.grade) for j in row.judgements],
        areas=[AreaText(code=a.code, title=a.title, description=a.description) for a in areas],
        action_plan=action_plan_for(row, today),
    )


def inspection_history(*, db: Session, plan_id: int) -> list[EarlierView]:
    """Earlier inspections and visits, newest first (file order among those of the same date)."""
    if db.get(Plan, plan_id) is None:
        raise NotFound("There is no plan loaded yet.")
    rows = db.scalars(
        select(EarlierInspection)
        .where(EarlierInspection.plan_id == plan_id)
        .order_by(EarlierInspection.position, EarlierInspection.id)
    )
    views = [
        EarlierView(
            type=r.type, start=r.start, end=r.end, month=r.month, published=r.published, outcome=r.outcome
        )
        for r in rows
    ]
    return sorted(views, key=lambda v: v.sort_key, reverse=True)


def outstanding_action_plan(*, db: Session, plan_id: int, today: date) -> ActionPlan | None:
    """The action plan still owed to Ofsted, if any: what the scheduler and the digest look at."""
    row = db.scalar(select(Inspection).where(Inspection.plan_id == plan_id))
    plan = action_plan_for(row, today) if row is not None else None
    return plan if plan is not None and plan.outstanding else None
