"""Slack adapters: each feature registers its listeners and /qib subcommands in its register(app, router),
called from here, once per app; bodies parse, call the domain, render. Nothing registers at import.

The features are imported by `register`, not by this package: a renderer (handlers.digest.render, for the
tick and `qib digest --preview`) is imported on its own, without Bolt and every listener behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import App

    from handlers.commands.router import Router


def register(app: App, router: Router) -> None:
    """Every listener on `app` and every /qib subcommand in `router`, the app's own table."""
    from handlers import (
        admin,
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
    from handlers.commands import slash

    features = (
        plans,  # first: its middleware reads which plan a form or message was made for
        slash,  # /qib itself
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
    for feature in features:
        feature.register(app, router)
