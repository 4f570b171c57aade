"""One milestone's answers, pure: `/qib status CODE` (the milestone and its latest updates) and
`/qib history CODE` (every update, with an Edit button on those the reader may still correct)."""

from __future__ import annotations

from typing import Any

from bot.services.queries import BoardCalendar, MilestoneDetail
from bot.services.redaction_refs import update_reference
from bot.services.status import Health
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import drawn_once
from handlers.status.render import (
    UPDATE_BUTTON,
    fallback_text,
    milestone_text,
    more_block,
    owner_text,
    packed,
    update_age,
)
from handlers.status.revisions import revision_lines
from handlers.words import day_in, due_phrase, status_label

EDIT_BUTTON = "correct_update"  # handled in handlers.updates.correct


@drawn_once
def milestone_reply(d: MilestoneDetail, *, history_limit: int = 10, can_update: bool = False) -> Reply:
    today = d.calendar.today
    r = d.row
    accessory = bk.button("Update", UPDATE_BUTTON, r.code) if can_update else None
    facts = [
        f"*Status*\n{status_label(r.health.value)}, {r.percent}%",
        f"*Due*\n{due_phrase(r.due, today, complete=r.health is Health.COMPLETE)}{revision_lines(r)}",
        f"*Owner*\n{owner_text(r)}",
        f"*Area*\n{bk.esc(d.area.code)} {bk.esc(d.area.title)}",
    ]
    if d.priority:
        facts.append(f"*Priority*\n{bk.esc(d.priority.code)} {bk.esc(d.priority.title)}")
    if d.delegate:
        facts.append(f"*Covered by*\n{bk.esc(d.delegate.name)}")
    blocks = [
        bk.header(f"{r.code} {r.title}"),
        bk.section(
            f"{update_age(r)}" + (" · *stale*: no update since the last board" if r.stale else ""),
            accessory=accessory,
        ),
        bk.fields(facts),
        bk.divider(),
    ]
    history = d.history[:history_limit]
    if history:
        blocks += packed(history_line(e, d.calendar) for e in history)
        if len(d.history) > len(history):
            blocks.append(
                more_block(len(d.history) - len(history), f"`/qib history {r.code}` shows them all.")
            )
    else:
        blocks.append(bk.section("No progress updates yet."))
    text = fallback_text(milestone_text(r, today), f"Owner: {r.owner_name or 'none'}. {update_age(r)}.")
    return Reply(text=text, blocks=bk.fit(blocks))


def history_line(e: Any, calendar: BoardCalendar) -> str:
    moved = (
        f"{e.previous_status.value} -> {e.status.value}"
        if e.previous_status and e.previous_status != e.status
        else e.status.value
    )
    percent = (
        f"{e.previous_percent}% -> {e.percent}%"
        if e.previous_percent is not None and e.previous_percent != e.percent
        else f"{e.percent}%"
    )
    who = bk.esc(e.author_name or "someone")
    ref = f" · `{update_reference(e.update_id)}`" if getattr(e, "update_id", None) else ""
    lines = [f"*{day_in(calendar.day_of(e.at), calendar.today)}* · {who} · {moved}, {percent}{ref}"]
    for label, value in (("Note", e.note), ("Next steps", e.next_steps), ("Blockers", e.blockers)):
        if value:
            lines.append(f"{label}: {bk.esc(bk.clip(value, 600))}")
    if e.evidence_url:
        lines.append(f"Evidence: {bk.esc(e.evidence_url)}")
    return "\n".join(lines)


def history_reply(d: MilestoneDetail, *, limit: int = 40, editable: frozenset[int] = frozenset()) -> Reply:
    today = d.calendar.today
    r = d.row
    blocks = [bk.header(f"History of {r.code}"), bk.section(f"*{bk.esc(r.code)}* {bk.esc(r.title)}")]
    if d.due_line:
        blocks.append(bk.context(bk.esc(d.due_line)))
    shown = d.history[:limit]
    blocks += history_blocks(shown, d.calendar, editable) or [bk.section("No progress updates yet.")]
    if d.events:
        changes = [
            f"{day_in(d.calendar.day_of(e.at), today)}: {bk.esc(e.actor or 'someone')} {bk.esc(e.what)}"
            for e in d.events[:limit]
        ]
        blocks += [bk.section("*Dates, owners and reopenings*"), *packed(changes)]
    if len(d.history) > len(shown):
        blocks.append(more_block(len(d.history) - len(shown), "`qib export` has the whole history."))
    on = d.calendar.day_of
    text = fallback_text(
        f"History of {r.code} {r.title}: {len(d.history)} update(s).",
        *([d.due_line] if d.due_line else []),
        *(f"{on(e.at):%Y-%m-%d} {e.author_name or 'someone'}: {e.status.value} {e.percent}%" for e in shown),
        *(f"{on(e.at):%Y-%m-%d} {e.actor or 'someone'} {e.what}" for e in d.events[:limit]),
    )
    return Reply(text=text, blocks=bk.fit(blocks))


def history_blocks(
    entries: list[Any], calendar: BoardCalendar, editable: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """The updates, packed; one the reader may still correct (theirs, within 7 days) stands alone with its Edit button."""
    blocks: list[dict[str, Any]] = []
    run: list[str] = []
    for e in entries:
        if e.update_id is not None and e.update_id in editable:
            blocks += packed(run)
            run = []
            edit = bk.button("Edit", EDIT_BUTTON, str(e.update_id))
            blocks.append(bk.section(history_line(e, calendar), accessory=edit))
        else:
            run.append(history_line(e, calendar))
    return blocks + packed(run)
