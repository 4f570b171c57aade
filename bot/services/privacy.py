"""Spotting children's personal data in update text before it reaches Slack.

The plan is about services, not children: an update must never carry a child's name, date of birth,
NHS number, address or case number. These checks are deliberately narrow (an NHS number must pass
its check digit, a date only counts as a date of birth next to a cue such as "DOB" or "born") so
that ordinary plan text ("phase two booked for March", "16 and 17 year olds", "2020-03-31") passes.
A finding never carries the matched text itself, only a masked form of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from bot.services.errors import InvalidInput


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


FIELD_NAMES: dict[str, str] = {
    "note": "the note",
    "next_steps": "the next steps",
    "blockers": "the blockers",
    "evidence_url": "the evidence link",
    "reopen_reason": "the reason for reopening",
}
_PLURAL_FIELDS = {"next_steps", "blockers"}


class PersonalDataSuspected(InvalidInput):
    """An update's text looks like it holds personal data; the user removes it or confirms it is not."""

    def __init__(self, findings: list[tuple[str, Finding]]) -> None:
        self.findings = findings
        super().__init__(_suspected_message(findings), field=findings[0][0] if findings else None)

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(f for f, _ in self.findings))

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(finding.kind for _, finding in self.findings))


def _suspected_message(findings: list[tuple[str, Finding]]) -> str:
    by_field: dict[str, list[str]] = {}
    for field, finding in findings:
        whats = by_field.setdefault(field, [])
        if finding.what not in whats:
            whats.append(finding.what)
    clauses = []
    for field, whats in by_field.items():
        name = FIELD_NAMES.get(field, field.replace("_", " "))
        verb = "look like they hold" if field in _PLURAL_FIELDS else "looks like it holds"
        clauses.append(f"{name} {verb} {_and(whats)}")
    sentence = "; ".join(clauses)
    sentence = sentence[:1].upper() + sentence[1:]
    return f"{sentence}. Slack is not a case record: remove it, or confirm it is not personal data."


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


def _child_names(text: str) -> Iterator[Finding]:
    for m in _NAME.finditer(text):
        yield _finding("child_name", "a child's name", 'a name after "child\'s name"', text, m, "value")


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


_DETECTORS = (_nhs_numbers, _dates_of_birth, _postcodes, _case_numbers, _child_names)

MAX_SCAN_CHARS = 100_000


def find_personal_data(text: str | None) -> list[Finding]:
    """Everything in `text` that looks like a child's personal data, in the order it appears."""
    if not text:
        return []
    text = text[:MAX_SCAN_CHARS]
    found: dict[tuple[str, int, int], Finding] = {}
    for detect in _DETECTORS:
        for finding in detect(text):
            found.setdefault((finding.kind, finding.start, finding.end), finding)
    return sorted(found.values(), key=lambda f: (f.start, f.end, f.kind))


def check_update_fields(fields: Mapping[str, str | None]) -> list[tuple[str, Finding]]:
    """Each (field, finding) in an update's free-text fields, field by field in the order given."""
    return [(name, finding) for name, value in fields.items() for finding in find_personal_data(value)]
