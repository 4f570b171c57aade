"""A finding of personal data: its kind, what to call it, and the matched span masked."""

from __future__ import annotations

import re
from dataclasses import dataclass


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
