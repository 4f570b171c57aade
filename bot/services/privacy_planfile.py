"""The plan-file importer's part of the personal-data screen: a file with a hard identifier is refused.

There is no box to tick in a file, so only hard identifiers (which are never allowed) refuse it; each
problem names the entry and the field and what kind of data it holds, never the data itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.services.privacy import WHAT_HARD, find_hard_personal_data
from bot.services.privacy_words import Staff
from models.planfile import PlanDoc


def _texts(doc: PlanDoc) -> Iterator[tuple[str, str | None]]:
    for i, a in enumerate(doc.areas):
        yield f"areas[{i}] ({a.code}).description", a.description
    for i, m in enumerate(doc.milestones):
        where = f"milestones[{i}] ({m.code})"
        yield f"{where}.title", m.title
        yield f"{where}.due_request_reason", m.due_request_reason
        for j, u in enumerate(m.updates):
            yield f"{where}.updates[{j}].note", u.note
            yield f"{where}.updates[{j}].next_steps", u.next_steps
            yield f"{where}.updates[{j}].blockers", u.blockers
            yield f"{where}.updates[{j}].reopen_reason", u.reopen_reason


def personal_data_problems(doc: PlanDoc) -> list[str]:
    staff = Staff.of((p.name, p.role, p.email) for p in doc.people)
    problems = []
    for where, text in _texts(doc):
        kinds = list(dict.fromkeys(f.kind for f in find_hard_personal_data(text, staff=staff)))
        if kinds:
            whats = " and ".join(WHAT_HARD[k] for k in kinds)
            problems.append(f"{where}: holds {whats}, which must never be in the plan; remove it")
    return problems
