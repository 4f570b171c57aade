"""The lookups nearly every request makes are kept in the read model too: the person behind a Slack id,
what a search finds, the plan's words for questions, its measures and its inspection, a milestone's
owner and cover (the Update button) and its updates (the history's Edit buttons). Asked again with
nothing written they run no statement but the revision; a write in between is seen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services.corrections import CORRECTION_DAYS, correctable_ids, shown_updates
from bot.services.inspection import inspection_view
from bot.services.measures import read_measures
from bot.services.people import actor_for
from bot.services.questions.interpret import PlanTerms
from bot.services.questions.terms import plan_words
from bot.services.search import search
from bot.services.update_form import may_update, owner_and_cover
from models import Area, Person, ProgressUpdate
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)


LOOKUPS = {
    "actor": lambda db, plan: actor_for(db, plan, IRO, frozenset()),
    "search by code": lambda db, plan: search(db, plan, "afi 1"),
    "search by words": lambda db, plan: search(db, plan, "foster carer reviews"),
    "plan words": lambda db, plan: plan_words(db, plan, frozenset({"status"})),
    "measures": lambda db, plan: read_measures(db=db, plan_id=plan, today=TODAY),
    "inspection": lambda db, plan: inspection_view(db=db, plan_id=plan, today=TODAY),
    "owner and cover": lambda db, plan: owner_and_cover(db=db, plan_id=plan, code="M-05"),
    "updates shown": lambda db, plan: shown_updates(db=db, plan_id=plan, code="M-16"),
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


def test_a_new_cover_is_seen_by_the_next_update_button(kept, durham):
    def lead_may_update() -> bool:
        with kept() as db:
            actor = actor_for(db, durham, PRACTICE_LEAD)
            return may_update(db, plan_id=durham, actor=actor, code="M-05", today=TODAY)

    with kept() as db:
        owner = actor_for(db, durham, IRO)
        assert owner is not None and may_update(db, plan_id=durham, actor=owner, code="M-05", today=TODAY)
        assert not may_update(db, plan_id=durham, actor=None, code="M-05", today=TODAY)
    assert not lead_may_update()
    assert not lead_may_update()  # kept, and still no
    with kept.begin() as db:
        lead = db.scalars(
            select(Person).where(Person.plan_id == durham, Person.slack_user_id == PRACTICE_LEAD)
        )
        owner_row = db.get(Person, owner.person_id)
        assert owner_row is not None
        owner_row.delegate_id = lead.one().id
        owner_row.delegate_until = TODAY
    assert lead_may_update()
    with kept() as db:
        lead_actor = actor_for(db, durham, PRACTICE_LEAD)
        later = TODAY + timedelta(days=1)
        assert not may_update(db, plan_id=durham, actor=lead_actor, code="M-05", today=later), "cover ended"


def test_an_update_withdrawn_loses_its_edit_button(kept, durham):
    """The updates are kept; the 7 days and the person are applied to them on every request."""
    with kept() as db:
        shown = shown_updates(db=db, plan_id=durham, code="M-16")
        admin = actor_for(db, durham, CHAIR)  # an admin in the seed: may correct anyone's update
    assert len(shown) == 2 and admin is not None and admin.is_admin
    newest, at = max(((i, at) for i, _, at in shown), key=lambda u: u[1])
    just_after = at + timedelta(hours=1)
    with kept() as db:
        assert newest in correctable_ids(db, durham, admin, "M-16", just_after)
        too_late = at + timedelta(days=CORRECTION_DAYS, seconds=1)
        assert newest not in correctable_ids(db, durham, admin, "M-16", too_late)
    with kept.begin() as db:
        row = db.get(ProgressUpdate, newest)
        assert row is not None
        row.superseded_at = datetime(2020, 2, 3, tzinfo=UTC)
    with kept() as db:
        assert newest not in correctable_ids(db, durham, admin, "M-16", just_after)
        assert [i for i, _, _ in shown_updates(db=db, plan_id=durham, code="M-16")] == [
            i for i, _, _ in shown if i != newest
        ]
