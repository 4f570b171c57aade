"""Board meetings as Block Kit, pure: service results in, a Reply out (blocks plus a plain-text fallback)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from bot.services.meetings import MeetingChange, Upcoming, UpcomingMeeting
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.words import day_in

USAGE = (
    "To change a board meeting (chair and admins):\n"
    "`/qib meeting move DATE NEWDATE [HH:MM]`\n"
    "`/qib meeting cancel DATE`\n"
    "`/qib meeting add DATE [HH:MM]`\n"
    "Dates are written YYYY-MM-DD, D/M/YYYY or D Mon. `/qib meetings` lists the next ones."
)


def usage(example: date | None = None, at: time | None = None) -> str:
    """The usage, with examples from the plan's own next meeting (`example`, at `at`) when it has one."""
    if example is None:
        return USAGE
    moved, added, iso = example + timedelta(days=7), example + timedelta(days=14), f"{example:%Y-%m-%d}"
    return (
        "To change a board meeting (chair and admins):\n"
        f"`/qib meeting move DATE NEWDATE [HH:MM]`  e.g. `/qib meeting move {iso} {moved:%Y-%m-%d}`\n"
        f"`/qib meeting cancel DATE`  e.g. `/qib meeting cancel {iso}`\n"
        f"`/qib meeting add DATE [HH:MM]`  e.g. `/qib meeting add {added:%Y-%m-%d} {_hhmm(at or time(10, 0))}`\n"
        f"Dates can also be written {example.day}/{example.month}/{example.year} or {example.day} {example:%b}. "
        "`/qib meetings` lists the next ones."
    )


def _hhmm(t: time) -> str:
    return f"{t:%H:%M}"


def _when(d: date, t: time, today: date) -> str:
    return f"{day_in(d, today)}, {_hhmm(t)}"


def meeting_lines(m: UpcomingMeeting, today: date, *, chair: bool) -> list[str]:
    """The mrkdwn lines for one meeting: when, what kind, when its posts go out, and any warning."""
    title = f"*{_when(m.on, m.start_time, today)}*"
    if m.kind == "moved" and m.original:
        title += f" · moved from {day_in(m.original, today)}"
    elif m.kind == "extra":
        title += " · extra meeting"
    lines = [
        title,
        f"Reminders to owners {_when(m.reminder_day, m.reminder_time, today)} · "
        f"digest {_when(m.digest_day, m.digest_time, today)}",
    ]
    if m.on_bank_holiday:
        lines.append(f":warning: {day_in(m.on, today)} is a bank holiday.")
    elif m.on_weekend:
        lines.append(f":warning: {day_in(m.on, today)} is a {m.on:%A}.")
    if m.kind == "moved" and m.rule_date_on_bank_holiday and m.original:
        lines.append(f"(The rule's date, {day_in(m.original, today)}, is a bank holiday.)")
    if chair and m.note:
        lines.append(f"_{bk.esc(m.note)}_")
    return lines


def meeting_text(m: UpcomingMeeting, today: date, *, chair: bool) -> str:
    parts = [_when(m.on, m.start_time, today)]
    if m.kind == "moved" and m.original:
        parts.append(f"moved from {day_in(m.original, today)}")
    elif m.kind == "extra":
        parts.append("extra meeting")
    parts.append(f"reminders {day_in(m.reminder_day, today)}, digest {day_in(m.digest_day, today)}")
    if m.on_bank_holiday:
        parts.append("on a bank holiday")
    elif m.on_weekend:
        parts.append(f"on a {m.on:%A}")
    text = " · ".join(parts)
    if chair and m.note:
        text += f"\n  {m.note}"
    return text


def upcoming_reply(u: Upcoming, *, chair: bool = False) -> Reply:
    """The next meetings; ``chair`` adds what only the chair and admins can act on."""
    today = u.today
    board = u.board_name or "The board"
    blocks: list[dict[str, Any]] = [bk.header(f"Next meetings: {board}" if u.board_name else "Next meetings")]
    text_lines: list[str] = []
    if u.board_name is None:
        message = "The plan has no board, so no meetings are scheduled."
        blocks.append(bk.section(message))
        return Reply(text=message, blocks=blocks)
    if not u.meetings:
        message = f"{board} has no meetings scheduled in the next two years."
        blocks.append(bk.section(bk.esc(message)))
        text_lines.append(message)
    for m in u.meetings:
        blocks.append(bk.section("\n".join(meeting_lines(m, today, chair=chair))))
        text_lines.append(meeting_text(m, today, chair=chair))
    if chair:
        for ignored in u.overrides_ignored:
            blocks.append(bk.context(f":warning: {bk.esc(ignored.message)}"))
            text_lines.append(ignored.message)
        blocks.append(
            bk.context(
                "Move, cancel or add one: `/qib meeting move DATE NEWDATE`, `cancel DATE`, `add DATE`."
            )
        )
    else:
        blocks.append(bk.context("Reminders and the digest go out on working days, before each meeting."))
    text = bk.clip(f"Next meetings of {board}:\n" + "\n".join(text_lines), bk.MAX_FALLBACK)
    return Reply(text=text, blocks=bk.fit(blocks))


def change_reply(c: MeetingChange) -> Reply:
    """What a move, cancel or add did, what to watch out for, and how to undo it."""
    today = c.today
    lines = [f":white_check_mark: {bk.esc(c.summary)}"]
    if c.after is not None:
        lines.append(
            f"Reminders to owners {_when(c.after.reminder_day, c.after.reminder_time, today)} · "
            f"digest {_when(c.after.digest_day, c.after.digest_time, today)}"
        )
    blocks: list[dict[str, Any]] = [bk.section("\n".join(lines))]
    for warning in c.warnings:
        blocks.append(bk.section(f":warning: {bk.esc(warning)}"))
    blocks.append(bk.context(f"To undo: `{bk.esc(c.undo)}` · `/qib meetings` lists the next ones."))
    text_parts = [c.summary]
    if c.after is not None:
        text_parts.append(
            f"Reminders {day_in(c.after.reminder_day, today)}, digest {day_in(c.after.digest_day, today)}."
        )
    text_parts += c.warnings
    return Reply(text=bk.clip(" ".join(text_parts), bk.MAX_FALLBACK), blocks=blocks)
