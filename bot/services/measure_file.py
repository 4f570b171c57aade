"""The plan file's `measures:` section: the checks pydantic cannot make, import and export.

Kept apart from bot.services.planfile so that module only calls in: three lines there (check, import,
export) and everything about measures here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.services.errors import PlanFileError
from bot.services.periods import current_period, period_kind
from models import Area, Measure, MeasureValue, Person, Priority, timezones
from models.planfile import MeasureDoc, MeasureValueDoc, PlanDoc, ReplacedValueDoc


def check_measures(doc: PlanDoc) -> list[str]:
    """Unique codes, references that resolve, periods of the measure's frequency, sensible values."""
    problems: list[str] = []
    areas = {a.code for a in doc.areas}
    priorities = {p.code for p in doc.priorities}
    keys = {p.key for p in doc.people}
    seen: set[str] = set()
    for i, m in enumerate(doc.measures):
        where = f"measures[{i}] ({m.code})"
        if m.code.upper() in seen:
            problems.append(f"{where}.code: duplicate code {m.code}")
        seen.add(m.code.upper())
        problems += _reference_problems(m, where, areas, priorities, keys)
        problems += _value_problems(m, where, keys)
    return problems


def _reference_problems(
    m: MeasureDoc, where: str, areas: set[str], priorities: set[str], keys: set[str]
) -> list[str]:
    problems: list[str] = []
    for a in m.areas:
        if a not in areas:
            problems.append(f'{where}.areas: no area has the code "{a}"')
    for p in m.priorities:
        if p not in priorities:
            problems.append(f'{where}.priorities: no priority has the code "{p}"')
    if m.owner and m.owner not in keys:
        problems.append(f'{where}.owner: no person has the key "{m.owner}"')
    if m.question_text and m.question is None:
        problems.append(f"{where}.question_text: give the question's number too (question: 10)")
    if m.amber_within < 0:
        problems.append(f"{where}.amber_within: {_n(m.amber_within)} is below 0")
    problems.extend(_range_problems(f"{where}.target", m, m.target))
    return problems


def _value_problems(m: MeasureDoc, where: str, keys: set[str]) -> list[str]:
    problems: list[str] = []
    periods: set[str] = set()
    for j, v in enumerate(m.values):
        at = f"{where}.values[{j}]"
        if period_kind(v.period) != m.frequency:
            example = "2019-10" if m.frequency == "monthly" else "2019-Q4"
            problems.append(f'{at}.period: "{v.period}" is not a {m.frequency} period (e.g. {example})')
        if v.period in periods:
            problems.append(f"{at}.period: {v.period} has a value already (one per period)")
        periods.add(v.period)
        problems.extend(_range_problems(f"{at}.value", m, v.value))
        for k, r in enumerate(v.replaced):
            problems.extend(_range_problems(f"{at}.replaced[{k}].value", m, r.value))
        for name in [v.author, *(r.author for r in v.replaced)]:
            if name and name not in keys:
                problems.append(f'{at}.author: no person has the key "{name}"')
    return problems


def _range_problems(where: str, m: MeasureDoc, value: float) -> list[str]:
    if value < 0:
        return [f"{where}: {_n(value)} is below 0 (a {m.unit} cannot be negative)"]
    if m.unit == "percent" and value > 100:
        return [f"{where}: {_n(value)} is over 100 (the unit is percent)"]
    return []


def refuse_future_periods(doc: PlanDoc, now: datetime, source: str = "the plan file") -> None:
    """A value for a period after the current one is a typing mistake, not a forecast: refuse the file."""
    today = now.astimezone(timezones.zone(doc.plan.timezone)).date()
    problems = [
        f"measures[{i}] ({m.code}).values[{j}].period: {v.period} is in the future "
        f"(the current period is {current_period(m.frequency, today)})"
        for i, m in enumerate(doc.measures)
        for j, v in enumerate(m.values)
        if v.period > current_period(m.frequency, today)
    ]
    if problems:
        raise PlanFileError(source, problems)


def import_measures(
    db: Session,
    pid: int,
    doc: PlanDoc,
    *,
    people: dict[str, Person],
    areas: dict[str, Area],
    priorities: dict[str, Priority],
    note_change: Callable[[str], None],
) -> None:
    """Create or update measures by code; add the values (and replaced values) the database lacks.

    Matching a value by (measure, period): a period the database has with a different current value gets
    the file's value as a new row, so the history is never overwritten. Nothing is deleted.
    """
    existing = {
        m.code: m
        for m in db.scalars(
            select(Measure)
            .where(Measure.plan_id == pid)
            .options(selectinload(Measure.areas), selectinload(Measure.priorities))
        )
    }
    for position, entry in enumerate(doc.measures):
        _import_measure(db, pid, entry, position, existing, people, areas, priorities, note_change)
    db.flush()
    added = _import_values(db, pid, doc, existing, people)
    if added:
        note_change(f"{added} measure value(s) added")
    db.flush()


