"""The digest and the owner reminders as Block Kit, pure. The digest leads with exceptions; detail is threaded."""

from __future__ import annotations

from typing import Any

from bot.services.digest import Digest, DigestArea, DigestRow
from bot.services.reminders import ReminderBatch
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.inspection.render import inspection_blocks, inspection_text
from handlers.status.render import UPDATE_BUTTON, milestone_line, packed
from handlers.words import day_in, due_phrase, full_day, person_label, status_label

MAX_EXCEPTIONS = 12
MAX_LISTED = 15
MAX_AREA_ROWS = 40
MAX_REMINDER_ITEMS = 40


def _owner(row: DigestRow) -> str:
    if not row.owner:
        return "no owner"
    return bk.esc(person_label(row.owner, row.owner_role))


def _revised(row: DigestRow, today: Any) -> str:
    """ " (revised from Tue 30 Jun)": the board sees both dates once a revision has been approved."""
    return f" (revised from {day_in(row.baseline_due, today)})" if row.baseline_due else ""


def _exception(row: DigestRow, today: Any) -> str:
    label = row.kind or row.health
    lines = [
        f"*{bk.esc(row.code)}* {bk.esc(row.title)}",
        f"{status_label(label)} · {due_phrase(row.due, today)}{_revised(row, today)} · {_owner(row)}",
    ]
    lines.append(f"> {bk.esc(bk.clip(row.reason, 280))}" if row.reason else "_no reason given in an update_")
    return "\n".join(lines)


def _counts(d: Digest) -> str:
    return " · ".join(f"{status_label(k)} {n}" for k, n in d.headline.counts.items() if n) or "no milestones"


def digest_message(d: Digest) -> Reply:
    """The channel message (thread replies in `thread_blocks`, one per area) and its plain-text fallback."""
    today = d.generated_at.date()
    h = d.headline
    blocks: list[dict[str, Any]] = [
        bk.header(f"{d.board_name}: digest for {day_in(d.meeting_on, today)}"),
        bk.section(
            f"*Overall: {status_label(d.health) if d.health else 'no milestones'}*\n"
            f"{h.complete} of {h.milestones} milestones complete ({h.share_complete:g}%), "
            f"average progress {h.percent_complete:g}%\n{_counts(d)}\n_{bk.esc(d.change)}_"
        ),
        bk.context(f"Meeting {bk.esc(d.meeting_local)} · {bk.esc(d.plan_title)}"),
    ]
    if d.meeting_on_bank_holiday:
        blocks.append(bk.context(":warning: The meeting date is a bank holiday: check it is still on."))
    if d.inspection is not None:
        blocks += [bk.divider(), *inspection_blocks(d.inspection)]
    blocks.append(bk.divider())
    shown = d.exceptions[:MAX_EXCEPTIONS]
    blocks.append(
        bk.section(
            f"*Needs the board's attention ({len(d.exceptions)})*"
            if d.exceptions
            else "*Needs the board's attention*\nNothing overdue, off track, at risk or stale."
        )
    )
    blocks += packed(_exception(r, today) for r in shown)
    if len(d.exceptions) > len(shown):
        blocks.append(
            bk.context(f"…and {len(d.exceptions) - len(shown)} more: see the area replies in the thread.")
        )
    done = [f":white_check_mark: *{bk.esc(c.code)}* {bk.esc(c.title)}" for c in d.completions[:MAX_LISTED]]
    more_done = len(d.completions) - len(done)
    blocks.append(
        bk.section(
            "*Completed since the last meeting*\n"
            + ("\n".join(done) or "None.")
            + (f"\n…and {more_done} more" if more_done > 0 else "")
        )
    )
    due = [
        f"*{bk.esc(r.code)}* {bk.esc(r.title)}: {due_phrase(r.due, today)}{_revised(r, today)}, {_owner(r)}"
        for r in d.due_before_meeting[:MAX_LISTED]
    ]
    more_due = len(d.due_before_meeting) - len(due)
    blocks.append(
        bk.section(
            "*Due before the meeting*\n"
            + ("\n".join(due) or "Nothing falls due.")
            + (f"\n…and {more_due} more" if more_due > 0 else "")
        )
    )
    blocks.append(bk.context("Detail for each area is in the thread below."))
    text = bk.clip(
        f"{d.board_name} digest for the meeting on {full_day(d.meeting_on)}: {h.complete} of {h.milestones} "
        f"complete ({h.share_complete:g}%). {len(d.exceptions)} need attention, {len(d.completions)} completed since "
        f"the last meeting, {len(d.due_before_meeting)} due before the meeting."
        + ("\n" + "\n".join(inspection_text(d.inspection)) if d.inspection is not None else ""),
        bk.MAX_FALLBACK,
    )
    return Reply(
        text=text,
        blocks=bk.fit(blocks),
        visibility="in_channel",
        thread_blocks=[area_reply(a, d) for a in d.areas],
    )


