"""Status answers as Block Kit, pure: query results in, a Reply out (blocks plus a plain-text fallback)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from bot.services.queries import (
    AreaDetail,
    BoardCalendar,
    ChairSummary,
    DueSoon,
    ExceptionItem,
    Figures,
    MilestoneList,
    MilestoneRow,
    PersonMilestones,
    PlanOverview,
    PriorityReport,
    RatedList,
)
from bot.services.search import SearchResult
from bot.services.status import SEVERITY, Health
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import drawn_once
from handlers.status.revisions import awaiting_approval
from handlers.words import ahead_phrase, day_in, due_phrase, person_label, status_label

UPDATE_BUTTON = "update_milestone"
SHARE_BUTTON = "share_summary"
LINES_PER_SECTION = 8


# ---------------------------------------------------------------- small pieces


def health_word(h: Health | None) -> str:
    return status_label(h.value) if h else "no milestones"


def counts_line(figures: Figures) -> str:
    parts = [f"{status_label(h.value)} {n}" for h, n in figures.counts.items() if n]
    return " · ".join(parts) or "no milestones"


def counts_text(figures: Figures) -> str:
    return ", ".join(f"{n} {h.value}" for h, n in figures.counts.items() if n) or "no milestones"


def headline(figures: Figures) -> str:
    return (
        f"{figures.complete} of {figures.milestones} milestones complete ({figures.share_complete:g}%), "
        f"average progress {figures.percent_complete:g}%"
    )


def owner_text(row: MilestoneRow) -> str:
    if not row.owner_name:
        return "no owner"
    return bk.esc(person_label(row.owner_name, row.owner_role))


def update_age(row: MilestoneRow) -> str:
    if row.last_update_age_days is None:
        return "never updated"
    if row.last_update_age_days == 0:
        return "updated today"
    if row.last_update_age_days == 1:
        return "updated yesterday"
    return f"updated {row.last_update_age_days} days ago"


def milestone_line(row: MilestoneRow, today: date, *, show_owner: bool = True, reason: bool = False) -> str:
    complete = row.health is Health.COMPLETE
    parts = [status_label(row.health.value), f"{row.percent}%", due_phrase(row.due, today, complete=complete)]
    if show_owner:
        parts.append(owner_text(row))
    if not complete:
        parts.append(update_age(row) + (" (stale)" if row.stale else ""))
    line = f"*{bk.esc(row.code)}* {bk.esc(row.title)}\n" + " · ".join(parts)
    if reason and row.reason:
        line += f"\n> {bk.esc(bk.clip(row.reason, 300))}"
    return line


def milestone_text(row: MilestoneRow, today: date) -> str:
    """The fallback twin of `milestone_line`: the same status word and the same due phrase."""
    due = due_phrase(row.due, today, complete=row.health is Health.COMPLETE)
    return f"{row.code} {row.title}: {row.health.value}, {row.percent}%, {due}"


def packed(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Several entries to a section (Slack allows 3,000 characters each), so long lists fit 50 blocks."""
    texts: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and (len(chunk) >= LINES_PER_SECTION or size + len(line) + 2 > bk.MAX_SECTION):
            texts.append("\n\n".join(chunk))
            chunk, size = [], 0
        chunk.append(bk.clip(line, bk.MAX_SECTION))
        size += len(line) + 2
    if chunk:
        texts.append("\n\n".join(chunk))
    return bk.list_sections(texts)  # marked as a list: bk.fit shortens it if the message is too long


def meetings_line(calendar: BoardCalendar) -> str:
    board = calendar.board_name or "The board"  # raw: every caller escapes the whole line
    parts = []
    if calendar.previous:
        parts.append(f"last met {day_in(calendar.previous.on, calendar.today)}")
    if calendar.next and calendar.next.on == calendar.today:
        parts.append(f"next meets today at {calendar.next.local_start:%H:%M}")
    elif calendar.next:
        parts.append(f"next meets {day_in(calendar.next.on, calendar.today)}")
    return f"{board}: {', '.join(parts)}" if parts else f"{board}: no meetings scheduled"


def fallback_text(*lines: str) -> str:
    """A reply's plain text (notifications, screen readers): its non-empty lines, clipped to Slack's limit."""
    return bk.clip("\n".join(line for line in lines if line), bk.MAX_FALLBACK)


