"""/qib redact: admins and the privacy officer take an update's text out of the record."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.redaction import Redacted, redact_update
from bot.usecases.base import Asker, Sessions, refusing, require_actor


@dataclass(frozen=True)
class RedactRequest:
    who: Asker
    reference: str  # U-1234, as /qib history shows it
    reason: str


@refusing
def redact(sessions: Sessions, req: RedactRequest) -> Redacted:
    """Redact the update in the database and queue the edits of every Slack message that carried it; the
    caller then runs the queue (it needs Slack)."""
    with sessions.begin() as db:
        actor = require_actor(db, req.who)
        return redact_update(
            db=db,
            plan_id=req.who.plan_id,
            reference=req.reference,
            reason=req.reason,
            actor_id=actor.person_id,
            requested_by=req.who.user_id,
            now=req.who.now,
            extra_admin_slack_ids=req.who.admin_ids,
        )
