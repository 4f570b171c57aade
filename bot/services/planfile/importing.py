"""Importing a plan file: plan, people, inspection, milestones, updates and board, in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bot.services.audit import AuditAction, audit
from bot.services.errors import PlanFileError
from bot.services.measure_file import import_measures, refuse_future_periods
from bot.services.planfile.reading import ImportReport, Progress
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
    PlanDoc,
)

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
    _note_shared_channel(db, pid, doc, report)
    if report.changes:
        audit(
            db,
            plan_id=pid,
            at=now,
            actor=actor,
            action=AuditAction.IMPORT,
            entity="plan",
            after={"changes": report.changes[:500], "count": len(report.changes)},
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
            select(AuditEvent).where(
                AuditEvent.plan_id == pid, AuditEvent.action == AuditAction.REASSIGN_OWNER
            )
        )
    }
    for m in doc.milestones:
        for c in m.owner_changes:
            if (m.code, c.at) in have:
                continue
            audit(
                db,
                plan_id=pid,
                at=c.at,
                actor_id=None,
                actor=c.by or "someone",
                action=AuditAction.REASSIGN_OWNER,
                entity="milestone",
                entity_code=m.code,
                before={"owner": c.before},
                after={"owner": c.after},
            )


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


def _note_shared_channel(db: Session, pid: int, doc: PlanDoc, report: ImportReport) -> None:
    """Another plan bound to the same board channel: in it the bot answers about the older plan, and
    both plans' digests go there. Often a renamed title, which makes a second plan (a plan is matched
    by its title and authority), so the importer says so."""
    if not doc.plan.channel:
        return
    others = db.execute(
        select(Plan.id, Plan.title).where(Plan.channel == doc.plan.channel, Plan.id != pid).order_by(Plan.id)
    ).all()
    for other in others:
        report.notes.append(
            f'plan "{other.title}" (id {other.id}) has the same board channel, {doc.plan.channel}: both '
            "plans' digests would go there, and there I answer about the older plan. If this file is meant to "
            "rename that plan: a plan is matched by its title and authority, so this makes a second plan."
        )
