"""Who is asking, where and when, read once from a Bolt context for every kind of request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.deps import Deps
from bot.services.digest import Digest
from bot.services.errors import NotAllowed
from bot.services.people import actor_for
from bot.settings import Settings
from bot.usecases import board_paper
from bot.usecases.base import NOT_IN_PLAN, Asker
from handlers.blocks import Reply


class Command(Protocol):
    @property
    def run(self) -> Callable[[Ask, str], Reply]: ...


class Commands(Protocol):
    """The /qib subcommands of the app a request came to (handlers.commands.router.Router)."""

    def route(self, name: str) -> Command: ...

    def names(self) -> frozenset[str]: ...


@dataclass
class Ask:
    user_id: str
    channel_id: str | None
    deps: Deps
    settings: Settings
    now: datetime
    router: Commands
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

    def paper_builder(self) -> Callable[[datetime], Digest]:
        """The board paper as of a moment, by the plan's board rule: what summary and preview show."""
        return partial(board_paper.preview, self.deps, self.settings)


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
        router=context["router"],
        trigger_id=trigger_id,
        client=client,
        surface=surface,
        request_key=request_key,
    )


__all__ = ["NOT_IN_PLAN", "Ask", "actor_of", "ask_from"]


def actor_of(ask: Ask) -> Any:
    """The person asking, or NotAllowed with a message saying how to get added."""
    with ask.deps.sessions() as db:
        actor = actor_for(db, ask.plan_id, ask.user_id, ask.settings.admin_ids)
    if actor is None:
        raise NotAllowed(NOT_IN_PLAN)
    return actor
