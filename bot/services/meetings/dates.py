"""Dates and times as people type them: "2020-05-04", "4 May", "next Tuesday", "14:00"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time

from bot.services.errors import InvalidInput

# ---------------------------------------------------------------------------------------------------
# Reading dates and times from command text
# ---------------------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}

_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$")

_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE)

_YEAR = re.compile(r"^\d{4}$")

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)

_HINT = "write it like 2020-05-04."


def _word(token: str) -> str:
    return token.strip(",").lower()


def _not_a_date(text: str) -> InvalidInput:
    return InvalidInput(f"“{text}” is not a date: {_HINT}", field="date")


def _make(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _not_a_date(shown) from None


def _next_occurrence(month: int, day: int, today: date, shown: str) -> date:
    """The first ``day``/``month`` from today on (29 February waits for a leap year)."""
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise _not_a_date(shown)


def take_date(words: Sequence[str], *, today: date) -> tuple[date, list[str]]:
    """Read one date from the front of ``words``; return it and the words after it.

    Accepts 2020-05-04; 4/5/2020, 4/5/20 and 4/5 (day first, as in the UK); 4 May 2020, 4th May,
    May 4 2020; each optionally after a weekday (Thu 20 Feb), which must then be right. Without a
    year it is the next such day from ``today`` on. Anything else is InvalidInput.
    """
    rest = list(words)
    if not rest:
        raise InvalidInput(f"A date is missing: {_HINT}", field="date")
    weekday = None
    if _word(rest[0]) in _WEEKDAYS and len(rest) > 1:
        weekday = rest.pop(0)
    first = rest[0].strip(",")
    shown_prefix = f"{weekday} " if weekday else ""
    iso = _ISO.match(first)
    numeric = _NUMERIC.match(first)
    if iso:
        found, used = _make(int(iso[1]), int(iso[2]), int(iso[3]), shown_prefix + first), 1
    elif numeric:
        found, used = _numeric_date(numeric, today, shown_prefix + first), 1
    else:
        found, used = _worded_date(rest, today, shown_prefix)
    if weekday is not None and found.weekday() != _WEEKDAYS[_word(weekday)]:
        raise InvalidInput(
            f"“{weekday} {' '.join(rest[:used])}” does not add up: "
            f"{found.day} {found:%B} {found.year} is a {found:%A}.",
            field="date",
        )
    return found, rest[used:]


def _numeric_date(numeric: re.Match[str], today: date, shown: str) -> date:
    """4/5/2020, 4/5/20 or 4/5 (day first); without a year, the next such day from ``today`` on."""
    d, m, y = numeric.groups()
    if y is None:
        if not 1 <= int(m) <= 12:
            raise _not_a_date(shown)
        return _next_occurrence(int(m), int(d), today, shown)
    year = int(y) + (2000 if len(y) == 2 else 0)
    return _make(year, int(m), int(d), shown)


def _worded_date(rest: list[str], today: date, shown_prefix: str) -> tuple[date, int]:
    """4 May 2020, 4th May, May 4 2020: the date and how many words it took."""
    first = rest[0].strip(",")
    second = _word(rest[1]) if len(rest) > 1 else ""
    day_first = _DAY.match(first)
    if day_first and second in _MONTHS:
        day_number, month, used = int(day_first[1]), _MONTHS[second], 2
    elif _word(first) in _MONTHS and _DAY.match(rest[1].strip(",") if len(rest) > 1 else ""):
        match = _DAY.match(rest[1].strip(","))
        assert match is not None
        day_number, month, used = int(match[1]), _MONTHS[_word(first)], 2
    else:
        shown = " ".join(rest[:2]) if _DAY.match(first) and len(rest) > 1 else rest[0]
        raise _not_a_date(shown_prefix + shown)
    shown = shown_prefix + " ".join(rest[:used])
    if len(rest) > used and _YEAR.match(rest[used].strip(",")):
        year = int(rest[used].strip(","))
        used += 1
        return _make(year, month, day_number, shown_prefix + " ".join(rest[:used])), used
    if day_number < 1 or day_number > 31:
        raise _not_a_date(shown)
    return _next_occurrence(month, day_number, today, shown), used


def parse_date(text: str, *, today: date) -> date:
    """One date and nothing else (see ``take_date``); InvalidInput otherwise."""
    words = text.split()
    if not words:
        raise InvalidInput(f"A date is missing: {_HINT}", field="date")
    try:
        found, rest = take_date(words, today=today)
    except InvalidInput as exc:
        if len(words) == 1 or "does not add up" in exc.message:
            raise
        raise _not_a_date(text.strip()) from None
    if rest:
        raise _not_a_date(text.strip())
    return found


def parse_time(text: str) -> time:
    """14:30, 9:00, 14.30, 2pm, 2:30pm; InvalidInput otherwise."""
    match = _TIME.match(text.strip())
    problem = InvalidInput(f"“{text.strip()}” is not a time: write it like 14:30.", field="time")
    if not match:
        raise problem
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if match[2] is None and not half:
        raise problem  # a bare number is more likely a mistyped date than an hour
    if half:
        if not 1 <= hour <= 12:
            raise problem
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise problem
    return time(hour, minute)
