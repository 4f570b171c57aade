"""Measures as Slack messages: pure, data in and payload out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.services.measures import MeasureView, Rag, Recorded, format_change, format_value
from bot.services.periods import period_label
from handlers import blocks as bk
from handlers.blocks import Reply

RECORD_BUTTON = "record_measure"
REPLACE_BUTTON = "replace_measure_value"
MARK = {Rag.GREEN: ":large_green_circle:", Rag.AMBER: ":large_orange_circle:", Rag.RED: ":red_circle:"}


def measure_lines(m: MeasureView, *, board: bool = True) -> str:
    """Latest value against target with its RAG, the changes, and a sparkline, in three short lines."""
    better = "higher" if m.direction == "up" else "lower"
    target = f"target {format_value(m.target, m.unit)} ({better} is better)"
    head = f"{MARK.get(m.rag, ':white_circle:')} *{bk.esc(m.code)}* {bk.esc(m.title)}"
    latest = m.latest
    if latest is None:
        return f"{head}\nno value yet · {target}"
    value = (
        f"*{format_value(latest.value, m.unit)}* in {period_label(latest.period)} ({m.rag.value}) · {target}"
    )
    changes = []
    if m.since_previous:
        changes.append(format_change(m.since_previous, m.unit))
    if board and m.since_board:
        changes.append(format_change(m.since_board, m.unit).replace(" since ", " since the board, from "))
    spark = f"`{m.sparkline}`  " if len(m.points) > 1 else ""
    return "\n".join([head, value, spark + " · ".join(changes)]).rstrip()


def measures_reply(measures: Sequence[MeasureView], *, asked: str) -> Reply:
    if not measures and not asked:
        return Reply(
            text="The plan has no performance measures: add them under `measures:` in the plan file "
            "(see docs/plan-file.md)."
        )
    if not measures:
        return Reply(text=f"No measures for “{asked}”. `/qib measures` lists them all.")
    title = f"Measures: {asked}" if asked else "Performance measures"
    blocks: list[dict[str, Any]] = [bk.header(title)]
    for m in measures:
        links = " · ".join([*m.areas, *m.priorities, *([f"question {m.question}"] if m.question else [])])
        owner = f"owner {m.owner_name}" if m.owner_name else "no owner"
        blocks.append(bk.section(measure_lines(m)))
        blocks.append(bk.context(bk.esc(" · ".join(x for x in (owner, links) if x))))
    text = "; ".join(
        f"{m.code} {format_value(m.latest.value, m.unit) if m.latest else 'no value'} ({m.rag.value})"
        for m in measures
    )
    return Reply(
        text=f"{title}: {text}",
        blocks=bk.fit(blocks, more=f"Name an area or a measure: `/qib measures {bk.esc(measures[0].code)}`."),
    )


def recorded_reply(r: Recorded, args: str) -> Reply:
    value = format_value(r.value, r.unit)
    when = period_label(r.period)
    if r.saved:
        was = (
            f" (replacing {format_value(r.replaced.value, r.unit)}, which stays in the history)"
            if r.replaced
            else ""
        )
        return Reply(text=f"Saved: {r.code} {value} for {when}{was}.")
    old = format_value(r.replaced.value, r.unit) if r.replaced else "a value"
    question = (
        f"{r.code} already has {old} for {when}. Replace it with {value}? Both are kept in the history."
    )
    blocks = [bk.section(bk.esc(question))]
    if len(args) <= 1900:
        blocks.append(bk.actions(bk.button(f"Replace with {value}", REPLACE_BUTTON, args, style="danger")))
    else:
        blocks.append(bk.context("The note is too long to carry on a button: shorten it and send again."))
    return Reply(text=question, blocks=blocks)


def chart_posted(code: str) -> Reply:
    return Reply(text=f"The trend chart of {code} is posted in this conversation.")


def with_measures(reply: Reply, measures: Sequence[MeasureView]) -> Reply:
    """An area's status with its measures under its milestones: is it done, and is it working?"""
    if not measures:
        return reply
    extra = [bk.divider(), bk.section("*Measures*"), *(bk.section(measure_lines(m)) for m in measures)]
    text = (
        reply.text
        + " Measures: "
        + "; ".join(
            f"{m.code} {format_value(m.latest.value, m.unit) if m.latest else 'no value'} ({m.rag.value})"
            for m in measures
        )
    )
    return Reply(text=text, blocks=bk.fit([*reply.blocks, *extra]), visibility=reply.visibility)


def own_measures_blocks(measures: Sequence[MeasureView]) -> list[dict[str, Any]]:
    """The App Home's list of a person's measures, each with a Record button."""
    if not measures:
        return []
    blocks = [bk.section(f"*Your measures* ({len(measures)})")]
    for m in measures:
        due = f"\n_{period_label(m.last_period)} not recorded yet_" if m.missing_last_period else ""
        blocks.append(
            bk.section(
                measure_lines(m, board=False) + due, accessory=bk.button("Record", RECORD_BUTTON, m.code)
            )
        )
    return blocks


def measures_due_blocks(measures: Sequence[MeasureView]) -> list[dict[str, Any]]:
    """A reminder's measures with no value for the last complete period, each with a Record button."""
    return [
        bk.section(
            f"*{bk.esc(m.code)}* {bk.esc(m.title)}\n{period_label(m.last_period)} is not recorded yet",
            accessory=bk.button("Record", RECORD_BUTTON, m.code),
        )
        for m in measures[:10]
    ]
