"""Direct messages the outbox worker sends to several people about one change, each person once."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from slack_sdk.errors import SlackApiError

from handlers.errors import retryable

log = logging.getLogger("qib.outbox")


def dm_each_once(
    recipients: Iterable[str],
    done: list[str],
    send: Callable[[str], None],
    record: Callable[[], None],
    *,
    what: str,
) -> None:
    """`send` to each recipient not yet in `done`, which grows as each lands and `record` keeps. Slack's
    429s and 5xx propagate for the outbox to try again later; a refusal (a user gone, say) is logged
    with `what` and not tried again."""
    for user in recipients:
        if user in done:
            continue
        try:
            send(user)
        except SlackApiError as exc:
            if retryable(exc):
                raise
            log.warning("could not %s: %s", what, exc.response.get("error", "error"))
        done.append(user)
        record()
