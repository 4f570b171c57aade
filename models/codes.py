"""Plan codes in any council's style, and the one rule for when two spellings name the same code.

Councils number actions `M-07`, `AFI-5`, `M1-2`, `1.1` or `M0.1`: letters and digits in one or more
parts, separated by `-` or `.`. Two spellings are the same code when their runs of letters and of digits
agree, ignoring case, separators and leading zeros: `m7` = `M-07`, `m1.2` = `M1-2`, but `M1-2` is not
`M-12`. Where a plan has two codes with one key, only the exact spelling finds either.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: What the plan format accepts as a code.
CODE_PATTERN = r"^[A-Za-z0-9]+([-.][A-Za-z0-9]+)*$"

_PART = re.compile(r"[A-Za-z]+|[0-9]+")
_OTHER = re.compile(r"[^A-Za-z0-9\s_.\-]")
_SPELLING = re.compile(
    r"[A-Za-z0-9]+(?:[\s_.\-]+[A-Za-z0-9]+)*"
)  # separators required: no backtracking blow-up


@lru_cache(maxsize=16384)  # a plan's 2,000 codes are keyed again for every quick update
def code_key(text: str) -> tuple[str, ...] | None:
    """`M-07`, `m7`, `M 007` -> ("M", "7"); `M1-2`, `m1.2` -> ("M", "1", "2"); None for other text."""
    if not isinstance(text, str):
        return None
    spelled = text.strip().rstrip(".:;,")
    if not spelled or _SPELLING.fullmatch(spelled) is None:
        return None
    return tuple(p.upper() if p.isalpha() else (p.lstrip("0") or "0") for p in _PART.findall(spelled))


@lru_cache(maxsize=16384)  # codes repeat: every question and search compares the plan's codes
def normal_code(text: str) -> str:
    """The key as one lower-case string ("m-7", "m-1-2"), for comparing and indexing; "" for no code.
    Lenient: other characters are dropped first, so "(M-07)" is "m-7"."""
    key = code_key(_OTHER.sub("", text)) if isinstance(text, str) else None
    return "-".join(key).lower() if key else ""


def code_order(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key counting as people do: `2` before `10`, `A2.1` before `A10.1`, `A1.2` before `A1.10`
    (runs of digits compare as numbers, runs of letters ignoring case; separators do not count)."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.upper()) for p in _PART.findall(text))
