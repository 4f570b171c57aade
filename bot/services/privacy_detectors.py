"""The hard detectors: NHS, National Insurance, case and record numbers, dates of birth, postcodes, phones, emails.

Each returns the spans it found; none carries the matched text further than the finding's mask.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from bot.services import privacy_gates as gates
from bot.services.privacy_findings import Finding, _finding
from bot.services.privacy_words import Staff, allowed_contacts, child_cues

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


# The first word of each child cue ("young" of "young person"): one of them is in any match of _CHILD_DATE.
_CUE_HEADS = tuple(sorted({c.split()[0].lower() for c in child_cues()}))


def _dates_next_to_a_child(text: str, today: date) -> Iterator[Finding]:
    """A full date right next to "girl", "baby", "son"... that would make them under 25: a birth date."""
    if not gates.may_hold_a_word(text, _CUE_HEADS):
        return
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
