"""What every use case shares: who is asking (a Slack-free `Asker`), the person behind them, and the one
place a domain error becomes a `Refused` outcome."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.services.errors import DomainError, InvalidInput, NotAllowed
from bot.services.people import Actor, actor_for
from bot.usecases.results import Refused
from models.vocab import Source

__all__ = ["Asker", "NOT_IN_PLAN", "Sessions", "clip", "refusing", "require_actor"]

P = ParamSpec("P")
R = TypeVar("R")

# The session factory a use case opens its own sessions from (the Deps' `sessions`, or a test's).
Sessions = sessionmaker[Session]

NOT_IN_PLAN = (
    "You are not in the plan's list of people yet, so I can't tell which milestones are yours. "
    "Ask a plan admin to add your Slack account to the plan."
)


@dataclass(frozen=True)
class Asker:
    """Who asks, about which plan, and when: the part of every request that is not the typed input.

    `admin_ids` are the deployment's extra admins (QIB_ADMIN_IDS), who count as admins of any plan."""

    user_id: str
    plan_id: int
    now: datetime
    today: date
    admin_ids: frozenset[str] = frozenset()
    source: Source = Source.SLACK  # recorded on what they write: slack, or console


def require_actor(db: Session, who: Asker) -> Actor:
    """The plan's person behind the Slack user, or NotAllowed saying how to get added."""
    actor = actor_for(db, who.plan_id, who.user_id, who.admin_ids)
    if actor is None:
        raise NotAllowed(NOT_IN_PLAN)
    return actor


def refusing(fn: Callable[P, R]) -> Callable[P, R | Refused]:
    """A use case reports what the user can act on as `Refused`, never as an exception: the services'
    domain errors (not found, not allowed, invalid input) become its reason, field and other fields."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R | Refused:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            if isinstance(exc, InvalidInput):
                return Refused(exc.message, field=exc.field, also=exc.also)
            return Refused(exc.message)

    return run


def clip(text: str, limit: int) -> str:
    """Typed text quoted back in a reason, cut short (the handler escapes it when it shows it)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
