"""After an update is saved, posted by the outbox worker: a line in the area's thread in the board channel,
word of a reopening to the owner and the chair, the privacy officer's notice of an override, and the
author's receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.channels import ChannelNotVisible
from bot.services.announcements import AreaThread, area_thread
from bot.services.outbox import Claimed, ThreadBusy
from bot.services.queries import board_calendar
from bot.services.redaction import record_posted
from bot.services.update_results import as_result
from bot.services.updates import UpdateResult
from bot.usecases.threads import thread_ts
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import Ask
from handlers.errors import retryable
from handlers.updates.privacy_notice import tell_privacy_officer
from handlers.updates.reopening import tell_of_reopening
from handlers.words import status_label
from models import ProgressUpdate

log = logging.getLogger("qib.updates")
OUTBOX_EVENT = "qib_update"  # the metadata on an announcement, by which a retry finds it in the thread
THREAD_EVENT = "qib_area_thread"  # the metadata on an area thread's first message, found the same way


def announcement(result: UpdateResult) -> str:
    """`M-07 Foster carer reviews: at risk -> on track, 40% -> 60%, by Jo Bloggs` (escaped)."""
    change = result.summary.split(": ", 1)[-1] if ": " in result.summary else result.summary
    who = f", by {bk.esc(result.author_name)}" if result.author_name else ""
    return f"*{bk.esc(result.milestone_code)}* {bk.esc(result.milestone_title)}: {bk.esc(change)}{who}"


def deliver_update(ask: Ask, held: Claimed, record: Callable[[dict[str, Any]], None]) -> None:
    """What a saved update owes Slack, posted by the outbox worker, each part once: the line in its
    area's thread, word of a reopening to the owner and the chair, the privacy officer's notice of an
    override, and the author's receipt (or, for a
    quick update already answered in the ack, word of a problem only). `record` keeps each step as it
    lands. Slack's 429s, 5xx and silences propagate, for the worker to try again later."""
    progress = dict(held.progress)
    result = _saved_update(ask, held.subject_id)
    if result is None:  # withdrawn, or corrected, before its turn came: nothing of it is posted
        return
    if "announced" not in progress:
        progress["announced"], progress["problem"] = _announce(ask, result, held)
        record(progress)
    if result.reopened and not progress.get("reopen_done"):
        told = progress.setdefault("reopen_told", [])
        tell_of_reopening(ask, result, told, lambda: record(progress))
        progress["reopen_done"] = True
        record(progress)
    if progress.get("override_kinds") and not progress.get("privacy"):
        tell_privacy_officer(ask, replace(result, override_kinds=tuple(progress["override_kinds"])))
        progress["privacy"] = True
        record(progress)
    if (
        held.recipient
        and not progress.get("told")
        and _tell_author(ask, held, result, progress.get("problem"))
    ):
        progress["told"] = True
        record(progress)


def _saved_update(ask: Ask, update_id: int | None) -> UpdateResult | None:
    with ask.deps.sessions() as db:
        row = db.get(ProgressUpdate, update_id) if update_id is not None else None
        if row is None or row.superseded_at is not None:
            return None
        return as_result(db, row, duplicate=False)


def _tell_author(ask: Ask, held: Claimed, result: UpdateResult, problem: str | None) -> bool:
    """The form's receipt, or a quick update's problem; a receipt Slack refuses is logged, not retried.
    True when there was something to send."""
    assert held.recipient is not None
    if held.receipt:
        reply = confirmation(result, problem=problem)
    elif problem:
        text = f"Your update to {result.milestone_code} is saved. {problem}"
        reply = Reply(text=text, blocks=[bk.section(f":warning: {bk.esc(text)}")])
    else:
        return False
    try:
        ask.client.chat_postMessage(channel=held.recipient, **reply.payload())
    except SlackApiError as exc:
        if retryable(exc):
            raise
        log.warning("could not send an update receipt: %s", _error(exc))
    return True


