"""Validating a plan file's cross-references: codes, people and areas that must exist, told by position."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.services.calendar import parse_rrule
from bot.services.measure_file import check_measures
from models.planfile import (
    AreaDoc,
    BoardDoc,
    InspectionDoc,
    MilestoneDoc,
    PersonDoc,
    PlanDoc,
    PlanInfo,
    PriorityDoc,
)


@dataclass
class _Entries:
    """The entries reference checks look at, each with its index in the file; `known_*` are the codes and
    keys the file names, including those of entries that cannot be read (a reference to them is fine)."""

    areas: list[tuple[int, AreaDoc]]
    priorities: list[tuple[int, PriorityDoc]]
    people: list[tuple[int, PersonDoc]]
    milestones: list[tuple[int, MilestoneDoc]]
    board: BoardDoc | None
    inspection: InspectionDoc | None
    timezone: str
    known_areas: set[str]
    known_priorities: set[str]
    known_keys: set[str]


def check_references(doc: PlanDoc) -> list[str]:
    """Cross-entry rules pydantic cannot see: unique codes and keys, and references that resolve."""
    entries = _Entries(
        areas=list(enumerate(doc.areas)),
        priorities=list(enumerate(doc.priorities)),
        people=list(enumerate(doc.people)),
        milestones=list(enumerate(doc.milestones)),
        board=doc.board,
        inspection=doc.inspection,
        timezone=doc.plan.timezone,
        known_areas={a.code for a in doc.areas},
        known_priorities={p.code for p in doc.priorities},
        known_keys={p.key for p in doc.people},
    )
    return (
        [problem for _, problem in _reference_problems(entries)]
        + _earlier_inspection_problems(doc)
        + check_measures(doc)
    )


def _earlier_inspection_problems(doc: PlanDoc) -> list[str]:
    problems = []
    for i, e in enumerate(doc.earlier_inspections):
        where = f"earlier_inspections[{i}]"
        if e.start is None and e.month is None:
            problems.append(
                f'{where}: give its start date, or its month as "YYYY-MM" when the day is not known'
            )
        if e.start and e.end and e.end < e.start:
            problems.append(f"{where}.end: it ends before it starts")
    return problems


Loc = tuple[str | int, ...]


def _reference_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    """Every cross-entry problem, located, in the order the file reads."""
    return [
        *_duplicate_codes(doc),
        *_people_problems(doc),
        *_priority_problems(doc),
        *_milestone_problems(doc),
        *_board_chair_problems(doc),
        *_inspection_problems(doc),
        *_board_problems(doc),
    ]


def _duplicate_codes(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []

    def unique(kind: str, values: Iterable[tuple[int, str]]) -> None:
        folded: set[str] = set()  # one set, not one per entry: a 30,000-milestone file stays linear
        for i, v in values:
            if v.upper() in folded:
                problems.append(((kind, i, "code"), f"{kind}[{i}] ({v}).code: duplicate code {v}"))
            folded.add(v.upper())

    unique("areas", ((i, a.code) for i, a in doc.areas))
    unique("priorities", ((i, p.code) for i, p in doc.priorities))
    unique("milestones", ((i, m.code) for i, m in doc.milestones))
    return problems + _codes_shared_across_kinds(doc)


def _codes_shared_across_kinds(doc: _Entries) -> list[tuple[Loc, str]]:
    """An area, a priority and a milestone never share a code: `/qib status SP-3` could not tell which
    was meant."""
    first: dict[str, str] = {}
    problems: list[tuple[Loc, str]] = []
    kinds = (("areas", "an area", doc.areas), ("priorities", "a priority", doc.priorities))
    for kind, named, entries in (*kinds, ("milestones", "a milestone", doc.milestones)):
        mine: set[str] = set()
        for i, entry in entries:
            folded = entry.code.upper()
            if folded in first and folded not in mine:
                problems.append(
                    (
                        (kind, i, "code"),
                        f"{kind}[{i}] ({entry.code}).code: {entry.code} is also {first[folded]}'s code, so "
                        f"`/qib status {entry.code}` could not tell them apart: give one of them another code",
                    )
                )
            mine.add(folded)
        for folded in mine:
            first.setdefault(folded, named)
    return problems


def _people_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    keys = doc.known_keys
    seen_keys: set[str] = set()
    slack_ids: set[str] = set()
    for i, person in doc.people:
        where = f"people[{i}] ({person.key})"
        if person.key in seen_keys:
            problems.append((("people", i, "key"), f"{where}.key: duplicate key {person.key}"))
        seen_keys.add(person.key)
        if person.slack_user_id:
            if person.slack_user_id in slack_ids:
                problems.append(
                    (
                        ("people", i, "slack_user_id"),
                        f"{where}.slack_user_id: {person.slack_user_id} is used twice",
                    )
                )
            slack_ids.add(person.slack_user_id)
    for i, person in doc.people:
        where = f"people[{i}] ({person.key})"
        if person.delegate and person.delegate not in keys:
            problems.append(
                (("people", i, "delegate"), f'{where}.delegate: no person has the key "{person.delegate}"')
            )
        if person.delegate == person.key:
            problems.append(
                (("people", i, "delegate"), f"{where}.delegate: a person cannot cover for themselves")
            )
    return problems


def _priority_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for i, p in doc.priorities:
        for a in p.areas:
            if a not in doc.known_areas:
                problems.append(
                    (
                        ("priorities", i, "areas"),
                        f'priorities[{i}] ({p.code}).areas: no area has the code "{a}"',
                    )
                )
    return problems


def _milestone_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    areas, priorities, keys = doc.known_areas, doc.known_priorities, doc.known_keys
    update_keys: set[str] = set()
    for i, m in doc.milestones:
        where = f"milestones[{i}] ({m.code})"
        if m.area not in areas:
            problems.append((("milestones", i, "area"), f'{where}.area: no area has the code "{m.area}"'))
        if m.priority and m.priority not in priorities:
            problems.append(
                (("milestones", i, "priority"), f'{where}.priority: no priority has the code "{m.priority}"')
            )
        problems += _person_problems(i, where, m, keys)
        problems += _update_problems(m, i, where, keys, update_keys)
    return problems


def _update_problems(
    m: MilestoneDoc, i: int, where: str, keys: set[str], update_keys: set[str]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for j, u in enumerate(m.updates):
        at: Loc = ("milestones", i, "updates", j)
        if u.author and u.author not in keys:
            problems.append(
                ((*at, "author"), f'{where}.updates[{j}].author: no person has the key "{u.author}"')
            )
        if u.key in update_keys:
            problems.append(((*at, "key"), f'{where}.updates[{j}].key: duplicate update key "{u.key}"'))
        update_keys.add(u.key)
    return problems


def _board_chair_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    if doc.board and doc.board.chair and doc.board.chair not in doc.known_keys:
        return [(("board", "chair"), f'board.chair: no person has the key "{doc.board.chair}"')]
    return []


def _inspection_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if doc.inspection and doc.inspection.end < doc.inspection.start:
        problems.append((("inspection", "end"), "inspection.end: the inspection ends before it starts"))
    sent, published = (
        (doc.inspection.action_plan_sent, doc.inspection.published) if doc.inspection else (None, None)
    )
    if sent and published and sent < published:
        problems.append(
            (
                ("inspection", "action_plan_sent"),
                "inspection.action_plan_sent: the action plan was sent before the report was published",
            )
        )
    return problems


def _board_problems(doc: _Entries) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if not doc.board:
        return problems
    try:
        parse_rrule(
            doc.board.rrule,
            start=doc.board.start,
            at=doc.board.time,
            tz=doc.board.timezone or doc.timezone,
        )
    except ValueError as exc:
        problems.append((("board", "rrule"), f"board.rrule: {exc}"))
    dates: set[date] = set()
    for i, o in enumerate(doc.board.overrides):
        at = ("board", "overrides", i)
        if o.action == "moved" and o.to is None:
            problems.append(((*at, "to"), f"board.overrides[{i}].to: a moved meeting needs the new date"))
        if o.date in dates:
            problems.append(
                (
                    (*at, "date"),
                    f"board.overrides[{i}].date: {o.date} has an exception already (one per meeting)",
                )
            )
        dates.add(o.date)
    return problems


def _readable_entries(raw: dict[Any, Any]) -> _Entries:
    """The entries of a file that failed validation which can still be read on their own, so a reference
    error is reported together with the type errors rather than only once those are fixed."""

    def readable(model: Any, value: Any) -> Any:
        try:
            return model.model_validate(value)
        except (ValidationError, TypeError, ValueError):
            return None

    def section(name: str, model: Any) -> list[tuple[int, Any]]:
        items = raw.get(name)
        if not isinstance(items, list):
            return []
        found = ((i, readable(model, item)) for i, item in enumerate(items))
        return [(i, entry) for i, entry in found if entry is not None]

    def written(name: str, field_name: str) -> set[str]:
        items = raw.get(name)
        # A code YAML read as a number (`code: 1`) is refused for that, not also as a code nobody has.
        return {
            str(item[field_name]).strip()
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get(field_name), str | int | float)
        }

    plan = readable(PlanInfo, raw.get("plan"))
    return _Entries(
        areas=section("areas", AreaDoc),
        priorities=section("priorities", PriorityDoc),
        people=section("people", PersonDoc),
        milestones=section("milestones", MilestoneDoc),
        board=readable(BoardDoc, raw.get("board")) if raw.get("board") is not None else None,
        inspection=readable(InspectionDoc, raw.get("inspection"))
        if raw.get("inspection") is not None
        else None,
        timezone=plan.timezone if plan else "Europe/London",
        known_areas=written("areas", "code"),
        known_priorities=written("priorities", "code"),
        known_keys=written("people", "key"),
    )


def _file_position(raw: Any, loc: Iterable[Any]) -> tuple[int, ...]:
    """Where `loc` is in the file, for sorting problems in file order (YAML mappings keep their order);
    a missing field sorts after the fields of its entry that are there."""
    position: list[int] = []
    node = raw
    for step in loc:
        if isinstance(node, dict):
            index = next((i for i, k in enumerate(node) if type(k) is type(step) and k == step), None)
            if index is None:
                if isinstance(step, str) and step.startswith(("function-", "constrained-")):
                    continue
                position.append(len(node))
                break
            position.append(index)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            position.append(step)
            node = node[step]
        else:
            break
    return tuple(position)


def _person_problems(i: int, where: str, m: MilestoneDoc, keys: set[str]) -> list[tuple[Loc, str]]:
    """A milestone's owner and whoever asked for its revised date must be the plan's people."""
    return [
        (("milestones", i, name), f'{where}.{name}: no person has the key "{key}"')
        for name, key in (("owner", m.owner), ("due_requested_by", m.due_requested_by))
        if key and key not in keys
    ]
