"""Each milestone's latest shown progress update, as the board paper quotes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select, true
from sqlalchemy.orm import Session

from bot.services.queries.rows import latest_update_lateral
from models import Milestone, Person, ProgressUpdate


@dataclass(frozen=True, slots=True)
class Latest:
    """A milestone's latest progress update: what the paper quotes from it (one per milestone, so a
    plain dataclass: nothing to validate, the database gave these types)."""

    at: datetime
    status: str
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    decision: str | None
    author: str | None


def latest_updates(db: Session, plan_id: int) -> dict[str, Latest]:
    """Each milestone's latest update, by code: one statement."""
    pu = ProgressUpdate
    columns = (pu.at, pu.status, pu.note, pu.evidence_url, pu.next_steps, pu.blockers, pu.decision)
    if db.connection().dialect.name == "postgresql":
        stmt = _latest_by_probe(plan_id, columns)
    else:
        stmt = _latest_by_window(plan_id, columns)
    return {
        row[0]: Latest(
            at=row[1],
            status=row[2],
            note=row[3],
            evidence_url=row[4],
            next_steps=row[5],
            blockers=row[6],
            decision=row[7],
            author=row[8],
        )
        for row in db.execute(stmt)
    }


def _latest_by_probe(plan_id: int, columns: tuple[Any, ...]) -> Select[Any]:
    """PostgreSQL: one index probe per milestone (bot.services.queries.rows.latest_update_lateral), so
    the cost follows the plan's milestones, not its history (a window over 100,000 updates sorted them
    all: 80 ms against 14)."""
    latest = latest_update_lateral(*(column.key for column in columns), "author_id")
    return (
        select(Milestone.code, *(getattr(latest.c, column.key) for column in columns), Person.name)
        .select_from(Milestone)
        .join(latest, true())
        .outerjoin(Person, Person.id == latest.c.author_id)
        .where(Milestone.plan_id == plan_id)
    )


def _latest_by_window(plan_id: int, columns: tuple[Any, ...]) -> Select[Any]:
    """SQLite, which has no LATERAL: a window over the plan's updates."""
    pu = ProgressUpdate
    ranked = (
        select(
            pu.id.label("id"),
            func.row_number()
            .over(partition_by=pu.milestone_id, order_by=(pu.at.desc(), pu.id.desc()))
            .label("n"),
        )
        .where(pu.plan_id == plan_id, pu.shown())
        .subquery("ranked")
    )
    return (
        select(Milestone.code, *columns, Person.name)
        .join(ranked, and_(ranked.c.id == pu.id, ranked.c.n == 1))
        .join(Milestone, Milestone.id == pu.milestone_id)
        .outerjoin(Person, Person.id == pu.author_id)
    )
