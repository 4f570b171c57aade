"""A plan with more than 100 milestones: the form's milestone menu loads its options as the owner types."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from models import Milestone, Person
from qib_testing.people import IRO, TEAM
from qib_testing.slack_standin.signer import block_suggestion_payload, interactive_body
from tests.e2e.test_updates import history, open_modal, state


def add_milestones(bot, count: int) -> None:
    with bot.deps.sessions.begin() as db:
        m05 = db.scalars(select(Milestone).where(Milestone.code == "M-05")).one()
        owner = db.scalars(select(Person).where(Person.slack_user_id == IRO)).one()
        for n in range(count):
            db.add(
                Milestone(
                    plan_id=m05.plan_id,
                    code=f"X-{n + 1}",
                    area_id=m05.area_id,
                    title=f"Extra action number {n + 1}",
                    owner_id=owner.id,
                    due=date(2020, 9, 30),
                    status="not started",
                    percent=0,
                    position=1000 + n,
                )
            )


def suggest(bot, typed: str) -> dict:
    payload = block_suggestion_payload(
        "update_pick_milestone", typed, block_id="milestone", user_id=IRO, team_id=TEAM
    )
    status, _, text = bot.http.post("/slack/events", interactive_body(payload))
    assert status == 200
    return json.loads(text)


def test_past_100_choices_the_milestone_menu_loads_as_the_owner_types(bot):
    add_milestones(bot, 120)
    view = open_modal(bot, "update", user=IRO)
    menu = next(b for b in view["blocks"] if b.get("block_id") == "milestone")["element"]
    assert menu["type"] == "external_select" and "options" not in menu
    found = suggest(bot, "x-115")
    codes = [o["value"] for g in found["option_groups"] for o in g["options"]]
    assert codes[0] == "X-115"
    words = suggest(bot, "action number 117")
    assert [o["value"] for g in words["option_groups"] for o in g["options"]] == ["X-117"]
    everything = suggest(bot, "")
    assert sum(len(g["options"]) for g in everything["option_groups"]) == 100  # Slack's most

    values = state(None, "on track", "10", "Started")
    values["milestone"] = {
        "update_pick_milestone": {"type": "external_select", "selected_option": {"value": "X-115"}}
    }
    assert bot.submit(view, values, user=IRO) == (200, "")
    assert history(bot, "X-115") == [("on track", 10, "Started", "slack")]
