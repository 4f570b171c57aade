"""The App Home tab: the person's own milestones above a compact plan overview."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services.errors import DomainError
from bot.services.plans import PlanChoiceNeeded
from bot.usecases import home
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, ask_from
from handlers.home.view import QUESTION_INPUT, home_view
from handlers.plan_chooser import chooser_home, stamp_home
from handlers.questions import answer


def register(app: App, router: Router) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.action(QUESTION_INPUT)(on_home_question)


def on_home_opened(event: dict[str, Any], context: Any, client: Any) -> None:
    if event.get("tab", "home") != "home":
        return
    ask = ask_from(context, client, user_id=event["user"], channel_id=None, surface="home")
    publish_home(ask)


def on_home_question(ack: Any, body: dict[str, Any], context: Any, client: Any) -> None:
    """A question typed in the Home tab: answered the same way as after /qib, shown above the plan."""
    ack()
    question = str(((body.get("actions") or [{}])[0]).get("value") or "")
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="home")
    try:
        reply = answer(ask, question)
    except DomainError as error:
        reply = Reply(text=error.message, blocks=[bk.section(bk.esc(error.message))])
    publish_home(ask, answered=(question, reply))


def publish_home(ask: Ask, answered: tuple[str, Reply] | None = None) -> None:
    """The person's Home tab for their plan, or the chooser when they have not said which."""
    try:
        who = ask.asker()
        view = stamp_home(ask, home_view(home.home_tab(ask.deps.sessions, who), who.today, answered))
    except PlanChoiceNeeded as need:
        view = chooser_home(need)
    ask.client.views_publish(user_id=ask.user_id, view=view)
