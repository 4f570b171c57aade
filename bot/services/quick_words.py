"""Reading single parts of a quick update (bot.services.quick): a date, a percent, a mistyped status.

Each reader looks at the words from one index and says what it found there and how many words it took.
"""

from __future__ import annotations

import re
from datetime import date

from rapidfuzz.distance import OSA

from models.vocab import STATUS_SYNONYMS

TRAILING = ":;,."
NUMBER = re.compile(r"[0-9]{1,4}(?:\.[0-9]+)?")


def bare_word(token: str) -> str:
    return token.rstrip(TRAILING).lower()


_STATUS_FIRST_WORDS = {k.split(" ", 1)[0]: k for k in STATUS_SYNONYMS if " " in k}  # on -> "on track"...
_GUESSABLE_STATUSES = sorted(k for k in STATUS_SYNONYMS if " " not in k and len(k) >= 5)
_GLUED_UNIT = re.compile(r"[0-9]{1,4}(?:[.,][0-9]+)?([a-z%]+)")


def _unit_like(unit: str) -> bool:
    """A misspelt percent sign or word: "%%", "pcent", "percnt", "prc"."""
    return (
        "%" in unit
        or unit in ("pct", "per", "perc", "prc")
        or OSA.distance(unit, "percent", score_cutoff=2) <= 2
    )


def _near_status(word: str) -> str | None:
    """The status word `word` is one slip away from (see bot.services.quick), or None."""
    word = word.lower()
    if len(word) < 4 or word in STATUS_SYNONYMS or not word.replace("-", "").isalpha():
        return None
    for known in _GUESSABLE_STATUSES:
        if word.endswith("s") and (known.startswith(word[:-1]) or known.startswith(word[:-2])):
            continue  # "finishes", "completes", "greens": words of their own, not slips
        allowed = 2 if len(known) >= 8 and len(word) >= 6 else 1
        if OSA.distance(word, known, score_cutoff=allowed) <= allowed:
            return known
    return None


def unclear_at(
    words: list[str], i: int, *, want_status: bool, want_percent: bool
) -> tuple[str, str, int] | None:
    """A mistyped status or percent starting at word i: (the word not understood, what it seems to
    mean, how many words it takes), or None when word i is ordinary text."""
    bare = words[i].rstrip(TRAILING)
    lower = bare.lower()
    if want_status:
        two = _STATUS_FIRST_WORDS.get(lower)
        if two is not None and i + 1 < len(words) and not words[i].endswith(tuple(TRAILING)):
            second = words[i + 1].rstrip(TRAILING)
            rest = two.split(" ", 1)[1]
            if (
                second.isalpha()
                and len(second) >= 3
                and OSA.distance(second.lower(), rest, score_cutoff=1) <= 1
            ):
                return second, two, 2
        near = _near_status(lower)
        if near is not None:
            return bare, near, 1
    if want_percent and any(c.isdigit() for c in lower):
        glued = _GLUED_UNIT.fullmatch(lower)
        if "%" in lower or (glued is not None and _unit_like(glued.group(1))):
            return bare, "a percent", 1
        if NUMBER.fullmatch(bare) and i + 1 < len(words):
            unit = bare_word(words[i + 1])
            if unit.isalpha() and _unit_like(unit) or set(unit) == {"%"}:
                return f"{bare} {words[i + 1].rstrip(TRAILING)}", "a percent", 2
    return None


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}


def date_at(words: list[str], i: int, today: date | None) -> tuple[date | None, str, int] | None:
    """A date starting at word i: 2020-04-30, 30/04/2020, 30 Apr, 30 April 2020; (date or None when
    it names no real day, as typed, word count). A day and month without a year is the next such day."""
    one = words[i].rstrip(TRAILING)
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", one) or None
    if m:
        return _real(int(m[1]), int(m[2]), int(m[3])), one, 1
    m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{2,4})", one)
    if m:
        year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        return _real(year, int(m[2]), int(m[1])), one, 1
    if re.fullmatch(r"[0-9]{1,2}", one) and i + 1 < len(words):
        month = _MONTHS.get(bare_word(words[i + 1])[:3])
        if month is None or not bare_word(words[i + 1]).isalpha():
            return None
        if i + 2 < len(words) and re.fullmatch(r"[0-9]{4}", words[i + 2].rstrip(TRAILING)):
            typed = " ".join(w.rstrip(TRAILING) for w in words[i : i + 3])
            return _real(int(words[i + 2].rstrip(TRAILING)), month, int(one)), typed, 3
        typed = " ".join(w.rstrip(TRAILING) for w in words[i : i + 2])
        year = today.year if today else date.today().year
        when = _real(year, month, int(one))
        if when is not None and today is not None and when < today:
            when = _real(year + 1, month, int(one))
        return when, typed, 2
    return None


def _real(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def percent_value(typed: str) -> float:
    return float(re.sub(r"[^0-9.]", "", typed) or "nan")
