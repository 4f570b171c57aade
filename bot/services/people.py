"""Who is acting, and what they may do: owners, their delegates, the chair and plan admins."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.errors import NotAllowed
from bot.services.read_model import cached, uses_cache
from bot.services.wording import person_label
from models import Board, Person


@dataclass(frozen=True)
class Actor:
    """A person of the plan acting through Slack (or the console), with their roles resolved.

    `is_admin` is true for a person marked admin in the plan and for anyone whose Slack user id is in
    the ADMINS setting.
    """

    person_id: int
    key: str
    name: str
    role: str | None
    slack_user_id: str | None
    is_admin: bool
    is_chair: bool

    @property
    def label(self) -> str:
        """ "Name (Role)", as people are introduced in messages."""
        return person_label(self.name, self.role)


def actor_from_person(person: Person, extra_admin_slack_ids: frozenset[str] = frozenset()) -> Actor:
    return Actor(
        person_id=person.id,
        key=person.key,
        name=person.name,
        role=person.role,
        slack_user_id=person.slack_user_id,
        is_admin=bool(person.is_admin)
        or (person.slack_user_id is not None and person.slack_user_id in extra_admin_slack_ids),
        is_chair=bool(person.is_chair),
    )


def actor_for(
    db: Session, plan_id: int, slack_user_id: str | None, extra_admin_slack_ids: frozenset[str] = frozenset()
) -> Actor | None:
    """The plan's person behind a Slack user id, or None for someone the plan does not know.

    A Slack user in the ADMINS setting but not in the plan's people is still None: every change is
    recorded against a person of the plan, so an administrator must be mapped to one first.

    A reading session that keeps answers finds them among all the plan's people, kept while the plan's
    revision stands (one build serves everyone who asks, each for the first time); any other session
    (a write's) reads the one person.
    """
    if not slack_user_id:
        return None
    if not uses_cache(db):
        person = person_for(db, plan_id, slack_user_id)
        return actor_from_person(person, extra_admin_slack_ids) if person is not None else None
    actor = _actors(db=db, plan_id=plan_id).get(slack_user_id)
    if actor is not None and not actor.is_admin and slack_user_id in extra_admin_slack_ids:
        return dataclasses.replace(actor, is_admin=True)
    return actor


def person_for(db: Session, plan_id: int, slack_user_id: str) -> Person | None:
    """The plan's person behind a Slack user id, as a row of this session (a writing session holds it,
    so the permission check finds it again without a statement)."""
    return db.scalars(
        select(Person).where(Person.plan_id == plan_id, Person.slack_user_id == slack_user_id)
    ).one_or_none()


def keep_people(*, db: Session, plan_id: int) -> None:
    """Read the plan's people now (at start-up), for the first person to ask."""
    _actors(db=db, plan_id=plan_id)


@cached
def _actors(*, db: Session, plan_id: int) -> dict[str, Actor]:
    """Every person of the plan with a Slack id, by that id (admins by setting are added by actor_for)."""
    rows = db.execute(
        select(
            Person.id,
            Person.key,
            Person.name,
            Person.role,
            Person.slack_user_id,
            Person.is_admin,
            Person.is_chair,
        ).where(Person.plan_id == plan_id, Person.slack_user_id.is_not(None))
    )
    return {
        slack_id: Actor(
            person_id=person_id,
            key=key,
            name=name,
            role=role,
            slack_user_id=slack_id,
            is_admin=bool(is_admin),
            is_chair=bool(is_chair),
        )
        for person_id, key, name, role, slack_id, is_admin, is_chair in rows
        if slack_id
    }


def actor_by_id(
    db: Session, plan_id: int, person_id: int | None, extra_admin_slack_ids: frozenset[str] = frozenset()
) -> Actor | None:
    if person_id is None:
        return None
    person = db.get(Person, person_id)
    if person is None or person.plan_id != plan_id:
        return None
    return actor_from_person(person, extra_admin_slack_ids)


def is_active_delegate(
    actor: Actor | None, owner_delegate_id: int | None, delegate_until: date | None, today: date
) -> bool:
    """The actor covers for the owner today (the cover has no end date, or it ends today or later)."""
    if actor is None or owner_delegate_id is None or owner_delegate_id != actor.person_id:
        return False
    return delegate_until is None or today <= delegate_until


def can_update(
    actor: Actor | None,
    milestone_owner_id: int | None,
    owner_delegate_id: int | None,
    delegate_until: date | None,
    today: date,
) -> bool:
    """The owner, the owner's delegate while the cover lasts, and admins may update a milestone."""
    if actor is None:
        return False
    if actor.is_admin:
        return True
    if milestone_owner_id is not None and actor.person_id == milestone_owner_id:
        return True
    return milestone_owner_id is not None and is_active_delegate(
        actor, owner_delegate_id, delegate_until, today
    )


@dataclass(frozen=True)
class Acting:
    """Who is acting, the owner of what they act on, and whether they may (owner, cover, admin)."""

    author: Person
    actor: Actor
    owner: Person | None
    allowed: bool


def acting(
    db: Session,
    *,
    plan_id: int,
    author_id: int,
    owner_id: int | None,
    today: date,
    extra_admin_slack_ids: frozenset[str],
    doing: str,
) -> Acting:
    """The one permission rule for milestones and measures alike; someone who is not one of the plan's
    people may do nothing (``doing``: "update milestones", for the refusal)."""
    author = db.get(Person, author_id)
    if author is None or author.plan_id != plan_id:
        raise NotAllowed(f"You are not one of this plan's people yet, so you cannot {doing}: ask an admin.")
    actor = actor_from_person(author, extra_admin_slack_ids)
    owner = db.get(Person, owner_id) if owner_id is not None else None
    delegate_id, until = (owner.delegate_id, owner.delegate_until) if owner else (None, None)
    return Acting(author, actor, owner, can_update(actor, owner_id, delegate_id, until, today))


def can_reopen(actor: Actor | None, milestone_owner_id: int | None) -> bool:
    """Only the owner or an admin may move a complete milestone back to another status."""
    if actor is None:
        return False
    return actor.is_admin or (milestone_owner_id is not None and actor.person_id == milestone_owner_id)


def can_manage_meetings(actor: Actor | None) -> bool:
    """Moving, cancelling or adding a board meeting: the chair or an admin."""
    return actor is not None and (actor.is_chair or actor.is_admin)


def can_preview_digest(actor: Actor | None) -> bool:
    return actor is not None and (actor.is_chair or actor.is_admin)


def can_admin(actor: Actor | None) -> bool:
    """Plan edits, owner mapping, import and export."""
    return actor is not None and actor.is_admin


def board_chairs(db: Session, plan_id: int) -> list[Person]:
    """The board's chair, else whoever the plan marks as chair."""
    chair = db.scalar(select(Person).join(Board, Board.chair_id == Person.id).where(Board.plan_id == plan_id))
    if chair is not None:
        return [chair]
    return list(
        db.scalars(
            select(Person)
            .where(Person.plan_id == plan_id, Person.is_chair.is_(True))
            .order_by(Person.position, Person.id)
        )
    )
