"""The App Home tab: the person's own milestones above a compact plan overview."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services.errors import DomainError
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import ask_from
from handlers.home.view import QUESTION_INPUT
from handlers.plans import home_for
from handlers.questions import answer


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(QUESTION_INPUT)(on_home_question)


def on_home_opened(event: dict[str, Any], context: Any, client: Any) -> None:
    if event.get("tab", "home") != "home":
        return
    ask = ask_from(context, client, user_id=event["user"], channel_id=None, surface="home")
    client.views_publish(user_id=event["user"], view=home_for(ask))


def on_home_question(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """A question typed in the Home tab: answered the same way as after /qib, shown above the plan."""
    ack()
    user = body["user"]["id"]
    question = str(((body.get("actions") or [{}])[0]).get("value") or "")
    ask = ask_from(context, client, user_id=user, channel_id=None, surface="home")
    try:
        reply = answer(ask, question)
    except DomainError as error:
        reply = Reply(text=error.message, blocks=[bk.section(bk.esc(error.message))])
    client.views_publish(user_id=user, view=home_for(ask, answered=(question, reply)))
