"""Which runtime a set of settings asks for, or one line saying what is missing. Pure."""

from __future__ import annotations

from typing import Literal

from bot.settings import Settings, SettingsError

Mode = Literal["socket", "http", "console"]


def choose_mode(settings: Settings, *, want_http: bool = False) -> Mode:
    bot = settings.slack_bot_token is not None
    app = settings.slack_app_token is not None
    secret = settings.slack_signing_secret is not None
    http = want_http or settings.qib_http
    if http:
        missing = [
            name for name, ok in (("SLACK_BOT_TOKEN", bot), ("SLACK_SIGNING_SECRET", secret)) if not ok
        ]
        if missing:
            raise SettingsError(f"HTTP mode needs {' and '.join(missing)}")
        return "http"
    if bot and app:
        return "socket"
    if bot and secret:
        raise SettingsError(
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set: add --http (or QIB_HTTP=true) for "
            "HTTP mode, or set SLACK_APP_TOKEN for Socket Mode"
        )
    if bot:
        raise SettingsError(
            "SLACK_BOT_TOKEN is set but Socket Mode needs SLACK_APP_TOKEN too "
            "(or set SLACK_SIGNING_SECRET and use --http for HTTP mode)"
        )
    if app:
        raise SettingsError("SLACK_APP_TOKEN is set but Socket Mode needs SLACK_BOT_TOKEN too")
    if secret:
        raise SettingsError("SLACK_SIGNING_SECRET is set but HTTP mode needs SLACK_BOT_TOKEN too")
    return "console"