def _announce(ask: Ask, result: UpdateResult, held: Claimed) -> tuple[str | None, str | None]:
    """The line in the area's thread: its ts, or the problem an admin must fix (a refusal from Slack)."""
    with ask.deps.sessions() as db:
        cycle = board_calendar(db=db, plan_id=ask.plan_id, today=ask.today()).previous_on
        thread = area_thread(
            db, ask.plan_id, result.area_code, channel_override=ask.settings.board_channel, cycle=cycle
        )
    if not thread.channel or not (thread.announce_all or result.announce):
        return None, None
    try:
        # Slack answers with the channel's id: threads are kept, and compared, by id, never by name.
        thread = replace(thread, channel=ask.deps.channel_ids.resolve(ask.client, thread.channel))
    except ChannelNotVisible as exc:
        return None, f"It is saved, but not posted in the board channel. {exc.advice}"
    try:
        return _post_line(ask, result, held, thread), None
    except SlackApiError as exc:
        if retryable(exc):
            raise
        log.warning("could not announce an update in the board channel: %s", _error(exc))
        return None, (
            f"I couldn't post it in the board channel ({_error(exc)}); "
            "a plan admin should check the channel setting."
        )


def _post_line(ask: Ask, result: UpdateResult, held: Claimed, thread: AreaThread) -> str:
    assert thread.channel is not None
    ts = _thread_ts(ask, thread, look_first=held.retaken)
    if ts is None:
        raise ThreadBusy("another process is still starting the area's thread")
    if held.retaken:  # an earlier attempt may have posted it before it died or gave up waiting
        landed = _landed(ask, thread.channel, ts, held.id)
        if landed is not None:
            return landed
    line = announcement(result)
    blocks = [bk.section(line)]
    if result.note:
        blocks.append(bk.context(bk.esc(bk.clip(result.note, 500))))
    posted = ask.client.chat_postMessage(
        channel=thread.channel,
        thread_ts=ts,
        text=line,
        blocks=blocks,
        reply_broadcast=result.announce,
        metadata={"event_type": OUTBOX_EVENT, "event_payload": {"outbox_id": held.id}},
    )
    remember_posted(ask, result, "announcement", posted, {"text": line, "blocks": blocks})
    return str(posted["ts"])


def _landed(ask: Ask, channel: str, thread_ts: str, outbox_id: int) -> str | None:
    """The ts of this row's line if Slack already has it in the thread (found by its metadata)."""
    answer = ask.client.conversations_replies(
        channel=channel, ts=thread_ts, limit=1000, include_all_metadata=True
    )
    for message in answer.get("messages", []):
        meta = message.get("metadata") or {}
        if (
            meta.get("event_type") == OUTBOX_EVENT
            and (meta.get("event_payload") or {}).get("outbox_id") == outbox_id
        ):
            return str(message["ts"])
    return None


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "error")) if exc.response is not None else "error"


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


def _thread_ts(ask: Ask, thread: AreaThread, *, look_first: bool) -> str | None:
    """The area's thread, started now if it has none; one thread however many updates arrive at once.
    `look_first`: an earlier attempt may have started it and died before recording it."""

    def start(t: AreaThread) -> tuple[str, str]:
        return (_started_before(ask, t) if look_first else None) or _start(ask, t)

    return thread_ts(ask.deps.sessions, ask.plan_id, thread, clock=ask.deps.clock, start=start)


def _thread_marker(ask: Ask, thread: AreaThread) -> dict[str, Any]:
    cycle = thread.cycle.isoformat() if thread.cycle else ""
    return {"plan_id": ask.plan_id, "area": thread.area_code, "cycle": cycle}


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
        metadata={"event_type": THREAD_EVENT, "event_payload": _thread_marker(ask, thread)},
    )
    return str(parent["channel"]), str(parent["ts"])


def _started_before(ask: Ask, thread: AreaThread) -> tuple[str, str] | None:
    """The thread's first message, if Slack took it from an attempt that never heard back."""
    assert thread.channel is not None
    answer = ask.client.conversations_history(channel=thread.channel, limit=200, include_all_metadata=True)
    marker = _thread_marker(ask, thread)
    for message in answer.get("messages", []):
        meta = message.get("metadata") or {}
        if meta.get("event_type") == THREAD_EVENT and meta.get("event_payload") == marker:
            return thread.channel, str(message["ts"])
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
