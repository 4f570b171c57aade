"""How dates and people read on every surface (Slack, DMs, the console, error messages): one place.

`Fri 7 Feb`, `Fri 7 Feb 2020`, never `Fri 07 Feb` or `7 February 2020`; a person is
`Name (Role)`, or just `Name` when the role adds nothing.
"""

from __future__ import annotations

from datetime import date


def day(d: date | None) -> str:
    """`Fri 7 Feb`: the day without a leading zero and without the year."""
    if d is None:
        return "no date"
    return f"{d:%a} {d.day} {d:%b}"


def full_day(d: date | None) -> str:
    """`Fri 7 Feb 2020`: for messages that may be read long after (and for other years)."""
    if d is None:
        return "no date"
    return f"{day(d)} {d.year}"


def day_in(d: date | None, today: date) -> str:
    """`Fri 7 Feb` this year, `Fri 7 Feb 2020` in any other."""
    if d is None:
        return "no date"
    return day(d) if d.year == today.year else full_day(d)


def person_label(name: str, role: str | None) -> str:
    """`Sam Carter (Head of Children's Social Care)`; `Sam Carter` when the role is empty or is the name."""
    role = (role or "").strip()
    if not role or " ".join(role.casefold().split()) == " ".join(name.casefold().split()):
        return name
    return f"{name} ({role})"
