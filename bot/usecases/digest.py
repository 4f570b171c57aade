"""/qib digest: the next digest as it would be posted now (chair and admins), or one that was posted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.digest import Digest, FrozenDigest, frozen_digest
from bot.services.errors import NotAllowed
from bot.services.people import can_preview_digest
from bot.usecases.base import Asker, Sessions, refusing, require_actor
from models import Plan

# Builds the digest for the next board as of a moment, in the use case's session, by the board's rule.
BuildDigest = Callable[[Session, datetime], Digest]

ONLY_CHAIR = (
    "Only the board's chair and plan admins can preview the digest; `/qib summary` shows "
    "everyone where the plan stands."
)


@dataclass(frozen=True)
class ShowRequest:
    who: Asker
    meeting_on: date | None = None  # None: the latest posted


@dataclass(frozen=True)
class Posted:
    """A posted digest and the time zone its posting time is shown in."""

    frozen: FrozenDigest
    timezone: str


@refusing
def preview(sessions: Sessions, who: Asker, build: BuildDigest) -> Digest:
    """The digest as it would be posted now: the chair and admins only, since it names exceptions early."""
    with sessions() as db:
        actor = require_actor(db, who)
        if not can_preview_digest(actor):
            raise NotAllowed(ONLY_CHAIR)
        return build(db, who.now)


@refusing
def show(sessions: Sessions, req: ShowRequest) -> Posted:
    """A digest exactly as it was posted (the latest, or the one for a meeting)."""
    with sessions() as db:
        frozen = frozen_digest(db=db, plan_id=req.who.plan_id, meeting_on=req.meeting_on)
        tz = frozen.digest.timezone or db.scalar(select(Plan.timezone).where(Plan.id == req.who.plan_id))
    return Posted(frozen, tz or "Europe/London")
