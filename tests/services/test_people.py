from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.services.people import (
    Actor,
    actor_for,
    can_admin,
    can_manage_meetings,
    can_preview_digest,
    can_reopen,
    can_update,
)
from models import Person

TODAY = date(2020, 2, 10)


def actor(person_id: int = 1, *, admin: bool = False, chair: bool = False) -> Actor:
    return Actor(
        person_id=person_id,
        key=f"p{person_id}",
        name=f"Person {person_id}",
        role=None,
        slack_user_id=None,
        is_admin=admin,
        is_chair=chair,
    )


@pytest.fixture
def mapped(sessions, durham) -> int:
    """The Durham plan with Slack user ids for the chair and the IRO managers."""
    with sessions.begin() as db:
        for key, slack in (("head-csc", "U0HEAD"), ("iro-ops", "U0IRO"), ("iro-ops-2", "U0IRO2")):
            db.scalars(
                select(Person).where(Person.plan_id == durham, Person.key == key)
            ).one().slack_user_id = slack
    return durham


def test_actor_is_the_plans_person_behind_a_slack_user(sessions, mapped):
    with sessions() as db:
        found = actor_for(db, mapped, "U0IRO", frozenset())
    assert found is not None
    assert (found.key, found.name, found.role) == ("iro-ops", "Alex Morgan", "IRO Operations Manager")
    assert not found.is_admin and not found.is_chair
    assert found.label == "Alex Morgan (IRO Operations Manager)"


def test_an_unknown_slack_user_is_nobody(sessions, mapped):
    with sessions() as db:
        assert actor_for(db, mapped, "U0STRANGER", frozenset({"U0STRANGER"})) is None
        assert actor_for(db, mapped, None, frozenset()) is None
        assert actor_for(db, mapped, "", frozenset()) is None


def test_chair_and_admin_roles_come_from_the_plan(sessions, mapped):
    with sessions() as db:
        head = actor_for(db, mapped, "U0HEAD", frozenset())
    assert head is not None and head.is_admin and head.is_chair


def test_admins_named_in_settings_are_admins(sessions, mapped):
    with sessions() as db:
        iro = actor_for(db, mapped, "U0IRO", frozenset({"U0IRO"}))
    assert iro is not None and iro.is_admin and can_admin(iro)


def test_owner_may_update_their_milestone_and_others_may_not():
    assert can_update(actor(1), 1, None, None, TODAY)
    assert not can_update(actor(2), 1, None, None, TODAY)
    assert not can_update(actor(2), None, None, None, TODAY)
    assert not can_update(None, 1, None, None, TODAY)


def test_delegate_may_update_while_the_cover_lasts():
    assert can_update(actor(2), 1, 2, None, TODAY)
    assert can_update(actor(2), 1, 2, TODAY, TODAY)
    assert not can_update(actor(2), 1, 2, date(2020, 2, 9), TODAY)
    assert not can_update(actor(3), 1, 2, None, TODAY)


def test_admin_may_update_any_milestone_even_without_an_owner():
    assert can_update(actor(9, admin=True), 1, None, None, TODAY)
    assert can_update(actor(9, admin=True), None, None, None, TODAY)


def test_only_the_owner_or_an_admin_may_reopen():
    assert can_reopen(actor(1), 1)
    assert can_reopen(actor(9, admin=True), 1)
    assert not can_reopen(actor(2), 1)
    assert not can_reopen(None, 1)


def test_chair_or_admin_manage_meetings_and_preview_the_digest():
    for check in (can_manage_meetings, can_preview_digest):
        assert check(actor(chair=True)) and check(actor(admin=True))
        assert not check(actor()) and not check(None)


def test_only_admins_administer_the_plan():
    assert can_admin(actor(admin=True))
    assert not can_admin(actor(chair=True)) and not can_admin(actor()) and not can_admin(None)