def more_block(hidden: int, hint: str) -> dict[str, Any]:
    """Says how many rows a reply left out and where to see them."""
    return bk.context(f"…and {hidden} more not shown. {hint}")


# ---------------------------------------------------------------- answers


def example_hint(code: str, title: str) -> str:
    """How to ask about one area, with this plan's own first area (never another plan's)."""
    return f"Ask about one area or milestone: `/qib status {bk.esc(code)}`, `/qib status {bk.esc(title.lower())}`."


@drawn_once
def overview_reply(o: PlanOverview) -> Reply:
    today = o.calendar.today
    area_lines = [
        f"*{bk.esc(a.code)}* {bk.esc(a.title)}: {health_word(a.health)} · "
        f"{a.figures.complete}/{a.figures.milestones} complete"
        + (f" · {a.figures.overdue} overdue" if a.figures.overdue else "")
        + (f" · {a.figures.stale} stale" if a.figures.stale else "")
        + (f" · next due {day_in(a.figures.next_due, today)}" if a.figures.next_due else "")
        for a in o.areas
    ]
    blocks = [
        bk.header(f"{o.plan.title}"),
        bk.section(f"*Overall: {health_word(o.health)}*\n{headline(o.totals)}\n{counts_line(o.totals)}"),
        bk.context(bk.esc(meetings_line(o.calendar))),
        bk.divider(),
        *packed(area_lines),
        *([bk.context(example_hint(o.areas[0].code, o.areas[0].title))] if o.areas else []),
    ]
    text = fallback_text(
        f"{o.plan.title}: {o.health.value if o.health else 'no milestones'}. {headline(o.totals)}.",
        counts_text(o.totals),
        *(f"{a.code} {a.title}: {a.health.value if a.health else 'no milestones'}" for a in o.areas),
    )
    return Reply(text=text, blocks=bk.fit(blocks, more="Ask about one area at a time."))


@drawn_once
def area_reply(d: AreaDetail, *, limit: int = 40) -> Reply:
    today = d.calendar.today
    a = d.area
    rows = d.milestones
    blocks = [
        bk.header(f"{a.code} {a.title}"),
        bk.section(f"_{bk.esc(a.description)}_"),
        bk.section(f"*{health_word(a.health)}* · {headline(a.figures)}\n{counts_line(a.figures)}"),
    ]
    if d.priorities:
        blocks.append(
            bk.context("Serves: " + "; ".join(f"{bk.esc(p.code)} {bk.esc(p.title)}" for p in d.priorities))
        )
    blocks.append(bk.divider())
    shown = rows[:limit]
    blocks += packed(milestone_line(r, today, reason=r.health in _ATTENTION) for r in shown)
    if len(rows) > len(shown):
        blocks.append(
            more_block(len(rows) - len(shown), "Ask for one milestone: `/qib status` and its code.")
        )
    text = fallback_text(
        f"{a.code} {a.title}: {a.health.value if a.health else 'no milestones'}. {headline(a.figures)}.",
        *(milestone_text(r, today) for r in shown),
    )
    return Reply(text=text, blocks=bk.fit(blocks))


_ATTENTION = {Health.OVERDUE, Health.OFF_TRACK, Health.AT_RISK}


@drawn_once
def mine_reply(p: PersonMilestones, *, limit: int = 20) -> Reply:
    today = p.calendar.today
    items = p.items
    blocks = [bk.header(f"Milestones for {p.person.name}")]
    if p.covering_for:
        blocks.append(bk.context("Also covering for " + ", ".join(bk.esc(c.name) for c in p.covering_for)))
    if not items:
        blocks.append(bk.section("You don't own any milestones."))
    for item in items[:limit]:
        line = milestone_line(item.row, today, show_owner=False)
        if item.covered_for:
            line += f"\n_covering for {bk.esc(item.covered_for.name)}_"
        accessory = (
            None if item.row.health is Health.COMPLETE else bk.button("Update", UPDATE_BUTTON, item.row.code)
        )
        blocks.append(bk.section(line, accessory=accessory))
    if len(items) > limit:
        blocks.append(more_block(len(items) - limit, "`/qib update CODE` works for any of them."))
    text = fallback_text(
        f"{len(items)} milestone(s) for {p.person.name}:", *(milestone_text(i.row, today) for i in items)
    )
    return Reply(text=text, blocks=bk.fit(blocks))


