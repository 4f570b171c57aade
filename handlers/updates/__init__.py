"""Progress updates: the quick command, the modal (from commands and buttons), and what follows a save."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NoReturn

from bot.services.errors import DomainError, NotAllowed
from bot.services.updates import UpdateResult, form_defaults, update_choices
from bot.usecases.results import NeedsForm, Refused
from bot.usecases.updates import DueAsked, Saved, Unavailable, quick_update, submit_form
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, actor_of, ask_from
from handlers.updates import correct, due
from handlers.updates.announce import confirmation
from handlers.updates.form import read_form, typed_values, update_input
from handlers.updates.modal import (
    CALLBACK,
    PICK_ACTION,
    STATUS_ACTION,
    milestone_options,
    update_modal,
)
from handlers.updates.render import form_errors, joined, on_blocks, unavailable_text

if TYPE_CHECKING:
    from slack_bolt import Ack, App

log = logging.getLogger("qib.updates")

UPDATE_BUTTON = "update_milestone"


def refuse(refused: Refused) -> NoReturn:
    """A refusal, told to the person the way every handler's refusals are (privately, see bot.app)."""
    raise DomainError(refused.reason)


def register(app: App, router: Router) -> None:
    router.add(
        "update",
        "/qib update [CODE on track 60% note]",
        "give a progress update: quick, or the form when anything is missing",
        update_command,
        order=20,
    )
    app.action(UPDATE_BUTTON)(on_update_button)
    app.action(PICK_ACTION)(on_pick_milestone)
    app.action(STATUS_ACTION)(on_pick_status)
    app.options(PICK_ACTION)(on_milestone_options)
    due.register(app)
    correct.register(app, router)
    app.view(CALLBACK)(on_update_submit)


def open_update_modal(
    ask: Ask, code: str | None, *, typed: dict[str, Any] | None = None, notice: str | None = None
) -> None:
    actor = actor_of(ask)
    with ask.deps.sessions() as db:
        today = ask.today()
        choices = update_choices(db=db, plan_id=ask.plan_id, actor=actor, today=today)
        if not choices:
            raise NotAllowed(
                "You don't own any milestones, so there is nothing for you to update. "
                "`/qib mine` lists what you own."
            )
        defaults = form_defaults(db=db, plan_id=ask.plan_id, code=code) if code else None
    ask.client.views_open(
        trigger_id=ask.trigger_id,
        view=update_modal(choices, defaults, typed=typed, notice=notice, plan_id=ask.plan_id),
    )


def update_command(ask: Ask, args: str) -> Reply:
    if not args.strip():
        if not ask.trigger_id:  # a mention or a message: Slack gives no trigger, so no form can open
            return Reply(
                text="Write the update in one line, e.g. `update CODE on track 60% Workshops held`, "
                "or use `/qib update` to open the update form."
            )
        open_update_modal(ask, None)
        return Reply.nothing()
    outcome = quick_update(ask.deps.sessions, ask.asker(), args, _request_key(ask))
    if isinstance(outcome, NeedsForm):
        return _modal_or_say(ask, outcome.code, outcome.typed, outcome.notice or "")
    if isinstance(outcome, DueAsked):
        asked = due.approvers_asked(ask, outcome.request)
        return joined(after_save(ask, outcome.update), asked) if outcome.update else asked
    if isinstance(outcome, Saved):
        return after_save(ask, outcome.update) if outcome.update else Reply.nothing()
    if isinstance(outcome, Unavailable):
        raise outcome.error
    refuse(outcome if isinstance(outcome, Refused) else Refused(outcome.message))


def _request_key(ask: Ask) -> str:
    """The same key for every delivery of one request: the command's trigger id, or the message's id
    (Slack redelivers an event it thinks was not received; a clock reading would differ each time)."""
    if ask.trigger_id:
        return f"command:{ask.trigger_id}"
    return ask.request_key or f"command:{ask.now.isoformat()}"


def _modal_or_say(ask: Ask, code: str | None, typed: dict[str, Any], notice: str) -> Reply:
    if ask.trigger_id:
        open_update_modal(ask, code, typed=typed, notice=bk.esc(notice))
        return Reply.nothing()
    return Reply(text=notice + " Use `/qib update` to open the update form.")


