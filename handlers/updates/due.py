"""Revised due dates in Slack: the owner's request, the chair's Approve / Decline DM, the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.services.due_dates import DueDecision, DueRequest
from bot.services.outbox import Claimed
from bot.services.wording import full_day
from bot.usecases.results import Refused
from bot.usecases.updates import decide_due
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import Ask, ask_from
from handlers.direct_messages import dm_each_once

if TYPE_CHECKING:
    from slack_bolt import Ack, App

log = logging.getLogger("qib.updates")

APPROVE = "due_date_approve"
DECLINE = "due_date_decline"
DUE_REQUEST_EVENT = "qib_due_request"


def register(app: App) -> None:
    app.action(APPROVE)(on_decide)
    app.action(DECLINE)(on_decide)


def approvers_asked(ask: Ask, request: DueRequest) -> Reply:
    """Wake the outbox, which DMs the approvers (queued with the request); the owner is told the date
    moves once approved."""
    ask.deps.outbox.ring()
    return Reply(
        text=f"Asked the chair to move {request.milestone_code} to {full_day(request.proposed)}. "
        f"It stays due {full_day(request.due)} until the date is approved."
    )


def deliver_due_request(ask: Ask, held: Claimed, record: Callable[[dict[str, Any]], None]) -> None:
    """The outbox's part: DM every approver the request with Approve / Decline, each once (`asked`)."""
    progress = dict(held.progress)
    request = DueRequest.from_facts(progress["request"])
    asked: list[str] = progress.setdefault("asked", [])

    def send(approver: str) -> None:
        ask.client.chat_postMessage(
            channel=approver,
            text=request_text(request),
            blocks=request_blocks(request),
            # The plan the request is in: Approve answers about it, whatever plan the approver chose.
            metadata={"event_type": DUE_REQUEST_EVENT, "event_payload": {"plan_id": held.plan_id}},
        )

    # A refused DM is not tried again: the request is saved, and `/qib history` shows it to the chair.
    dm_each_once(
        request.approver_slack_ids, asked, send, lambda: record(progress), what="ask for a revised due date"
    )


def request_text(request: DueRequest) -> str:
    return (
        f":calendar: *Revised due date requested* for *{bk.esc(request.milestone_code)}* "
        f"{bk.esc(request.milestone_title)}: from {full_day(request.due)} to {full_day(request.proposed)}, "
        f"asked by {bk.esc(request.requested_by)}.\n> {bk.esc(request.reason)}"
    )


def request_blocks(request: DueRequest) -> list[dict[str, Any]]:
    value = f"{request.milestone_code}|{request.proposed.isoformat()}"
    return [
        bk.section(request_text(request)),
        bk.actions(
            bk.button("Approve", APPROVE, value, style="primary"),
            bk.button("Decline", DECLINE, value, style="danger"),
            block_id="due_date_decision",
        ),
    ]


def decision_text(decision: DueDecision) -> str:
    code = f"*{bk.esc(decision.milestone_code)}* {bk.esc(decision.milestone_title)}"
    who = bk.esc(decision.decided_by)
    if decision.approved:
        return (
            f":white_check_mark: {code}: due {full_day(decision.baseline)}, revised to "
            f"{full_day(decision.due)}, approved by {who}."
        )
    return f":x: {code}: the move to {full_day(decision.proposed)} was declined by {who}; it stays due {full_day(decision.due)}."


def on_decide(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    ack()
    action = body["actions"][0]
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    code, _, when = str(action.get("value", "")).partition("|")
    try:
        proposed = date.fromisoformat(when)
    except ValueError:
        client.chat_postMessage(channel=ask.user_id, text="That request could not be read.")
        return
    decision = decide_due(
        ask.deps.sessions, ask.asker(), code, proposed, approve=action["action_id"] == APPROVE
    )
    if isinstance(decision, Refused):
        client.chat_postMessage(channel=ask.user_id, text=decision.reason)
        return
    tell_decision(client, body, decision)


def tell_decision(client: Any, body: dict[str, Any], decision: DueDecision) -> None:
    """Edit the approver's DM to the outcome, and tell whoever asked; never raises (it is decided)."""
    text = decision_text(decision) if not decision.already else "That request was already decided."
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts")
    try:
        if channel and ts:
            client.chat_update(channel=channel, ts=ts, text=text, blocks=[bk.section(text)])
        if decision.requester_slack_id and not decision.already:
            client.chat_postMessage(channel=decision.requester_slack_id, text=text)
    except Exception as exc:
        log.warning("could not tell of a due date decision: %s", type(exc).__name__)