def area_reply(a: DigestArea, d: Digest) -> list[dict[str, Any]]:
    today = d.generated_at.date()
    blocks = [
        bk.section(
            f"*{bk.esc(a.code)} {bk.esc(a.title)}*: {status_label(a.health) if a.health else 'no milestones'}"
            f"\n{a.complete} of {a.milestones} complete, average progress {a.percent_complete:g}%"
            + (f", {a.overdue} overdue" if a.overdue else "")
            + (f", {a.stale} stale" if a.stale else "")
        ),
    ]
    rows = a.rows[:MAX_AREA_ROWS]
    blocks += packed(_area_line(r, today) for r in rows)
    if len(a.rows) > len(rows):
        blocks.append(bk.context(f"…and {len(a.rows) - len(rows)} more: `/qib status {bk.esc(a.code)}`."))
    return bk.fit(blocks)


def _area_line(r: DigestRow, today: Any) -> str:
    parts = [
        status_label(r.health),
        f"{r.percent}%",
        due_phrase(r.due, today, complete=r.health == "complete"),
        _owner(r),
    ]
    return f"*{bk.esc(r.code)}* {bk.esc(r.title)}\n" + " · ".join(parts) + (" · stale" if r.stale else "")


def area_reply_text(a: DigestArea) -> str:
    return f"{a.code} {a.title}: {a.health or 'no milestones'}, {a.complete} of {a.milestones} complete"


def _example_code(batch: ReminderBatch) -> str:
    """The owner's own first milestone, so the example can be sent as it is."""
    return batch.items[0].row.code if batch.items else "M-07"


def reminder_message(batch: ReminderBatch, *, second: bool = False) -> Reply:
    """One DM per person: each milestone that needs an update before the board, with an Update button;
    `second` for the nudge the day before the digest."""
    today = batch.today
    first = batch.person.name.split()[0] if batch.person.name else "there"
    intro = (
        f"Hello {bk.esc(first)}: the {bk.esc(batch.board_name)} meets on {day_in(batch.meeting_on, today)} and "
        f"the digest goes out on {day_in(batch.digest_on, today)}. Please update these before then:"
    )
    if second:
        intro = (
            f"Hello {bk.esc(first)}: a second reminder. The digest for the {bk.esc(batch.board_name)} goes out "
            f"on {day_in(batch.digest_on, today)} and these still have no update:"
        )
    blocks: list[dict[str, Any]] = [bk.section(intro)]
    for item in batch.items[:MAX_REMINDER_ITEMS]:
        line = milestone_line(item.row, today, show_owner=False)
        if item.covered_for:
            line += f"\n_covering for {bk.esc(item.covered_for.name)}_"
        blocks.append(bk.section(line, accessory=bk.button("Update", UPDATE_BUTTON, item.row.code)))
    if len(batch.items) > MAX_REMINDER_ITEMS:
        blocks.append(
            bk.context(f"…and {len(batch.items) - MAX_REMINDER_ITEMS} more: `/qib mine` lists them.")
        )
    blocks.append(
        bk.context(
            "You get this because these have had no update since the last board, or fall due before "
            f"the next one, and none in the last few days. `/qib update {bk.esc(_example_code(batch))} on track 60% note` "
            "works too."
        )
    )
    text = bk.clip(
        f"{len(batch.items)} milestone(s) need an update before the board on "
        f"{day_in(batch.meeting_on, batch.today)}: " + ", ".join(i.row.code for i in batch.items),
        bk.MAX_FALLBACK,
    )
    return Reply(text=text, blocks=bk.fit(blocks))
