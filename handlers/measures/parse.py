"""Reading `/qib measure KPI-3 88% for 2020-01 the note`. Pure, so it is tested on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.codes import CODE_PATTERN

CODE = re.compile(CODE_PATTERN)  # as the plan file writes codes: KPI-3, PI.1, 2.5
NUMBER = re.compile(r"^(\d+(?:\.\d+)?)%?$")
PERIOD_WORD = re.compile(r"^(\d{4}(-(0?[1-9]|1[0-2]|[Qq][1-4]))?|[Qq][1-4]|[A-Za-z]{3,9})$")


@dataclass(frozen=True)
class MeasureText:
    code: str | None
    value: float | None
    period: str | None  # as typed ("2020-01", "jan 2020"); bot.services.periods reads it
    note: str | None
    problem: str | None = None


def parse_measure_text(text: str) -> MeasureText:
    """`KPI-3 88% for jan 2020 Fewer carers waiting` -> code, value, period text and note."""
    words = text.strip().split()
    if not words:
        return MeasureText(None, None, None, None)
    code = words[0].upper() if CODE.match(words[0]) else None
    if code is None:
        return MeasureText(None, None, None, None, f"“{words[0]}” is not a measure code such as KPI-3.")
    rest = words[1:]
    value = None
    if rest:
        found = NUMBER.match(rest[0].replace(",", ""))
        if found is None:
            return MeasureText(
                code, None, None, None, f"“{rest[0]}” is not a number: write the value like 88%."
            )
        value = float(found.group(1))
        rest = rest[1:]
    period = None
    if len(rest) >= 2 and rest[0].lower() == "for":
        taken = [rest[1]]
        if len(rest) >= 3 and PERIOD_WORD.match(rest[2]) and not re.fullmatch(r"\d{4}-.*", rest[1]):
            taken.append(rest[2])
        period = " ".join(taken)
        rest = rest[1 + len(taken) :]
    note = " ".join(rest).strip() or None
    return MeasureText(code, value, period, note)
