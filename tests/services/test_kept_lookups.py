"""The lookups nearly every request makes are kept in the read model too: the person behind a Slack id,
what a search finds, the plan's words for questions, its measures and its inspection. Asked again with
nothing written they run no statement but the revision; a write in between is seen."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.services.inspection import inspection_view
from bot.services.measures import read_measures
from bot.services.people import actor_for
from bot.services.questions.interpret import PlanTerms
from bot.services.questions.terms import plan_words
from bot.services.search import search
from models import Area, Person
from qib_testing.people import IRO
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)


LOOKUPS = {
    "actor": lambda db, plan: actor_for(db, plan, IRO, frozenset()),
    "search by code": lambda db, plan: search(db, plan, "afi 1"),
    "search by words": lambda db, plan: search(db, plan, "foster carer reviews"),
    "plan words": lambda db, plan: plan_words(db, plan, frozenset({"status"})),
    "measures": lambda db, plan: read_measures(db=db, plan_id=plan, today=TODAY),
    "inspection": lambda db, plan: inspection_view(db=db, plan_id=plan, today=TODAY),
}


@pytest.mark.parametrize("name", LOOKUPS)
def test_a_lookup_asked_again_reads_only_the_revision(engine, kept, sessions, durham, name):
    lookup = LOOKUPS[name]
    with sessions() as db:  # no kept answers: the queries themselves
        fresh = lookup(db, durham)
    with kept() as db:
        first = lookup(db, durham)
    with counting(engine) as seen, kept() as db:
        again = lookup(db, durham)
    assert len(seen) == 1 and "plan_revision" in seen[0], seen
    assert again == first == fresh


def test_the_person_behind_a_slack_id_follows_a_write(kept, durham):
    with kept() as db:
        before = actor_for(db, durham, IRO)
    assert before is not None
    with kept.begin() as db:
        person = db.scalars(select(Person).where(Person.plan_id == durham, Person.slack_user_id == IRO)).one()
        person.slack_user_id = "UMOVEDAWAY"
    with kept() as db:
        assert actor_for(db, durham, IRO) is None
        moved = actor_for(db, durham, "UMOVEDAWAY")
    assert moved is not None and moved.person_id == before.person_id


def test_admins_by_setting_are_part_of_what_is_kept(kept, durham):
    with kept() as db:
        plain = actor_for(db, durham, IRO)
        admin = actor_for(db, durham, IRO, frozenset({IRO}))
    assert plain is not None and not plain.is_admin
    assert admin is not None and admin.is_admin


def test_a_search_follows_a_write(kept, durham):
    with kept() as db:
        assert search(db, durham, "xylophone quantum").kind == "none"
    with kept.begin() as db:
        area = db.scalars(select(Area).where(Area.plan_id == durham).order_by(Area.position)).first()
        assert area is not None
        area.title = "Xylophone quantum services"
        code = area.code
    with kept() as db:
        found = search(db, durham, "xylophone quantum")
    assert found.match is not None and found.match.code == code


def test_kept_plan_words_still_find_people_by_name(kept, durham):
    with kept() as db:
        plan_words(db, durham, frozenset())
        words = plan_words(db, durham, frozenset())
    someone = words.terms.people[0]
    assert words.terms.name_in(f"what does {someone.casefold()} own") == someone.casefold()


def test_plan_terms_know_their_names_when_made():
    terms = PlanTerms(people=("Alex Morgan",))
    assert terms.name_in("what is morgan doing") == "morgan"
    assert PlanTerms().name_in("anyone") is None
