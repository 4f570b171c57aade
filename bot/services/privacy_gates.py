"""Cheap tests that a text cannot hold what a family of the personal-data rules looks for.

Each is a necessary condition for its rules to match, read off their patterns: every hard identifier
but an email address needs an ASCII digit ([0-9] in every one of those patterns), an email address needs
an "@", a name needs an ASCII capital letter ([A-Z] outside any case-insensitive group), a date next to
a child needs one of the child words. A gate only skips rules that could find nothing, so a screen finds
exactly what it finds without them: tests/properties/test_privacy_gates.py checks that on generated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DIGIT = re.compile(r"[0-9]")
_CAPITAL = re.compile(r"[A-Z]")


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def has_capital(text: str) -> bool:
    return _CAPITAL.search(text) is not None


def has_at_sign(text: str) -> bool:
    return "@" in text


def may_hold_a_word(text: str, words: Iterable[str]) -> bool:
    """False only when no lower-case `words` can match a case-insensitive pattern anywhere in `text`.

    Only ASCII text and words rule anything out: a case-insensitive pattern matches some other letters
    too ("ſ" for "s", the Kelvin sign for "k"), which lower() does not turn into the letter they match.
    """
    if not text.isascii() or not all(word.isascii() for word in words):
        return True
    lower = text.lower()
    return any(word in lower for word in words)
