"""What a person owns and who they are, from the plan's people and owned milestones kept once per
revision and day: the same answers as reading the one person, for everyone, covers included; the
first time each person asks costs no statement but the revision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from bot.services import queries as q
from bot.services.people import actor_for
from bot.services.queries import owned as owned_module
from models import Milestone, Person
from models.db import Sessions
from qib_testing.people import ADMIN_BY_SETTING, IRO
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)
DAYS = (date(2020, 1, 31), TODAY)


def everyone(sessions: Sessions, plan_id: int) -> list[tuple[int, str | None]]:
    with sessions() as db:
        return [
            (r[0], r[1])
            for r in db.execute(select(Person.id, Person.slack_user_id).where(Person.plan_id == plan_id))
        ]


def owned(sessions: Sessions, plan_id: int, person_id: int, today: date = TODAY) -> q.PersonMilestones:
    with sessions() as db:
        return q.milestones_for(db=db, plan_id=plan_id, today=today, person_id=person_id)


def assert_kept_is_read(kept: Sessions, sessions: Sessions, plan_id: int) -> None:
    for person_id, _ in everyone(sessions, plan_id):
        for day in DAYS:
            assert owned(kept, plan_id, person_id, day) == owned(sessions, plan_id, person_id, day), (
                person_id,
                day,
            )


@pytest.fixture(params=["each their own", "plan-wide"])
def way(request, monkeypatch) -> str:
    """Both ways a kept answer is built: from the person's own milestones, or from the plan's."""
    monkeypatch.setattr(owned_module, "PLAN_WIDE_AFTER", 10**6 if request.param == "each their own" else 0)
    return request.param


def test_everyones_milestones_kept_are_those_read(kept, sessions, durham, way):
    assert_kept_is_read(kept, sessions, durham)


def test_covers_and_own_milestones_kept_are_those_read(kept, sessions, durham, way):
    """The cases of tests/services/test_queries.py, on the kept path: a cover that ends, and someone
    who owns milestones and covers for another."""
    with kept.begin() as db:
        cover = db.scalar(select(Person.id).where(Person.plan_id == durham, Person.key == "iro-ops-2"))
        db.execute(
            update(Milestone)
            .where(Milestone.plan_id == durham, Milestone.code == "M-22")
            .values(owner_id=cover)
        )
        db.execute(
            update(Person)
            .where(Person.plan_id == durham, Person.key == "iro-ops")
            .values(delegate_until=date(2020, 1, 31))
        )
    assert cover is not None
    assert [i.row.code for i in owned(kept, durham, cover, date(2020, 1, 31)).items] == [
        "M-22",
        "M-16",
        "M-05",
    ]
    assert [i.row.code for i in owned(kept, durham, cover).items] == ["M-22"]
    assert_kept_is_read(kept, sessions, durham)


def test_after_the_first_few_each_persons_first_ask_costs_only_the_revision(engine, kept, durham):
    """The first PLAN_WIDE_AFTER people to ask after a write read their own milestones; the next reads
    the plan's, and everyone after that is answered from them."""
    people = [person_id for person_id, _ in everyone(kept, durham)]
    first, then = people[: owned_module.PLAN_WIDE_AFTER], people[owned_module.PLAN_WIDE_AFTER :]
    assert len(then) >= 3, "the plan has enough people for the test"
    for person_id in first:
        with counting(engine) as seen:
            owned(kept, durham, person_id)
        assert len(seen) <= 5 and not any("milestone.owner_id IS NOT NULL" in s for s in seen), seen
    with counting(engine) as seen:
        owned(kept, durham, then[0])
    assert any("milestone.owner_id IS NOT NULL" in s for s in seen), "the plan's owned milestones, once"
    with counting(engine) as seen:
        for person_id in then[1:]:
            owned(kept, durham, person_id)
    assert len(seen) == len(then) - 1 and all("plan_revision" in s for s in seen), seen


def test_everyone_kept_is_who_they_are_read(kept, sessions, durham):
    admins = frozenset({ADMIN_BY_SETTING})
    for _, slack_id in everyone(sessions, durham):
        for extra in (frozenset(), admins):
            with kept() as k, sessions() as s:
                assert actor_for(k, durham, slack_id, extra) == actor_for(s, durham, slack_id, extra), (
                    slack_id
                )
    with kept() as db:
        assert actor_for(db, durham, "UNOBODY", admins) is None
        assert actor_for(db, durham, None) is None
        by_setting = actor_for(db, durham, ADMIN_BY_SETTING, admins)
        plain = actor_for(db, durham, ADMIN_BY_SETTING)
    assert by_setting is not None and by_setting.is_admin and plain is not None and not plain.is_admin


def test_a_session_that_wrote_reads_the_one_person(engine, kept, durham):
    with kept.begin() as db:
        db.execute(
            update(Person).where(Person.plan_id == durham, Person.slack_user_id == IRO).values(role="Moved")
        )
        with counting(engine) as seen:
            actor = actor_for(db, durham, IRO)
    assert actor is not None and actor.role == "Moved"
    assert len(seen) == 1 and "slack_user_id = " in seen[0].replace("\n", " "), seen
