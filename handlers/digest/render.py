"""The digest and the owner reminders as Block Kit, pure. The digest leads with exceptions; detail is threaded."""

from __future__ import annotations

from typing import Any

from bot.services.digest import Digest, DigestArea, DigestChange, DigestMeasure, DigestRow
from bot.services.digest_chart import charted_measures
from bot.services.measures import format_value
from bot.services.periods import period_label
from bot.services.reminders import ReminderBatch
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import paper_drawn_once
from handlers.inspection.render import inspection_blocks, inspection_text
from handlers.measures.render import measures_due_blocks
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


HOW_TO_READ = (
    "How to read this: each milestone keeps its owner's rating (blue complete, green on track, amber at "
    "risk, red off track); overdue means past its date and not complete. Exceptions are the items off "
    "track, at risk or overdue, or with a revised date awaiting the chair's approval. ⏳ marks an item "
    "with no update since the reminders went out."
)


def _exception(row: DigestRow, today: Any, awaiting: set[str]) -> str:
    lines = [
        f"*{bk.esc(row.code)}* {bk.esc(row.title)}",
        f"{status_label(row.health)}"
        + (" ⏳" if row.code in awaiting else "")
        + f" · {due_phrase(row.due, today)}{_revised(row, today)} · {_owner(row)}",
    ]
    lines.append(f"> {bk.esc(bk.clip(row.reason, 280))}" if row.reason else "_no reason given in an update_")
    if row.recovery:
        lines.append(f"Recovery: {bk.esc(bk.clip(row.recovery, 200))}")
    if row.revised_due:
        lines.append(f"Revised date awaiting approval: {full_day(row.revised_due)}{_because(row)}")
    return "\n".join(lines)


def _because(row: DigestRow, limit: int = 200) -> str:
    """ " because …": the owner's reason for the revised date, escaped (they typed it)."""
    return f" because {bk.esc(bk.clip(row.revised_reason, limit))}" if row.revised_reason else ""


def _delta(now: int, then: int | None) -> str:
    if then is None:
        return ""
    diff = now - then
    return f" ({diff:+d})" if diff else " (=)"


def brag_line(d: Digest) -> str:
    """`:large_blue_circle: complete 5 (+2) · ...`: the counts now, with the change since the last board."""
    return " · ".join(f"{status_label(k)} {n}{_delta(n, then)}" for k, n, then in d.brag())


def _areas_line(d: Digest) -> str:
    last = d.last_area_health
    lines = []
    for a in d.areas[:20]:
        now = status_label(a.health) if a.health else "no milestones"
        before = ""
        if last is not None:
            was = last.get(a.code)
            before = f" (last board: {was})" if was else " (last board: not rated)"
        lines.append(f"*{bk.esc(a.code)}* {bk.esc(a.title)}: {now}{before}")
    return "\n".join(lines)


def _listed(
    title: str, lines: list[str], empty: str, limit: int = MAX_LISTED, *, total: int | None = None
) -> dict[str, Any]:
    """A titled list of at most ``limit`` lines that fits one section (long titles shorten the list),
    saying how many were left out. `total`: there are this many, of which `lines` are the first (only
    the lines that can be shown need writing)."""
    budget = bk.MAX_SECTION - len(title) - 60  # room for the title and the "…and N more" line
    shown: list[str] = []
    for line in lines[:limit]:
        if sum(len(x) + 1 for x in shown) + len(line) > budget:
            break
        shown.append(line)
    if lines and not shown:  # one line longer than a section: shortened, never "None."
        shown = [bk.clip(lines[0], budget)]
    more = (len(lines) if total is None else total) - len(shown)
    return bk.section(
        f"*{title}*\n" + ("\n".join(shown) or empty) + (f"\n…and {more} more not shown" if more > 0 else "")
    )


def digest_message(d: Digest) -> Reply:
    """The channel message (thread replies in `thread_blocks`, one per area) and its plain-text fallback."""
    front = digest_front(d)
    return Reply(
        text=front.text,
        blocks=front.blocks,
        visibility=front.visibility,
        thread_blocks=[area_reply(a, d) for a in d.areas],
    )


