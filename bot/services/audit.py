"""The one way an audit row is written: who did what to which entity, with the before and after.

Every change to the plan leaves one ``AuditEvent``; building them here keeps the action words to the
``AuditAction`` vocabulary and the instant in UTC, whichever service records the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models import AuditEvent
from models.revision import PLAN_WRITTEN
from models.vocab import AuditAction

__all__ = ["AuditAction", "audit"]


_INSERT = insert(AuditEvent.__table__)  # type: ignore[arg-type]  # a Table, typed as a FromClause


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
) -> None:
    """Write the audit row in the caller's transaction. A Core INSERT naming its plan (so only that
    plan's revision moves): no audit row is read back where it is written, and the ORM's unit of work
    for it cost a saved update's ack about as much as the statement itself."""
    if db.new:
        db.flush()  # the rows it may refer to (a person, the plan) first, as the ORM would order them
    db.execute(
        _INSERT,
        {
            "plan_id": plan_id,
            "at": at,
            "actor_id": actor_id,
            "actor": actor,
            "action": AuditAction(action).value,
            "entity": entity,
            "entity_code": entity_code,
            "before": before,
            "after": after,
        },
        execution_options={PLAN_WRITTEN: plan_id},
    )
