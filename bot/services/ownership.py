"""Who owns a milestone and who covers for whom: admins change them, audited; the owners are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import Actor, actor_by_id, can_admin
from bot.services.update_checks import check_now, day, label, lock_milestone, zone
from models import Person, Plan


@dataclass(frozen=True)
class OwnerChange:
    milestone_code: str
    milestone_title: str
    before_owner: str | None
    after_owner: str | None
    changed: bool
    # Who to tell: the new and the former owner's Slack ids (None when unmapped), and who made the change.
    before_slack_id: str | None = None
    after_slack_id: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class DelegateChange:
    person_key: str
    person_name: str
    before_delegate: str | None
    before_until: date | None
    after_delegate: str | None
    after_until: date | None
    changed: bool


def reassign_owner(
    *,
    db: Session,
    plan_id: int,
    milestone_code: str,
    new_owner_id: int | None,
    actor_id: int,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> OwnerChange:
    """Give a milestone a new owner (or none); admins only, audited."""
    check_now(now)
    actor = require_admin(db, plan_id, actor_id, extra_admin_slack_ids, "change who owns a milestone")
    milestone = lock_milestone(db, plan_id, milestone_code)
    new_owner = plan_person(db, plan_id, new_owner_id) if new_owner_id is not None else None
    old_owner = db.get(Person, milestone.owner_id) if milestone.owner_id is not None else None
    changed = milestone.owner_id != new_owner_id
    if changed:
        milestone.owner_id = new_owner_id
        audit(
            db,
            plan_id=plan_id,
            at=now,
            actor_id=actor.person_id,
            actor=actor.name,
            action=AuditAction.REASSIGN_OWNER,
            entity="milestone",
            entity_code=milestone.code,
            before={"owner": old_owner.key if old_owner else None},
            after={"owner": new_owner.key if new_owner else None},
        )
        db.flush()
    return OwnerChange(
        milestone_code=milestone.code,
        milestone_title=milestone.title,
        before_owner=label(old_owner),
        after_owner=label(new_owner),
        changed=changed,
        before_slack_id=old_owner.slack_user_id if old_owner else None,
        after_slack_id=new_owner.slack_user_id if new_owner else None,
        changed_by=actor.name,
    )


def set_delegate(
    *,
    db: Session,
    plan_id: int,
    person_id: int,
    delegate_id: int | None,
    until: date | None,
    actor_id: int,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> DelegateChange:
    """Set (or clear, with None) who covers a person's milestones, optionally until a date; admins only."""
    check_now(now)
    actor = require_admin(db, plan_id, actor_id, extra_admin_slack_ids, "set who covers for someone")
    plan = db.get(Plan, plan_id)
    assert plan is not None  # admin found a person of this plan
    person = plan_person(db, plan_id, person_id)
    delegate = plan_person(db, plan_id, delegate_id) if delegate_id is not None else None
    if delegate is not None and delegate.id == person.id:
        raise InvalidInput(
            f"{person.name} cannot cover for themselves; choose someone else.", field="delegate"
        )
    if delegate is None:
        until = None
    today = now.astimezone(zone(plan.timezone)).date()
    if until is not None and until < today:
        raise InvalidInput(
            f"The cover would already have ended ({day(until)}); choose today or a later date.",
            field="until",
        )
    before_delegate = db.get(Person, person.delegate_id) if person.delegate_id is not None else None
    before_until = person.delegate_until
    changed = (person.delegate_id, person.delegate_until) != (delegate_id, until)
    if changed:
        person.delegate_id = delegate_id
        person.delegate_until = until
        audit(
            db,
            plan_id=plan_id,
            at=now,
            actor_id=actor.person_id,
            actor=actor.name,
            action=AuditAction.SET_DELEGATE,
            entity="person",
            entity_code=person.key,
            before={
                "delegate": before_delegate.key if before_delegate else None,
                "until": before_until.isoformat() if before_until else None,
            },
            after={
                "delegate": delegate.key if delegate else None,
                "until": until.isoformat() if until else None,
            },
        )
        db.flush()
    return DelegateChange(
        person_key=person.key,
        person_name=person.name,
        before_delegate=label(before_delegate),
        before_until=before_until,
        after_delegate=label(delegate),
        after_until=until,
        changed=changed,
    )


def require_admin(db: Session, plan_id: int, actor_id: int, extra: frozenset[str], doing: str) -> Actor:
    actor = actor_by_id(db, plan_id, actor_id, extra)
    if not can_admin(actor):
        raise NotAllowed(f"Only a plan admin can {doing}.")
    assert actor is not None
    return actor


def plan_person(db: Session, plan_id: int, person_id: int) -> Person:
    person = db.get(Person, person_id)
    if person is None or person.plan_id != plan_id:
        raise NotFound("That person is not one of this plan's people.")
    return person
