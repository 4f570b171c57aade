"""A direct message to a milestone's owner and the board's chair when a complete milestone is reopened:
the board counted it as done, so the people who answer for it hear that it is open again."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from bot.services.update_results import told_of_reopening
from bot.services.updates import UpdateResult
from handlers import blocks as bk
from handlers.context import Ask
from handlers.errors import retryable
from handlers.words import status_label

log = logging.getLogger("qib.updates")


def reopening_notice(result: UpdateResult) -> str:
    """Names the milestone, who reopened it and the change; the reason stays in `/qib history`, so a
    redaction never has a copy to chase in someone's DMs."""
    who = bk.esc(result.author_name or "someone")
    code = bk.esc(result.milestone_code)
    return (
        f":arrows_counterclockwise: *{code}* {bk.esc(result.milestone_title)} was *reopened* by {who}: "
        f"now {status_label(result.after_status)}, {result.after_percent}%. It counts as open again until it is complete; the reason is in "
        f"`/qib history {code}`."
    )


def tell_of_reopening(ask: Ask, result: UpdateResult, told: list[str], record: Callable[[], None]) -> None:
    """Each recipient once (`told` grows as each lands, and `record` keeps it); Slack's 429s and 5xx
    propagate for the outbox to try again, a refusal is logged and not retried."""
    with ask.deps.sessions() as db:
        recipients = told_of_reopening(db, result.update_id)
    text = reopening_notice(result)
    for user in recipients:
        if user in told:
            continue
        try:
            ask.client.chat_postMessage(channel=user, text=text, blocks=[bk.section(text)])
        except SlackApiError as exc:
            if retryable(exc):
                raise
            log.warning("could not tell of a reopening: %s", exc.response.get("error", "unknown"))
        told.append(user)
        record()
