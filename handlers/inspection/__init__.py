"""/qib inspection [history]: the inspection the plan answers, in Ofsted's words, and the ones before it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.usecases import inspection
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.inspection import render
from handlers.outcomes import ok

if TYPE_CHECKING:
    from slack_bolt import App

HISTORY = {"history", "hist", "earlier", "past"}


def inspection_command(ask: Ask, args: str) -> Reply:
    who = ask.asker()
    if args.strip().lower() in HISTORY:
        return render.history_reply(ok(inspection.history(ask.deps.sessions, who)), who.today)
    return render.inspection_reply(inspection.current(ask.deps.sessions, who))


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add(
        "inspection",
        "/qib inspection [history]",
        "the inspection: judgements, areas in Ofsted's words, action-plan deadline; or earlier ones",
        inspection_command,
        order=9,
    )
