"""The Home tab for one person: their milestones with Update buttons, above a compact plan overview."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.queries import PersonMilestones, PlanOverview
from bot.services.status import Health
from bot.usecases.home import HomeTab
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import blocks_once
from handlers.inspection import render as inspection_render
from handlers.measures.render import own_measures_blocks
from handlers.status import render
from handlers.words import day_in

MAX_OWN = 40
QUESTION_INPUT = "home_question"
MAX_ANSWER_BLOCKS = 40


def question_blocks(answered: tuple[str, Reply] | None) -> list[dict[str, Any]]:
    """A box to ask the plan a question in plain words, and the last answer under it."""
    box = {
        "type": "input",
        "block_id": QUESTION_INPUT,
        "dispatch_action": True,
        "label": {"type": "plain_text", "text": "Ask about the plan"},
        "element": {
            "type": "plain_text_input",
            "action_id": QUESTION_INPUT,
            "placeholder": {"type": "plain_text", "text": "what's at risk? what is due in March?"},
            "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
        },
    }
    if answered is None:
        return [box]
    asked, reply = answered
    shown = reply.blocks or [bk.section(bk.esc(reply.text))]
    return [
        box,
        bk.context(f"You asked: _{bk.esc(bk.clip(asked, 200))}_"),
        *shown[:MAX_ANSWER_BLOCKS],
        bk.divider(),
    ]


def home_view(tab: HomeTab, today: date, answered: tuple[str, Reply] | None = None) -> dict[str, Any]:
    """``answered``: a question asked in the Home tab and its answer, shown at the top."""
    overview = tab.overview
    blocks: list[dict[str, Any]] = [bk.header(overview.plan.title)]
    if tab.inspection is not None:
        blocks.append(bk.context(bk.esc(inspection_render.home_line(tab.inspection))))
    blocks += question_blocks(answered)
    blocks += own_blocks(tab.mine, today)
    blocks += own_measures_blocks(tab.measures)
    blocks += plan_blocks(overview, today)
    return {"type": "home", "blocks": bk.fit(blocks, limit=bk.MAX_VIEW_BLOCKS)}


@blocks_once
def plan_blocks(overview: PlanOverview, today: date) -> list[dict[str, Any]]:
    """The plan in brief, under the person's own part: the same for everyone while the plan stands."""
    return [
        bk.divider(),
        bk.section(
            f"*The plan: {render.health_word(overview.health)}*\n{render.headline(overview.totals)}\n"
            f"{render.counts_line(overview.totals)}"
        ),
        bk.context(bk.esc(render.meetings_line(overview.calendar))),
        *render.packed(
            f"{render.health_word(a.health)}  *{bk.esc(a.code)}* {bk.esc(a.title)}"
            + (f" · {a.figures.overdue} overdue" if a.figures.overdue else "")
            + (f" · next due {day_in(a.figures.next_due, today)}" if a.figures.next_due else "")
            for a in overview.areas
        ),
        bk.context("`/qib help` lists everything I can do."),
    ]


@blocks_once
def own_blocks(mine: PersonMilestones | None, today: date) -> list[dict[str, Any]]:
    """The person's open milestones with Update buttons, or how to get added to the plan."""
    if mine is None:
        return [
            bk.section(
                "You are not in the plan's list of people yet, so no milestones are shown as "
                "yours. Ask a plan admin to add your Slack account."
            )
        ]
    open_items = [i for i in mine.items if i.row.health is not Health.COMPLETE]
    done = len(mine.items) - len(open_items)
    blocks = [
        bk.section(
            f"*Your milestones* ({len(open_items)} open" + (f", {done} complete" if done else "") + ")"
        )
    ]
    if mine.covering_for:
        blocks.append(bk.context("Covering for " + ", ".join(bk.esc(c.name) for c in mine.covering_for)))
    for item in open_items[:MAX_OWN]:
        line = render.milestone_line(item.row, today, show_owner=False)
        if item.covered_for:
            line += f"\n_covering for {bk.esc(item.covered_for.name)}_"
        blocks.append(bk.section(line, accessory=bk.button("Update", render.UPDATE_BUTTON, item.row.code)))
    if len(open_items) > MAX_OWN:
        blocks.append(bk.context(f"…and {len(open_items) - MAX_OWN} more: `/qib mine` lists them all."))
    if not open_items:
        blocks.append(bk.section("Nothing open. :tada:"))
    return blocks
