"""People lookup: by Slack id, by mention or by name, with their delegates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from bot.services.errors import InvalidInput
from bot.services.queries.results import PersonInfo, PersonRef
from models import (
    Person,
)


def _person_columns(p: Any, d: Any) -> list[Any]:
    return [
        p.id,
        p.key,
        p.name,
        p.role,
        p.slack_user_id,
        p.email,
        p.is_admin,
        p.is_chair,
        p.delegate_until,
        d.key,
        d.name,
        d.role,
        d.slack_user_id,
    ]


def _person_info(r: Sequence[Any], offset: int = 0) -> PersonInfo | None:
    v = list(r[offset : offset + 13])
    if v[0] is None:
        return None
    delegate = PersonRef(v[9], v[10], v[11], v[12]) if v[9] is not None else None
    return PersonInfo(
        id=v[0],
        key=v[1],
        name=v[2],
        role=v[3],
        slack_user_id=v[4],
        email=v[5],
        is_admin=bool(v[6]),
        is_chair=bool(v[7]),
        delegate=delegate,
        delegate_until=v[8],
    )


def _delegate_active(until: date | None, today: date) -> bool:
    return until is None or today <= until


@cache
def _person_alias(name: str) -> Any:
    """An alias of Person, made once: making one (and its columns) costs more than running the query."""
    return aliased(Person, name=name)


@cache
def _people_select() -> Select[Any]:
    p, d = _person_alias("p"), _person_alias("d")
    return select(*_person_columns(p, d)).outerjoin(d, d.id == p.delegate_id).order_by(p.position, p.id)


def _select_people(plan_id: int) -> Any:
    p = _person_alias("p")
    return p, _people_select().where(p.plan_id == plan_id)


def person_by_slack_id(db: Session, plan_id: int, slack_user_id: str) -> PersonInfo | None:
    """The plan's person with this Slack user id, or None when nobody is mapped to it. One statement."""
    p, stmt = _select_people(plan_id)
    found = db.execute(stmt.where(p.slack_user_id == slack_user_id.strip())).first()
    return _person_info(found) if found is not None else None


_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def find_person(db: Session, plan_id: int, text: str) -> PersonInfo | None:
    """A person by key, Slack id (or ``<@U123>`` mention), name or email, else by part of name or role.

    Exact matches (ignoring case) win; a partial match must be unique. Returns None when nobody
    matches; raises InvalidInput, naming the candidates, when a partial match is ambiguous.
    One statement (the plan's people are few).
    """
    wanted = text.strip().lstrip("@").strip()
    mention = _MENTION.match(text.strip())
    if mention:
        wanted = mention.group(1)
    if not wanted:
        return None
    _p, stmt = _select_people(plan_id)
    people = [info for info in (_person_info(r) for r in db.execute(stmt)) if info is not None]
    folded = " ".join(wanted.casefold().split())
    exact = [
        person
        for person in people
        if folded
        in {
            person.key.casefold(),
            (person.slack_user_id or "").casefold(),
            " ".join(person.name.casefold().split()),
            (person.email or "").casefold(),
        }
    ]
    if exact:
        return exact[0]
    partial = [
        person
        for person in people
        if folded in " ".join(person.name.casefold().split())
        or folded in " ".join((person.role or "").casefold().split())
    ]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "; ".join(f"{p.name} ({p.key})" for p in partial[:8])
        raise InvalidInput(f'"{wanted}" could be several people: {names}. Use their key.', field="person")
    return None
