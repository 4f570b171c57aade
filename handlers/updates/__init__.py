"""Progress updates: the quick command, the modal (from commands and buttons), and what follows a save."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.exc import DBAPIError

from bot.services.errors import DomainError, InvalidInput, NoChange, NotAllowed, NotFound
from bot.services.privacy import PersonalDataRefused, PersonalDataSuspected
from bot.services.quick import parse_quick_update, plan_codes, resolve_milestone
from bot.services.updates import UpdateResult, form_defaults, record_update, update_choices
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, actor_of, ask_from
from handlers.errors import friendly_message
from handlers.updates import due
from handlers.updates.announce import announce, confirmation
from handlers.updates.form import read_form, typed_values
from handlers.updates.modal import (
    CALLBACK,
    FIELDS,
    PICK_ACTION,
    STATUS_ACTION,
    base_block,
    milestone_options,
    update_modal,
)
from handlers.updates.privacy_notice import tell_privacy_officer

log = logging.getLogger("qib.updates")

UPDATE_BUTTON = "update_milestone"
KEPT = "What you typed is kept: submit the form again."


class SaveUnconfirmed(DomainError):
    """The database stopped answering once it had been asked to commit: the update may be saved or not."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"The plan database stopped answering while your update to {code} was being saved, so I can't "
            f"tell whether it was. Check `/qib history {code}` before sending it again."
        )


def save_update(ask: Ask, **fields: Any) -> UpdateResult:
    """record_update in a transaction of its own.

    A database failure before COMMIT means nothing was saved (the caller's error says "unavailable");
    a failure at COMMIT leaves it unknown, which must never be reported as a failure: SaveUnconfirmed.
    """
    result: UpdateResult | None = None
    try:
        with ask.deps.sessions.begin() as db:
            result = record_update(db=db, **fields)
    except DBAPIError as exc:
        if result is None:
            raise
        raise SaveUnconfirmed(result.milestone_code) from exc
    return result


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
                text="Write the update in one line, e.g. `update M-07 on track 60% Workshops held`, "
                "or use `/qib update` to open the update form."
            )
        open_update_modal(ask, None)
        return Reply.nothing()
    with ask.deps.sessions() as db:
        quick = parse_quick_update(args, today=ask.today(), plan_codes=plan_codes(db, ask.plan_id))
        candidates = resolve_milestone(db, ask.plan_id, quick.code, quick.phrase)
    code = candidates[0][0] if len(candidates) == 1 else None
    typed = {
        "milestone": code,
        "status": quick.status.value if quick.status else None,
        "percent": str(quick.percent) if quick.percent is not None else None,
        "note": quick.note or (quick.phrase if quick.code is None else None),
        "evidence_url": quick.evidence_url,
        "decision": quick.decision,
        "next_steps": quick.next_steps,
    }
    if quick.due_typed is not None and code and not quick.unclear:
        # "due 30 Apr because ...": a request for the chair, never a note. Anything else given is not saved.
        if quick.due is None:
            return Reply(text=" ".join(quick.problems))
        return due.ask_for_due_date(ask, code, quick.due, quick.due_reason)
    if quick.percent == 100 and quick.status is None:
        # 100% suggests complete, which needs its impact: the form, with complete chosen, checks it.
        typed["status"] = "complete"
        quick.problems.append("100% suggests complete: check the status and the impact, then save.")
    # Only a typed code saves at once: a milestone found by searching words is confirmed in the form first.
    if quick.code and code and quick.has_change and not quick.problems:
        actor = actor_of(ask)
        try:
            result = save_update(
                ask,
                plan_id=ask.plan_id,
                milestone_code=code,
                author_id=actor.person_id,
                status=typed["status"],
                percent=quick.percent,
                note=quick.note,
                evidence_url=quick.evidence_url,
                next_steps=quick.next_steps,
                blockers=None,
                decision=quick.decision,
                source=ask.deps.source,
                idempotency_key=_request_key(ask),
                now=ask.now,
                extra_admin_slack_ids=ask.settings.admin_ids,
            )
        except NotAllowed:
            raise
        except (InvalidInput, NotFound) as exc:
            said = " ".join(exc.also.values()) if isinstance(exc, InvalidInput) and exc.also else exc.message
            return _modal_or_say(ask, code, typed, f"Nothing was saved yet: {said}")
        return after_save(ask, result)
    if code and quick.code is None:
        notice = f"Is this the milestone you meant? Check it and save. ({code} {candidates[0][1]})"
    elif len(candidates) > 1:
        listing = ", ".join(f"{c} {t}" for c, t in candidates[:5])
        notice = f"Which milestone did you mean? {listing}"
    elif not candidates and quick.has_milestone:
        notice = f"I couldn't find a milestone for “{quick.code_typed or quick.phrase}”: choose it below."
    else:
        notice = "" if quick.problems else "Fill in what is missing and save."
    # What could not be read (a word not understood, a second status) is said whichever milestone line leads.
    notice = " ".join([notice, *quick.problems]).strip()
    return _modal_or_say(ask, code, typed, notice)


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
    """Announce in the board channel (unless this is a replay), tell the privacy officer of an
    override, then confirm to the author."""
    problem = None if result.duplicate else announce(ask, result)
    if result.override_kinds and not result.duplicate:
        tell_privacy_officer(ask, result)
    return confirmation(result, problem=problem)


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


