"""Slack adapters: each sub-package registers its listeners; bodies parse, call the domain, render."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services.text import mrkdwn_escape


def register_all(app: App) -> None:
    from handlers import commands, events, home, measures, plans, questions, status, updates

    plans.register(app)  # first: its middleware reads which plan a form or message was made for
    commands.register(app)
    questions.register(app)
    status.register(app)
    events.register(app)
    home.register(app)
    updates.register(app)
    measures.register(app)


def tell_user(body: dict[str, Any], context: Any, client: Any, text: str) -> None:
    """Say something to the one person a request came from, as privately as the surface allows."""
    from handlers.blocks import MAX_FALLBACK, clip

    # Messages name people and milestones (plan text is raw) and can quote what was typed, at any length.
    text = clip(mrkdwn_escape(text), MAX_FALLBACK)
    if body.get("response_url") or context.get("response_url"):
        context.respond(text=text, response_type="ephemeral", replace_original=False)
        return
    event = body.get("event") or {}
    user = event.get("user") or (body.get("user") or {}).get("id") or body.get("user_id")
    channel = event.get("channel") or (body.get("channel") or {}).get("id")
    if not user:
        return
    if channel and event.get("channel_type") != "im":
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    else:
        client.chat_postMessage(channel=channel or user, text=text)