def _import_measure(
    db: Session,
    pid: int,
    entry: MeasureDoc,
    position: int,
    existing: dict[str, Measure],
    people: dict[str, Person],
    areas: dict[str, Area],
    priorities: dict[str, Priority],
    note_change: Callable[[str], None],
) -> None:
    """One measure created, or updated field by field with each change noted."""
    row = existing.get(entry.code)
    fields = {
        "title": entry.title,
        "question": entry.question,
        "question_text": entry.question_text,
        "owner_id": people[entry.owner].id if entry.owner else None,
        "unit": entry.unit,
        "direction": entry.direction,
        "target": float(entry.target),
        "amber_within": float(entry.amber_within),
        "frequency": entry.frequency,
        "position": position,
    }
    if row is None:
        row = Measure(plan_id=pid, code=entry.code, **fields)
        row.areas = [areas[c] for c in entry.areas]
        row.priorities = [priorities[c] for c in entry.priorities]
        db.add(row)
        existing[entry.code] = row
        note_change(f"new measure {entry.code}: {entry.title}")
        return
    for name, value in fields.items():
        if getattr(row, name) != value:
            if name != "position":
                note_change(f"measure {entry.code}: {name} {getattr(row, name)} -> {value}")
            setattr(row, name, value)
    if [a.code for a in row.areas] != list(entry.areas):
        row.areas = [areas[c] for c in entry.areas]
        note_change(f"measure {entry.code}: speaks to areas {', '.join(entry.areas) or 'none'}")
    if [p.code for p in row.priorities] != list(entry.priorities):
        row.priorities = [priorities[c] for c in entry.priorities]
        note_change(f"measure {entry.code}: speaks to priorities {', '.join(entry.priorities) or 'none'}")


def _import_values(
    db: Session, pid: int, doc: PlanDoc, existing: dict[str, Measure], people: dict[str, Person]
) -> int:
    """The values (and replaced values) the database lacks, added; how many."""
    current: dict[tuple[int, str], float] = {}
    for stored in db.scalars(
        select(MeasureValue).where(MeasureValue.plan_id == pid).order_by(MeasureValue.id)
    ):
        current[(stored.measure_id, stored.period)] = stored.value
    added = 0
    for entry in doc.measures:
        mid = existing[entry.code].id
        for v in entry.values:
            have = current.get((mid, v.period))
            if have is not None and have == float(v.value):
                continue
            docs: list[ReplacedValueDoc | MeasureValueDoc] = [*v.replaced, v] if have is None else [v]
            for r in docs:
                db.add(
                    MeasureValue(
                        plan_id=pid,
                        measure_id=mid,
                        period=v.period,
                        value=float(r.value),
                        note=r.note,
                        author_id=people[r.author].id if r.author else None,
                        at=r.at,
                        source=r.source.value,
                    )
                )
                added += 1
    return added


def export_measures(db: Session, plan_id: int) -> list[dict[str, Any]]:
    """Every measure with every value; a period's earlier values go under `replaced`, oldest first."""
    measures = db.scalars(
        select(Measure)
        .where(Measure.plan_id == plan_id)
        .options(selectinload(Measure.areas), selectinload(Measure.priorities))
        .order_by(Measure.position, Measure.id)
    ).all()
    people = {r.id: r.key for r in db.execute(select(Person.id, Person.key).where(Person.plan_id == plan_id))}
    by_period: dict[int, dict[str, list[MeasureValue]]] = {}
    for v in db.scalars(
        select(MeasureValue).where(MeasureValue.plan_id == plan_id).order_by(MeasureValue.id)
    ):
        by_period.setdefault(v.measure_id, {}).setdefault(v.period, []).append(v)
    out = []
    for m in measures:
        values = []
        for period in sorted(by_period.get(m.id, {})):
            *earlier, latest = by_period[m.id][period]
            entry = {"period": period, **_value_fields(latest, people)}
            if earlier:
                entry["replaced"] = [_value_fields(e, people) for e in earlier]
            values.append(entry)
        out.append(
            _drop_empty(
                {
                    "code": m.code,
                    "title": m.title,
                    "question": m.question,
                    "question_text": m.question_text,
                    "areas": [a.code for a in m.areas],
                    "priorities": [p.code for p in m.priorities],
                    "owner": people.get(m.owner_id or 0),
                    "unit": m.unit,
                    "direction": m.direction,
                    "target": _n(m.target),
                    "amber_within": _n(m.amber_within),
                    "frequency": m.frequency,
                    "values": values,
                }
            )
        )
    return out


def _value_fields(v: MeasureValue, people: dict[int, str]) -> dict[str, Any]:
    return _drop_empty(
        {
            "value": _n(v.value),
            "note": v.note,
            "at": v.at.astimezone(UTC).isoformat() if v.at else None,
            "author": people.get(v.author_id or 0),
            "source": v.source if v.source != "import" else None,
        }
    )


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


def _n(value: float) -> int | float:
    """71.0 is written 71, as it was typed; 71.5 stays 71.5."""
    return int(value) if float(value).is_integer() else value


__all__ = ["check_measures", "export_measures", "import_measures", "refuse_future_periods"]
