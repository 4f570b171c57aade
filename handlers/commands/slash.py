"""/qib: parse the text, run the subcommand against the domain, answer privately unless asked to share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services.text import unescape_slack
from handlers.commands import router as help_command
from handlers.commands.parse import parse_command
from handlers.commands.router import Router
from handlers.context import ask_from
from handlers.questions import answer

if TYPE_CHECKING:
    from slack_bolt import Ack, App, Respond


def register(app: App, router: Router) -> None:
    help_command.register(router)
    app.command("/qib")(on_qib)


def on_qib(ack: Ack, command: dict[str, Any], context: Any, respond: Respond, client: Any) -> None:
    ack()
    # Slack escaped &, < and > in what was typed: undone here, once; every reply escapes what it shows.
    text = parse_command(unescape_slack(command.get("text") or ""))
    ask = ask_from(
        context,
        client,
        user_id=command["user_id"],
        channel_id=command.get("channel_id"),
        trigger_id=command.get("trigger_id"),
    )
    # Subcommands run as typed; anything else (`/qib what's at risk?`) is a question.
    reply = answer(ask, f"{text.name} {text.args}".strip())
    if reply.visibility == "none":
        return
    respond(**reply.payload(), response_type=reply.visibility, replace_original=False)
