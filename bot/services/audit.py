"""The one way an audit row is written: who did what to which entity, with the before and after.

Every change to the plan leaves one ``AuditEvent``; building them here keeps the action words to the
``AuditAction`` vocabulary and the instant in UTC, whichever service records the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEvent
from models.vocab import AuditAction

__all__ = ["AuditAction", "audit"]


def audit(
    db: Session,
    *,
    plan_id: int,
    at: datetime,
    actor_id: int | None = None,
    actor: str,
    action: AuditAction,
    entity: str,
    entity_code: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the audit row to the session (the caller owns the transaction) and return it."""
    event = AuditEvent(
        plan_id=plan_id,
        at=at,
        actor_id=actor_id,
        actor=actor,
        action=AuditAction(action).value,
        entity=entity,
        entity_code=entity_code,
        before=before,
        after=after,
    )
    db.add(event)
    return event