def after_save(ask: Ask, result: UpdateResult) -> Reply:
    """Wake the outbox worker, which posts what the save queued (the announcement, any notice), and
    confirm to the author; a replay queued nothing."""
    if not result.duplicate:
        ask.deps.outbox.ring()
    return confirmation(result)


def on_update_button(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    ack()
    ask = ask_from(
        context,
        client,
        user_id=body["user"]["id"],
        channel_id=None,
        trigger_id=body.get("trigger_id"),
        surface="action",
    )
    open_update_modal(ask, body["actions"][0].get("value") or None)


def on_pick_milestone(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    """Choosing another milestone re-fills the form from that milestone's latest update."""
    ack()
    view = body["view"]
    code = (body["actions"][0].get("selected_option") or {}).get("value")
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    actor = actor_of(ask)
    with ask.deps.sessions() as db:
        choices = update_choices(db=db, plan_id=ask.plan_id, actor=actor, today=ask.today())
        defaults = form_defaults(db=db, plan_id=ask.plan_id, code=code) if code else None
    client.views_update(
        view_id=view["id"], hash=view.get("hash"), view=update_modal(choices, defaults, plan_id=ask.plan_id)
    )


def on_milestone_options(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    """Options for the milestone menu of a large plan, as the person types."""
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    try:
        actor = actor_of(ask)
        with ask.deps.sessions() as db:
            choices = update_choices(db=db, plan_id=ask.plan_id, actor=actor, today=ask.today())
    except DomainError:
        ack(options=[])
        return
    ack(**milestone_options(choices, str(body.get("value") or "")))


def on_pick_status(ack: Ack, body: dict[str, Any], context: Any, client: Any) -> None:
    """Choosing a status redraws the form: complete sets 100%, and the reason for reopening is asked
    only when a complete milestone is given another status. What was typed is kept."""
    ack()
    view = body["view"]
    state = view.get("state", {}).get("values", {})
    typed = typed_values(state)
    status = (body["actions"][0].get("selected_option") or {}).get("value")
    typed["status"] = status
    code = typed.get("milestone")
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    actor = actor_of(ask)
    with ask.deps.sessions() as db:
        choices = update_choices(db=db, plan_id=ask.plan_id, actor=actor, today=ask.today())
        defaults = form_defaults(db=db, plan_id=ask.plan_id, code=code) if code else None
    percent_set = status == "complete" and typed.get("percent") != "100"
    if percent_set:
        typed.pop("percent", None)
    client.views_update(
        view_id=view["id"],
        hash=view.get("hash"),
        view=update_modal(choices, defaults, typed=typed, percent_set=percent_set, plan_id=ask.plan_id),
    )


def on_update_submit(ack: Ack, body: dict[str, Any], context: Any, client: Any, view: dict[str, Any]) -> None:
    form, errors = read_form(view.get("state", {}).get("values", {}))
    given, wrong = update_input(form)
    if errors or wrong:
        ack(response_action="errors", errors=on_blocks(view, errors | wrong))
        return
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    outcome = submit_form(ask.deps.sessions, ask.asker(), given, f"view:{view['id']}")
    if not isinstance(outcome, Saved):
        ack(
            response_action="errors", errors=form_errors(view, outcome, unavailable=unavailable_text(outcome))
        )
        return
    ack()
    if outcome.update is not None and outcome.update.duplicate:
        send_receipt(ask, confirmation(outcome.update))  # "already saved": nothing was queued for it
    elif outcome.update is not None:
        ask.deps.outbox.ring()  # the receipt comes from the outbox, with the announcement
    if outcome.due is not None:
        send_receipt(ask, due.approvers_asked(ask, outcome.due))


def send_receipt(ask: Ask, reply: Reply) -> None:
    try:
        ask.client.chat_postMessage(channel=ask.user_id, **reply.payload())
    except Exception as exc:  # saved, and the closed modal said so: a lost receipt is not a failed update
        log.warning("could not send an update receipt: %s", type(exc).__name__)


__all__ = ["UPDATE_BUTTON", "open_update_modal", "register", "typed_values"]