def _on_blocks(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the blocks the view really has ("percent" may be "percent~100"); an error for a
    field the view does not show goes on the status, the nearest field that can put it right."""
    ids = {base_block(b["block_id"]): b["block_id"] for b in view.get("blocks", []) if b.get("block_id")}
    out: dict[str, str] = {}
    for field, message in errors.items():
        key = ids.get(field) or (ids.get("status", "milestone") if ids else field)
        out[key] = (out[key] + " " + message)[:300] if key in out else message[:300]
    return out


def on_update_submit(ack: Ack, body: dict[str, Any], context: Any, client: Any, view: dict[str, Any]) -> None:
    state = view.get("state", {}).get("values", {})
    form, errors = read_form(state)
    if errors:
        ack(response_action="errors", errors=_on_blocks(view, errors))
        return
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    result: UpdateResult | None = None
    try:
        actor = actor_of(ask)
        result = _save_unless_only_a_date(
            form.due is not None,
            ask,
            plan_id=ask.plan_id,
            milestone_code=form.milestone or "",
            author_id=actor.person_id,
            status=form.status,
            percent=form.percent,
            note=form.note,
            evidence_url=form.evidence_url,
            next_steps=form.next_steps,
            blockers=form.blockers,
            decision=form.decision,
            source=ask.deps.source,
            idempotency_key=f"view:{view['id']}",
            now=ask.now,
            reopen_reason=form.reopen_reason,
            confirm_not_personal=form.confirm_not_personal,
            override_reason=form.override_reason,
            extra_admin_slack_ids=ask.settings.admin_ids,
        )
    except SaveUnconfirmed:
        # Resubmitting this same view is safe: its id is the update's key, so it is saved once.
        ack(
            response_action="errors",
            errors={"milestone": f"The plan database stopped answering while this was being saved. {KEPT}"},
        )
        return
    except DBAPIError as exc:
        # Keep the form open, with what was typed, rather than closing it as if it had been saved.
        text, _ = friendly_message(exc)
        ack(response_action="errors", errors={"milestone": f"{text} {KEPT}"[:300]})
        return
    except PersonalDataRefused as exc:
        # No override: the box is no help, so it is not offered; what was typed stays in the form.
        fields = [f for f in exc.fields if f in FIELDS] or ["note"]
        ack(response_action="errors", errors=_on_blocks(view, {f: exc.message for f in fields}))
        return
    except PersonalDataSuspected as exc:
        fields = [f for f in exc.fields if f in FIELDS] or ["note"]
        ack(
            response_action="errors",
            errors=_on_blocks(view, {f: exc.message for f in fields})
            | {
                "confirm": "Tick this only if the flagged text is not about a child.",
                "override_reason": "Then say why; the plan's privacy officer is told.",
            },
        )
        return
    except InvalidInput as exc:
        wrong = exc.also or {exc.field if exc.field in FIELDS else "note": exc.message}
        ack(response_action="errors", errors=_on_blocks(view, wrong))
        return
    except DomainError as exc:
        ack(response_action="errors", errors={"milestone": exc.message[:300]})
        return
    asked: Reply | None = None
    if form.due is not None:
        # After the update (saved once, by this view's id): resubmitting after an error here is safe.
        try:
            asked = due.ask_for_due_date(
                ask, form.milestone or "", date.fromisoformat(form.due), form.due_reason
            )
        except ValueError:
            ack(
                response_action="errors",
                errors=_on_blocks(view, {"due": "Choose the date from the calendar."}),
            )
            return
        except InvalidInput as exc:
            field = exc.field if exc.field in ("due", "due_reason") else "due"
            ack(response_action="errors", errors=_on_blocks(view, {field: exc.message}))
            return
        except DomainError as exc:
            ack(response_action="errors", errors=_on_blocks(view, {"due": exc.message}))
            return
    ack()
    replies = [after_save(ask, result)] if result is not None else []
    replies += [asked] if asked is not None else []
    for reply in replies:
        try:
            client.chat_postMessage(channel=ask.user_id, **reply.payload())
        except Exception as exc:  # saved, and the closed modal said so: a lost receipt is not a failed update
            log.warning("could not send an update receipt: %s", type(exc).__name__)


def _save_unless_only_a_date(date_asked: bool, ask: Ask, **fields: Any) -> UpdateResult | None:
    """The update; None when it repeats the latest one and the form only asks for a new due date."""
    try:
        return save_update(ask, **fields)
    except NoChange:
        if date_asked:
            return None
        raise


__all__ = ["UPDATE_BUTTON", "open_update_modal", "register", "typed_values"]
