"""The plan's own words in the personal-data screen: a council's name is not a child's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.planfile import import_plan, parse_plan_text
from bot.services.privacy import find_personal_data
from bot.services.privacy_plan import plan_staff

WESTMOOR = """\
version: 1
plan: {title: Westmoor Improvement Plan, authority: Westmoor Borough Council}
areas:
  - {code: "1", title: Front door, description: "The consistency of decisions at the front door."}
people:
  - {key: kim, name: Kim Tan, role: Team Manager}
  - {key: pat, name: Pat Smith, role: Director, roles: [chair, admin]}
milestones:
  - {code: "1.1", area: "1", title: Threshold guidance, owner: kim, due: 2026-03-15, status: on track, percent: 25}
board: {name: Harrowgate Partnership Board, chair: pat, rrule: "FREQ=MONTHLY;BYDAY=+2WE", start: 2026-01-01,
        time: "17:30"}
"""


def test_the_councils_own_name_the_plans_and_the_boards_are_not_taken_for_a_childs_name(sessions):
    with sessions.begin() as db:
        plan_id = import_plan(db, parse_plan_text(WESTMOOR), now=datetime(2026, 3, 1, tzinfo=UTC)).plan_id
    with sessions() as db:
        staff = plan_staff(db, plan_id)
    for note in (
        "Agreed at Westmoor Borough Council cabinet",
        "Shared with the Harrowgate Partnership Board",
        "Westmoor Improvement Plan refreshed",
        "Kim Tan drafted the guidance",
    ):
        assert find_personal_data(note, staff=staff) == [], note
    assert find_personal_data("Met Jayden Smith (aged 7) at home", staff=staff)  # a child still is
