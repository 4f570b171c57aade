"""An area is answered from the plan's areas kept for the revision and day: each one the board asks
for after the first costs no statement but the revision, and reads exactly what the query would."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.services import queries
from bot.services.errors import NotFound
from models import Area, Milestone
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)


def _codes(db, plan_id):
    return db.scalars(select(Area.code).where(Area.plan_id == plan_id).order_by(Area.position)).all()


def test_every_kept_area_is_the_area_the_query_reads(kept, sessions, durham):
    with sessions() as db:
        codes = _codes(db, durham)
        fresh = {c: queries.area_detail(db=db, plan_id=durham, today=TODAY, code=c) for c in codes}
    with kept() as db:
        from_kept = {c: queries.area_detail(db=db, plan_id=durham, today=TODAY, code=c) for c in codes}
    assert len(codes) >= 3
    assert any(detail.priorities for detail in fresh.values())  # the plan links priorities to areas
    assert from_kept == fresh


def test_an_area_after_the_first_reads_only_the_revision(engine, kept, sessions, durham):
    with sessions() as db:
        first, second = _codes(db, durham)[:2]
    with kept() as db:
        queries.area_detail(db=db, plan_id=durham, today=TODAY, code=first)
    with counting(engine) as seen, kept() as db:
        detail = queries.area_detail(db=db, plan_id=durham, today=TODAY, code=second.lower())
    assert detail.area.code == second
    assert len(seen) == 1 and "plan_revision" in seen[0], seen


def test_a_kept_area_follows_a_write(kept, durham):
    with kept() as db:
        code = _codes(db, durham)[0]
        before = queries.area_detail(db=db, plan_id=durham, today=TODAY, code=code)
    assert before.milestones
    with kept.begin() as db:
        area_id = db.scalar(select(Area.id).where(Area.plan_id == durham, Area.code == code))
        db.execute(update(Milestone).where(Milestone.area_id == area_id).values(title="Renamed by the test"))
    with kept() as db:
        after = queries.area_detail(db=db, plan_id=durham, today=TODAY, code=code)
    assert {row.title for row in after.milestones} == {"Renamed by the test"}


def test_an_unknown_area_is_told_the_same_from_kept_answers(kept, sessions, durham):
    with sessions() as db, pytest.raises(NotFound) as fresh:
        queries.area_detail(db=db, plan_id=durham, today=TODAY, code="ZZ-9")
    with kept() as db, pytest.raises(NotFound) as from_kept:
        queries.area_detail(db=db, plan_id=durham, today=TODAY, code="ZZ-9")
    assert str(from_kept.value) == str(fresh.value)
    assert "ZZ-9" in str(fresh.value)
