"""The /qib subcommand table as an app built by create_app holds it, for tests that need only the names."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from handlers.commands.router import Router


def subcommands() -> Router:
    """Every feature registered on a Bolt app that never connects (no token check, no request served)."""
    router = Router()
    app = App(
        name="routes.py",  # given, so that Bolt does not work it out with inspect.stack() (slow in tests)
        client=WebClient(token="xoxb-offline"),
        signing_secret="offline",
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
    )
    handlers.register(app, router)
    return router
