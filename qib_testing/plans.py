"""Plan builders in the factory style: a valid plan of any size by default, any section overridden, so a
test says only what matters to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.services.planfile import check_references
from models.planfile import PlanDoc


def plan_data(n: int, title: str = "Generated plan", **overrides: Any) -> dict[str, Any]:
    """A valid plan file (as data) of n milestones: areas, priorities and people grow with it; two updates
    per milestone. `overrides` replace top-level sections (`board=None` drops the board)."""
    statuses = ["not started", "on track", "at risk", "off track", "complete"]
    areas = max(2, n // 25)
    people = max(4, n // 10)
    data: dict[str, Any] = {
        "version": 1,
        "plan": {"title": title, "authority": "Generated Council", "timezone": "Europe/London"},
        "areas": [
            {"code": f"AFI-{a + 1}", "title": f"Area {a + 1} foster carer", "description": f"Area {a + 1}"}
            for a in range(areas)
        ],
        "priorities": [
            {
                "code": f"SP-{p + 1}",
                "title": f"Priority {p + 1}",
                "areas": [f"AFI-{a + 1}" for a in range(p, areas, 3)],
            }
            for p in range(3)
        ],
        "people": [
            {
                "key": f"p{i}",
                "name": f"Person {i}",
                "role": "Manager",
                "slack_user_id": f"U0GEN{i:05d}",
                **({"delegate": f"p{i + 1}"} if i % 3 == 0 and i + 1 < people else {}),
                **({"delegate_until": "2020-12-31"} if i % 6 == 0 else {}),
            }
            for i in range(people)
        ],
        "milestones": [],
        "board": {
            "name": "Generated Board",
            "rrule": "FREQ=MONTHLY;BYDAY=+3TH",
            "start": "2019-11-01",
            "time": "10:00",
            "timezone": "Europe/London",
            "overrides": [{"date": "2020-08-20", "action": "cancelled"}],
        },
    }
    for i in range(n):
        status = statuses[i % 5]
        updates = [
            {
                "at": (datetime(2019, 12, 1, 10, tzinfo=UTC) + timedelta(hours=i % 500)).isoformat(),
                "author": f"p{i % people}",
                "status": "on track",
                "percent": 10,
                "note": f"First note on {i}",
                "key": f"gen-{i}-1",
            },
            {
                "at": (datetime(2020, 1, 10, 10, tzinfo=UTC) + timedelta(hours=i % 500)).isoformat(),
                "author": f"p{i % people}",
                "status": status,
                "percent": 100 if status == "complete" else (i * 7) % 100,
                "note": f"Second note on {i}",
                "blockers": "Waiting" if i % 4 == 0 else None,
                "key": f"gen-{i}-2",
            },
        ]
        data["milestones"].append(
            {
                "code": f"M-{i + 1:04d}",
                "area": f"AFI-{i % areas + 1}",
                **({"priority": f"SP-{i % 3 + 1}"} if i % 2 else {}),
                "title": f"Milestone {i + 1} about foster carer reviews",
                "owner": f"p{i % people}",
                "due": (date(2019, 12, 1) + timedelta(days=i % 300)).isoformat(),
                "status": status,
                "percent": updates[-1]["percent"],
                "updates": updates,
            }
        )
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def plan_doc(n: int, title: str = "Generated plan", **overrides: Any) -> PlanDoc:
    """plan_data, read as the importer reads a plan file, its references checked."""
    doc = PlanDoc.model_validate(plan_data(n, title, **overrides))
    problems = check_references(doc)
    if problems:
        raise ValueError(f"the built plan is not valid: {problems}")
    return doc
