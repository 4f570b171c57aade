"""Import and export of whole plans (YAML), idempotent by code and never losing progress history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from bot.services.calendar import parse_rrule
from bot.services.errors import PlanFileError
from bot.services.measure_file import check_measures, export_measures, import_measures, refuse_future_periods
from bot.services.privacy_planfile import personal_data_problems
from models import (
    Area,
    AuditEvent,
    Board,
    EarlierInspection,
    Inspection,
    Judgement,
    MeetingOverride,
    Milestone,
    Person,
    Plan,
    Priority,
    ProgressUpdate,
)
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

MAX_FILE_BYTES = 20_000_000
MAX_PROBLEM_CHARS = 300
# libyaml's parser is several times faster than PyYAML's own on a large file; both are safe loaders.
_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RETELL_BELOW = 1_000_000


def _load_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if _FastLoader is yaml.SafeLoader or len(text) > _RETELL_BELOW:
            raise
        # PyYAML's own parser words its errors more plainly than libyaml; a small file is quick to re-read.
        return yaml.safe_load(text)


Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    plan_id: int
    created: bool
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading and validating


def parse_plan_text(text: str, source: str = "<plan>") -> PlanDoc:
    """Parse and validate a plan file; raise PlanFileError naming every wrong entry and field."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise PlanFileError(source, [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"])
    try:
        raw = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise PlanFileError(source, [f"{where}{problem}"]) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2020-02-30 raises from datetime.date
        raise PlanFileError(source, [f"not valid YAML: {exc} (a date that does not exist?)"]) from None
    except RecursionError:
        raise PlanFileError(source, ["not valid YAML: nested too deeply"]) from None
    if not isinstance(raw, dict):
        raise PlanFileError(source, ["the file must be a YAML mapping with plan, areas, milestones..."])
    try:
        doc = PlanDoc.model_validate(raw)
    except ValidationError as exc:
        raise PlanFileError(source, _problems_of_unreadable(raw, exc, text)) from None
    problems = check_references(doc) + personal_data_problems(doc)
    if problems:
        raise PlanFileError(source, problems)
    return doc


def _problems_of_unreadable(raw: dict[Any, Any], exc: ValidationError, text: str) -> list[str]:
    """Every problem of a file that failed validation, in file order: type errors, keys that are not
    text (named as the file wrote them), and reference errors among the entries that can still be read."""
    located: list[tuple[tuple[int, ...], str]] = []
    key_parents: dict[Loc, None] = {}  # an ordered set
    for err in exc.errors():
        if err["type"] == "invalid_key":  # pydantic's loc for such a key is a repr: find the key itself
            key_parents[tuple(err["loc"][:-1])] = None
            continue
        located.append((_file_position(raw, err["loc"]), _describe(err, raw)))
    if key_parents:
        located += _non_text_keys(raw, list(key_parents), text)
    located += [
        (_file_position(raw, loc), problem) for loc, problem in _reference_problems(_readable_entries(raw))
    ]
    located.sort(key=lambda item: item[0])
    return [_clip(problem) for _, problem in located]


def _non_text_keys(raw: dict[Any, Any], parents: list[Loc], text: str) -> list[tuple[tuple[int, ...], str]]:
    """`plan.2020-01-01: is not a field ...`: every key of a plan file is a field name, so a key YAML reads
    as a number, a date, true or null is an unknown field, named as written."""
    found: list[tuple[tuple[int, ...], str]] = []
    tree: list[Any] = []  # YAML's node tree, composed once and only when a key needs naming
    for parent in parents:
        node: Any = raw
        for step in parent:
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                node = None
        if not isinstance(node, dict):
            continue
        for key in node:
            if not isinstance(key, str):
                loc = (*parent, key)
                path = _loc_text(raw, parent)
                if not tree:
                    tree.append(_compose(text))
                name = _written_key(tree[0] if len(found) < _NAMED_AS_WRITTEN else None, loc)
                found.append(
                    (
                        _file_position(raw, loc),
                        f"{path + '.' if path else ''}{name}: is not a field of the plan file (check the spelling)",
                    )
                )
    return found


# Past this many, a key is named as YAML reads it (2020-01-01 for 2020-1-1): only 50 problems are shown.
_NAMED_AS_WRITTEN = 200
_STR_TAG = "tag:yaml.org,2002:str"