def digest_front(d: Digest) -> Reply:
    """The channel message alone, without the thread (a preview shows no thread: each area's replies
    list every row, the costliest part of the message to write).

    The sections follow the board paper: cover, headline, decisions, exceptions, completions, measures
    (when the plan has any; their charts go in the thread), strategic priorities, the month ahead, risks
    and blockers.
    """
    today = d.local_today
    ahead, rows = _ahead(d), _rows_ahead(d)
    blocks = [
        *_digest_cover(d, today),
        _headline(d),
        *_areas(d),
        _listed(
            f"Decisions for the board ({len(d.decisions)})",
            [
                f"*{bk.esc(x.code)}* {bk.esc(x.title)} · {bk.esc(_person(x.owner, x.owner_role))}\n"
                f"> {bk.esc(bk.clip(x.decision, 400))}"
                for x in d.decisions
            ],
            "No decisions asked for.",
        ),
        *_digest_exceptions(d, today),
        _listed("Completed since the last board", [_completion(c) for c in d.completions], "None."),
        *_digest_measures(d),
        *_digest_priorities(d),
        _digest_month_ahead(d, today, rows, ahead),
        _listed(
            "Risks and blockers",
            [
                f"*{bk.esc(r.code)}* {bk.esc(r.title)} · {status_label(r.health)}\n"
                f"> {bk.esc(bk.clip(r.blockers, 300))}"
                for r in d.risks
            ],
            "None reported.",
        ),
        bk.context("Detail for each area is in the thread below."),
    ]
    h = d.headline
    text = bk.clip(
        f"{d.board_name} digest for the meeting on {full_day(d.meeting_on)}: {h.complete} of {h.milestones} "
        f"complete ({_counts(d)}). {len(d.decisions)} decision(s) for the board, {len(d.exceptions)} exception(s), "
        f"{len(d.completions)} completed since the last board, {len(rows)} due {ahead}."
        + ("\n" + "\n".join(inspection_text(d.inspection)) if d.inspection is not None else ""),
        bk.MAX_FALLBACK,
    )
    return Reply(text=text, blocks=bk.fit(blocks), visibility="in_channel")


def _ahead(d: Digest) -> str:
    # The paper is for d.meeting_on; read days before it (`/qib summary`), "the next board" alone would
    # be taken for that meeting, not the one after it.
    if d.next_meeting is None:
        return "before the board"
    return f"before the next board after {full_day(d.meeting_on)} ({full_day(d.next_meeting)})"


def _rows_ahead(d: Digest) -> list[DigestRow]:
    return d.month_ahead if d.paper else d.due_before_meeting


def _counts(d: Digest) -> str:
    return ", ".join(f"{k} {n}" for k, n, _ in d.brag() if n)


def _areas(d: Digest) -> list[dict[str, Any]]:
    return [bk.section("*Areas*\n" + _areas_line(d))] if d.areas else []


def _headline(d: Digest) -> dict[str, Any]:
    """Milestones complete, the RAG counts (with the change since the last board, if any) and the change."""
    h = d.headline
    return bk.section(
        f"*Headline*\n{h.complete} of {h.milestones} milestones complete\n{brag_line(d)}"
        + ("\n_figures in brackets: change since the last board_" if d.last_headline is not None else "")
        + f"\n{bk.esc(d.change)}"
    )


def _digest_cover(d: Digest, today: Any) -> list[dict[str, Any]]:
    blocks = [
        bk.header(f"{d.board_name}: digest for {day_in(d.meeting_on, today)}"),
        bk.context(
            f"{bk.esc(d.protective_marking)} · {bk.esc(d.plan_title)} · {bk.esc(d.authority)} · "
            f"meeting {bk.esc(d.meeting_local)}" + (f" ({bk.esc(d.timezone)})" if d.timezone else "")
        ),
    ]
    if d.meeting_on_bank_holiday:
        blocks.append(bk.context(":warning: The meeting date is a bank holiday: check it is still on."))
    if d.inspection is not None:
        blocks += inspection_blocks(d.inspection)
    return [*blocks, bk.context(HOW_TO_READ), bk.divider()]


def _digest_exceptions(d: Digest, today: Any) -> list[dict[str, Any]]:
    """The first exceptions in full, a count of the rest, and the milestones still awaiting an update."""
    shown = d.exceptions[:MAX_EXCEPTIONS]
    awaiting = set(d.awaiting_update)
    blocks = [
        bk.section(
            f"*Exceptions ({len(d.exceptions)})*"
            if d.exceptions
            else "*Exceptions*\nNothing off track, at risk or overdue."
        )
    ]
    blocks += packed(_exception(r, today, awaiting) for r in shown)
    if len(d.exceptions) > len(shown):
        blocks.append(
            bk.context(f"…and {len(d.exceptions) - len(shown)} more: see the area replies in the thread.")
        )
    if d.awaiting_update:
        codes = ", ".join(bk.esc(c) for c in d.awaiting_update[:40])
        blocks.append(bk.context(f"⏳ Awaiting an update ({len(d.awaiting_update)}): {codes}"))
    return blocks


def _digest_measures(d: Digest) -> list[dict[str, Any]]:
    if not d.measures:
        return []
    blocks = [_listed(f"Measures ({len(d.measures)})", [measure_line(m) for m in d.measures], "None.")]
    if charted_measures(d):
        blocks.append(bk.context("Each measure's trend chart is in the thread below."))
    return blocks


