"""Who is asking, where and when, read once from a Bolt context for every kind of request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.channels import ChannelNotVisible
from bot.deps import Deps
from bot.services.errors import NotAllowed, NotFound
from bot.services.people import actor_for
from bot.services.plans import PlanChoiceNeeded, PlanRef, Where, plan_refs, resolve
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


log = logging.getLogger("qib.plans")

# Set in the Bolt context by handlers.plans for an action or a form: the plan it was made for, and the
# channel it was clicked in (actions carry no channel argument of their own).
PLAN_HINT = "qib_plan_hint"
CHANNEL_HINT = "qib_channel_hint"


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
    plan_hint: int | None = None  # the plan the form, Home tab or message acted on was made for
    channel_hint: str | None = None  # where an action was clicked
    _plan_id: int | None = field(default=None, repr=False)
    _tz: str | None = field(default=None, repr=False)

    @property
    def plan_id(self) -> int:
        """The plan this request is about (see plan_for); PlanChoiceNeeded when the person must say."""
        if self._plan_id is None:
            self._plan_id = plan_for(self)
        return self._plan_id

    @property
    def plan_deps(self) -> Deps:
        """The deps serving this request's plan only, for code that asks its deps for the plan (the
        scheduler's digest preview)."""
        return self.deps if self.deps.pinned else self.deps.for_plan(self.plan_id)

    def plan_id_or_first(self) -> int:
        """This request's plan or, before the person has said which, the first they might mean."""
        try:
            return self.plan_id
        except PlanChoiceNeeded as need:
            return need.plans[0].id

    def today(self, tz: str | None = None) -> date:
        """Today in the plan's time zone."""
        return self.now.astimezone(ZoneInfo(tz or self._timezone())).date()

    def _timezone(self) -> str:
        if self._tz is None:
            self._tz = (
                self.deps.timezone() if self.deps.pinned else self.deps.timezone_of(self.plan_id_or_first())
            )
        return self._tz

    def asker(self, *, or_first: bool = False) -> Asker:
        """Who asks, about which plan, and when: the Slack-free part every use case request carries.
        `or_first`: before the person has said which plan, the first they might mean (screening)."""
        return Asker(
            user_id=self.user_id,
            plan_id=self.plan_id_or_first() if or_first else self.plan_id,
            now=self.now,
            today=self.today(),
            admin_ids=self.settings.admin_ids,
            source=self.deps.source,
        )

    def paper_builder(self) -> board_paper.PaperIn:
        """The board paper as of a moment, by the plan's board rule: what summary and preview show, read
        in the use case's session."""
        return lambda db, now: board_paper.preview_in(db, self.plan_id, self.settings, now)


def plan_for(ask: Ask) -> int:
    """One plan served (QIB_PLAN, or the only one): that plan, as before. Among several: the plan the
    form or message was made for; the plan whose board channel this is; the person's chosen plan; the
    one plan they own, cover or chair in; else PlanChoiceNeeded (they get the chooser)."""
    deps = ask.deps
    if deps.pinned:
        return deps.plan_id()
    if ask.plan_hint is not None and deps.has_served(ask.plan_hint):
        return ask.plan_hint  # a form or message of a plan this process knows: no statement to ask
    try:
        ids = deps.plan_ids()
    except NotFound:
        return deps.plan_id()  # "no plan yet", said as it always was
    if len(ids) == 1:
        return ids[0]
    if ask.plan_hint in ids:  # the form or message's own plan: no need to ask the database
        return ask.plan_hint
    with deps.sessions() as db:
        where = Where(slack_user_id=ask.user_id, hint=None, channel_id=ask.channel_id or ask.channel_hint)
        return resolve(db, plan_refs(db, ids), where, lambda plan: _channel_id(ask, plan))


def form_plan(ask: Ask) -> int | None:
    """The plan a form should carry in its metadata: None when this deployment serves one plan."""
    return ask.plan_id if several(ask.deps) else None


def several(deps: Deps) -> bool:
    """Does this process serve more than one plan?"""
    if deps.pinned:
        return False
    try:
        return len(deps.plan_ids()) > 1
    except NotFound:  # no plan yet: said by whatever needs one
        return False


def _channel_id(ask: Ask, plan: PlanRef) -> str | None:
    """A plan's board channel as Slack's id (a name is looked up once per process)."""
    if not plan.channel:
        return None
    if ask.client is None:
        return plan.channel
    try:
        return ask.deps.channel_ids.resolve(ask.client, plan.channel)
    except ChannelNotVisible:
        return None
    except Exception as exc:  # Slack unreachable: the channel is not bound this time, the person may choose
        log.warning("could not look up a plan's board channel: %s", type(exc).__name__)
        return None


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
    settings: Settings = context["settings"]
    if settings.board_channel and several(deps):
        # BOARD_CHANNEL overrides one plan's channel; it cannot be every plan's channel at once.
        settings = settings.model_copy(update={"board_channel": None})
    hint = context.get(PLAN_HINT)
    return Ask(
        user_id=user_id,
        channel_id=channel_id,
        deps=deps,
        settings=settings,
        now=deps.clock(),
        router=context["router"],
        trigger_id=trigger_id,
        client=client,
        surface=surface,
        request_key=request_key,
        plan_hint=hint if isinstance(hint, int) else None,
        channel_hint=context.get(CHANNEL_HINT),
    )


__all__ = ["NOT_IN_PLAN", "Ask", "actor_of", "ask_from"]


def actor_of(ask: Ask) -> Any:
    """The person asking, or NotAllowed with a message saying how to get added."""
    with ask.deps.sessions() as db:
        actor = actor_for(db, ask.plan_id, ask.user_id, ask.settings.admin_ids)
    if actor is None:
        raise NotAllowed(NOT_IN_PLAN)
    return actor