def _compose(text: str) -> Any:
    """YAML's node tree, which keeps each key as written; a large file is not read a second time."""
    if len(text) > _RETELL_BELOW:
        return None
    try:
        return yaml.compose(text, Loader=_FastLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def _written_key(tree: Any, loc: Loc) -> str:
    """The key at `loc` as the file spells it (`2020-01-01`, `yes`, `0x10`), found in YAML's node tree."""
    fallback = yaml.safe_dump(loc[-1], default_flow_style=True).strip().removesuffix("...").strip()
    try:
        node: Any = tree
        loader = yaml.SafeLoader("")
        for step in loc:
            if isinstance(node, yaml.MappingNode):
                matches = [
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode)
                    and (
                        k.tag == _STR_TAG and k.value == step
                        if isinstance(step, str)
                        else k.tag != _STR_TAG and _same_key(loader.construct_object(k), step)
                    )
                ]
                if not matches:
                    return fallback
                key_node, node = matches[-1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                key_node, node = None, node.value[step]
            else:
                return fallback
        return str(key_node.value) if key_node is not None else fallback
    except (yaml.YAMLError, IndexError, ValueError, TypeError):
        return fallback


def _same_key(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _loc_text(raw: Any, loc: Loc) -> str:
    """`milestones[4] (M-05).updates[0]` for a path of string keys and list indexes."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and parts:
            parts[-1] += f"[{step}]"
            node = node[step] if step < len(node) else None
            label = node.get("code") or node.get("key") if isinstance(node, dict) else None
            if isinstance(label, str):
                parts[-1] += f" ({label})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _clip(line: str) -> str:
    # A message quotes what was written: a megabyte-long value must not make a megabyte-long message.
    return line if len(line) <= MAX_PROBLEM_CHARS else line[: MAX_PROBLEM_CHARS - 1] + "…"


def read_plan_file(path: str | Path) -> PlanDoc:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlanFileError(str(p), [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"])
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(str(p), [f"cannot read it: {exc}"]) from None
    return parse_plan_text(text, str(p))


def _describe(err: Any, raw: dict[str, Any]) -> str:
    """`milestones[4] (M-05).due: "31.06.18" is not a date`: path, the entry's code, the problem."""
    loc = err["loc"]
    parts: list[str] = []
    node: Any = raw
    for i, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and parts:
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            label = node.get("code") or node.get("key") if isinstance(node, dict) else None
            if label and i < len(loc) - 1:
                parts[-1] += f" ({label})"
        else:
            if step in {"function-after[_rrule(), str]"}:
                continue
            if not str(step).startswith(("function-", "constrained-")):
                parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    path = ".".join(parts) or "file"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        msg = "is required"
    elif err["type"] == "extra_forbidden":
        msg = "is not a field of the plan file (check the spelling)"
    elif err["type"] == "string_pattern_mismatch":
        msg = f'"{err["input"]}" is not in the expected form ({_pattern_hint(parts[-1] if parts else "")})'
    elif err["type"] == "enum":
        msg = f'"{err["input"]}" is not one of: {err["ctx"]["expected"]}'
    elif err["type"] in {"int_parsing", "int_type"}:
        msg = f'"{err["input"]}" is not a whole number'
    elif err["type"] in {"less_than_equal", "greater_than_equal"}:
        msg = f"{err['input']} is out of range ({err['msg'].lower()})"
    line = f"{path}: {msg}"
    # A message quotes what was written: a megabyte-long value must not make a megabyte-long message.
    return line if len(line) <= MAX_PROBLEM_CHARS else line[: MAX_PROBLEM_CHARS - 1] + "…"


def _pattern_hint(name: str) -> str:
    return {
        "code": "letters, digits and dashes, e.g. M-07",
        "area": "an area code such as AFI-1",
        "priority": "a priority code such as SP-1",
        "key": "lower-case letters, digits, dots, dashes, e.g. iro-ops",
        "owner": "a person key such as iro-ops",
        "chair": "a person key",
        "delegate": "a person key",
        "author": "a person key",
        "slack_user_id": "a Slack user id such as U012ABCDEF",
        "email": "an email address",
        "evidence_url": "an http(s) link",
    }.get(name.split("[")[0], "see docs/plan-file.md")


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


def _person_problems(i: int, where: str, m: MilestoneDoc, keys: set[str]) -> list[tuple[Loc, str]]:
    """A milestone's owner and whoever asked for its revised date must be the plan's people."""
    return [
        (("milestones", i, name), f'{where}.{name}: no person has the key "{key}"')
        for name, key in (("owner", m.owner), ("due_requested_by", m.due_requested_by))
        if key and key not in keys
    ]


def _reference_problems(doc: _Entries) -> list[tuple[Loc, str]]:
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
    areas, priorities, keys = doc.known_areas, doc.known_priorities, doc.known_keys
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
    for i, p in doc.priorities:
        for a in p.areas:
            if a not in areas:
                problems.append(
                    (
                        ("priorities", i, "areas"),
                        f'priorities[{i}] ({p.code}).areas: no area has the code "{a}"',
                    )
                )
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
        for j, u in enumerate(m.updates):
            at: Loc = ("milestones", i, "updates", j)
            if u.author and u.author not in keys:
                problems.append(
                    ((*at, "author"), f'{where}.updates[{j}].author: no person has the key "{u.author}"')
                )
            if u.key in update_keys:
                problems.append(((*at, "key"), f'{where}.updates[{j}].key: duplicate update key "{u.key}"'))
            update_keys.add(u.key)
    if doc.board and doc.board.chair and doc.board.chair not in keys:
        problems.append((("board", "chair"), f'board.chair: no person has the key "{doc.board.chair}"'))
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
    if doc.board:
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
        return {
            item[field_name].strip()
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get(field_name), str)
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


# ---------------------------------------------------------------- import


def find_plan(db: Session, doc: PlanDoc) -> Plan | None:
    return db.scalar(
        select(Plan).where(Plan.authority == doc.plan.authority, Plan.title == doc.plan.title).limit(1)
    )


def import_plan(
    db: Session, doc: PlanDoc, *, now: datetime, actor: str = "import", progress: Progress | None = None
) -> ImportReport:
    """Create or update a plan from a validated file, matching entries by code; deletes nothing.

    The caller owns the transaction: roll it back for a dry run.
    """
    refuse_future_periods(doc, now)
    plan = find_plan(db, doc)
    report = ImportReport(plan_id=0, created=plan is None)
    if plan is None:
        plan = Plan(title=doc.plan.title, authority=doc.plan.authority)
        db.add(plan)
        report.changes.append(f"new plan: {doc.plan.title} ({doc.plan.authority})")
    _set(report, "plan", plan, doc.plan.model_dump(exclude={"title", "authority"}))
    db.flush()
    report.plan_id = plan.id
    pid = plan.id

    _import_inspection(db, plan, doc, report)
    _import_earlier_inspections(plan, doc, report)
    people = _import_people(db, pid, doc, report)
    areas = _upsert_by_code(
        db, Area, pid, doc.areas, report, "area", lambda a: {"title": a.title, "description": a.description}
    )
    priorities = _upsert_by_code(
        db,
        Priority,
        pid,
        doc.priorities,
        report,
        "priority",
        lambda p: {"title": p.title, "period": p.period},
    )
    for p in doc.priorities:
        wanted = [areas[c] for c in p.areas]
        current = priorities[p.code].areas
        if {a.code for a in current} != set(p.areas):
            if not report.created:
                report.changes.append(f"priority {p.code}: serves {', '.join(p.areas) or 'no area'}")
            priorities[p.code].areas = wanted
    milestones = _upsert_by_code(
        db,
        Milestone,
        pid,
        doc.milestones,
        report,
        "milestone",
        lambda m: {
            "title": m.title,
            "area_id": areas[m.area].id,
            "priority_id": priorities[m.priority].id if m.priority else None,
            "owner_id": people[m.owner].id if m.owner else None,
            "due": m.due,
            "baseline_due": m.baseline_due,
            "due_revised_by": m.due_revised_by,
            "due_revised_on": m.due_revised_on,
            # A file without a pending request leaves one asked for in Slack alone.
            **(
                {
                    "due_requested": m.due_requested,
                    "due_request_reason": m.due_request_reason,
                    "due_requested_by_id": people[m.due_requested_by].id if m.due_requested_by else None,
                }
                if m.due_requested
                else {}
            ),
            "status": m.status.value,
            "percent": m.percent,
        },
        progress=progress,
    )
    _import_updates(db, pid, doc, milestones, people, report)
    _import_owner_changes(db, pid, doc)
    _import_board(db, plan, doc, people, report)
    import_measures(
        db, pid, doc, people=people, areas=areas, priorities=priorities, note_change=_noter(report)
    )
    _note_missing(db, pid, doc, report)
    if report.changes:
        db.add(
            AuditEvent(
                plan_id=pid,
                at=now,
                actor=actor,
                action="import",
                entity="plan",
                entity_code=None,
                before=None,
                after={"changes": report.changes[:500], "count": len(report.changes)},
            )
        )
    db.flush()
    return report


def _noter(report: ImportReport) -> Callable[[str], None]:
    """Changes to an existing plan are reported; a new plan's contents are not."""
    return lambda change: None if report.created else report.changes.append(change)


def _set(report: ImportReport, label: str, row: Any, values: dict[str, Any], *, new: bool = False) -> None:
    for name, value in values.items():
        if hasattr(value, "value") and not isinstance(value, (int, str)):
            value = value.value
        old = getattr(row, name, None)
        if old != value:
            if not new and not report.created and old is not None:
                report.changes.append(f"{label}: {name} {_show(old)} -> {_show(value)}")
            elif not new and not report.created:
                report.changes.append(f"{label}: {name} set to {_show(value)}")
            setattr(row, name, value)


def _show(v: Any) -> str:
    if isinstance(v, (date, time)):
        return v.isoformat()
    text = str(v)
    return f'"{text[:60]}..."' if len(text) > 60 else (f'"{text}"' if isinstance(v, str) else text)


def _upsert_by_code(
    db: Session,
    model: Any,
    pid: int,
    entries: list[Any],
    report: ImportReport,
    kind: str,
    values: Callable[[Any], dict[str, Any]],
    progress: Progress | None = None,
) -> dict[str, Any]:
    existing = {row.code: row for row in db.scalars(select(model).where(model.plan_id == pid))}
    total = len(entries)
    for position, entry in enumerate(entries):
        row = existing.get(entry.code)
        fields = {**values(entry), "position": position}
        if row is None:
            row = model(plan_id=pid, code=entry.code)
            _set(report, f"{kind} {entry.code}", row, fields, new=True)
            db.add(row)
            existing[entry.code] = row
            if not report.created:
                report.changes.append(f"new {kind} {entry.code}: {entry.title}")
        else:
            _set(report, f"{kind} {entry.code}", row, {k: v for k, v in fields.items() if k != "position"})
            row.position = position
        if progress and (position % 200 == 0 or position == total - 1):
            progress(position + 1, total)
    db.flush()
    return existing


def _import_inspection(db: Session, plan: Plan, doc: PlanDoc, report: ImportReport) -> None:
    if doc.inspection is None:
        return
    ins = doc.inspection
    row = plan.inspection
    if row is None:
        row = Inspection(plan_id=plan.id, type=ins.type.value, start=ins.start, end=ins.end)
        plan.inspection = row
        if not report.created:
            report.changes.append(f"new inspection: {ins.type.value} {ins.start} to {ins.end}")
    _set(
        report,
        "inspection",
        row,
        {
            "type": ins.type.value,
            "start": ins.start,
            "end": ins.end,
            "published": ins.published,
            "lead_inspector": ins.lead_inspector,
            "action_plan_sent": ins.action_plan_sent,
        },
    )
    wanted = [(j.area, j.grade.value) for j in ins.judgements]
    if [(j.area, j.grade) for j in row.judgements] != wanted:
        if row.judgements and not report.created:
            report.changes.append("inspection: judgements replaced")
        row.judgements = [Judgement(position=i, area=a, grade=g) for i, (a, g) in enumerate(wanted)]


def _import_earlier_inspections(plan: Plan, doc: PlanDoc, report: ImportReport) -> None:
    """The list as the file gives it, in file order; a file without the key leaves the list alone."""
    if "earlier_inspections" not in doc.model_fields_set:
        return
    fields = ("type", "start", "end", "month", "published", "outcome")
    wanted = [tuple(getattr(e, f) for f in fields) for e in doc.earlier_inspections]
    wanted = [(t.value, *rest) for t, *rest in wanted]
    current = [tuple(getattr(e, f) for f in fields) for e in plan.earlier_inspections]
    if current != wanted:
        if not report.created:
            report.changes.append(f"earlier inspections: {len(wanted)} listed")
        plan.earlier_inspections = [
            EarlierInspection(position=i, **dict(zip(fields, row, strict=True)))
            for i, row in enumerate(wanted)
        ]


def _import_people(db: Session, pid: int, doc: PlanDoc, report: ImportReport) -> dict[str, Person]:
    existing = {p.key: p for p in db.scalars(select(Person).where(Person.plan_id == pid))}
    _free_moving_slack_ids(db, existing, doc)
    for position, entry in enumerate(doc.people):
        row = existing.get(entry.key)
        fields = {
            "name": entry.name,
            "role": entry.role,
            "slack_user_id": entry.slack_user_id,
            "email": entry.email,
            "is_admin": "admin" in entry.roles,
            "is_chair": "chair" in entry.roles,
            "is_privacy_officer": "privacy_officer" in entry.roles,
            "delegate_until": entry.delegate_until,
        }
        if row is None:
            row = Person(plan_id=pid, key=entry.key, position=position)
            _set(report, f"person {entry.key}", row, fields, new=True)
            db.add(row)
            existing[entry.key] = row
            if not report.created:
                report.changes.append(f"new person {entry.key}: {entry.name}")
        else:
            _set(report, f"person {entry.key}", row, fields)
            row.position = position
    db.flush()
    for entry in doc.people:
        row = existing[entry.key]
        delegate_id = existing[entry.delegate].id if entry.delegate else None
        if row.delegate_id != delegate_id:
            if not report.created:
                report.changes.append(f"person {entry.key}: delegate set to {entry.delegate or 'nobody'}")
            row.delegate_id = delegate_id
    return existing


def _free_moving_slack_ids(db: Session, existing: dict[str, Person], doc: PlanDoc) -> None:
    """A Slack id is unique in a plan: ids moving between people (two swapped) are freed first.

    An id the file gives someone while a person kept from before (not in the file) holds it is refused.
    """
    wanted = {e.key: e.slack_user_id for e in doc.people}
    held_by_others = {
        p.slack_user_id: key for key, p in existing.items() if key not in wanted and p.slack_user_id
    }
    problems = [
        f"people[{i}] ({e.key}).slack_user_id: {e.slack_user_id} belongs to {held_by_others[e.slack_user_id]}, "
        "who is in the database but not in this file"
        for i, e in enumerate(doc.people)
        if e.slack_user_id in held_by_others
    ]
    if problems:
        raise PlanFileError("the plan file", problems)
    moving = [
        p
        for key, p in existing.items()
        if key in wanted and p.slack_user_id and p.slack_user_id != wanted[key]
    ]
    if not moving:
        return
    before = {p.key: p.slack_user_id for p in moving}
    for person in moving:
        person.slack_user_id = None
    db.flush()
    for person in moving:  # in memory only, so the change report still says "old -> new"
        set_committed_value(person, "slack_user_id", before[person.key])


def _import_updates(
    db: Session,
    pid: int,
    doc: PlanDoc,
    milestones: dict[str, Milestone],
    people: dict[str, Person],
    report: ImportReport,
) -> None:
    known = set(db.scalars(select(ProgressUpdate.idempotency_key).where(ProgressUpdate.plan_id == pid)))
    added = 0
    for m in doc.milestones:
        row = milestones[m.code]
        previous: tuple[str | None, int | None] = (None, None)
        for u in m.updates:
            if u.key not in known:
                db.add(
                    ProgressUpdate(
                        plan_id=pid,
                        milestone_id=row.id,
                        author_id=people[u.author].id if u.author else None,
                        at=u.at,
                        status=u.status.value,
                        percent=u.percent,
                        previous_status=previous[0],
                        previous_percent=previous[1],
                        note=u.note,
                        evidence_url=u.evidence_url,
                        next_steps=u.next_steps,
                        blockers=u.blockers,
                        reopen_reason=u.reopen_reason,
                        source=u.source.value,
                        idempotency_key=u.key,
                    )
                )
                known.add(u.key)
                added += 1
            previous = (u.status.value, u.percent)
        if m.updates:
            latest = max(u.at for u in m.updates)
            if row.last_update_at is None or row.last_update_at < latest:
                row.last_update_at = latest
    if added and not report.created:
        report.changes.append(f"{added} progress update(s) added")


def _import_owner_changes(db: Session, pid: int, doc: PlanDoc) -> None:
    """Owner changes from an export are the plan's record again (/qib history shows them), once each."""
    have = {
        (e.entity_code, e.at)
        for e in db.scalars(
            select(AuditEvent).where(AuditEvent.plan_id == pid, AuditEvent.action == "reassign_owner")
        )
    }
    for m in doc.milestones:
        for c in m.owner_changes:
            if (m.code, c.at) in have:
                continue
            db.add(
                AuditEvent(
                    plan_id=pid,
                    at=c.at,
                    actor_id=None,
                    actor=c.by or "someone",
                    action="reassign_owner",
                    entity="milestone",
                    entity_code=m.code,
                    before={"owner": c.before},
                    after={"owner": c.after},
                )
            )


def _milestone_out(
    m: Milestone,
    people: dict[int, str],
    areas: dict[int, str],
    priorities: dict[int, str],
    updates: dict[int, list[ProgressUpdate]],
    owner_changes: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One milestone in the plan-file format, with its updates, owner changes and any pending request."""
    return _drop_none(
        {
            "code": m.code,
            "area": areas[m.area_id],
            "priority": priorities.get(m.priority_id or 0),
            "title": m.title,
            "owner": people.get(m.owner_id or 0),
            "due": m.due,
            "baseline_due": m.baseline_due,
            "due_revised_by": m.due_revised_by,
            "due_revised_on": m.due_revised_on,
            "due_requested": m.due_requested,
            "due_request_reason": m.due_request_reason,
            "due_requested_by": people.get(m.due_requested_by_id or 0),
            "owner_changes": owner_changes.get(m.code) or None,
            "status": m.status,
            "percent": m.percent,
            "updates": [
                _drop_none(
                    {
                        "at": u.at.isoformat(),
                        "author": people.get(u.author_id or 0),
                        "status": u.status,
                        "percent": u.percent,
                        "note": u.note,
                        "evidence_url": u.evidence_url,
                        "next_steps": u.next_steps,
                        "blockers": u.blockers,
                        "reopen_reason": u.reopen_reason,
                        "source": u.source,
                        "key": u.idempotency_key,
                    }
                )
                for u in updates.get(m.id, [])
            ]
            or None,
        }
    )


def _owner_changes(db: Session, plan_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each milestone's owner changes from the audit log, oldest first, for the export."""
    out: dict[str, list[dict[str, Any]]] = {}
    for e in db.scalars(
        select(AuditEvent)
        .where(AuditEvent.plan_id == plan_id, AuditEvent.action == "reassign_owner")
        .order_by(AuditEvent.at, AuditEvent.id)
    ):
        change = {
            "at": e.at.isoformat(),
            "by": e.actor,
            **{k: (v or {}).get("owner") for k, v in (("before", e.before), ("after", e.after))},
        }
        out.setdefault(e.entity_code or "", []).append(_drop_none(change))
    return out


def _import_board(
    db: Session, plan: Plan, doc: PlanDoc, people: dict[str, Person], report: ImportReport
) -> None:
    if doc.board is None:
        return
    b = doc.board
    row = plan.board
    if row is None:
        row = Board(plan_id=plan.id)
        plan.board = row
        if not report.created:
            report.changes.append(f"new board: {b.name}")
    _set(
        report,
        "board",
        row,
        {
            "name": b.name,
            "chair_id": people[b.chair].id if b.chair else None,
            "rrule": b.rrule,
            "start": b.start,
            "time": b.time,
            "timezone": b.timezone or doc.plan.timezone,
        },
    )
    wanted = {(o.date, o.action.value, o.to, o.time) for o in b.overrides}
    current = {(o.on, o.action, o.to, o.at) for o in row.overrides}
    if wanted != current:
        if not report.created:
            report.changes.append(
                f"board: meeting exceptions set to {len(wanted)} entr{'y' if len(wanted) == 1 else 'ies'}"
            )
        row.overrides.clear()
        db.flush()
        row.overrides.extend(
            MeetingOverride(on=o.date, action=o.action.value, to=o.to, at=o.time)
            for o in sorted(b.overrides, key=lambda o: o.date)
        )


def _note_missing(db: Session, pid: int, doc: PlanDoc, report: ImportReport) -> None:
    in_file = {m.code for m in doc.milestones}
    kept = [c for c in db.scalars(select(Milestone.code).where(Milestone.plan_id == pid)) if c not in in_file]
    if kept:
        report.notes.append(
            f"{len(kept)} milestone(s) in the database are not in the file and were kept: "
            + ", ".join(sorted(kept)[:20])
        )


# ---------------------------------------------------------------- export


def export_plan(db: Session, plan_id: int) -> dict[str, Any]:
    """The whole plan with every progress update, in the plan-file format, ready for yaml.safe_dump."""
    plan = db.scalars(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.inspection).selectinload(Inspection.judgements),
            selectinload(Plan.earlier_inspections),
            selectinload(Plan.areas),
            selectinload(Plan.priorities).selectinload(Priority.areas),
            selectinload(Plan.people),
            selectinload(Plan.board).selectinload(Board.overrides),
        )
    ).one()
    people = {p.id: p.key for p in plan.people}
    areas = {a.id: a.code for a in plan.areas}
    priorities = {p.id: p.code for p in plan.priorities}
    updates: dict[int, list[ProgressUpdate]] = {}
    for u in db.scalars(
        select(ProgressUpdate)
        .where(ProgressUpdate.plan_id == plan_id, ProgressUpdate.shown())
        .order_by(ProgressUpdate.id)
    ):
        updates.setdefault(u.milestone_id, []).append(u)
    milestones = db.scalars(
        select(Milestone).where(Milestone.plan_id == plan_id).order_by(Milestone.position, Milestone.id)
    )
    owner_changes = _owner_changes(db, plan_id)

    out: dict[str, Any] = {
        "version": 1,
        "plan": _drop_none(
            {
                "title": plan.title,
                "authority": plan.authority,
                "timezone": plan.timezone,
                "channel": plan.channel,
                "digest_working_days": plan.digest_working_days,
                "reminder_working_days": plan.reminder_working_days,
                "digest_time": plan.digest_time.strftime("%H:%M"),
                "announce_updates": plan.announce_updates,
                "as_at": plan.as_at,
            }
        ),
    }
    if plan.inspection:
        i = plan.inspection
        out["inspection"] = _drop_none(
            {
                "type": i.type,
                "start": i.start,
                "end": i.end,
                "published": i.published,
                "lead_inspector": i.lead_inspector,
                "action_plan_sent": i.action_plan_sent,
                "judgements": [{"area": j.area, "grade": j.grade} for j in i.judgements],
            }
        )
    out["areas"] = [{"code": a.code, "title": a.title, "description": a.description} for a in plan.areas]
    out["priorities"] = [
        _drop_none({"code": p.code, "title": p.title, "period": p.period, "areas": [a.code for a in p.areas]})
        for p in plan.priorities
    ]
    out["people"] = [
        _drop_none(
            {
                "key": p.key,
                "name": p.name,
                "role": p.role,
                "slack_user_id": p.slack_user_id,
                "email": p.email,
                "roles": [
                    r
                    for r, on in (
                        ("admin", p.is_admin),
                        ("chair", p.is_chair),
                        ("privacy_officer", p.is_privacy_officer),
                    )
                    if on
                ]
                or None,
                "delegate": people.get(p.delegate_id) if p.delegate_id else None,
                "delegate_until": p.delegate_until,
            }
        )
        for p in plan.people
    ]
    out["milestones"] = [
        _milestone_out(m, people, areas, priorities, updates, owner_changes) for m in milestones
    ]
    if plan.earlier_inspections:
        out["earlier_inspections"] = [
            _drop_none(
                {
                    "type": e.type,
                    "start": e.start,
                    "end": e.end,
                    "month": e.month,
                    "published": e.published,
                    "outcome": e.outcome,
                }
            )
            for e in plan.earlier_inspections
        ]
    if plan.board:
        b = plan.board
        out["board"] = _drop_none(
            {
                "name": b.name,
                "chair": people.get(b.chair_id or 0),
                "rrule": b.rrule,
                "start": b.start,
                "time": b.time.strftime("%H:%M"),
                "timezone": b.timezone,
                "overrides": [
                    _drop_none(
                        {
                            "date": o.on,
                            "action": o.action,
                            "to": o.to,
                            "time": o.at.strftime("%H:%M") if o.at else None,
                        }
                    )
                    for o in b.overrides
                ]
                or None,
            }
        )
    measures = export_measures(db, plan_id)
    if measures:
        out["measures"] = measures
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
