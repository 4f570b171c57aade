"""Who is asking, where and when, read once from a Bolt context for every kind of request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.settings import Settings
from bot.usecases.base import NOT_IN_PLAN, Asker


@dataclass
class Ask:
    user_id: str
    channel_id: str | None
    deps: Deps
    settings: Settings
    now: datetime
    trigger_id: str | None = None
    client: Any = None
    surface: str = "command"  # command | mention | dm | home | action
    request_key: str | None = None  # the same for every delivery of one request (e.g. a message's id)

    @property
    def plan_id(self) -> int:
        return self.deps.plan_id()

    def today(self, tz: str | None = None) -> date:
        """Today in the plan's time zone."""
        return self.now.astimezone(ZoneInfo(tz or self.deps.timezone())).date()

    def asker(self) -> Asker:
        """Who asks, about which plan, and when: the Slack-free part every use case request carries."""
        return Asker(
            user_id=self.user_id,
            plan_id=self.plan_id,
            now=self.now,
            today=self.today(),
            admin_ids=self.settings.admin_ids,
        )


def ask_from(
    context: Any,
    client: Any,
    *,
    user_id: str,
    channel_id: str | None,
    trigger_id: str | None = None,
    surface: str = "command",
    request_key: str | None = None,
) -> Ask:
    deps: Deps = context["deps"]
    return Ask(
        user_id=user_id,
        channel_id=channel_id,
        deps=deps,
        settings=context["settings"],
        now=deps.clock(),
        trigger_id=trigger_id,
        client=client,
        surface=surface,
        request_key=request_key,
    )


__all__ = ["NOT_IN_PLAN", "Ask", "actor_of", "ask_from"]


def actor_of(ask: Ask) -> Any:
    """The person asking, or NotAllowed with a message saying how to get added."""
    from bot.services.errors import NotAllowed
    from bot.services.people import actor_for

    with ask.deps.sessions() as db:
        actor = actor_for(db, ask.plan_id, ask.user_id, ask.settings.admin_ids)
    if actor is None:
        raise NotAllowed(NOT_IN_PLAN)
    return actor
