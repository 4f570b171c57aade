"""The bot's Web API client, made without Bolt: `qib tick` posts with it and never builds the app."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.kept_http import KeptWebClient
from bot.settings import Settings


def make_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A Web API client that waits out Slack's rate limits, retries its 5xx answers, and keeps its
    connections (bot.kept_http)."""
    return KeptWebClient(
        token=token or settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )
