"""A direct message to a milestone's owner and the board's chair when a complete milestone is reopened:
the board counted it as done, so the people who answer for it hear that it is open again."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.update_results import told_of_reopening
from bot.services.updates import UpdateResult
from handlers import blocks as bk
from handlers.context import Ask
from handlers.direct_messages import dm_each_once
from handlers.words import status_label


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
    """The owner and the chair, each once (`told`, kept by `record`)."""
    with ask.deps.sessions() as db:
        recipients = told_of_reopening(db, result.update_id)
    text = reopening_notice(result)

    def send(user: str) -> None:
        ask.client.chat_postMessage(channel=user, text=text, blocks=[bk.section(text)])

    dm_each_once(recipients, told, send, record, what="tell of a reopening")
