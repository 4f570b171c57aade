"""What a search looks in: the plan's areas, priorities and milestones with the texts that describe
them. Read from the database as a search needs them, or, where answers are kept (bot.services.read_model),
read whole once per revision so that each new text typed is searched in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.services.read_model import cached, uses_cache
from models import Area, Milestone, Person, Priority

HitKind = Literal["area", "milestone", "priority"]

# Field weights: a word in the title counts fully; elsewhere a little less.
W_TITLE, W_DESCRIPTION, W_CONTEXT, W_OWNER = 1.0, 0.9, 0.75, 0.8


@dataclass(frozen=True, slots=True)
class Entry:
    """Something a search can find, with the texts its words are looked for in."""

    kind: HitKind
    code: str
    title: str
    area_code: str | None
    area_id: int | None  # the area's id for a milestone; its own id for an area
    texts: tuple[tuple[str | None, float], ...]  # (text, field weight); the title first


class Entries(Protocol):
    def areas_and_priorities(self) -> list[Entry]: ...

    def milestones_by_code(self) -> list[Entry]:
        """At least every milestone whose code is one of the candidates (a search by code)."""
        ...

    def milestones(self) -> list[Entry]:
        """Every milestone (a search by words)."""
        ...


def entries_for(db: Session, plan_id: int, code_candidates: list[str]) -> Entries:
    if uses_cache(db):
        return _plan_entries(db=db, plan_id=plan_id)
    return _Read(db, plan_id, code_candidates)


@dataclass(frozen=True, slots=True)
class _Kept:
    """Every entry of the plan, kept for the revision."""

    first: tuple[Entry, ...]  # areas, then priorities
    every_milestone: tuple[Entry, ...]

    def areas_and_priorities(self) -> list[Entry]:
        return list(self.first)

    def milestones_by_code(self) -> list[Entry]:
        return list(self.every_milestone)  # more than the code filter keeps: codes are compared exactly

    def milestones(self) -> list[Entry]:
        return list(self.every_milestone)


def keep_entries(*, db: Session, plan_id: int) -> None:
    """Read what a search looks in now (at start-up), for the first text typed."""
    _plan_entries(db=db, plan_id=plan_id)


@cached
def _plan_entries(*, db: Session, plan_id: int) -> _Kept:
    """Three statements once per revision, so that each text typed after the first is searched in memory."""
    entries, area_codes = _load_areas_and_priorities(db, plan_id)
    return _Kept(tuple(entries), tuple(_load_milestones(db, plan_id, area_codes)))


class _Read:
    """Straight from the database, no more than the search needs (the areas and priorities first: they
    give the milestones their area codes)."""

    def __init__(self, db: Session, plan_id: int, code_candidates: list[str]) -> None:
        self.db, self.plan_id, self.candidates = db, plan_id, code_candidates
        self.area_codes: dict[int, str] = {}

    def areas_and_priorities(self) -> list[Entry]:
        entries, self.area_codes = _load_areas_and_priorities(self.db, self.plan_id)
        return entries

    def milestones_by_code(self) -> list[Entry]:
        could_be = _code_filter(self.candidates)
        return [] if could_be is None else _load_milestones(self.db, self.plan_id, self.area_codes, could_be)

    def milestones(self) -> list[Entry]:
        return _load_milestones(self.db, self.plan_id, self.area_codes)


def _load_areas_and_priorities(db: Session, plan_id: int) -> tuple[list[Entry], dict[int, str]]:
    """The plan's areas and priorities (a few dozen rows): two statements."""
    entries: list[Entry] = []
    area_codes: dict[int, str] = {}
    for a in db.execute(
        select(Area.id, Area.code, Area.title, Area.description)
        .where(Area.plan_id == plan_id)
        .order_by(Area.position, Area.id)
    ):
        area_codes[a.id] = a.code
        entries.append(
            Entry("area", a.code, a.title, a.code, a.id, ((a.title, W_TITLE), (a.description, W_DESCRIPTION)))
        )
    for p in db.execute(
        select(Priority.code, Priority.title)
        .where(Priority.plan_id == plan_id)
        .order_by(Priority.position, Priority.id)
    ):
        entries.append(Entry("priority", p.code, p.title, None, None, ((p.title, W_TITLE),)))
    return entries, area_codes


def _load_milestones(
    db: Session, plan_id: int, area_codes: dict[int, str], *where: ColumnElement[bool]
) -> list[Entry]:
    """The plan's milestones (those matching ``where``) with their area and owner: one statement."""
    return [
        Entry(
            "milestone",
            code,
            title,
            area_codes.get(area_id),
            area_id,
            ((title, W_TITLE), (area_title, W_CONTEXT), (name, W_OWNER), (role, W_OWNER)),
        )
        for code, title, area_id, area_title, name, role in db.execute(
            select(
                Milestone.code,
                Milestone.title,
                Milestone.area_id,
                Area.title.label("area_title"),
                Person.name,
                Person.role,
            )
            .join(Area, Area.id == Milestone.area_id)
            .outerjoin(Person, Person.id == Milestone.owner_id)
            .where(Milestone.plan_id == plan_id, *where)
            .order_by(Milestone.position, Milestone.id)
        )
    ]


def _code_filter(candidates: list[str]) -> ColumnElement[bool] | None:
    """SQL keeping every milestone whose code could normalise to a candidate, and few others.

    A code normalises to a string with the same last character, lower-cased, and (when it starts with
    a letter) the same first: normalising only drops and adds separators and drops the zeros that lead
    a number, and the last character is never such a zero. So ``lower(code) LIKE 'm%7'`` keeps every
    code that can be "m-7" and more; the exact comparison is still done in Python. A code that starts
    with a digit may start with a zero the key dropped ("01.2"), so only its end is matched.
    """
    patterns = {_like(c) for c in candidates}
    if not patterns:
        return None
    code = func.lower(Milestone.code)
    return or_(*(code.like(p) for p in sorted(patterns)))


def _like(normal: str) -> str:
    if normal[0].isalpha():
        return normal if len(normal) == 1 else f"{normal[0]}%{normal[-1]}"
    return f"%{normal[-1]}"
