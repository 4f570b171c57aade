"""Plan and user text made safe for the board paper, and the dates and numbers as the paper writes them."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from models import timezones

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

STALE_NOTE = "no update since the last meeting"

AWAITING_NOTE = "awaiting an update"

NONE = "None"

# C0/C1 controls (tab and newlines are folded as whitespace below), zero-width and bidi controls.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff]"
)

_SPACE = re.compile(r"\s+")

# Backslash-escapable in CommonMark/GFM and able to start emphasis, code, links, tables, headings, etc.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")

# At the start of a line these would make a list, quote, heading underline or thematic break.
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")


# ---- text ------------------------------------------------------------------------------------------------


def clean_text(text: object) -> str:
    """Plan or user text on one line: control characters dropped, runs of whitespace folded to a space."""
    return _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def markdown_escape(text: object, *, line_start: bool = True) -> str:
    """Text made inert in Markdown (CommonMark/GFM), safe inside a table cell.

    & < > become entities (so no raw HTML, autolinks or Slack-style `<!channel>`) and punctuation that
    makes structure is backslash-escaped. With `line_start` (text that may begin a line), a leading list,
    quote or heading-underline marker is escaped too.
    """
    s = clean_text(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    m = _MD_LEADING.match(s) if line_start else None
    if m:
        s = s[: m.end()] + "\\" + s[m.end() :] if m.group(1)[0].isdigit() else "\\" + s
    return s


def _html(text: object) -> str:
    return html.escape(clean_text(text), quote=True)


# ---- dates -----------------------------------------------------------------------------------------------


def short_date(d: date | None) -> str:
    """`Fri 7 Feb 2020` (English whatever the locale); `no date` for None."""
    if d is None:
        return "no date"
    return f"{_DAYS[d.weekday()][:3]} {d.day} {_MONTHS[d.month - 1][:3]} {d.year}"


def long_date(d: date) -> str:
    """`Thursday 20 February 2020`."""
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def _local_moment(moment: datetime, tz: str) -> str:
    """`Fri 14 Feb 2020 at 09:00 GMT` in the given zone (a naive datetime is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(timezones.zone(tz))
    return f"{short_date(local.date())} at {local:%H:%M} {local.tzname() or tz}"


def _number(x: float) -> str:
    """42.5 -> `42.5`, 25.0 -> `25`."""
    return f"{round(x, 1):g}"
