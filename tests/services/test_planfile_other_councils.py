"""Plan files from councils other than Durham: other code styles, boards and time zones."""

from __future__ import annotations

import pytest

from bot.services.errors import PlanFileError
from bot.services.planfile import parse_plan_text

NUMBERED = """\
version: 1
plan: {title: Improvement Plan, authority: Northshire Council}
areas:
  - {code: 1, title: Supervision, description: "Supervision."}
  - {code: "2", title: Pathway plans, description: "Pathway plans."}
people:
  - {key: jo, name: Jo Bloggs, role: Service Manager}
milestones:
  - {code: "1.1", area: "1", title: Audit, owner: jo, due: 2026-07-01, status: on track, percent: 50}
  - {code: 1.10, area: 2, title: Policy, owner: jo, due: 2026-07-01, status: on track, percent: 50}
"""


def refusal_of(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(text, "plan.yaml")
    return caught.value.problems


def test_a_code_yaml_reads_as_a_number_is_refused_asking_for_quotes_as_the_file_wrote_it():
    assert refusal_of(NUMBERED) == [
        'areas[0].code: 1 is read as a number: write it in quotes, "1"',
        'milestones[1].code: 1.10 is read as a number: write it in quotes, "1.10"',
        'milestones[1].area: 2 is read as a number: write it in quotes, "2"',
    ]


def test_the_same_file_with_its_codes_in_quotes_is_read():
    quoted = NUMBERED.replace("code: 1,", 'code: "1",').replace(
        "code: 1.10, area: 2,", 'code: "1.10", area: "2",'
    )
    doc = parse_plan_text(quoted, "plan.yaml")
    assert [m.code for m in doc.milestones] == ["1.1", "1.10"]


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("NO", 'areas[0].code: NO is read as true or false: write it in quotes, "NO"'),
        ("010", 'areas[0].code: 010 is read as a number: write it in quotes, "010"'),
        ("2026-01-01", 'areas[0].code: 2026-01-01 is read as a date: write it in quotes, "2026-01-01"'),
    ],
)
def test_a_code_yaml_reads_as_something_else_is_quoted_back_as_written(written, problem):
    text = f"version: 1\nplan: {{title: P, authority: A}}\nareas:\n  - {{code: {written}, title: N, description: d}}\n"
    assert refusal_of(text + "people: []\nmilestones: []\n") == [problem]
