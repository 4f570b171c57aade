"""Slack adapters: each feature registers its listeners and /qib subcommands in its register(app, router),
called from here, once per app; bodies parse, call the domain, render. Nothing registers at import."""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    admin,
    commands,
    digest,
    events,
    home,
    inspection,
    measures,
    meetings,
    plans,
    questions,
    redact,
    status,
    updates,
)
from handlers.commands.router import Router

FEATURES = (
    plans,  # first: its middleware reads which plan a form or message was made for
    commands,
    questions,
    status,
    events,
    home,
    updates,
    measures,
    admin,
    digest,
    inspection,
    meetings,
    redact,
)


def register(app: App, router: Router) -> None:
    """Every listener on `app` and every /qib subcommand in `router`, the app's own table."""
    for feature in FEATURES:
        feature.register(app, router)
