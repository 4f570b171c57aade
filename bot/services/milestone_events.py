"""What happened to a milestone besides its progress updates, for /qib history and the export:
revised due dates asked for, approved or declined, owner changes and reopenings, from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.wording import full_day
from models import AuditEvent, Person
from models.vocab import AuditAction

ACTIONS = tuple(
    a.value
    for a in (
        AuditAction.DUE_DATE_REQUESTED,
        AuditAction.DUE_DATE_APPROVED,
        AuditAction.DUE_DATE_DECLINED,
        AuditAction.REASSIGN_OWNER,
        AuditAction.UPDATE,
    )
)


@dataclass(frozen=True, slots=True)
class MilestoneEvent:
    at: datetime
    actor: str | None
    what: str  # plain text: escape it before showing it in mrkdwn


def milestone_events(db: Session, plan_id: int, code: str) -> list[MilestoneEvent]:
    """Newest first, like the history of updates."""
    rows = db.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.plan_id == plan_id,
            AuditEvent.entity == "milestone",
            AuditEvent.entity_code == code,
            AuditEvent.action.in_(ACTIONS),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    ).all()
    names: dict[str, str] = {}
    if any(row.action == AuditAction.REASSIGN_OWNER for row in rows):  # the names only when they are needed
        names = {p.key: p.name for p in db.scalars(select(Person).where(Person.plan_id == plan_id))}
    out = []
    for row in rows:
        what = _describe(row.action, row.before or {}, row.after or {}, names)
        if what:
            out.append(MilestoneEvent(at=row.at, actor=row.actor, what=what))
    return out


def _describe(
    action: str, before: dict[str, Any], after: dict[str, Any], names: dict[str, str]
) -> str | None:
    if action == AuditAction.DUE_DATE_REQUESTED:
        return f"asked to move the due date from {_day(before.get('due'))} to {_day(after.get('requested'))}: {after.get('reason') or ''}".rstrip(
            ": "
        )
    if action == AuditAction.DUE_DATE_APPROVED:
        return f"approved the revised due date {_day(after.get('due'))} (originally {_day(before.get('baseline') or before.get('due'))})"
    if action == AuditAction.DUE_DATE_DECLINED:
        return f"declined moving the due date to {_day(after.get('requested'))}; it stays {_day(after.get('due'))}"
    if action == AuditAction.REASSIGN_OWNER:
        old, new = before.get("owner"), after.get("owner")
        return f"changed the owner from {names.get(old, old) if old else 'nobody'} to {names.get(new, new) if new else 'nobody'}"
    if action == AuditAction.UPDATE and after.get("reopen_reason"):
        return f"reopened it ({before.get('status')} -> {after.get('status')}): {after['reopen_reason']}"
    return None


def _day(value: Any) -> str:
    if not value:
        return "no date"
    try:
        return full_day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)
