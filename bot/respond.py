"""respond() for replies on a response_url, as patient with Slack as the Web API client is.

Bolt's own respond() posts with the SDK's default retry handlers, which retry connection errors only:
a 429 or a 500 from Slack's response_url loses the reply (a "Saved" confirmation, say) without a
word. This one waits out rate limits and retries server errors, and logs a reply it still cannot
deliver instead of raising: what the person asked for may well have been done, and an exception here
would only have the error handler tell them that it failed.

It also sends on a kept connection (bot.kept_http): no handshake per reply, as Bolt's has.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookResponse

from bot.kept_http import KeptWebhookClient

log = logging.getLogger("qib.respond")


class PatientRespond(Respond):
    timeout = 10

    def __call__(self, text: str | dict[str, Any] = "", **kwargs: Any) -> WebhookResponse | None:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = KeptWebhookClient(
            url=self.response_url,
            timeout=self.timeout,
            proxy=self.proxy,
            ssl=self.ssl,
            retry_handlers=[
                ConnectionErrorRetryHandler(max_retry_count=2),
                RateLimitErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=2),
            ],
        )
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **kwargs)
        try:
            response = client.send_dict(message)
        except Exception as exc:  # e.g. Slack took longer than the timeout: not retried, it may have landed
            log.warning("a reply on response_url could not be delivered: %s", type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("a reply on response_url was refused: HTTP %s", response.status_code)
        return response