def list_reply(
    title: str,
    empty: str,
    rows: Sequence[MilestoneRow],
    today: date,
    *,
    limit: int = 40,
    note: str | None = None,
) -> Reply:
    blocks = [bk.header(title)]
    if note:
        blocks.append(bk.context(note))
    if not rows:
        blocks.append(bk.section(empty))
    blocks += packed(milestone_line(r, today, reason=True) for r in rows[:limit])
    if len(rows) > limit:
        blocks.append(more_block(len(rows) - limit, "Narrow it down: `/qib status` and an area's code."))
    text = fallback_text(
        f"{title}: {len(rows)}" if rows else f"{title}: {empty}",
        *(milestone_text(r, today) for r in rows[:limit]),
    )
    return Reply(text=text, blocks=bk.fit(blocks))


@drawn_once
def overdue_reply(m: MilestoneList) -> Reply:
    return list_reply("Overdue milestones", "Nothing is overdue. :tada:", m.rows, m.calendar.today)


@drawn_once
def stale_reply(m: MilestoneList) -> Reply:
    since = day_in(m.calendar.previous_on, m.calendar.today) if m.calendar.previous_on else "the last board"
    return list_reply(
        "Milestones with no update since the last board",
        "Every open milestone has a fresh update.",
        m.rows,
        m.calendar.today,
        note=f"Stale: no update since {since}.",
    )


@drawn_once
def due_reply(d: DueSoon, *, reading: str = "") -> Reply:
    """``reading`` says how words were read as dates ("March 2020 (1–31 Mar)"): never a silent guess."""
    today = d.calendar.today
    until = day_in(d.until, today)
    if d.basis == "dates":
        frm = "today" if d.frm == today else day_in(d.frm, today)
        title = f"Due {reading}" if reading else f"Due {frm} to {until}"
        note = f"From {frm} to {until}, read from your question." if reading else f"From {frm} to {until}."
    else:
        basis = "before the next board meeting" if d.basis == "next meeting" else f"by {until}"
        title, note = f"Due {basis}", f"From today to {until}."
    return list_reply(title, "Nothing else falls due in that time.", d.rows, today, note=note)


