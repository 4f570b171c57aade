"""Dates in words, as a board member types them, read against the plan's local date. Pure.

Hand-written rather than a general date library: the phrases a board asks about are few ("in
March", "next 60 days", "this week", "end of the month", "by 3 April", "since 1/3/2020"), British
day-first numeric dates must never be read month-first, and every reading is stated back to the
person, so the rules have to be ones we can say in a sentence. A month named without a year is the
next one to come (this month if we are in it), and the answer says which year it took.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS: dict[str, int] = {}
for _n, _name in enumerate(calendar.month_name):
    if _n:
        MONTHS[_name.lower()] = _n
        MONTHS[_name.lower()[:3]] = _n
MONTHS.update(
    {
        "sept": 9,
        "febuary": 2,
        "feburary": 2,
        "janurary": 1,
        "januray": 1,
        "agust": 8,
        "augst": 8,
        "septmber": 9,
        "setpember": 9,
        "ocotber": 10,
        "novemeber": 11,
        "decemeber": 12,
        "decmber": 12,
        "apirl": 4,
        "marhc": 3,
    }
)
WEEKDAYS: dict[str, int] = {}
for _n, _name in enumerate(calendar.day_name):
    WEEKDAYS[_name.lower()] = _n
    WEEKDAYS[_name.lower()[:3]] = _n
WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3, "fri": 4})

NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fourteen": 14,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}
UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "month": 30, "months": 30}

_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_WEEKDAY = "(" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + ")"
_ORD = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:\s*,?\s*(\d{4}))?"

_DAY_MONTH = re.compile(rf"\b{_ORD}\s+(?:of\s+)?{_MONTH}\b{_YEAR}")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_ORD}\b{_YEAR}")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY_RE = re.compile(rf"\b(?:(next|this|last|on)\s+)?{_WEEKDAY}\b")
_MONTH_ONLY = re.compile(rf"\b{_MONTH}\b{_YEAR}")
_NUMBER = "(" + r"\d{1,4}|" + "|".join(NUMBERS) + ")"
_NEXT_N = re.compile(
    rf"\b(?:next|coming|following|within|in|over)\s+(?:the\s+)?(?:next\s+)?{_NUMBER}\s+(days?|weeks?|wks?|months?)\b"
)
_BARE_N = re.compile(rf"\b{_NUMBER}\s+(days?|weeks?|wks?|months?)\b")


@dataclass(frozen=True, slots=True)
class Window:
    frm: date
    until: date
    reading: str


def day_text(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b} {d.year}"


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


def _from_day(d: date) -> str:
    """The start of a range that ends on a named day: "Mon 7 Dec–Sun 13 Dec 2026", a weekday at both ends."""
    return f"{d:%a} {d.day} {d:%b}"


def _month_window(month: int, year: int | None, today: date) -> Window:
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    last = calendar.monthrange(year, month)[1]
    frm, until = date(year, month, 1), date(year, month, last)
    return Window(frm, until, f"{calendar.month_name[month]} {year} ({_short(frm)}–{_short(until)})")


def _year_of(raw: str | None) -> int | None:
    if not raw:
        return None
    y = int(raw)
    return y + 2000 if y < 100 else y


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _number(raw: str) -> int:
    return int(raw) if raw.isdigit() else NUMBERS[raw]


def find_date(text: str, today: date, *, past: bool = False) -> tuple[date, str] | None:
    """The one date the text names, and how it was read (always with its year, so a guess shows).
    ``past``: a date without a year is the most recent one (for "since 3 March"); otherwise the next."""
    text = text.casefold()
    found: date | None = None
    if m := _ISO.search(text):
        found = _safe(int(m[1]), int(m[2]), int(m[3]))
    elif m := _DAY_MONTH.search(text):
        found = _with_year(int(m[1]), MONTHS[m[2]], _year_of(m[3]), today, past)
    elif m := _MONTH_DAY.search(text):
        found = _with_year(int(m[2]), MONTHS[m[1]], _year_of(m[3]), today, past)
    elif m := _NUMERIC.search(text):  # British: day first
        found = _with_year(int(m[1]), int(m[2]), _year_of(m[3]), today, past)
    elif re.search(r"\btoday\b", text):
        found = today
    elif re.search(r"\btomorrow\b", text):
        found = today + timedelta(days=1)
    elif re.search(r"\byesterday\b", text):
        found = today - timedelta(days=1)
    elif m := _WEEKDAY_RE.search(text):
        found = _weekday(m[1], WEEKDAYS[m[2]], today, past)
    elif re.search(r"\bend of (?:the |this )?month\b", text):
        found = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    elif re.search(r"\bend of next month\b", text):
        nxt = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        found = date(nxt.year, nxt.month, calendar.monthrange(nxt.year, nxt.month)[1])
    if found is None:
        return None
    return found, day_text(found)


def _with_year(day: int, month: int, year: int | None, today: date, past: bool) -> date | None:
    if not 1 <= month <= 12:
        return None
    if year is not None:
        return _safe(year, month, day)
    this = _safe(today.year, month, day)
    if this is None:
        return None
    if past and this > today:
        return _safe(today.year - 1, month, day)
    if not past and this < today:
        return _safe(today.year + 1, month, day)
    return this


def _weekday(which: str | None, wd: int, today: date, past: bool) -> date:
    if past or which == "last":
        back = (today.weekday() - wd) % 7 or 7
        return today - timedelta(days=back)
    ahead = (wd - today.weekday()) % 7
    if which == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def find_window(text: str, today: date) -> Window | None:
    """A span of days the text asks about, from today on (or a named month, or between two dates)."""
    text = text.casefold()
    if m := _NEXT_N.search(text) or _BARE_N.search(text):
        n, unit = _number(m[1]), UNITS[m[2]]
        if n > 3650:
            return None
        until = today + timedelta(days=n * unit)
        return Window(today, until, f"the next {n} {m[2]} ({_from_day(today)}–{day_text(until)})")
    return _relative_window(text, today) or _between(text, today) or _month_or_day(text, today)


def _relative_window(text: str, today: date) -> Window | None:
    """Today, tomorrow, this or next week, this or next month."""
    if re.search(r"\btoday\b", text):
        return Window(today, today, f"today ({day_text(today)})")
    if re.search(r"\btomorrow\b", text):
        t = today + timedelta(days=1)
        return Window(t, t, f"tomorrow ({day_text(t)})")
    if re.search(r"\bthis week\b|\bend of (?:the )?week\b", text):
        until = today + timedelta(days=6 - today.weekday())
        return Window(today, until, f"this week ({_from_day(today)}–{day_text(until)})")
    if re.search(r"\bnext week\b", text):
        frm = today + timedelta(days=7 - today.weekday())
        until = frm + timedelta(days=6)
        return Window(frm, until, f"next week ({_from_day(frm)}–{day_text(until)})")
    if re.search(r"\bthis month\b|\bend of (?:the )?month\b", text):
        until = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        return Window(today, until, f"the rest of this month ({_from_day(today)}–{day_text(until)})")
    if re.search(r"\bnext month\b", text):
        nxt = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return _month_window(nxt.month, nxt.year, today)
    return None


def _between(text: str, today: date) -> Window | None:
    """Between (or from) one date and (or to) another, either way round."""
    between = re.search(r"\b(?:between|from)\s+(.+?)\s+(?:and|to|until|till|-)\s+(.+)$", text)
    if between:
        a, b = find_date(between[1], today), find_date(between[2], today)
        if a and b:
            frm, until = min(a[0], b[0]), max(a[0], b[0])
            return Window(frm, until, f"{day_text(frm)} to {day_text(until)}")
    return None


def _month_or_day(text: str, today: date) -> Window | None:
    """A named month (without a day), or one date: that day, or up to it after "by" or "before"."""
    has_day = _DAY_MONTH.search(text) or _MONTH_DAY.search(text) or _NUMERIC.search(text) or _ISO.search(text)
    m = _MONTH_ONLY.search(text)
    if m and m[1] == "may" and not re.search(r"\b(in|by|of|during|before|until|for|end)\s+may\b", text):
        m = None  # "what may slip" is not a month
    if not has_day and m:
        return _month_window(MONTHS[m[1]], _year_of(m[2]), today)
    single = find_date(text, today)
    if single:
        d, reading = single
        if re.search(r"\b(by|before|until|till|up to)\b", text) and d >= today:
            return Window(today, d, f"by {reading} ({_short(today)}–{_short(d)})")
        return Window(d, d, reading)
    return None
