"""Exporting a plan as the YAML file it could be re-imported from."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.services.measure_file import export_measures
from models import (
    AuditEvent,
    Board,
    EarlierInspection,
    Inspection,
    Milestone,
    Person,
    Plan,
    Priority,
    ProgressUpdate,
)
from models.vocab import AuditAction

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

    out: dict[str, Any] = {"version": 1, "plan": _plan_info(plan)}
    if plan.inspection:
        out["inspection"] = _inspection(plan.inspection)
    out["areas"] = [{"code": a.code, "title": a.title, "description": a.description} for a in plan.areas]
    out["priorities"] = [
        _drop_none({"code": p.code, "title": p.title, "period": p.period, "areas": [a.code for a in p.areas]})
        for p in plan.priorities
    ]
    out["people"] = [_person(p, people) for p in plan.people]
    out["milestones"] = [
        _milestone(m, areas, priorities, people, updates.get(m.id, []), owner_changes.get(m.code))
        for m in milestones
    ]
    if plan.earlier_inspections:
        out["earlier_inspections"] = [_earlier_inspection(e) for e in plan.earlier_inspections]
    if plan.board:
        out["board"] = _board(plan.board, people)
    measures = export_measures(db, plan_id)
    if measures:
        out["measures"] = measures
    return out


def _plan_info(plan: Plan) -> dict[str, Any]:
    return _drop_none(
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
    )


def _inspection(i: Inspection) -> dict[str, Any]:
    return _drop_none(
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


def _person(p: Person, people: dict[int, str]) -> dict[str, Any]:
    return _drop_none(
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


def _milestone(
    m: Milestone,
    areas: dict[int, str],
    priorities: dict[int, str],
    people: dict[int, str],
    updates: list[ProgressUpdate],
    owner_changes: list[dict[str, Any]] | None = None,
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
            "owner_changes": owner_changes or None,
            "status": str(m.status),
            "percent": m.percent,
            "updates": [
                _drop_none(
                    {
                        "at": u.at.isoformat(),
                        "author": people.get(u.author_id or 0),
                        "status": str(u.status),
                        "percent": u.percent,
                        "note": u.note,
                        "evidence_url": u.evidence_url,
                        "next_steps": u.next_steps,
                        "blockers": u.blockers,
                        "reopen_reason": u.reopen_reason,
                        "source": str(u.source),
                        "key": u.idempotency_key,
                    }
                )
                for u in updates
            ]
            or None,
        }
    )


def _owner_changes(db: Session, plan_id: int) -> dict[str, list[dict[str, Any]]]:
    """Each milestone's owner changes from the audit log, oldest first, for the export."""
    out: dict[str, list[dict[str, Any]]] = {}
    for e in db.scalars(
        select(AuditEvent)
        .where(AuditEvent.plan_id == plan_id, AuditEvent.action == AuditAction.REASSIGN_OWNER)
        .order_by(AuditEvent.at, AuditEvent.id)
    ):
        change = {
            "at": e.at.isoformat(),
            "by": e.actor,
            **{k: (v or {}).get("owner") for k, v in (("before", e.before), ("after", e.after))},
        }
        out.setdefault(e.entity_code or "", []).append(_drop_none(change))
    return out


def _earlier_inspection(e: EarlierInspection) -> dict[str, Any]:
    return _drop_none(
        {
            "type": e.type,
            "start": e.start,
            "end": e.end,
            "month": e.month,
            "published": e.published,
            "outcome": e.outcome,
        }
    )


def _board(b: Board, people: dict[int, str]) -> dict[str, Any]:
    return _drop_none(
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
                        "action": str(o.action),
                        "to": o.to,
                        "time": o.at.strftime("%H:%M") if o.at else None,
                    }
                )
                for o in b.overrides
            ]
            or None,
        }
    )


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
