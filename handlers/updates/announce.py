"""After an update is saved: a line in the area's thread in the board channel, and the author's receipt."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.channels import ChannelNotVisible
from bot.services.announcements import AreaThread, area_thread
from bot.services.queries import board_calendar
from bot.services.redaction import record_posted
from bot.services.updates import UpdateResult
from bot.usecases.threads import thread_ts
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import Ask
from handlers.words import status_label

log = logging.getLogger("qib.updates")


def announcement(result: UpdateResult) -> str:
    """`M-07 Foster carer reviews: at risk -> on track, 40% -> 60%, by Jo Bloggs` (escaped)."""
    change = result.summary.split(": ", 1)[-1] if ": " in result.summary else result.summary
    who = f", by {bk.esc(result.author_name)}" if result.author_name else ""
    return f"*{bk.esc(result.milestone_code)}* {bk.esc(result.milestone_title)}: {bk.esc(change)}{who}"


def announce(ask: Ask, result: UpdateResult) -> str | None:
    """Post the update to its area's thread; returns a problem to tell the author, or None.

    Never raises: the update is saved by now, so a timeout from Slack or a database gone away after the
    commit must not reach the error handler, which would tell the author that the update failed.
    """
    try:
        return _announce(ask, result)
    except Exception as exc:
        log.warning("could not announce an update in the board channel: %s", type(exc).__name__)
        return (
            f"It is saved, but I couldn't post it in the board channel just now; "
            f"`/qib history {result.milestone_code}` shows it."
        )


def _announce(ask: Ask, result: UpdateResult) -> str | None:
    with ask.deps.sessions() as db:
        cycle = board_calendar(db=db, plan_id=ask.plan_id, today=ask.today()).previous_on
        thread = area_thread(
            db, ask.plan_id, result.area_code, channel_override=ask.settings.board_channel, cycle=cycle
        )
    if not thread.channel or not (thread.announce_all or result.announce):
        return None
    try:
        # Slack answers with the channel's id: threads are kept, and compared, by id, never by name.
        thread = replace(thread, channel=ask.deps.channel_ids.resolve(ask.client, thread.channel))
    except ChannelNotVisible as exc:
        return f"It is saved, but not posted in the board channel. {exc.advice}"
    try:
        ts = _thread_ts(ask, thread)
        if ts is None:
            return "I couldn't post it in the board channel just now; it is saved."
        line = announcement(result)
        blocks = [bk.section(line)]
        if result.note:
            blocks.append(bk.context(bk.esc(bk.clip(result.note, 500))))
        posted = ask.client.chat_postMessage(
            channel=thread.channel, thread_ts=ts, text=line, blocks=blocks, reply_broadcast=result.announce
        )
        remember_posted(ask, result, "announcement", posted, {"text": line, "blocks": blocks})
    except SlackApiError as exc:
        error = exc.response.get("error", "error") if exc.response is not None else "error"
        log.warning("could not announce an update in the board channel: %s", error)
        return f"I couldn't post it in the board channel ({error}); a plan admin should check the channel setting."
    return None


def remember_posted(
    ask: Ask, result: UpdateResult, purpose: str, posted: Any, payload: dict[str, Any]
) -> None:
    """Keep where a message carrying the update went: a redaction edits it if it carries text, and a
    correction or a withdrawal edits the announcement whatever it carries."""
    if purpose != "announcement" and not (result.note or result.next_steps or result.blockers):
        return
    try:
        with ask.deps.sessions.begin() as db:
            record_posted(
                db,
                plan_id=ask.plan_id,
                update_id=result.update_id,
                purpose=purpose,
                channel=str(posted["channel"]),
                ts=str(posted["ts"]),
                payload=payload,
            )
    except Exception as exc:  # the update is saved and announced; losing this only weakens redaction
        log.warning("could not record a posted message for redaction: %s", type(exc).__name__)


def _thread_ts(ask: Ask, thread: AreaThread) -> str | None:
    """The area's thread, started now if it has none; one thread however many updates arrive at once."""
    return thread_ts(
        ask.deps.sessions, ask.plan_id, thread, clock=ask.deps.clock, start=lambda t: _start(ask, t)
    )


def _start(ask: Ask, thread: AreaThread) -> tuple[str, str]:
    """Post the thread's first message; its channel and ts."""
    assert thread.channel is not None
    parent = ask.client.chat_postMessage(
        channel=thread.channel,
        text=f"Updates: {bk.esc(thread.area_code)} {bk.esc(thread.area_title)}",
        blocks=[
            bk.section(
                f"*Updates: {bk.esc(thread.area_code)} {bk.esc(thread.area_title)}*\n"
                "Progress updates for this area are posted in this thread."
            )
        ],
    )
    return str(parent["channel"]), str(parent["ts"])


def confirmation(result: UpdateResult, *, problem: str | None = None) -> Reply:
    if result.duplicate:
        text = f"That update was already saved: {result.summary}"
    else:
        text = f"Saved: {result.summary}"
    lines = [
        f":white_check_mark: {bk.esc(text)}",
        f"{bk.esc(result.milestone_code)} {bk.esc(result.milestone_title)} is now "
        f"{status_label(result.health.value)}, {result.after_percent}%.",
    ]
    if problem:
        lines.append(f":warning: {bk.esc(problem)}")
    return Reply(text=text, blocks=[bk.section("\n".join(lines))])
