"""Owner changes, one call: `/qib owner M-07 @jo` names the milestone and the person as typed."""

from __future__ import annotations

from bot.services.errors import DomainError
from bot.services.ownership import OwnerChange, reassign_owner
from bot.services.queries import find_person
from bot.usecases.results import Refused
from bot.usecases.updates import NOT_IN_PLAN, Caller, Sessions, caller_person, refused


def change_owner(sessions: Sessions, caller: Caller, code: str, who: str) -> OwnerChange | Refused:
    """Give a milestone a new owner (admins only, audited); the handler tells both owners."""
    try:
        with sessions.begin() as db:
            actor_id = caller_person(db, caller)
            if actor_id is None:
                return Refused(NOT_IN_PLAN)
            person = find_person(db, caller.plan_id, who)
            if person is None:
                shown = who if len(who) <= 60 else who[:59].rstrip() + "…"
                return Refused(f"Nobody in the plan matches “{shown}”: use their @name, key or full name.")
            return reassign_owner(
                db=db,
                plan_id=caller.plan_id,
                milestone_code=code,
                new_owner_id=person.id,
                actor_id=actor_id,
                now=caller.now,
                extra_admin_slack_ids=caller.admins,
            )
    except DomainError as exc:
        return refused(exc)
