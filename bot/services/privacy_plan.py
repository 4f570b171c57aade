"""The plan's side of the personal-data screen: who its staff are, and who its privacy officer is."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.people import board_chairs
from bot.services.privacy_words import Staff
from models import Board, Person, Plan


def plan_staff(db: Session, plan_id: int) -> Staff:
    """The plan's people (names, roles, emails), and the plan's own names (its council, its title, its
    board: "Westmoor Borough Council" is no child's name): never flagged as a child's personal data."""
    rows = db.execute(  # one statement: the plan's names on every row of its people (or on one, without)
        select(Plan.authority, Plan.title, Board.name, Person.name, Person.role, Person.email)
        .outerjoin(Board, Board.plan_id == Plan.id)
        .outerjoin(Person, Person.plan_id == Plan.id)
        .where(Plan.id == plan_id)
        .order_by(Person.id)
    ).all()
    own = tuple(name for name in rows[0][:3] if name) if rows else ()
    people = tuple((name, role, email) for *_, name, role, email in rows if name is not None)
    return _staff(people, own)  # plain tuples hash fast


@functools.lru_cache(maxsize=32)
def _staff(people: tuple[tuple[str, str | None, str | None], ...], own_names: tuple[str, ...]) -> Staff:
    """Kept by the rows themselves, so never stale: the words of 400 people cost ~9 ms to build, and
    every update, correction and screened message needs them."""
    return Staff.of(people, own_names=own_names)


def privacy_officers(db: Session, plan_id: int) -> list[Person]:
    """Who is told of an override: the people with the privacy_officer role, else the board's chair
    (or whoever is marked chair)."""
    officers = list(
        db.scalars(
            select(Person)
            .where(Person.plan_id == plan_id, Person.is_privacy_officer.is_(True))
            .order_by(Person.position, Person.id)
        )
    )
    if officers:
        return officers
    return board_chairs(db, plan_id)


def record_personal_data_message(
    db: Session,
    plan_id: int,
    *,
    slack_user_id: str,
    surface: str,
    channel: str | None,
    kinds: list[str],
    now: datetime,
) -> None:
    """Audit a mention or DM that carried a hard identifier: who, where and what kinds, never the text."""
    person = db.scalar(select(Person).where(Person.plan_id == plan_id, Person.slack_user_id == slack_user_id))
    audit(
        db,
        plan_id=plan_id,
        at=now,
        actor_id=person.id if person else None,
        actor=person.name if person else f"Slack user {slack_user_id}"[:200],
        action=AuditAction.PERSONAL_DATA_MESSAGE,
        entity="message",
        after={"surface": surface, "channel": channel, "kinds": kinds},
    )
