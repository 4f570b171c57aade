"""What a person owns and covers for (/qib mine, the App Home tab, "what does Alex own?").

Each person's answer is kept (bot.services.queries). When many people ask after the same write, as on
a large plan's busy morning, reading each one's milestones costs a few statements per person: from the
PLAN_WIDE_AFTER-th person on, the plan's owned milestones and people are read once for the revision
and day (about the cost of the board's summary) and every further person's answer is drawn from them
with no statement. A session that keeps no answers reads the one person.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from bot.services.errors import NotFound
from bot.services.queries.context import _plan_context
from bot.services.queries.people import _delegate_active, _person_info, _select_people
from bot.services.queries.results import (
    BoardCalendar,
    OwnedMilestone,
    PersonInfo,
    PersonMilestones,
    PersonRef,
)
from bot.services.queries.rows import _load_rows, _Loaded
from bot.services.read_model import Revision, cached, current_revision, uses_cache
from models import Milestone


def milestones_for(*, db: Session, plan_id: int, today: date, person_id: int) -> PersonMilestones:
    """What a person owns, plus what they cover for as a delegate today (until ``delegate_until``).

    Four statements (plan and board, overrides, the person and whom they cover for, the milestones);
    none once the plan's owned milestones are kept for the revision and day (see the module)."""
    if uses_cache(db) and _many_asked(db, plan_id, today):
        everyone = _everyone(db=db, plan_id=plan_id, today=today)
        person, covered = _person_and_cover(everyone.people, person_id, today)
        loaded = [item for owner in (person_id, *covered) for item in everyone.owned.get(owner, ())]
        return _assemble(everyone.calendar, person, covered, loaded)
    _plan, calendar = _plan_context(db, plan_id, today)
    p, stmt = _select_people(plan_id)
    rows = db.execute(
        stmt.where(
            or_(
                p.id == person_id,
                and_(
                    p.delegate_id == person_id,
                    or_(p.delegate_until.is_(None), p.delegate_until >= today),
                ),
            )
        )
    ).all()
    person, covered = _person_and_cover(_infos(rows), person_id, today)
    loaded = _load_rows(db, plan_id, calendar, Milestone.owner_id.in_([person_id, *covered]))
    return _assemble(calendar, person, covered, loaded)


# The people who may ask after a write before the plan-wide read pays for itself (it costs about as
# much as eight of theirs on the benchmark's plan of 2,000 milestones).
PLAN_WIDE_AFTER = 8
_asked: OrderedDict[tuple[int, Revision, date], int] = OrderedDict()
_asked_lock = threading.Lock()


def _many_asked(db: Session, plan_id: int, today: date) -> bool:
    """Count one more person asked under the plan's current revision (read already, no statement):
    have enough asked for the plan-wide read?"""
    revision = current_revision(db, plan_id)
    if revision is None:
        return False
    key = (plan_id, revision, today)
    with _asked_lock:
        n = _asked[key] = _asked.get(key, 0) + 1
        _asked.move_to_end(key)
        while len(_asked) > 64:
            _asked.popitem(last=False)
    return n > PLAN_WIDE_AFTER


def keep_everyone(*, db: Session, plan_id: int, today: date) -> None:
    """Read the plan's owned milestones now (at start-up), so that the first people to ask draw on
    them as if enough had asked already."""
    _everyone(db=db, plan_id=plan_id, today=today)
    revision = current_revision(db, plan_id)
    if revision is not None:
        with _asked_lock:
            _asked[(plan_id, revision, today)] = PLAN_WIDE_AFTER


@dataclass(frozen=True, slots=True)
class _Everyone:
    """The plan's people and the milestones each owns (in plan order), as the board reads them today."""

    calendar: BoardCalendar
    people: tuple[PersonInfo, ...]
    owned: dict[int, tuple[_Loaded, ...]]


@cached
def _everyone(*, db: Session, plan_id: int, today: date) -> _Everyone:
    """Three statements (plan and board, overrides; the people; the owned milestones), once per revision."""
    _plan, calendar = _plan_context(db, plan_id, today)
    _p, stmt = _select_people(plan_id)
    people = tuple(_infos(db.execute(stmt).all()))
    owned: dict[int, list[_Loaded]] = {}
    for item in _load_rows(db, plan_id, calendar, Milestone.owner_id.is_not(None)):
        owned.setdefault(item.owner_id or 0, []).append(item)
    return _Everyone(calendar, people, {owner: tuple(items) for owner, items in owned.items()})


def _infos(rows: Iterable[Sequence[object]]) -> list[PersonInfo]:
    return [info for info in (_person_info(r) for r in rows) if info is not None]


def _person_and_cover(
    people: Iterable[PersonInfo], person_id: int, today: date
) -> tuple[PersonInfo, dict[int, PersonRef]]:
    """The person, and those they cover for today (by id, in the plan's order of people)."""
    listed = list(people)
    person = next((info for info in listed if info.id == person_id), None)
    if person is None:
        raise NotFound("That person is not in this plan.")
    covered = {
        info.id: info.ref
        for info in listed
        if info.id != person_id
        and info.delegate is not None
        and info.delegate.key == person.key  # keys are unique in a plan
        and _delegate_active(info.delegate_until, today)
    }
    return person, covered


def _assemble(
    calendar: BoardCalendar, person: PersonInfo, covered: dict[int, PersonRef], loaded: Iterable[_Loaded]
) -> PersonMilestones:
    items = [
        OwnedMilestone(row=item.row, covered_for=covered.get(item.owner_id or 0))
        for item in sorted(
            loaded,
            key=lambda i: (i.owner_id != person.id, i.row.due or date.max, i.position, i.row.code),
        )
    ]
    return PersonMilestones(
        person=person, covering_for=list(covered.values()), items=items, calendar=calendar
    )
