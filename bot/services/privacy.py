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

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.services.errors import InvalidInput
from bot.services.privacy_names import Names
from bot.services.privacy_words import NO_STAFF, Staff, allowed_contacts, child_cues


@dataclass(frozen=True)
class Finding:
    """Something in a text that looks like personal data.

    `kind` is a stable identifier (nhs_number, date_of_birth, postcode, case_number, child_name,
    record_id); `what` is the short noun used in messages ("an NHS number"); `reason` adds why
    ("an NHS number (10 digits passing the mod-11 check)"); `masked` is the matched span with most
    characters hidden, safe to log or show back; `start`/`end` locate it in the text checked.
    """

    kind: str
    what: str
    reason: str
    masked: str
    start: int
    end: int

    @property
    def hard(self) -> bool:
        """A hard identifier is refused outright; a soft one may be saved after a confirmed override."""
        return self.kind in HARD_KINDS


HARD_KINDS = frozenset(
    {
        "nhs_number",
        "date_of_birth",
        "postcode",
        "case_number",
        "record_id",
        "ni_number",
        "phone_number",
        "email_address",
    }
)
WHAT_HARD = {
    "nhs_number": "an NHS number",
    "date_of_birth": "a date of birth",
    "postcode": "a postcode",
    "case_number": "a case reference",
    "record_id": "a case record ID",
    "ni_number": "a National Insurance number",
    "phone_number": "a phone number",
    "email_address": "an email address",
}
SOFT_KINDS = frozenset({"person_name", "child_name", "name_with_age", "child_age", "school"})
WHAT = {
    "person_name": "a person's name",
    "child_name": "a child's name",
    "name_with_age": "a first name with an age",
    "child_age": "a child's age",
    "school": "a child's school",
}


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


# ---------------------------------------------------------------- NHS numbers


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number mod-11 check: weights 10..2 on the first nine digits, 11 - remainder is the tenth.

    A result of 11 means 0; a result of 10 means the number is not valid.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_NHS = re.compile(r"(?<![0-9A-Za-z])(?P<value>[0-9]{3}[ \-]?[0-9]{3}[ \-]?[0-9]{4})(?![0-9A-Za-z])")


def _nhs_numbers(text: str) -> Iterator[Finding]:
    for m in _NHS.finditer(text):
        digits = re.sub(r"[ \-]", "", m.group("value"))
        if len(set(digits)) == 1:  # 0000000000, 1111111111: placeholders, not numbers
            continue
        if nhs_check_digit_ok(digits):
            yield _finding(
                "nhs_number", "an NHS number", "10 digits passing the mod-11 check", text, m, "value"
            )


# ---------------------------------------------------------------- dates of birth

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?:"
    r"(?P<d1>[0-9]{1,2})[/.\-](?P<m1>[0-9]{1,2})[/.\-](?P<y1>[0-9]{4}|[0-9]{2})(?![0-9])"
    r"|(?P<y2>[0-9]{4})-(?P<m2>[0-9]{1,2})-(?P<d2>[0-9]{1,2})(?![0-9])"
    rf"|(?P<d3>[0-9]{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m3>{_MONTH})\.?(?:,?\s+(?P<y3>[0-9]{{4}}|'?[0-9]{{2}})(?![0-9]))?"
    rf"|(?P<m4>{_MONTH})\.?\s+(?P<d4>[0-9]{{1,2}}){_ORD}(?:,?\s+(?P<y4>[0-9]{{4}}))?(?![0-9])"
    r"|(?P<compact>[0-9]{6}|[0-9]{8})(?![0-9])"
    r")"
)
_STRONG_CUE = r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bbirthday\b)"
_BORN_CUE = r"(?:\bborn\b)"
_GAP = r"[\s:;,=()\-–]*(?:(?:is|was|on|of|in)\s+){0,2}"
_DOB = re.compile(rf"(?P<cue>{_STRONG_CUE}|{_BORN_CUE}){_GAP}(?P<value>{_DATE})", re.IGNORECASE)


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    raw = raw.lstrip("'")
    year = int(raw)
    if len(raw) == 2:
        year += 2000 if year <= 30 else 1900
    return year


