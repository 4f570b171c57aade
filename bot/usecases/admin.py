"""Plan admins' changes: a milestone's new owner, and who covers for whom (for leave)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.services.errors import NotFound
from bot.services.outbox import enqueue
from bot.services.queries import PersonInfo, find_person
from bot.services.updates import DelegateChange, OwnerChange, reassign_owner, set_delegate
from bot.usecases.base import Asker, Sessions, clip, refusing, require_actor
from models.vocab import OutboxKind


@dataclass(frozen=True)
class OwnerRequest:
    who: Asker
    code: str
    new_owner: str  # an @mention, a person's key or full name


@dataclass(frozen=True)
class DelegateRequest:
    who: Asker
    person: str
    cover: str | None  # None ends the cover
    until: date | None = None


def _person(db: Session, plan_id: int, text: str) -> PersonInfo:
    found = find_person(db, plan_id, text)
    if found is None:
        raise NotFound(f"Nobody in the plan matches “{clip(text, 60)}”: use their @name, key or full name.")
    return found


@refusing
def change_owner(sessions: Sessions, req: OwnerRequest) -> OwnerChange:
    """Give a milestone a new owner (admins only; the service decides who may)."""
    with sessions.begin() as db:
        actor = require_actor(db, req.who)
        new_owner = _person(db, req.who.plan_id, req.new_owner)
        change = reassign_owner(
            db=db,
            plan_id=req.who.plan_id,
            milestone_code=req.code,
            new_owner_id=new_owner.id,
            actor_id=actor.person_id,
            now=req.who.now,
            extra_admin_slack_ids=req.who.admin_ids,
        )
        if change.changed:  # both owners are told by DM, posted by the outbox once this commits
            facts = {"change": asdict(change), "by": req.who.user_id}
            enqueue(
                db,
                plan_id=req.who.plan_id,
                kind=OutboxKind.OWNER_CHANGED,
                subject_id=None,
                now=req.who.now,
                facts=facts,
            )
        return change


@refusing
def change_delegate(sessions: Sessions, req: DelegateRequest) -> DelegateChange:
    """Set or end who covers for someone."""
    with sessions.begin() as db:
        actor = require_actor(db, req.who)
        person = _person(db, req.who.plan_id, req.person)
        cover = None if req.cover is None else _person(db, req.who.plan_id, req.cover)
        return set_delegate(
            db=db,
            plan_id=req.who.plan_id,
            person_id=person.id,
            delegate_id=cover.id if cover else None,
            until=req.until,
            actor_id=actor.person_id,
            now=req.who.now,
            extra_admin_slack_ids=req.who.admin_ids,
        )