def _digest_priorities(d: Digest) -> list[dict[str, Any]]:
    if not d.priorities:
        return []
    lines = [
        f"*{bk.esc(p.code)}* {bk.esc(p.title)}: {p.complete} of {p.milestones} complete"
        + (f" · {status_label(p.health)}" if p.health else "")
        + (f" · through {bk.esc(', '.join(p.areas))}" if p.areas else "")
        for p in d.priorities
    ]
    return [_listed("Strategic priorities", lines, "None.")]


def _digest_month_ahead(d: Digest, today: Any, rows: list[DigestRow], ahead: str) -> dict[str, Any]:
    """What falls due before the next board, then the plan's dates in that time (all of those shown)."""
    dates = [f"{full_day(e.on)}: {bk.esc(e.what)}" for e in d.dates_ahead]
    return _listed(
        f"The month ahead: due {ahead}",
        [
            f"*{bk.esc(r.code)}* {bk.esc(r.title)}: {due_phrase(r.due, today)}{_revised(r, today)}, {_owner(r)}"
            for r in rows
        ]
        + dates,
        "Nothing falls due.",
        limit=MAX_LISTED + len(dates),
    )


def measure_line(m: DigestMeasure) -> str:
    """`*KPI-3* Title: 2 (Jan 2020) · target 0 · 🔴 red · +1 (worse) since Dec 2019`."""
    latest = (
        f"{format_value(m.latest_value, m.unit)} ({period_label(m.latest_period)})"
        if m.latest_value is not None and m.latest_period
        else "no value yet"
    )
    rag = {"green": ":large_green_circle:", "amber": ":large_orange_circle:", "red": ":red_circle:"}
    parts = [
        latest,
        f"target {format_value(m.target, m.unit)}",
        f"{rag.get(m.rag, ':white_circle:')} {m.rag}",
    ]
    if m.since_board:
        parts.append(m.since_board)
    return f"*{bk.esc(m.code)}* {bk.esc(m.title)}: " + " · ".join(parts)


def _person(name: str | None, role: str | None) -> str:
    if not name:
        return f"{role} (no named owner)" if role else "no owner"
    return person_label(name, role)


def _completion(c: DigestChange, clip: int = 300) -> str:
    when = ""
    if c.on_time is not None:
        when = " · on time" if c.on_time else " · late"
    line = f":white_check_mark: *{bk.esc(c.code)}* {bk.esc(c.title)}{when}"
    if c.impact:
        line += f"\n> Impact: {bk.esc(bk.clip(c.impact, clip))}"
    if c.evidence_url:
        line += f"\nEvidence: {bk.esc(c.evidence_url)}"
    return line


