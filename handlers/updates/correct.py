"""Correcting or withdrawing an update: `/qib correct U-12`, `/qib withdraw U-12`, and the history's buttons.

The correction reuses the update form, prefilled with the update being corrected; once saved, the
announcement in the area's thread is edited in place (chat.update) and marked "(corrected)".
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from bot.services.corrections import Corrected, Posted, Withdrawn
from bot.services.errors import DomainError
from bot.services.updates import Choice
from bot.usecases.results import Refused
from bot.usecases.updates import correct, start_correction, withdraw
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, ask_from
from handlers.status.milestone import EDIT_BUTTON  # on /qib history's updates
from handlers.updates.form import read_form, update_input, withdrawing
from handlers.updates.modal import CORRECT_CALLBACK, update_modal
from handlers.updates.render import (
    corrected_blocks,
    corrected_line,
    correcting_notice,
    correction_receipt,
    form_errors,
    on_blocks,
    unavailable_text,
    withdrawal_receipt,
    withdrawn_line,
)

if TYPE_CHECKING:
    from slack_bolt import Ack, App

log = logging.getLogger("qib.updates")

NOT_EDITED = "I couldn't edit the announcement in the board channel; `/qib history` shows the correction."


def register(app: App, router: Router) -> None:
    app.action(EDIT_BUTTON)(on_edit_button)
    app.view(CORRECT_CALLBACK)(on_correct_submit)
    router.add(
        "correct",
        "/qib correct U-1234",
        "correct one of your updates (within 7 days)",
        correct_command,
        order=21,
    )
    router.add(
        "withdraw",
        "/qib withdraw U-1234",
        "take back one of your updates (within 7 days)",
        withdraw_command,
        order=22,
    )


def correct_command(ask: Ask, args: str) -> Reply:
    if not args.strip():
        return Reply(text="Which update? `/qib history CODE` shows each update's reference, e.g. `U-1234`.")
    open_correction(ask, args.split()[0])
    return Reply.nothing()


def withdraw_command(ask: Ask, args: str) -> Reply:
    if not args.strip():
        return Reply(text="Which update? `/qib history CODE` shows each update's reference, e.g. `U-1234`.")
    return _withdraw(ask, args.split()[0])


def open_correction(ask: Ask, reference: str) -> None:
    form = start_correction(ask.deps.sessions, ask.asker(), reference)
    if isinstance(form, Refused):
        raise DomainError(form.reason)
    if not ask.trigger_id:
        raise DomainError(f"Use `/qib correct {form.reference}` to open the correction form.")
    choices = [Choice(form.code, form.title, True)]
    view = update_modal(
        choices,
        None,
        typed=form.typed,
        notice=correcting_notice(form.reference, form.on),
        correcting=form.reference,
        plan_id=ask.plan_id,
    )
    ask.client.views_open(trigger_id=ask.trigger_id, view=view)


def on_edit_button(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    """Edit under an update in /qib history; the button's value is the update's id."""
    ack()
    trigger = body.get("trigger_id")
    ask = ask_from(
        context, client, user_id=context.user_id, channel_id=None, trigger_id=trigger, surface="action"
    )
    open_correction(ask, f"U-{body['actions'][0].get('value') or ''}")


def _withdraw(ask: Ask, reference: str) -> Reply:
    done = withdraw(ask.deps.sessions, ask.asker(), reference)
    if isinstance(done, Refused):
        raise DomainError(done.reason)
    line = withdrawn_line(done)
    problem = _edit_announcements(ask, done.posted, line, [bk.section(line)])
    return withdrawal_receipt(done, problem=problem)


def on_correct_submit(
    ack: Ack, body: dict[str, Any], context: Any, client: Any, view: dict[str, Any]
) -> None:
    form, errors = read_form(view.get("state", {}).get("values", {}))
    given, _ = update_input(form)
    if errors:
        ack(response_action="errors", errors=on_blocks(view, errors))
        return
    reference = json.loads(view.get("private_metadata") or "{}").get("correct", "")
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    if withdrawing(view.get("state", {}).get("values", {})):
        on_withdraw_submit(ack, ask, view, reference)
        return
    done = correct(ask.deps.sessions, ask.asker(), reference, given, f"view:{view['id']}")
    if not isinstance(done, Corrected):
        ack(response_action="errors", errors=form_errors(view, done, unavailable=unavailable_text(done)))
        return
    ack()
    problem = None
    if not done.duplicate:
        problem = _edit_announcements(ask, done.posted, corrected_line(done), corrected_blocks(done))
    send_receipt(ask, correction_receipt(done, problem=problem))


def on_withdraw_submit(ack: Ack, ask: Ask, view: dict[str, Any], reference: str) -> None:
    """The correction form with "withdraw it instead" ticked."""
    done = withdraw(ask.deps.sessions, ask.asker(), reference)
    if isinstance(done, Refused):
        ack(response_action="errors", errors={"milestone": done.reason[:300]})
        return
    ack()
    line = withdrawn_line(done)
    problem = _edit_announcements(ask, done.posted, line, [bk.section(line)])
    send_receipt(ask, withdrawal_receipt(done, problem=problem))


def send_receipt(ask: Ask, reply: Reply) -> None:
    try:
        ask.client.chat_postMessage(channel=ask.user_id, **reply.payload())
    except Exception as exc:  # saved, and the closed modal said so: a lost receipt is not a failed change
        log.warning("could not send a correction receipt: %s", type(exc).__name__)


def _edit_announcements(
    ask: Ask, posted: tuple[Posted, ...], text: str, blocks: list[dict[str, Any]]
) -> str | None:
    """Edit each announcement in place; never raises (the correction is saved by now)."""
    problem = None
    for message in posted:
        try:
            ask.client.chat_update(channel=message.channel, ts=message.ts, text=text, blocks=blocks)
        except Exception as exc:
            log.warning("could not edit an announcement: %s", type(exc).__name__)
            problem = NOT_EDITED
    return problem


__all__ = ["EDIT_BUTTON", "Withdrawn", "register"]