def _date_parts(m: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a _DATE match, or None when it is not a real date."""
    g = m.groupdict()
    try:
        if g["d1"]:
            y, mo, d = _year(g["y1"]), int(g["m1"]), int(g["d1"])
        elif g["y2"]:
            y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
        elif g["d3"]:
            y, mo, d = _year(g["y3"]), _MONTHS[g["m3"][:3].lower()], int(g["d3"])
        elif g["m4"]:
            y, mo, d = _year(g["y4"]), _MONTHS[g["m4"][:3].lower()], int(g["d4"])
        else:
            raw = g["compact"]
            # ddmmyy or ddmmyyyy, as written in the UK
            y, mo, d = _year(raw[4:]), int(raw[2:4]), int(raw[:2])
        date(y or 2000, mo, d)  # leap-year safe default when the year is not given
    except (ValueError, KeyError, TypeError):
        return None
    return y, mo, d


def _dates_of_birth(text: str) -> Iterator[Finding]:
    for m in _DOB.finditer(text):
        parts = _date_parts(m)
        if parts is None:
            continue
        year = parts[0]
        strong = not re.fullmatch(_BORN_CUE, m.group("cue"), re.IGNORECASE)
        if strong:
            if year is not None and not 1900 <= year <= 2099:
                continue
            if m.group("compact") and year is None:
                continue
        else:
            # "born" is a weaker cue: only a full date with a plausible year for a child or young adult.
            if year is None or not 1990 <= year <= 2030 or m.group("compact"):
                continue
        yield _finding(
            "date_of_birth", "a date of birth", f'a date after "{m.group("cue")}"', text, m, "value"
        )


# ---------------------------------------------------------------- postcodes

# The UK postcode: outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA), or GIR 0AA.
_POSTCODE = re.compile(
    r"(?<![0-9A-Za-z])(?P<value>"
    r"(?:GIR\s?0AA"
    r"|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"\s?(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2}))"
    r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"[0-9](?:st|nd|rd|th)")


def _postcodes(text: str) -> Iterator[Finding]:
    for m in _POSTCODE.finditer(text):
        inward = m.group("inward")
        if inward and _ORDINAL.fullmatch(inward):
            continue  # "SP1 2nd workshop", "B1 4th floor": ordinals, not postcodes
        yield _finding("postcode", "a postcode", "a UK postcode, part of an address", text, m, "value")


# ---------------------------------------------------------------- case references and names

_CASE = re.compile(
    r"\bcase\s*(?:no\b\.?|nos?\.|number\b|num\b|ref\b\.?|reference\b|id\b)\s*(?:is\s+|was\s+)?[:#=\-]?\s*"
    r"(?P<value>[A-Z]{0,4}[/\-]?(?=(?:[/\-]?[0-9]){3})[0-9][0-9/\-]*[0-9])",
    re.IGNORECASE,
)
_RECORD_ID = re.compile(
    r"\b(?P<system>LL|LCS|Liquid\s?logic|Mosaic|EHM|person|client|child|CYP)\s*"
    r"(?:ID|no\.?|number|ref)\b\.?\s*(?:is\s+|was\s+)?[:#=\-]?\s*(?P<value>[0-9]{4,})(?![0-9])",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(?i:\b(?:child|young\s+person|yp|cyp)['’]?s?\s+(?:(?:first|full|last|sur)\s*)?name)"
    r"(?:\s*(?i:is|was)\s+|\s*[:=\-–]\s*|\s+)"
    r"(?P<value>[A-Z][A-Za-z'’\-]*\.?(?:\s+[A-Z][A-Za-z'’\-]*\.?)?)"
)


# A reference near a cue: 6+ digits, or letters then 4+ digits ("LL123456", "CR/2020/1234", "EHM-004512").
_REF_CUE = r"(?:case|ref|reference|id|lcs|liquid\s?logic|mosaic|ehm|record|file|client|person|child|cyp|yp|no\.?|number)"
_REF_VALUE = (
    r"(?P<value>(?<![0-9A-Za-z])(?:[0-9]{6,}|(?!U-[0-9])[A-Z]{1,4}[/\-]?[0-9]{4,}[A-Z0-9/\-]*|"
    r"[A-Z]{1,4}/[0-9]{2,4}/[0-9]{3,})(?![0-9A-Za-z]))"
)
_NEAR_CUE = (
    re.compile(
        rf"(?i:\b{_REF_CUE}\b)[\s:#=\-.]*(?:(?i:is|was|no\.?|number|ref|id|of)\s*[:#]?\s*){{0,2}}{_REF_VALUE}"
    ),
    re.compile(rf"{_REF_VALUE}\s+(?i:(?:on|in|from)\s+)?(?i:\b(?:lcs|liquid\s?logic|mosaic|ehm)\b)"),
)
_LONG_DIGITS = re.compile(r"(?<![0-9A-Za-z£$.,/\-])(?P<value>[0-9]{7,})(?![0-9A-Za-z]|[.,][0-9])")


def _case_numbers(text: str) -> Iterator[Finding]:
    for m in _CASE.finditer(text):
        yield _finding("case_number", "a case number", "digits after a case reference cue", text, m, "value")
    for m in _RECORD_ID.finditer(text):
        yield _finding(
            "record_id",
            "a case record ID",
            f"digits after a {m.group('system')} ID cue",
            text,
            m,
            "value",
        )
    for m in (m for pattern in _NEAR_CUE for m in pattern.finditer(text)):
        value = m.group("value") or ""
        if not any(c.isdigit() for c in value) or (len(value) == 10 and nhs_check_digit_ok(value)):
            continue
        yield _finding(
            "case_number", "a case reference", "a reference next to a case or system cue", text, m, "value"
        )
    for m in _LONG_DIGITS.finditer(text):
        if len(m.group("value")) == 10 and nhs_check_digit_ok(m.group("value")):
            continue  # an NHS number, reported as one
        yield _finding("case_number", "a case reference", "a run of 7 or more digits", text, m, "value")


def _child_names(text: str) -> Iterator[Finding]:
    for m in _NAME.finditer(text):
        yield _finding("child_name", "a child's name", 'a name after "child\'s name"', text, m, "value")


# ---------------------------------------------------------------- NI numbers, phones, emails

_NI = re.compile(
    r"(?<![0-9A-Za-z])(?P<value>[A-Z]{2}"
    r"\s?[0-9]{2}\s?[0-9]{2}\s?[0-9]{2}\s?[A-D])(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?P<value>(?:\+44\s?\(?0?\)?\s?|\(?0)(?:7[0-9]{3}\)?\s?[0-9]{3}\s?[0-9]{3}"
    r"|[12][0-9]{2,4}\)?\s?[0-9]{3,4}\s?[0-9]{3,4}))(?![0-9])"
)
_EMAIL = re.compile(r"(?<![\w.+\-])(?P<value>[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)")


def _ni_numbers(text: str) -> Iterator[Finding]:
    for m in _NI.finditer(text):
        yield _finding(
            "ni_number", "a National Insurance number", "two letters, six digits, a letter", text, m, "value"
        )


def _phones(text: str, staff: Staff) -> Iterator[Finding]:
    allowed, _ = allowed_contacts()
    for m in _PHONE.finditer(text):
        digits = re.sub(r"[^0-9]", "", m.group("value"))
        national = "0" + digits[2:] if digits.startswith("44") else digits
        if not 10 <= len(national) <= 11 or national in allowed:
            continue
        yield _finding("phone_number", "a phone number", "a UK mobile or home number", text, m, "value")


def _emails(text: str, staff: Staff) -> Iterator[Finding]:
    _, allowed = allowed_contacts()
    for m in _EMAIL.finditer(text):
        address = m.group("value").rstrip(".").lower()
        if address in staff.emails or address in allowed:
            continue
        yield _finding(
            "email_address", "an email address", "an address that is not the plan's staff", text, m, "value"
        )


# ---------------------------------------------------------------- a date next to a child

_CUE_WORDS = r"(?:" + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in child_cues()) + r")"
_CHILD_DATE = (
    re.compile(rf"(?i:\b{_CUE_WORDS}\b)\s*[,(:\-–]?\s*(?P<value>{_DATE})", re.IGNORECASE),
    re.compile(rf"(?P<value>{_DATE})\s*[)]?\s*(?i:\b{_CUE_WORDS}\b)", re.IGNORECASE),
)


def _dates_next_to_a_child(text: str, today: date) -> Iterator[Finding]:
    """A full date right next to "girl", "baby", "son"... that would make them under 25: a birth date."""
    for m in (m for pattern in _CHILD_DATE for m in pattern.finditer(text)):
        parts = _date_parts(m)
        if parts is None or parts[0] is None:
            continue
        try:
            when = date(parts[0], parts[1], parts[2])
        except ValueError:
            continue
        if date(today.year - 25, 1, 1) <= when <= today and (today - when).days > 30:
            yield _finding(
                "date_of_birth",
                "a date of birth",
                "a date next to a child, under 25 years ago",
                text,
                m,
                "value",
            )


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


# ---------------------------------------------------------------- the checks


def mask(value: str) -> str:
    """Hide all but the first one or two letters and digits, keeping separators so the shape shows."""
    alnum = sum(c.isalnum() for c in value)
    keep = 2 if alnum >= 6 else 1
    out = []
    for c in value:
        if c.isalnum():
            out.append(c if keep > 0 else "•")
            keep -= 1
        else:
            out.append(c)
    return "".join(out)


def _finding(kind: str, what: str, why: str, text: str, m: re.Match[str], group: str) -> Finding:
    start, end = m.span(group)
    return Finding(
        kind=kind,
        what=what,
        reason=f"{what} ({why})",
        masked=mask(text[start:end]),
        start=start,
        end=end,
    )


_DETECTORS = (_nhs_numbers, _dates_of_birth, _postcodes, _ni_numbers)

MAX_SCAN_CHARS = 100_000


def find_personal_data(
    text: str | None, *, staff: Staff = NO_STAFF, today: date | None = None
) -> list[Finding]:
    """Everything in `text` that looks like a child's personal data, hard and soft, in order.

    `staff` (the plan's people) are never flagged; `today` dates "under 25" for a date next to a child.
    A soft finding that overlaps a hard one is dropped: the hard one decides.
    """
    if not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    found: dict[tuple[str, int, int], Finding] = {}
    hard = [
        *(f for detect in _DETECTORS for f in detect(text)),
        *_phones(text, staff),
        *_emails(text, staff),
        *_case_numbers(text),
        *_dates_next_to_a_child(text, today or date.today()),
    ]
    for finding in hard:  # one finding per span: the first detector's (an NHS number, not a reference)
        found.setdefault(("hard", finding.start, finding.end), finding)
    spans = [(f.start, f.end) for f in hard]
    for finding in (*_child_names(text), *_soft(text, staff)):
        if any(finding.start < e and s < finding.end for s, e in spans):
            continue  # one finding for one stretch of text: the hard one, or the first rule's
        spans.append((finding.start, finding.end))
        found.setdefault((finding.kind, finding.start, finding.end), finding)
    return sorted(found.values(), key=lambda f: (f.start, f.end, f.kind))


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