def rated_reply(r: RatedList) -> Reply:
    """Milestones by rating, worst first: "red and amber" is off track, overdue and at risk."""
    names = [h.value for h in sorted(r.ratings, key=lambda h: SEVERITY[h])]
    title = "Milestones " + (", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0])
    return list_reply(title, "None at the moment.", r.rows, r.calendar.today)


def priority_reply(r: PriorityReport, *, limit: int = 30) -> Reply:
    today = r.calendar.today
    blocks = [bk.header("Strategic priorities")]
    text_lines = []
    for p in r.priorities:
        areas = ", ".join(f"{bk.esc(a.code)}" for a in p.areas) or "no areas"
        blocks.append(
            bk.section(
                f"*{bk.esc(p.code)}* {bk.esc(p.title)}\n{health_word(p.health)} · "
                f"{headline(p.figures)} · serves {areas}" + (f" · {bk.esc(p.period)}" if p.period else "")
            )
        )
        if len(r.priorities) == 1:
            blocks += packed(milestone_line(m, today) for m in p.milestones[:limit])
            if len(p.milestones) > limit:
                blocks.append(
                    more_block(len(p.milestones) - limit, "Ask about one area: `/qib status` and its code.")
                )
        text_lines.append(f"{p.code} {p.title}: {p.health.value if p.health else 'no milestones'}")
    if not r.priorities:
        blocks.append(bk.section("The plan has no strategic priorities."))
    return Reply(text=fallback_text("Strategic priorities:", *text_lines), blocks=bk.fit(blocks))


def exception_line(e: ExceptionItem, today: date) -> str:
    r = e.row
    lines = [
        f"*{bk.esc(r.code)}* {bk.esc(r.title)}",
        f"{status_label(r.health.value)}"
        + (" · ⏳ no update since the last board" if r.stale else "")
        + f" · {due_phrase(r.due, today)} · {owner_text(r)}",
    ]
    lines.append(f"> {bk.esc(bk.clip(r.reason, 300))}" if r.reason else f"_{update_age(r)}, no reason given_")
    if r.due_requested is not None:
        lines.append(awaiting_approval(r))
    return "\n".join(lines)


def summary_reply(s: ChairSummary, *, shared: bool = False, limit: int = 15) -> Reply:
    today = s.calendar.today
    blocks: list[dict[str, Any]] = [
        bk.header(f"Board summary: {s.plan.title}"),
        bk.section(f"*Overall: {health_word(s.health)}*\n{headline(s.totals)}\n{counts_line(s.totals)}"),
        bk.context(bk.esc(meetings_line(s.calendar))),
        bk.divider(),
        bk.section(
            f"*Needs the board's attention ({len(s.exceptions)})*"
            if s.exceptions
            else "*Needs the board's attention*\nNothing overdue, off track or at risk."
        ),
    ]
    blocks += packed(exception_line(e, today) for e in s.exceptions[:limit])
    if len(s.exceptions) > limit:
        blocks.append(
            more_block(len(s.exceptions) - limit, "`/qib overdue` and `/qib status AREA` list the rest.")
        )
    awaiting = s.awaiting_update
    if awaiting:
        codes = ", ".join(bk.esc(c) for c in awaiting[:30]) + (", …" if len(awaiting) > 30 else "")
        blocks.append(bk.context(f"Awaiting an update since the last board ({len(awaiting)}): {codes}"))
    blocks.append(
        bk.section(
            "*Areas*\n"
            + "\n".join(
                f"{health_word(a.health)}  *{bk.esc(a.code)}* {bk.esc(a.title)}" for a in s.areas[:40]
            )
        )
    )
    moves = [c for c in s.status_moves if not c.completed]
    since = f"since {day_in(s.calendar.previous_on, today)}" if s.calendar.previous_on else "so far"
    changed = [
        f":white_check_mark: *{bk.esc(c.code)}* {bk.esc(c.title)} completed" for c in s.completions[:10]
    ]
    changed += [
        f"*{bk.esc(c.code)}* {bk.esc(c.title)}: {(c.from_status.value if c.from_status else 'new')} -> "
        f"{c.to_status.value}"
        for c in moves[:10]
    ]
    blocks.append(bk.section(f"*What changed {since}*\n" + ("\n".join(changed) or "No status changes.")))
    blocks.append(
        bk.section(
            f"*Due {ahead_phrase(s.calendar.next_on)}* ({len(s.due_before_next)})\n"
            + (
                "\n".join(
                    f"*{bk.esc(r.code)}* {bk.esc(r.title)}: {due_phrase(r.due, today)}, {owner_text(r)}"
                    for r in s.due_before_next[:15]
                )
                or "Nothing falls due."
            )
        )
    )
    if not shared:
        blocks.append(bk.actions(bk.button("Share to channel", SHARE_BUTTON, "summary")))
    text = fallback_text(
        f"Board summary: {s.health.value if s.health else 'no milestones'}. {headline(s.totals)}.",
        f"{len(s.exceptions)} need attention; {len(s.completions)} completed {since}; "
        f"{len(s.due_before_next)} due {ahead_phrase(s.calendar.next_on)}.",
    )
    return Reply(text=text, blocks=bk.fit(blocks), visibility="in_channel" if shared else "ephemeral")


def choices_reply(found: SearchResult) -> Reply:
    if found.kind == "none":
        text = f"I couldn't find anything matching “{found.text}”. Try `/qib status` for the whole plan."
        return Reply(text=text, blocks=[bk.section(bk.esc(text))])
    lines = []
    for kind, heading in (
        ("area", "Areas"),
        ("milestone", "Milestones"),
        ("priority", "Strategic priorities"),
    ):
        hits = [h for h in found.choices if h.kind == kind]
        if hits:
            lines.append(f"*{heading}*")
            lines += [f"• `/qib status {bk.esc(h.code)}`  {bk.esc(h.title)}" for h in hits]
    text = "Did you mean one of these? " + "; ".join(f"{h.code} {h.title}" for h in found.choices)
    return Reply(
        text=fallback_text(text), blocks=[bk.section("Did you mean one of these?\n" + "\n".join(lines))]
    )