def area_reply(a: DigestArea, d: Digest) -> list[dict[str, Any]]:
    today = d.local_today
    blocks = [
        bk.section(
            f"*{bk.esc(a.code)} {bk.esc(a.title)}*: {status_label(a.health) if a.health else 'no milestones'}"
            f"\n{a.complete} of {a.milestones} complete"
            + (f", {a.overdue} overdue" if a.overdue else "")
            + (f", {a.stale} with no update since the last board" if a.stale else "")
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
    return f"*{bk.esc(r.code)}* {bk.esc(r.title)}\n" + " · ".join(parts) + (" · ⏳" if r.stale else "")


def area_reply_text(a: DigestArea) -> str:
    return f"{a.code} {a.title}: {a.health or 'no milestones'}, {a.complete} of {a.milestones} complete"


def _example(batch: ReminderBatch) -> str:
    """A one-line answer with the person's own first code, so it can be sent as it is."""
    if batch.items:
        return f"`/qib update {bk.esc(batch.items[0].row.code)} on track 60% note` works too."
    if batch.measures:
        return f"`/qib measure {bk.esc(batch.measures[0].code)} 88%` records a value in one line."
    return ""


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
    blocks += measures_due_blocks(batch.measures)
    blocks.append(
        bk.context(
            "You get this because these have had no update since the last board, or fall due before "
            f"the next one, and none in the last few days. {_example(batch)}"
        )
    )
    board = day_in(batch.meeting_on, batch.today)
    parts = [f"{len(batch.items)} milestone(s) need an update before the board on {board}: "]
    parts[0] += ", ".join(i.row.code for i in batch.items)
    if batch.measures and not batch.items:
        parts = [f"measure(s) to record before the board on {board}: "]
        parts[0] += ", ".join(m.code for m in batch.measures)
    elif batch.measures:
        parts.append("measure(s) to record: " + ", ".join(m.code for m in batch.measures))
    text = bk.clip("; ".join(parts), bk.MAX_FALLBACK)
    return Reply(text=text, blocks=bk.fit(blocks))


SUMMARY_LIMIT = 8  # items per section in /qib summary: the thread-free, one-screen form of the paper
SHARE_SUMMARY = "share_summary"  # the action handlers.status answers


@paper_drawn_once
def summary_message(d: Digest, *, shared: bool = False, meetings: str | None = None) -> Reply:
    """`/qib summary`: the paper as it stands now, in the paper's order and in brief.

    Headline, decisions, exceptions, completed since the last board, measures (when the plan has any)
    and the month ahead; each section shows its first few items and says how many more there are.
    `meetings` is the board's calendar in words ("last met …, next meets today at 10:00").
    """
    today = d.local_today
    ahead, rows = _ahead(d), _rows_ahead(d)
    blocks: list[dict[str, Any]] = [
        bk.header(f"Board summary: {d.plan_title}"),
        bk.context(bk.esc(meetings) if meetings else f"Next board {bk.esc(d.meeting_local)}"),
        _headline(d),
        *_areas(d),
        _listed(
            f"Decisions for the board ({len(d.decisions)})",
            [
                f"*{bk.esc(x.code)}* {bk.esc(x.title)} · {bk.esc(_person(x.owner, x.owner_role))}: "
                f"{bk.esc(bk.clip(x.decision, 200))}"
                for x in d.decisions[:SUMMARY_LIMIT]
            ],
            "No decisions asked for.",
            SUMMARY_LIMIT,
            total=len(d.decisions),
        ),
        _summary_exceptions(d, today),
        *_summary_awaiting(d),
        _listed(
            f"Completed since the last board ({len(d.completions)})",
            [_completion(c, clip=150) for c in d.completions[:SUMMARY_LIMIT]],
            "None.",
            SUMMARY_LIMIT,
            total=len(d.completions),
        ),
    ]
    if d.measures:
        blocks.append(
            _listed(
                f"Measures ({len(d.measures)})", [measure_line(m) for m in d.measures], "None.", SUMMARY_LIMIT
            )
        )
    blocks.append(
        _listed(
            f"The month ahead: due {ahead} ({len(rows)})",
            [
                f"*{bk.esc(r.code)}* {bk.esc(r.title)}: {due_phrase(r.due, today)}, {_owner(r)}"
                for r in rows[:SUMMARY_LIMIT]
            ],
            "Nothing falls due.",
            SUMMARY_LIMIT,
            total=len(rows),
        )
    )
    blocks.append(bk.context("`/qib digest preview` (chair and admins) shows the whole paper as it stands."))
    if not shared:
        blocks.append(bk.actions(bk.button("Share to channel", SHARE_SUMMARY, "summary")))
    h = d.headline
    text = bk.clip(
        f"Board summary: {h.complete} of {h.milestones} complete ({_counts(d)}). {len(d.decisions)} decision(s) "
        f"for the board, {len(d.exceptions)} exception(s), {len(d.completions)} completed since the last "
        f"board, {len(rows)} due {ahead}.",
        bk.MAX_FALLBACK,
    )
    return Reply(text=text, blocks=bk.fit(blocks), visibility="in_channel" if shared else "ephemeral")


def _summary_exceptions(d: Digest, today: Any) -> dict[str, Any]:
    awaiting = set(d.awaiting_update)
    return _listed(
        f"Exceptions ({len(d.exceptions)})",
        [
            f"*{bk.esc(r.code)}* {bk.esc(r.title)} · {status_label(r.health)}"
            + (" ⏳" if r.code in awaiting else "")
            + f" · {due_phrase(r.due, today)} · {_owner(r)}"
            + (f"\n> {bk.esc(bk.clip(r.reason, 150))}" if r.reason else "")
            + (
                f"\nRevised date awaiting approval: {full_day(r.revised_due)}{_because(r, 150)}"
                if r.revised_due
                else ""
            )
            for r in d.exceptions[:SUMMARY_LIMIT]
        ],
        "Nothing overdue, off track or at risk.",
        SUMMARY_LIMIT,
        total=len(d.exceptions),
    )


def _summary_awaiting(d: Digest) -> list[dict[str, Any]]:
    """The milestones whose owners were asked for an update and have not given one (the first 30)."""
    if not d.awaiting_update:
        return []
    since = (
        f"since the reminders on {full_day(d.awaiting_since)}" if d.awaiting_since else "since the last board"
    )
    codes = ", ".join(bk.esc(c) for c in d.awaiting_update[:30]) + (
        ", …" if len(d.awaiting_update) > 30 else ""
    )
    return [bk.context(f"⏳ Awaiting an update {since} ({len(d.awaiting_update)}): {codes}")]
