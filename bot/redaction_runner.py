"""Making a redaction's Slack edits (chat.update), now and on every scheduler tick until each is done.

A message found deleted counts as done (the text is gone). Any other failure (429, not in channel, a
timeout) leaves the edit pending for the next tick. The person who asked is told once if edits are
still failing and once when all are done; logs carry error codes, never text.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.services.redaction import finish_edit, mark_reported, pending_edits, unreported
from bot.services.redaction_refs import update_reference

log = logging.getLogger("qib.redaction")

GONE = {"message_not_found", "thread_not_found"}


def _find_reply(client: Any, channel: str, thread_ts: str, text: str) -> str | None:
    """A digest's area reply, by its (unchanged) fallback text: its ts was never stored."""
    answer = client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
    for message in answer.get("messages") or []:
        if message.get("ts") != thread_ts and str(message.get("text", "")) == text:
            return str(message["ts"])
    return None


def apply_redaction_edits(client: Any, sessions: Any, plan_id: int, now: datetime) -> tuple[int, int]:
    """(edited, still pending) after one pass over the queue; then tell requesters how it went."""
    with sessions() as db:
        edits = [
            (e.id, e.channel, e.ts, e.thread_ts, e.find_text, e.payload) for e in pending_edits(db, plan_id)
        ]
    edited = pending = 0
    for edit_id, channel, ts, thread_ts, find_text, payload in edits:
        error: str | None = None
        try:
            if ts is None and thread_ts is not None:
                ts = _find_reply(client, channel, thread_ts, find_text or "")
            if ts is None:
                error = None  # no such reply in the thread any more: nothing left to edit
            else:
                client.chat_update(
                    channel=channel, ts=ts, text=payload.get("text", ""), blocks=payload.get("blocks")
                )
        except SlackApiError as exc:
            code = str(exc.response.get("error", "error")) if exc.response is not None else "error"
            error = None if code in GONE else code
        except Exception as exc:  # a timeout, a connection reset: try again next tick
            error = type(exc).__name__
        if error:
            log.warning("a redaction edit failed: %s; it will be retried", error)
            pending += 1
        else:
            edited += 1
        with sessions.begin() as db:
            finish_edit(db, edit_id, now=now, error=error)
    _report(client, sessions, plan_id)
    return edited, pending


def _report(client: Any, sessions: Any, plan_id: int) -> None:
    with sessions() as db:
        groups = {
            key: [(e.id, e.done_at is not None, e.attempts, e.last_error) for e in edits]
            for key, edits in unreported(db, plan_id).items()
        }
    for (user, update_id), edits in groups.items():
        ref = update_reference(update_id)
        if all(done for _, done, _, _ in edits):
            text = (
                f":white_check_mark: Redaction of {ref}: every Slack message that carried it has been "
                f"edited ({len(edits)})."
            )
            ids = [i for i, _, _, _ in edits]
        else:
            failing = [(i, err) for i, done, attempts, err in edits if not done and attempts == 1]
            if not failing:
                continue  # told already; the next word is when they are all done
            errors = ", ".join(sorted({err or "error" for _, err in failing}))
            text = (
                f":warning: Redaction of {ref}: {len(failing)} Slack message(s) could not be edited yet "
                f"({errors}). The text is gone from the plan; I'll keep trying and tell you when it's done."
            )
            ids = []
        try:
            client.chat_postMessage(channel=user, text=text)
        except Exception as exc:
            log.warning("could not report a redaction: %s", type(exc).__name__)
            continue
        if ids:
            with sessions.begin() as db:
                mark_reported(db, ids)
