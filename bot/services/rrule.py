"""Board meeting rules (RFC 5545 RRULE text): checked, normalised and built, with errors people can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule as RRule
from dateutil.rrule import rrulestr

from models import timezones

#: parse_rrule rejects a rule with no meeting in this long after its start.
_EMPTY_RULE_HORIZON_YEARS = 10


# ---------------------------------------------------------------------------------------------------
# RRULE parsing and validation
# ---------------------------------------------------------------------------------------------------

_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")

_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYYEARDAY",
    "BYWEEKNO",
    "WKST",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
)

_INT_LIST_RANGES = {
    "BYMONTHDAY": (31, True),
    "BYMONTH": (12, False),
    "BYSETPOS": (366, True),
    "BYYEARDAY": (366, True),
    "BYWEEKNO": (53, True),
}

_Bad = Callable[[str], ValueError]  # builds the "... is not a valid RRULE: reason" error

_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?([A-Z]{2})$")

_UNTIL_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$")


def parse_rrule(
    text: str, *, start: date | None = None, at: time = time(10, 0), tz: str = "Europe/London"
) -> None:
    """Check a plan's meeting rule, raising ValueError with a message a plan author can act on.

    Beyond RFC 5545 syntax it rejects what would make a board calendar wrong: a DTSTART or other
    property (the plan gives the start; overrides replace EXDATE/RDATE), sub-daily frequencies,
    BYHOUR/BYMINUTE/BYSECOND (the plan gives the time), COUNT with UNTIL, and rules with no
    meeting in the ten years after ``start`` (a fixed reference date when not given).
    """
    reference = start or date(2000, 1, 1)
    rule = _build_rule(text, reference, _wall_time(at), tz)
    zone = timezones.zone(tz)
    first = _day_start(reference, zone)
    horizon = first + timedelta(days=round(365.25 * _EMPTY_RULE_HORIZON_YEARS))
    if not rule.between(first, horizon, inc=True):
        raise ValueError(
            f"{_shown(text)} is not a valid RRULE: it gives no meeting in the "
            f"{_EMPTY_RULE_HORIZON_YEARS} years from {reference.isoformat()}"
        )


@lru_cache(maxsize=256)
def _build_rule(text: str, start: date, at: time, tz: str) -> RRule:
    """The validated dateutil rule; cached because the scheduler asks every minute."""
    zone = timezones.zone(tz)
    body, until = _normalise(text, zone)
    dtstart = datetime.combine(start, at, tzinfo=zone)
    try:
        rule = rrulestr(body, dtstart=dtstart)
    except (ValueError, TypeError, KeyError) as exc:  # dateutil's own checks, as a fallback
        raise ValueError(f"{_shown(text)} is not a valid RRULE: {exc}") from exc
    if not isinstance(rule, RRule):  # pragma: no cover - _normalise only lets one RRULE through
        raise ValueError(f"{_shown(text)} is not a valid RRULE: give a single rule")
    if until is not None:
        rule = rule.replace(until=until)
    return rule


def _normalise(text: str, zone: ZoneInfo) -> tuple[str, datetime | None]:
    """Check the rule part by part; return it without UNTIL, and UNTIL as an aware instant.

    UNTIL is handled here rather than by dateutil, which insists on a UTC UNTIL when DTSTART has a
    timezone: plan authors write ``UNTIL=20211231`` and mean "to the end of that day, locally".
    """
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a valid RRULE: expected text such as FREQ=MONTHLY;BYDAY=+3TH")

    def bad(reason: str) -> ValueError:
        return ValueError(f"{_shown(text)} is not a valid RRULE: {reason}")

    parts = _split_parts(_rule_body(text, bad), bad)
    freq = _check_frequency(parts, bad)
    _check_parts(parts, freq, bad)
    until = _parse_until(parts.pop("UNTIL"), zone, bad) if "UNTIL" in parts else None
    return ";".join(f"{k}={v}" for k, v in parts.items()), until


def _rule_body(text: str, bad: _Bad) -> str:
    """The rule line itself: one line, an optional ``RRULE:`` prefix dropped, no other property."""
    stripped = text.strip()
    if not stripped:
        raise bad("it is empty; write for example FREQ=MONTHLY;BYDAY=+3TH")
    if "\n" in stripped or "\r" in stripped:
        raise bad(
            "give a single RRULE line (the plan sets the start date, and overrides replace EXDATE/RDATE)"
        )
    if stripped.upper().startswith("RRULE:"):
        stripped = stripped[len("RRULE:") :].strip()
    if ":" in stripped:
        name = stripped.split(":", 1)[0].strip().upper() or "?"
        raise bad(f"only the rule itself is accepted, not {name}: (the plan sets the start date and time)")
    return stripped


def _split_parts(stripped: str, bad: _Bad) -> dict[str, str]:
    """NAME=VALUE parts, upper-cased, each known and given once."""
    parts: dict[str, str] = {}
    for raw in stripped.split(";"):
        if not raw.strip():
            continue
        if raw.count("=") != 1:
            raise bad(f"{raw.strip()!r} should be NAME=VALUE, e.g. BYDAY=+3TH")
        name, value = (s.strip().upper() for s in raw.split("="))
        if name not in _PARTS:
            raise bad(f"unknown part {name!r}{_did_you_mean(name, _PARTS)}")
        if name in parts:
            raise bad(f"{name} is given twice")
        if not value:
            raise bad(f"{name} has no value")
        parts[name] = value
    return parts


def _check_frequency(parts: dict[str, str], bad: _Bad) -> str:
    """FREQ, given and no more often than daily."""
    freq = parts.get("FREQ")
    if freq is None:
        raise bad("FREQ is missing; start with FREQ=MONTHLY (or DAILY, WEEKLY, YEARLY)")
    if freq in _SUB_DAILY:
        raise bad(f"FREQ={freq}: board meetings cannot repeat more often than daily")
    if freq not in _FREQUENCIES:
        raise bad(
            f"unknown frequency {freq!r}{_did_you_mean(freq, _FREQUENCIES)}; "
            "use DAILY, WEEKLY, MONTHLY or YEARLY"
        )
    return freq


def _check_parts(parts: dict[str, str], freq: str, bad: _Bad) -> None:
    """Every other part: no times of day, COUNT or UNTIL, whole numbers, days and number lists in range."""
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            raise bad(f"{name} is not allowed: the meeting time comes from the plan, not the rule")
    if "COUNT" in parts and "UNTIL" in parts:
        raise bad("use COUNT or UNTIL, not both")
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and int(parts[name]) >= 1):
            raise bad(f"{name}={parts[name]} should be a whole number of at least 1")
    if "WKST" in parts and parts["WKST"] not in _WEEKDAYS:
        raise bad(f"WKST={parts['WKST']} should be one of {', '.join(_WEEKDAYS)}")
    if "BYDAY" in parts:
        _check_byday(parts["BYDAY"], freq, bad)
    for name, (limit, negative_ok) in _INT_LIST_RANGES.items():
        if name in parts:
            _check_int_list(name, parts[name], limit, negative_ok, bad)


def _check_byday(value: str, freq: str, bad: _Bad) -> None:
    for token in value.split(","):
        match = _BYDAY_RE.match(token.strip())
        if not match or match.group(2) not in _WEEKDAYS:
            raise bad(f"BYDAY={value}: {token!r} should be a day such as TH or +3TH ({', '.join(_WEEKDAYS)})")
        if match.group(1) is None:
            continue
        ordinal = int(match.group(1))
        if freq not in ("MONTHLY", "YEARLY"):
            raise bad(f"BYDAY={value}: a numbered day such as {token} needs FREQ=MONTHLY or FREQ=YEARLY")
        limit = 5 if freq == "MONTHLY" else 53
        if ordinal == 0 or abs(ordinal) > limit:
            raise bad(
                f"BYDAY={value}: {token} is out of range (1 to {limit}, or -{limit} to -1 from the end)"
            )


def _check_int_list(name: str, value: str, limit: int, negative_ok: bool, bad: _Bad) -> None:
    for token in value.split(","):
        token = token.strip()
        try:
            number = int(token)
        except ValueError:
            raise bad(f"{name}={value}: {token!r} is not a whole number") from None
        if number == 0 or abs(number) > limit or (number < 0 and not negative_ok):
            span = f"1 to {limit}" + (f", or -{limit} to -1 from the end" if negative_ok else "")
            raise bad(f"{name}={value}: {number} is out of range ({span})")


def _parse_until(value: str, zone: ZoneInfo, bad: _Bad) -> datetime:
    match = _UNTIL_RE.match(value)
    if not match:
        raise bad(f"UNTIL={value} should look like 20211231 or 20211231T235959Z")
    y, m, d, hh, mm, ss, z = match.groups()
    try:
        day = date(int(y), int(m), int(d))
        if hh is None:  # a date: up to the end of that local day
            return datetime.combine(day, time(23, 59, 59), tzinfo=zone)
        moment = time(int(hh), int(mm), int(ss))
    except ValueError:
        raise bad(f"UNTIL={value} is not a real date or time") from None
    return datetime.combine(day, moment, tzinfo=UTC if z else zone)


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _shown(text: object) -> str:
    shown = str(text).strip()
    if not shown:
        return '""'
    return shown if len(shown) <= 80 else shown[:77] + "..."


# ---------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------


def _wall_time(at: time) -> time:
    if at.tzinfo is not None:
        raise ValueError("meeting and post times are local wall-clock times: give them without a timezone")
    return at


def _day_start(d: date, zone: tzinfo) -> datetime:
    return datetime.combine(d, time.min, tzinfo=zone)


def _day_end(d: date, zone: tzinfo) -> datetime:
    return datetime.combine(d, time.max, tzinfo=zone)
