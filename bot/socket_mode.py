"""Socket Mode: Slack's requests over a websocket the bot opens, so no public URL is needed."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.settings import Settings

log = logging.getLogger("qib.socket")


def start_socket_mode(app: App, settings: Settings) -> SocketModeHandler:
    """Connect (apps.connections.open through the app's client, so SLACK_API_URL applies) and return."""
    handler = SocketModeHandler(app, app_token=settings.secret("slack_app_token"), web_client=app.client)
    handler.connect()
    return handler


def run_socket_mode(app: App, settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set), then close the connection cleanly."""
    stop = stop or threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %s: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    handler = start_socket_mode(app, settings)
    log.info("connected in Socket Mode")
    stop.wait()
    handler.close()
    log.info("stopped")
