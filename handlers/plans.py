"""Several plans in one deployment: `/qib plan [NAME]`, the plan chooser, and the plan a click is for.

Which plan a request is about is decided in handlers.context (plan_for); this module lets a person
choose, and reads the plan a form, Home tab or bot message was made for into the request's context.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.blocks import ActionsBlock, Option, PlainTextObject, StaticSelectElement

from bot.services.plans import PlanChoiceNeeded, PlanRef, find_by_name, plan_refs, remember_choice
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import subcommand
from handlers.context import CHANNEL_HINT, PLAN_HINT, Ask, ask_from, several

CHOOSE_ACTION = "qib_plan_choose"
MAX_OPTIONS = 100  # Slack's limit for a static select


def register(app: App) -> None:
    app.use(plan_hints)
    app.action(CHOOSE_ACTION)(on_choose)


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


def with_plan(metadata: dict[str, Any], plan_id: int) -> str:
    """A view's private_metadata carrying the plan it was opened for, so its submission and the
    actions inside it answer about that plan."""
    return json.dumps({**metadata, "plan": plan_id})


# ---------------------------------------------------------------------- choosing


def chooser_blocks(plans: Sequence[PlanRef], current: int | None, intro: str) -> list[dict[str, Any]]:
    options = [Option(text=bk.clip(bk.plain(p.title), 75), value=str(p.id)) for p in plans[:MAX_OPTIONS]]
    chosen = next((o for o, p in zip(options, plans, strict=False) if p.id == current), None)
    select = StaticSelectElement(
        action_id=CHOOSE_ACTION,
        placeholder=PlainTextObject(text="Choose a plan"),
        options=options,
        initial_option=chosen,
    )
    return [bk.section(intro), ActionsBlock(elements=[select]).to_dict()]


def chooser_reply(need: PlanChoiceNeeded) -> Reply:
    """The answer to anything asked before the person has said which plan they mean."""
    listed = "\n".join(f"• {bk.esc(p.title)}" for p in need.plans)
    intro = (
        "This workspace keeps several improvement plans. Which one do you mean?\n"
        f"{listed}\nChoose below, or type `/qib plan NAME`; I will remember it."
    )
    return Reply(text=need.message, blocks=chooser_blocks(need.plans, None, intro))


def chooser_home(need: PlanChoiceNeeded) -> dict[str, Any]:
    """The Home tab of someone who has not chosen a plan yet."""
    return {"type": "home", "blocks": [bk.header("qib-bot"), *chooser_reply(need).blocks]}


def stamp_home(ask: Ask, view: dict[str, Any]) -> dict[str, Any]:
    """With several plans, a Home tab carries its plan (for the buttons on it) and a plan switcher."""
    if ask.deps.pinned:
        return view
    with ask.deps.sessions() as db:
        plans = plan_refs(db)
    if len(plans) < 2:
        return view
    view["private_metadata"] = with_plan({}, ask.plan_id)
    blocks = view.get("blocks") or []
    if len(blocks) < bk.MAX_VIEW_BLOCKS:
        switch = chooser_blocks(plans, ask.plan_id, "")[-1]
        view["blocks"] = [*blocks[:1], switch, *blocks[1:]]
    return view


def home_for(ask: Ask, answered: tuple[str, Reply] | None = None) -> dict[str, Any]:
    """The person's Home tab for their plan, or the chooser when they have not said which."""
    from handlers.home.view import home_view

    try:
        return stamp_home(ask, home_view(ask, answered))
    except PlanChoiceNeeded as need:
        return chooser_home(need)


def serves_several(ask: Ask) -> bool:
    return several(ask.deps)


def current_plan(ask: Ask) -> int | None:
    try:
        return ask.plan_id
    except PlanChoiceNeeded:
        return None


@subcommand("plan", "/qib plan [NAME]", "which plan I answer about; NAME switches to another", order=95)
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
        client.views_publish(user_id=user, view=home_for(fresh))
        return
    if body.get("response_url"):
        respond(text=reply.payload()["text"], response_type="ephemeral", replace_original=False)
    else:
        client.chat_postMessage(channel=user, text=reply.payload()["text"])
