"""Spotting children's personal data in text before it reaches Slack.

The plan is about services, not children. Two kinds of finding:
- *hard* identifiers (an NHS number, a date of birth, a postcode, a case or person reference, a National
  Insurance number, a phone number or email address that is not the plan's staff) are refused with no
  override: nothing a person ticks makes them safe to post;
- *soft* identifiers (a personal name that is not staff, a first name next to an age, one child's age,
  a school next to a child) may be saved after the owner confirms with a reason, and that is audited.
The checks stay narrow where plan text looks similar ("16 and 17 year olds", "2020-03-31", "9 of 10
reviews", "Seaham", staff names). A finding never carries the matched text, only a masked form of it.
Measured against a labelled corpus: tests/privacy/corpus.yaml.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache

from bot.services import privacy_gates as gates
from bot.services.errors import InvalidInput
from bot.services.privacy_detectors import (
    _case_numbers,
    _child_names,
    _dates_next_to_a_child,
    _dates_of_birth,
    _emails,
    _nhs_numbers,
    _ni_numbers,
    _phones,
    _postcodes,
    nhs_check_digit_ok,
)
from bot.services.privacy_findings import HARD_KINDS, SOFT_KINDS, WHAT, WHAT_HARD, Finding, mask
from bot.services.privacy_names import Names
from bot.services.privacy_words import NO_STAFF, Staff

__all__ = [
    "nhs_check_digit_ok",
    "Finding",
    "HARD_KINDS",
    "SOFT_KINDS",
    "WHAT",
    "WHAT_HARD",
    "mask",
    "FIELD_NAMES",
    "PersonalDataSuspected",
    "PersonalDataRefused",
    "MAX_SCAN_CHARS",
    "find_personal_data",
    "find_hard_personal_data",
    "check_update_fields",
    "screen",
    "kinds_of",
]


FIELD_NAMES: dict[str, str] = {
    "note": "the note",
    "next_steps": "the next steps",
    "blockers": "the blockers",
    "decision": "the decision needed",
    "evidence_url": "the evidence link",
    "reopen_reason": "the reason for reopening",
    "override_reason": "the reason for saving it",
    "message": "your message",
}

_PLURAL_FIELDS = {"next_steps", "blockers"}


class PersonalDataSuspected(InvalidInput):
    """Text looks like it names or describes a child (soft): remove it, or confirm with a reason."""

    def __init__(self, findings: list[tuple[str, Finding]]) -> None:
        self.findings = findings
        super().__init__(_suspected_message(findings), field=findings[0][0] if findings else None)

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(f for f, _ in self.findings))

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(finding.kind for _, finding in self.findings))


class PersonalDataRefused(PersonalDataSuspected):
    """Text holds a hard identifier: refused, with no override; the person removes it."""

    def __init__(self, findings: list[tuple[str, Finding]]) -> None:
        hard = [(f, finding) for f, finding in findings if finding.hard]
        self.findings = hard
        InvalidInput.__init__(self, _refused_message(hard), field=hard[0][0] if hard else None)


def _refused_message(findings: list[tuple[str, Finding]]) -> str:
    sentence = _field_sentence(findings, "holds", "hold")
    return (
        f"{sentence}, which must never be in Slack. Remove it and save again: this cannot be "
        "overridden (an NHS number, a date of birth, an address or a case reference identifies a child "
        "on its own)."
    )


def _suspected_message(findings: list[tuple[str, Finding]]) -> str:
    sentence = _field_sentence(findings, "looks like it holds", "look like they hold")
    return (
        f"{sentence}. Slack is not a case record: remove it, or, if it is not about a child "
        "(a colleague, a place), tick the box and say why; the plan's privacy officer is told."
    )


def _field_sentence(findings: list[tuple[str, Finding]], one: str, many: str) -> str:
    by_field: dict[str, list[str]] = {}
    for field, finding in findings:
        whats = by_field.setdefault(field, [])
        if finding.what not in whats:
            whats.append(finding.what)
    clauses = []
    for field, whats in by_field.items():
        name = FIELD_NAMES.get(field, field.replace("_", " "))
        verb = many if field in _PLURAL_FIELDS else one
        clauses.append(f"{name} {verb} {_and(whats)}")
    sentence = "; ".join(clauses)
    return sentence[:1].upper() + sentence[1:]


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------- soft identifiers

_SOFT_WHY = {
    "person_name": "a person's name",
    "name_with_age": "a first name with an age",
    "child_age": "a child's age",
    "school": "a child's school",
}


@lru_cache(maxsize=32)
def _names(staff: Staff) -> Names:
    return Names(staff)


def _soft(text: str, staff: Staff) -> Iterator[Finding]:
    for kind, why, start, end in _names(staff).findings(text):
        what = WHAT[kind]
        yield Finding(
            kind=kind,
            what=what,
            reason=f"{what} ({why})",
            masked=mask(text[start:end]),
            start=start,
            end=end,
        )


_DETECTORS = (_nhs_numbers, _dates_of_birth, _postcodes, _ni_numbers)

MAX_SCAN_CHARS = 100_000


def _hard(text: str, staff: Staff, today: date) -> list[Finding]:
    """Every hard detector's findings, in the detectors' order (the first one's finding wins a span)."""
    digits = gates.has_digit(text)
    found: list[Finding] = []
    if digits:
        found += (f for detect in _DETECTORS for f in detect(text))
        found += _phones(text, staff)
    if gates.has_at_sign(text):
        found += _emails(text, staff)
    if digits:
        found += _case_numbers(text)
        found += _dates_next_to_a_child(text, today)
    return found


def _by_position(findings: dict[tuple[str, int, int], Finding]) -> list[Finding]:
    return sorted(findings.values(), key=lambda f: (f.start, f.end, f.kind))


def find_personal_data(
    text: str | None, *, staff: Staff = NO_STAFF, today: date | None = None
) -> list[Finding]:
    """Everything in `text` that looks like a child's personal data, hard and soft, in order.

    `staff` (the plan's people) are never flagged; `today` dates "under 25" for a date next to a child.
    A soft finding that overlaps a hard one is dropped: the hard one decides. Staff only ever take
    findings away, so text with no finding without them has none with them (an update's screen relies
    on it to skip reading the plan's people; tests/properties/test_privacy_staff.py holds it).
    """
    if not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    found: dict[tuple[str, int, int], Finding] = {}
    hard = _hard(text, staff, today or date.today())
    for finding in hard:  # one finding per span: the first detector's (an NHS number, not a reference)
        found.setdefault(("hard", finding.start, finding.end), finding)
    spans = [(f.start, f.end) for f in hard]
    soft = (*_child_names(text), *_soft(text, staff)) if gates.has_capital(text) else _soft(text, staff)
    for finding in soft:
        if any(finding.start < e and s < finding.end for s, e in spans):
            continue  # one finding for one stretch of text: the hard one, or the first rule's
        spans.append((finding.start, finding.end))
        found.setdefault((finding.kind, finding.start, finding.end), finding)
    return _by_position(found)


def find_hard_personal_data(
    text: str | None, *, staff: Staff = NO_STAFF, today: date | None = None
) -> list[Finding]:
    """The hard findings of find_personal_data(text), without looking for soft ones (a plan file has
    no box to tick, so only hard ones refuse it)."""
    if not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    found: dict[tuple[str, int, int], Finding] = {}
    for finding in _hard(text, staff, today or date.today()):
        found.setdefault(("hard", finding.start, finding.end), finding)
    return _by_position(found)


def check_update_fields(
    fields: Mapping[str, str | None], *, staff: Staff = NO_STAFF, today: date | None = None
) -> list[tuple[str, Finding]]:
    """Each (field, finding) in an update's free-text fields, field by field in the order given."""
    return [
        (name, finding)
        for name, value in fields.items()
        for finding in find_personal_data(value, staff=staff, today=today)
    ]


def screen(
    fields: Mapping[str, str | None],
    *,
    staff: Staff = NO_STAFF,
    today: date | None = None,
    confirmed: bool = False,
) -> list[tuple[str, Finding]]:
    """Raise PersonalDataRefused for any hard finding, PersonalDataSuspected for soft ones unless
    `confirmed`; otherwise the (soft, confirmed) findings, for the audit."""
    findings = check_update_fields(fields, staff=staff, today=today)
    if any(f.hard for _, f in findings):
        raise PersonalDataRefused(findings)
    if findings and not confirmed:
        raise PersonalDataSuspected(findings)
    return findings


def kinds_of(findings: list[tuple[str, Finding]]) -> list[str]:
    return list(dict.fromkeys(f.kind for _, f in findings))
