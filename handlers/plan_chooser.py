"""The plan chooser and the plan a view carries: what any surface shows when several plans are served."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Option, PlainTextObject, StaticSelectElement

from bot.services.plans import PlanChoiceNeeded, PlanRef, plan_refs
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.context import Ask, several

CHOOSE_ACTION = "qib_plan_choose"
MAX_OPTIONS = 100  # Slack's limit for a static select


def with_plan(metadata: dict[str, Any], plan_id: int) -> str:
    """A view's private_metadata carrying the plan it was opened for, so its submission and the
    actions inside it answer about that plan."""
    return json.dumps({**metadata, "plan": plan_id})


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
    if not several(ask.deps):  # the plan list this request has read already: no statement
        return view
    with ask.deps.sessions() as db:
        plans = plan_refs(db, ask.deps.plan_ids())
    if len(plans) < 2:
        return view
    view["private_metadata"] = with_plan({}, ask.plan_id)
    blocks = view.get("blocks") or []
    if len(blocks) < bk.MAX_VIEW_BLOCKS:
        switch = chooser_blocks(plans, ask.plan_id, "")[-1]
        view["blocks"] = [*blocks[:1], switch, *blocks[1:]]
    return view


def serves_several(ask: Ask) -> bool:
    return several(ask.deps)
