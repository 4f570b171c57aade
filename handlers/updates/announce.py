"""After an update is saved: a line in the area's thread in the board channel, and the author's receipt."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.services.announcements import area_thread, save_area_thread
from bot.services.updates import UpdateResult
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
    """Post the update to its area's thread; returns a problem to tell the author, or None."""
    with ask.deps.sessions() as db:
        thread = area_thread(db, ask.plan_id, result.area_code, channel_override=ask.settings.board_channel)
    if not thread.channel or not (thread.announce_all or result.announce):
        return None
    try:
        ts = thread.open_thread
        if ts is None:
            parent = ask.client.chat_postMessage(
                channel=thread.channel,
                text=f"Updates: {thread.area_code} {thread.area_title}",
                blocks=[
                    bk.section(
                        f"*Updates: {bk.esc(thread.area_code)} {bk.esc(thread.area_title)}*\n"
                        "Progress updates for this area are posted in this thread."
                    )
                ],
            )
            ts = parent["ts"]
            with ask.deps.sessions.begin() as db:
                save_area_thread(db, ask.plan_id, result.area_code, channel=parent["channel"], ts=ts)
        line = announcement(result)
        blocks = [bk.section(line)]
        if result.note:
            blocks.append(bk.context(bk.esc(bk.clip(result.note, 500))))
        ask.client.chat_postMessage(
            channel=thread.channel, thread_ts=ts, text=line, blocks=blocks, reply_broadcast=result.announce
        )
    except SlackApiError as exc:
        error = exc.response.get("error", "error") if exc.response is not None else "error"
        log.warning("could not announce an update in the board channel: %s", error)
        return f"I couldn't post it in the board channel ({error}); a plan admin should check the channel setting."
    return None


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
