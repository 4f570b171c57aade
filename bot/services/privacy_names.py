"""Soft identifiers: people's names, a child's age, a child's school.

These can be wrong (a surname that is also a place, a name nobody has listed), so an owner may save
after confirming with a reason, and the override is audited. What counts as "not a name" (places,
services, systems, months, staff of the plan) comes from the word lists in privacy_words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.services import privacy_gates as gates
from bot.services.privacy_words import (
    Staff,
    child_cues,
    forenames,
    generic_school_words,
    not_names,
    relation_words,
    surnames,
)

# A capitalised word: "Jayden", "O'Neill", "Smith-Jones"; not "ILACS", "DfE" or "M-07".
_CAP = r"[A-Z](?:['’][A-Z])?[a-z]+(?:['’](?!s(?![a-z]))[A-Z]?[a-z]+|-[A-Z]?[a-z]+)*"
_CAP_WORD = re.compile(rf"(?<![A-Za-z0-9'’\-])(?P<w>{_CAP})(?P<poss>['’]s)?(?![A-Za-z0-9])")
_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+(?P<w>{_CAP})(?![A-Za-z])")
_AGE_UNIT = r"(?:\s*-?\s*(?:years?|yrs?|months?|weeks?)\s*-?\s*old|\s*(?:yo|y/o|yrs?))"


def _base(word: str) -> str:
    return re.sub(r"['’]s$", "", word).lower()


class Names:
    """The soft-identifier rules for one plan's staff."""

    def __init__(self, staff: Staff) -> None:
        self.staff = staff
        cue_words = {w for phrase in (*child_cues(), *relation_words()) for w in phrase.split()}
        self.vocab = not_names() | staff.role_words | cue_words
        self.first = forenames()
        self.last = surnames()
        cues = "|".join(
            re.escape(c).replace(r"\ ", r"\s+") for c in sorted(child_cues(), key=len, reverse=True)
        )
        rel = "|".join(
            re.escape(r).replace(r"\ ", r"\s+") for r in sorted(relation_words(), key=len, reverse=True)
        )
        self.cue = cues
        self._relation = re.compile(
            rf"(?i:\b(?:{rel})['’]?s?)\s*(?:(?i:is|was|called|named)\s+|[,:(\-–]\s*)?(?P<w>{_CAP})(?![A-Za-z])"
        )
        self._cue_age = re.compile(
            rf"(?i:\b(?:a|an|the|one|this|her|his|their|my|our)\s+)?"
            rf"(?P<value>(?<![0-9])[0-9]{{1,2}}{_AGE_UNIT})(?!s\b)(?i:\s+(?:{cues})\b)"
            rf"|(?i:\b(?:a|an|the|one|this|her|his|their)\s+)(?P<value2>(?<![0-9])[0-9]{{1,2}}{_AGE_UNIT})(?![s0-9])"
            rf"|(?i:\b(?:{cues})\b)(?:\s*[,(]\s*|\s+)(?i:aged?\s*)?(?P<value3>(?<![0-9])[0-9]{{1,2}}"
            rf"(?:{_AGE_UNIT}|\s*(?i:months?|weeks?))?)(?![0-9%/:]|\.[0-9]|-[0-9]|\s*(?i:of|out|per|pm|am|days?|hours?|times|reviews?|cases?)\b)"
        )
        self._name_age = re.compile(
            rf"(?<![A-Za-z])(?P<w>{_CAP})(?:\s*\(\s*(?i:aged?\s*)?[0-9]{{1,2}}{_AGE_UNIT}?\s*\)"
            rf"|,\s*(?i:aged?\s*)?[0-9]{{1,2}}{_AGE_UNIT}?\s*,"
            rf"|\s+(?i:aged?)\s+[0-9]{{1,2}}(?![0-9])"
            rf"|\s*,?\s+[0-9]{{1,2}}{_AGE_UNIT})"
            rf"|(?<![0-9])[0-9]{{1,2}}{_AGE_UNIT}\s+(?:{_CAP}\s+)?(?P<w2>{_CAP})(?![A-Za-z])"
        )
        self._school = re.compile(
            rf"(?P<value>(?:{_CAP}['’]?s?\s+|St\.?\s+|RC\s+|CE\s+|C\s?of\s?E\s+){{1,4}}"
            rf"(?:Primary|Academy|Secondary|Infants?|Juniors?|Nursery|Comprehensive|High|College)(?:\s+School)?"
            rf"|(?:{_CAP}\s+){{1,3}}School)(?![A-Za-z])"
        )
        self._school_cue = re.compile(
            rf"(?i:\b(?:{cues}|attends|attending|attended|pupil|excluded|exclusion|his|her|he|she|year\s+[0-9]{{1,2}})\b)"
        )

    # ------------------------------------------------------------ word tests

    def _known(self, word: str) -> bool:
        return _base(word) in self.vocab

    def _forename(self, word: str) -> bool:
        return _base(word) in self.first and not self._known(word)

    def _surname_like(self, word: str) -> bool:
        return _base(word) in self.last or not self._known(word)

    def _staff_word(self, word: str) -> bool:
        return _base(word) in self.staff.tokens

    def _could_be_name(self, word: str) -> bool:
        """A single capitalised word that may be a person's name: listed, or not a known word."""
        base = _base(word)
        if self._staff_word(word) or self._known(word):
            return False
        return base in self.first or base in self.last or len(base) >= 3

    # ------------------------------------------------------------ rules

    def findings(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        """(kind, why, start, end) of each soft identifier, the most specific rules first."""
        if gates.has_capital(text):  # every rule but a child's age needs a capitalised word
            yield from self._schools_and_named_ages(text)
        if gates.has_digit(text):
            yield from self._ages(text)
        if gates.has_capital(text):
            yield from self._named(text)

    def _schools_and_named_ages(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        for m in self._school.finditer(text):
            if self._is_school_name(m.group("value")) and self._school_cue.search(
                text, max(0, m.start() - 80), min(len(text), m.end() + 80)
            ):
                yield ("school", "a school's name next to a child", *m.span("value"))
        for m in self._name_age.finditer(text):
            group = "w" if m.group("w") else "w2"
            if self._could_be_name(m.group(group)):
                yield ("name_with_age", "a first name next to an age", *m.span())

    def _ages(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        for m in self._cue_age.finditer(text):
            group = next(g for g in ("value", "value2", "value3") if m.group(g))
            digits = re.match(r"[0-9]+", m.group(group))
            if digits and int(digits.group()) < 25:
                yield ("child_age", "the age of one child", *m.span(group))

    def _named(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        yield from self._full_names(text)
        yield from self._possessives(text)
        for m in self._relation.finditer(text):
            if self._could_be_name(m.group("w")):
                yield ("person_name", "a name after a family or carer word", *m.span("w"))
        for m in _TITLE.finditer(text):
            if not self._staff_word(m.group("w")):
                yield ("person_name", "a name after a title", *m.span("w"))

    def _is_school_name(self, value: str) -> bool:
        # "the Virtual School", "Summer School": generic words, not one school's name.
        head = [w for w in re.findall(_CAP, value) if _base(w) not in generic_school_words()]
        return bool(head) and not all(self._staff_word(w) for w in head)

    def _full_names(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        words = list(_CAP_WORD.finditer(text))
        for a, b in zip(words, words[1:], strict=False):
            if a.group("poss") or text[a.end() : b.start()] not in (" ", "\u00a0"):
                continue
            first, last = a.group("w"), b.group("w")
            if self.staff.is_staff_name([first, last]):
                continue
            # A listed forename wins over a place of the same name ("Brandon Kowalski"), but not over a
            # known word after it ("Stanley Road", "Summer Term").
            listed_first = _base(first) in self.first and self._surname_like(last)
            listed_last = _base(last) in self.last and not self._known(first) and not self._known(last)
            unknown = all(
                not self._known(w) and len(w) >= 3 and not self._staff_word(w) for w in (first, last)
            )
            if listed_first or listed_last or unknown:
                yield ("person_name", "a forename and surname", a.start(), b.end("w"))

    def _possessives(self, text: str) -> Iterator[tuple[str, str, int, int]]:
        for m in _CAP_WORD.finditer(text):
            if m.group("poss") and self._could_be_name(m.group("w")):
                yield ("person_name", "a name with a possessive", *m.span("w"))
