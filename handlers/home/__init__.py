"""The App Home tab: the person's own milestones above a compact plan overview."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.context import ask_from
from handlers.home.view import home_view


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)


def on_home_opened(event: dict[str, Any], context: Any, client: Any) -> None:
    if event.get("tab", "home") != "home":
        return
    ask = ask_from(context, client, user_id=event["user"], channel_id=None, surface="home")
    client.views_publish(user_id=event["user"], view=home_view(ask))
