"""Who the reminders are for, in a plan where one owner has no Slack id."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.scheduler.reminders import awaiting_text
from bot.services.planfile import import_plan, parse_plan_text
from bot.services.reminders import reminder_batches

PLAN = """\
version: 1
plan: {title: Westmoor Improvement Plan, authority: Westmoor Borough Council}
areas:
  - {code: "1", title: Front door, description: "The consistency of decisions at the front door."}
people:
  - {key: kim, name: Kim Tan, role: Team Manager}
  - {key: raj, name: Raj Patel, role: Service Manager, slack_user_id: U0RAJ}
  - {key: pat, name: Pat Smith, role: Director, slack_user_id: U0PAT, roles: [chair, admin]}
milestones:
  - {code: A1.1, area: "1", title: Threshold guidance, owner: kim, due: 2026-03-15, status: on track, percent: 25}
  - {code: A1.10, area: "1", title: Front door audit, owner: raj, due: 2026-04-30, status: not started, percent: 0}
board: {name: Westmoor Board, chair: pat, rrule: "FREQ=MONTHLY;BYDAY=+2WE", start: 2026-01-01, time: "17:30"}
"""


def batches_on_the_reminder_day(sessions, plan_text: str) -> list[Any]:
    """The plan imported, and its reminder batches on Wed 4 Mar 2026, before the 11 Mar board."""
    with sessions.begin() as db:
        plan_id = import_plan(db, parse_plan_text(plan_text), now=datetime(2026, 3, 1, tzinfo=UTC)).plan_id
    with sessions() as db:
        return reminder_batches(
            db=db,
            plan_id=plan_id,
            meeting_on=date(2026, 3, 11),
            digest_on=date(2026, 3, 5),
            today=date(2026, 3, 4),
        )


def test_an_owner_without_a_slack_id_is_on_the_chairs_awaiting_list_though_not_reminded(sessions):
    batches = batches_on_the_reminder_day(sessions, PLAN)
    reachable = [b.person.key for b in batches if b.person.slack_user_id]
    assert reachable == ["raj"]  # only Raj can be sent a reminder
    text = awaiting_text(batches, date(2026, 3, 11))
    assert text.splitlines()[1:] == [
        "A1.1: Kim Tan (no Slack id in the plan: not reminded)",
        "A1.10: Raj Patel",
    ]


def test_an_owner_without_a_slack_id_whose_delegate_was_reminded_is_not_marked_unreminded(sessions):
    covered = PLAN.replace(
        "{key: kim, name: Kim Tan, role: Team Manager}",
        "{key: kim, name: Kim Tan, role: Team Manager, delegate: raj}",
    )
    batches = batches_on_the_reminder_day(sessions, covered)
    text = awaiting_text(batches, date(2026, 3, 11))
    assert text.splitlines()[1:] == [
        "A1.1: Kim Tan",
        "A1.10: Raj Patel",
    ]  # Raj, covering, was reminded of A1.1
