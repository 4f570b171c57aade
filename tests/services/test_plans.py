"""Which plan a request is about among several: names, a person's own plans, and the order of the rules."""

from __future__ import annotations

import pytest

from bot.services.errors import NotFound
from bot.services.planfile import import_plan, parse_plan_text
from bot.services.plans import (
    PlanChoiceNeeded,
    PlanRef,
    Where,
    find_by_name,
    own_plan_ids,
    plan_refs,
    remember_choice,
    resolve,
)
from tests.conftest import SEED_TIME
from tests.e2e.test_several_plans import SEND_PLAN

CHAIR, IRO, IRO_2, NOBODY = "U0QIB0001", "U0QIB0002", "U0QIB0003", "U0NOBODY1"

PLANS = [
    PlanRef(1, "Children's Social Care Quality Improvement Plan", "#qib-board"),
    PlanRef(2, "SEND Written Statement of Action", "#send-board"),
    PlanRef(3, "SEND Local Offer Plan", None),
]


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("2", 2),
        ("send written statement of action", 2),
        ("children's", 1),
        ("local offer", 3),
        ("  SEND   Local ", 3),
    ],
)
def test_a_plan_is_found_by_id_title_start_or_part(name: str, found: int):
    assert find_by_name(PLANS, name).id == found


@pytest.mark.parametrize("name", ["send", "youth justice", ""])
def test_an_ambiguous_or_unknown_name_lists_the_plans(name: str):
    with pytest.raises(NotFound, match="SEND Local Offer Plan"):
        find_by_name(PLANS, name)


COUNCILS = [
    PlanRef(1, "Children's Services Improvement Plan", "#westmarsh-board", "Westmarsh Borough Council"),
    PlanRef(2, "Quality Improvement Plan", "C0EASTVALE", "Eastvale County Council"),
    PlanRef(3, "SEND Written Statement of Action", None, "Eastvale County Council"),
]


@pytest.mark.parametrize(
    ("name", "found"), [("Westmarsh", 1), ("westmarsh borough council", 1), ("plan", None)]
)
def test_a_plan_is_found_by_its_councils_name_when_only_one_plan_is_that_councils(name, found):
    """`/qib plan Westmarsh`: the council names its plan; Eastvale has two, so its name is not enough, and
    a title word ("plan") is never read as a council's name."""
    if found is None:
        with pytest.raises(NotFound):
            find_by_name(COUNCILS, name)
    else:
        assert find_by_name(COUNCILS, name).id == found
    with pytest.raises(NotFound, match="Quality Improvement Plan"):
        find_by_name(COUNCILS, "Eastvale")


def test_the_plans_are_read_with_their_council(sessions, durham: int):
    with sessions() as db:
        assert [p.authority for p in plan_refs(db)] == ["Durham County Council"]


@pytest.fixture
def two(sessions, durham: int) -> tuple[int, int]:
    with sessions.begin() as db:
        send = import_plan(db, parse_plan_text(SEND_PLAN), now=SEED_TIME).plan_id
    return durham, send


def test_own_plans_are_where_a_person_owns_covers_or_chairs(sessions, two):
    durham, send = two
    with sessions() as db:
        assert own_plan_ids(db, CHAIR, [durham, send]) == [durham, send]  # chairs both
        assert own_plan_ids(db, IRO_2, [durham, send]) == [durham]  # covers for Alex in Durham only
        assert own_plan_ids(db, NOBODY, [durham, send]) == []


def test_the_rules_in_order(sessions, two):
    durham, send = two
    bound = {"#qib-board": "C0QIBBOARD", "#send-board": "C0SENDBOARD"}
    with sessions.begin() as db:
        plans = plan_refs(db)

        def ask(where: Where) -> int:
            return resolve(db, plans, where, lambda p: bound.get(p.channel or ""))

        assert ask(Where(CHAIR, hint=send, channel_id="C0QIBBOARD")) == send  # the form's own plan first
        assert ask(Where(CHAIR, channel_id="C0SENDBOARD")) == send  # then the channel's
        assert ask(Where(IRO_2, channel_id="DU0QIB0003")) == durham  # then their one plan
        with pytest.raises(PlanChoiceNeeded) as need:
            ask(Where(CHAIR, channel_id="CUNBOUND1"))
        assert [p.id for p in need.value.plans] == [durham, send]
        remember_choice(db, CHAIR, send, now=SEED_TIME)
        assert ask(Where(CHAIR, channel_id="DU0QIB0001")) == send  # a choice beats their own plans
        assert ask(Where(CHAIR, channel_id="C0QIBBOARD")) == durham  # but not a plan's channel
        assert ask(Where(IRO_2, hint=999)) == durham  # a hint naming no plan served is ignored
