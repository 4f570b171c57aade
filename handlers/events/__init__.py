"""@qib in a channel (answered in a thread) and direct messages: plain questions, same answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services.errors import DomainError
from bot.services.text import unescape_slack
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import ask_from
from handlers.events.privacy_guard import guard
from handlers.questions import answer

if TYPE_CHECKING:
    from slack_bolt import App


def register(app: App, router: Router) -> None:
    app.event("app_mention")(on_mention)
    app.event({"type": "message", "channel_type": "im"})(on_direct_message)
    app.event("message")(ignore_other_messages)


def on_mention(event: dict[str, Any], context: Any, client: Any, say: Any) -> None:
    reply = _answer(event, context, client, surface="mention")
    if reply.visibility == "none":
        return
    say(**reply.payload(), thread_ts=event.get("thread_ts") or event["ts"])


def on_direct_message(event: dict[str, Any], context: Any, client: Any, say: Any) -> None:
    if event.get("subtype") or event.get("bot_id"):
        return  # edits, joins and our own messages are not questions
    reply = _answer(event, context, client, surface="dm")
    if reply.visibility == "none":
        return
    say(**reply.payload())


def ignore_other_messages() -> None:
    """Channel messages that do not mention the bot are none of its business."""


def _answer(event: dict[str, Any], context: Any, client: Any, *, surface: str) -> Reply:
    ask = ask_from(
        context,
        client,
        user_id=event.get("user", ""),
        channel_id=event.get("channel"),
        surface=surface,
        # A message is one request however often Slack delivers it: an update it asks for is saved once.
        request_key=f"message:{event.get('channel')}:{event.get('ts')}" if event.get("ts") else None,
    )
    if guard(ask, event, surface=surface):
        return Reply.nothing()
    try:  # Slack's escaping undone once, where the text arrives; its mentions are kept
        return answer(ask, unescape_slack(event.get("text") or ""))
    except DomainError as error:  # "no such milestone": said where the question was asked (the thread)
        return Reply(text=error.message)
