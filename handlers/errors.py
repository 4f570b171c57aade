"""When a request fails: the words the user sees, the log line kept for us, and where the words go.

Used by the Bolt error handler, the console and the listeners that keep a form open on an error.
The log line itself (log_unexpected) is bot.logs', so the HTTP layer and the scheduler need no handler."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.logs import log_unexpected
from bot.services.errors import DomainError
from bot.services.text import mrkdwn_escape
from handlers.blocks import MAX_FALLBACK, clip

log = logging.getLogger("qib.app")

DATABASE_DOWN = "The plan database is unavailable just now; please try again shortly."


def friendly_message(error: Exception) -> tuple[str, str | None]:
    """The text a user sees for an error, and the reference logged with it (None when nothing to log)."""
    if isinstance(error, DomainError):
        return error.message, None
    if isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else "unknown")
        return DATABASE_DOWN, None
    ref = secrets.token_hex(3)
    log_unexpected(log, f"unhandled error ref={ref}", error)
    return f"Something went wrong (ref {ref}). It has been logged.", ref


def tell_user(body: dict[str, Any], context: Any, client: Any, text: str) -> None:
    """Say something to the one person a request came from, as privately as the surface allows."""
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


def retryable(exc: SlackApiError) -> bool:
    """Slack failed for a while (rate limited, or a 5xx after the client's own retries): worth trying
    again later. Anything else it answered (channel_not_found, not_in_channel, …) a person must fix."""
    status = exc.response.status_code if exc.response is not None else 0
    return status == 429 or status >= 500
