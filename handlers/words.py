"""How statuses, dates and ages read in Slack: always a symbol and a word, dates for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.services.queries import DEFAULT_DUE_SOON_DAYS
from bot.services.wording import day, day_in, full_day, person_label

__all__ = ["age", "day", "day_in", "due_phrase", "full_day", "local_moment", "person_label", "status_label"]

SYMBOL = {
    "complete": ":large_blue_circle:",
    "on track": ":large_green_circle:",
    "at risk": ":large_orange_circle:",
    "off track": ":red_circle:",
    "not started": ":white_circle:",
    "overdue": ":rotating_light:",
    "stale": ":hourglass_flowing_sand:",
}


def status_label(status: str) -> str:
    """`:large_green_circle: on track`: never colour alone."""
    return f"{SYMBOL.get(str(status), ':grey_question:')} {status}"


def due_phrase(due: date | None, today: date, *, complete: bool = False) -> str:
    """`due Fri 7 Feb`, `due today`, `3 days overdue`."""
    if due is None:
        return "no due date"
    if complete:
        return f"was due {day_in(due, today)}"
    delta = (due - today).days
    if delta < 0:
        n = -delta
        return f"{n} day{'s' if n != 1 else ''} overdue (due {day_in(due, today)})"
    if delta == 0:
        return "due today"
    if delta == 1:
        return "due tomorrow"
    return f"due {day_in(due, today)}"


def age(at: datetime | None, now: datetime) -> str:
    """`updated 3 days ago`, `never updated`."""
    if at is None:
        return "never updated"
    days = (now - at).days
    if days <= 0:
        return "updated today"
    if days == 1:
        return "updated yesterday"
    return f"updated {days} days ago"


def local_moment(moment: datetime, tz: str) -> str:
    """`Fri 14 Feb 2020 at 09:00 GMT`: an instant in the plan's timezone (a naive one is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(tz))
    return f"{full_day(local.date())} at {local:%H:%M} {local.tzname() or tz}"


def ahead_phrase(next_on: date | None) -> str:
    """ "before the next board", or, with no meeting in view, the days `/qib due` looks ahead."""
    return "before the next board" if next_on else f"in the next {DEFAULT_DUE_SOON_DAYS} days"
