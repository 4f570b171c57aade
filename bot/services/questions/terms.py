"""The plan's own words for the interpreter and the fallback: its codes, titles and people. Two statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from bot.services.questions.interpret import PlanTerms
from bot.services.read_model import cached
from models import Area, Measure, Milestone, Person, Priority


@dataclass(frozen=True, slots=True)
class Titled:
    kind: str  # area | milestone | priority | measure
    code: str
    title: str


@dataclass(frozen=True, slots=True)
class PlanWords:
    terms: PlanTerms
    entries: tuple[Titled, ...]  # areas, priorities, milestones, then measures, each in plan order

    def first(self, kind: str) -> Titled | None:
        return next((e for e in self.entries if e.kind == kind), None)


def plan_words(db: Session, plan_id: int, commands: frozenset[str]) -> PlanWords:
    """Codes and titles (one UNION) and people's names (one SELECT). Measure codes are kept apart from
    the plan's codes: "KPI-3" asks for a measure, not a search of the plan. Kept in the read model while
    the plan's revision stands."""
    return _plan_words(db=db, plan_id=plan_id, commands=frozenset(commands))


@cached
def _plan_words(*, db: Session, plan_id: int, commands: frozenset[str]) -> PlanWords:
    kinds = {"area": 0, "priority": 1, "milestone": 2, "measure": 3}
    stmt = union_all(
        select(literal("area").label("kind"), Area.code, Area.title, Area.position).where(
            Area.plan_id == plan_id
        ),
        select(literal("priority"), Priority.code, Priority.title, Priority.position).where(
            Priority.plan_id == plan_id
        ),
        select(literal("milestone"), Milestone.code, Milestone.title, Milestone.position).where(
            Milestone.plan_id == plan_id
        ),
        select(literal("measure"), Measure.code, Measure.title, Measure.position).where(
            Measure.plan_id == plan_id
        ),
    )
    rows = sorted(db.execute(stmt).all(), key=lambda r: (kinds[r[0]], r[3], r[1]))
    entries = tuple(Titled(kind, code, title) for kind, code, title, _ in rows)
    people = [name for (name,) in db.execute(select(Person.name).where(Person.plan_id == plan_id)) if name]
    terms = PlanTerms(
        codes=tuple(e.code for e in entries if e.kind != "measure"),
        people=tuple(people),
        commands=commands,
        measures=tuple(e.code for e in entries if e.kind == "measure"),
    )
    return PlanWords(terms=terms, entries=entries)
