"""The word lists behind the personal-data screen, and who the plan's staff are.

The lists are data files in `bot/services/privacy_data/` so that a council can extend them (its own
places, teams, systems, the forenames common in its area) without touching code. Staff are not
children: their names, roles and email addresses, taken from the plan, are never flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")


def _lines(name: str) -> list[str]:
    text = resources.files("bot.services").joinpath("privacy_data", name).read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()]


@lru_cache(maxsize=1)
def forenames() -> frozenset[str]:
    return frozenset(w.lower() for line in _lines("forenames.txt") for w in line.split())


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(w.lower() for line in _lines("surnames.txt") for w in line.split())


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """Lower-case words that are never a name (possessive "'s" is dropped before looking a word up)."""
    return frozenset(w.lower() for line in _lines("not_names.txt") for w in WORD.findall(line))


@lru_cache(maxsize=1)
def generic_school_words() -> frozenset[str]:
    return frozenset(w.lower() for line in _lines("generic_school_words.txt") for w in WORD.findall(line))


@lru_cache(maxsize=1)
def child_cues() -> tuple[str, ...]:
    return tuple(line.lower() for line in _lines("child_cues.txt"))


@lru_cache(maxsize=1)
def relation_words() -> tuple[str, ...]:
    return tuple(line.lower() for line in _lines("relation_words.txt"))


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


@lru_cache(maxsize=1)
def allowed_contacts() -> tuple[frozenset[str], frozenset[str]]:
    """(phone numbers as bare digits, lower-case email addresses) that are organisations', not people's."""
    phones, emails = set(), set()
    for line in _lines("allowed_contacts.txt"):
        if "@" in line:
            emails.add(line.lower())
        else:
            phones.add(_digits(line))
    return frozenset(phones), frozenset(emails)


@dataclass(frozen=True)
class Staff:
    """The plan's people as the screen needs them: whole names, their words, role words and emails."""

    names: frozenset[str] = frozenset()
    tokens: frozenset[str] = frozenset()
    role_words: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, people: Iterable[tuple[str, str | None, str | None]], *, own_names: Iterable[str] = ()
    ) -> Staff:
        """From (name, role, email) of each person in the plan; `own_names` are the plan's own (its council,
        title, board), whose words, like a role's, are never a name."""
        names: set[str] = set()
        tokens: set[str] = set()
        role_words: set[str] = {w.lower() for own in own_names for w in WORD.findall(own)}
        emails: set[str] = set()
        for name, role, email in people:
            words = [w.lower() for w in WORD.findall(name or "")]
            if words:
                names.add(" ".join(words))
                tokens.update(words)
            role_words.update(w.lower() for w in WORD.findall(role or ""))
            if email:
                emails.add(email.strip().lower())
        return cls(frozenset(names), frozenset(tokens), frozenset(role_words), frozenset(emails))

    def is_staff_name(self, words: list[str]) -> bool:
        """True when the words are (a run inside) one staff member's name."""
        wanted = " ".join(w.lower() for w in words)
        return any(wanted == n or f" {wanted} " in f" {n} " for n in self.names)


NO_STAFF = Staff()
