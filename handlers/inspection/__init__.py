"""/qib inspection [history]: the inspection the plan answers, in Ofsted's words, and the ones before it."""

from __future__ import annotations

from slack_bolt import App

from bot.services import inspection
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.inspection import render


def inspection_command(ask: Ask, args: str) -> Reply:
    today = ask.today()
    with ask.deps.sessions() as db:
        if args.strip().lower() in {"history", "hist", "earlier", "past"}:
            return render.history_reply(inspection.inspection_history(db=db, plan_id=ask.plan_id), today)
        return render.inspection_reply(inspection.inspection_view(db=db, plan_id=ask.plan_id, today=today))


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add(
        "inspection",
        "/qib inspection [history]",
        "the inspection: judgements, areas in Ofsted's words, action-plan deadline; or earlier ones",
        inspection_command,
        order=9,
    )
