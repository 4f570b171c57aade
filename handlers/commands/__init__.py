"""/qib: parse the text, run the subcommand against the domain, answer privately unless asked to share."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

import handlers.admin  # noqa: F401  (registers /qib owner and /qib delegate)
import handlers.digest  # noqa: F401  (registers /qib digest)
import handlers.inspection  # noqa: F401  (registers /qib inspection)
import handlers.measures  # noqa: F401  (registers /qib measure and /qib measures)
import handlers.meetings  # noqa: F401  (registers /qib meetings and /qib meeting)
import handlers.plans  # noqa: F401  (registers /qib plan)
import handlers.redact  # noqa: F401  (registers /qib redact)
import handlers.status  # noqa: F401  (registers the status subcommands)
import handlers.updates  # noqa: F401  (registers /qib update)
from bot.services.text import unescape_slack
from handlers.commands.parse import parse_command
from handlers.context import ask_from
from handlers.questions import answer


def register(app: App) -> None:
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
