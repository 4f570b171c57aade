"""What the update form offers a person: the milestones they may update, and where the form starts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.errors import NotFound
from bot.services.people import Actor, can_admin, can_update
from bot.services.read_model import cached
from models import Milestone, Person, Plan, ProgressUpdate
from models.timezones import local_date


def latest_update(db: Session, milestone_id: int) -> ProgressUpdate | None:
    return db.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.milestone_id == milestone_id, ProgressUpdate.shown())
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Choice:
    code: str
    title: str
    own: bool


@dataclass(frozen=True)
class FormDefaults:
    """What the update form starts from: the milestone as it stands, and its latest update to show as
    context (read-only: a new update says what is new, it never starts from the last one's words)."""

    code: str
    title: str
    status: str
    percent: int
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    latest_on: date | None = None  # the plan's local day it was made
    latest_by: str | None = None
    latest_status: str | None = None
    latest_percent: int | None = None


def update_choices(*, db: Session, plan_id: int, actor: Actor, today: date) -> list[Choice]:
    """Milestones the person can update, their own (or those they cover) first; admins see all."""
    covered = {
        p.id
        for p in db.scalars(
            select(Person).where(Person.plan_id == plan_id, Person.delegate_id == actor.person_id)
        )
        if p.delegate_until is None or today <= p.delegate_until
    }
    mine = {actor.person_id, *covered}
    rows = db.execute(
        select(Milestone.code, Milestone.title, Milestone.owner_id)
        .where(Milestone.plan_id == plan_id)
        .order_by(Milestone.position, Milestone.id)
    ).all()
    own = [Choice(c, t, True) for c, t, owner in rows if owner in mine]
    others = [Choice(c, t, False) for c, t, owner in rows if owner not in mine] if can_admin(actor) else []
    return own + others


def form_defaults(*, db: Session, plan_id: int, code: str) -> FormDefaults:
    found = db.execute(
        select(Milestone, Plan.timezone)
        .join(Plan, Plan.id == Milestone.plan_id)
        .where(Milestone.plan_id == plan_id, Milestone.code == code)
    ).one_or_none()
    if found is None:
        raise NotFound(f"There is no milestone {code} in the plan.")
    milestone, tz = found
    latest = latest_update(db, milestone.id)
    return FormDefaults(
        code=milestone.code,
        title=milestone.title,
        status=milestone.status,
        percent=milestone.percent,
        note=latest.note if latest else None,
        evidence_url=latest.evidence_url if latest else None,
        next_steps=latest.next_steps if latest else None,
        blockers=latest.blockers if latest else None,
        latest_on=local_date(latest.at, tz) if latest else None,
        latest_by=latest.author.name if latest and latest.author else None,
        latest_status=latest.status if latest else None,
        latest_percent=latest.percent if latest else None,
    )


def may_update(db: Session, *, plan_id: int, actor: Actor | None, code: str, today: date) -> bool:
    """Whether this person may update the milestone: the plan's one rule (bot.services.people.can_update),
    on the milestone's owner and their cover as kept in the read model."""
    if actor is None:
        return False
    owner_id, delegate_id, until = owner_and_cover(db=db, plan_id=plan_id, code=code)
    return can_update(actor, owner_id, delegate_id, until, today)


@cached
def owner_and_cover(*, db: Session, plan_id: int, code: str) -> tuple[int | None, int | None, date | None]:
    """A milestone's owner, and who covers for them until when (all None for no such milestone)."""
    row = db.execute(
        select(Milestone.owner_id, Person.delegate_id, Person.delegate_until)
        .outerjoin(Person, Person.id == Milestone.owner_id)
        .where(Milestone.plan_id == plan_id, Milestone.code == code)
    ).one_or_none()
    return (row[0], row[1], row[2]) if row is not None else (None, None, None)
