"""Several plans in one deployment: `/qib plan [NAME]`, the plan chooser, and the plan a click is for.

Which plan a request is about is decided in handlers.context (plan_for); this module lets a person
choose, and reads the plan a form, Home tab or bot message was made for into the request's context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services.plans import PlanChoiceNeeded, PlanRef, find_by_name, plan_refs, remember_choice
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import CHANNEL_HINT, PLAN_HINT, Ask, ask_from
from handlers.home import publish_home
from handlers.plan_chooser import CHOOSE_ACTION, chooser_blocks


def register(app: App, router: Router) -> None:
    app.use(PlanHints())
    app.action(CHOOSE_ACTION)(on_choose)
    router.add(
        "plan",
        "/qib plan [NAME]",
        "which plan I answer about; NAME switches to another",
        plan_command,
        order=95,
    )


# ---------------------------------------------------------------------- what a request says about its plan


def plan_hints(body: dict[str, Any], context: Any, next: Callable[[], Any]) -> Any:
    """Put the plan a form, Home tab or bot message was made for (and the channel an action was
    clicked in) into the context, where ask_from finds them."""
    hint = _chosen(body) or _from_view(body.get("view")) or _from_message(body.get("message"))
    if hint is not None:
        context[PLAN_HINT] = hint
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if isinstance(channel, str) and channel:
        context[CHANNEL_HINT] = channel
    return next()


class PlanHints(Middleware):
    """plan_hints for every request (a Middleware: Bolt inspects a function's arguments every time)."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        return plan_hints(req.body, req.context, next)


def _as_id(value: object) -> int | None:
    text = str(value) if isinstance(value, int | str) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _chosen(body: dict[str, Any]) -> int | None:
    for action in body.get("actions") or []:
        if isinstance(action, dict) and action.get("action_id") == CHOOSE_ACTION:
            return _as_id((action.get("selected_option") or {}).get("value") or action.get("value"))
    return None


def _from_view(view: object) -> int | None:
    if not isinstance(view, dict):
        return None
    try:
        meta = json.loads(view.get("private_metadata") or "")
    except ValueError:
        return None
    return _as_id(meta.get("plan")) if isinstance(meta, dict) else None


def _from_message(message: object) -> int | None:
    """The scheduler marks what it posts (reminders, digests) with the plan's id in the metadata."""
    if not isinstance(message, dict):
        return None
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    return _as_id(payload.get("plan_id")) if isinstance(payload, dict) else None


# ---------------------------------------------------------------------- choosing


def current_plan(ask: Ask) -> int | None:
    try:
        return ask.plan_id
    except PlanChoiceNeeded:
        return None


def plan_command(ask: Ask, args: str) -> Reply:
    with ask.deps.sessions() as db:
        plans = plan_refs(db, ask.deps.plan_ids())
    name = args.strip()
    if len(plans) == 1:
        only = bk.esc(plans[0].title)
        return Reply(text=f"I answer about one plan here: {only}.")
    if not name:
        current = current_plan(ask)
        lines = [
            f"• *{bk.esc(p.title)}*  (current)" if p.id == current else f"• {bk.esc(p.title)}" for p in plans
        ]
        said = "" if current is not None else "\nYou have not chosen one yet."
        intro = "The plans I keep:\n" + "\n".join(lines) + said + "\nSwitch with `/qib plan NAME` or below."
        return Reply(text=intro, blocks=chooser_blocks(plans, current, intro))
    plan = find_by_name(plans, name)
    return _switched(ask, plan)


def _switched(ask: Ask, plan: PlanRef) -> Reply:
    with ask.deps.sessions.begin() as db:
        remember_choice(db, ask.user_id, plan.id, now=ask.now)
    text = f"Your messages to me and your Home tab now answer about {bk.esc(plan.title)}."
    here = current_plan(ask_from_channel(ask))
    if here is not None and here != plan.id:
        text += " In this channel I still answer about its own plan."
    return Reply(text=text)


def ask_from_channel(ask: Ask) -> Ask:
    """The same request asked afresh (its plan resolved again, now that a choice is recorded)."""
    return Ask(
        user_id=ask.user_id,
        channel_id=ask.channel_id,
        deps=ask.deps,
        settings=ask.settings,
        now=ask.now,
        client=ask.client,
        surface=ask.surface,
        router=ask.router,
        channel_hint=ask.channel_hint,
    )


def on_choose(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    """A plan picked in the chooser: remembered, then the Home tab redrawn or the choice confirmed."""
    ack()
    user = body["user"]["id"]
    view = body.get("view") or {}
    ask = ask_from(context, client, user_id=user, channel_id=None, surface="action")
    plan_id = context.get(PLAN_HINT)
    with ask.deps.sessions() as db:
        plans = plan_refs(db, ask.deps.plan_ids())
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        return
    reply = _switched(ask, plan)
    if view.get("type") == "home":
        fresh = ask_from(context, client, user_id=user, channel_id=None, surface="home")
        publish_home(fresh)
        return
    if body.get("response_url"):
        respond(text=reply.payload()["text"], response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=user, text=reply.payload()["text"])
