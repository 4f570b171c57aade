"""Reporting periods of a measure: "2019-10" (a month) or "2019-Q4" (a quarter), as text that sorts in time.

A figure is reported for a complete period, so the default period for a new value is the last complete
one: in February, January's figure; in May, the first quarter's.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from bot.services.errors import InvalidInput

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def period_kind(period: str) -> str:
    """monthly or quarterly, by the period's form."""
    return "quarterly" if "Q" in period else "monthly"


def current_period(frequency: str, today: date) -> str:
    if frequency == "quarterly":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return f"{today.year}-{today.month:02d}"


def previous_period(period: str) -> str:
    year, part = period.split("-")
    if part.startswith("Q"):
        q = int(part[1:])
        return f"{int(year) - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
    month = int(part)
    return f"{int(year) - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def last_complete_period(frequency: str, today: date) -> str:
    return previous_period(current_period(frequency, today))


def period_end(period: str) -> date:
    """The last day of the period."""
    year, part = period.split("-")
    month = int(part[1:]) * 3 if part.startswith("Q") else int(part)
    return date(int(year), month, calendar.monthrange(int(year), month)[1])


def period_label(period: str) -> str:
    """ "Oct 2019" or "Q4 2019", as a board paper writes it."""
    year, part = period.split("-")
    if part.startswith("Q"):
        return f"{part} {year}"
    return f"{calendar.month_abbr[int(part)]} {year}"


def parse_period(text: str, frequency: str) -> str:
    """ "2020-01", "jan 2020", "2020 q1", "Q1 2020" -> the period, checked against the frequency."""
    words = text.strip().lower().replace("-", " ").replace("/", " ").split()
    year = next((w for w in words if re.fullmatch(r"\d{4}", w)), None)
    rest = [w for w in words if w != year]
    period: str | None = None
    if year and len(rest) == 1:
        word = rest[0]
        if re.fullmatch(r"q[1-4]", word):
            period = f"{year}-Q{word[1]}"
        elif re.fullmatch(r"\d{1,2}", word) and 1 <= int(word) <= 12:
            period = f"{year}-{int(word):02d}"
        elif word[:3] in MONTHS:
            period = f"{year}-{MONTHS[word[:3]]:02d}"
    if period is None:
        example = "2020-01" if frequency == "monthly" else "2020-Q1"
        raise InvalidInput(f"“{text}” is not a period I can read: write it like {example}.", field="period")
    if period_kind(period) != frequency:
        example = "2020-01" if frequency == "monthly" else "2020-Q1"
        raise InvalidInput(f"This measure is reported {frequency}: name the period like {example}.")
    return period


__all__ = [
    "current_period",
    "last_complete_period",
    "parse_period",
    "period_end",
    "period_kind",
    "period_label",
    "previous_period",
]
