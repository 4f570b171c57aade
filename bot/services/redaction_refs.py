"""Short, stable references for progress updates (U-1234), for /qib history and /qib redact."""

from __future__ import annotations

import re

_REF = re.compile(r"^\s*U-?([0-9]{1,12})\s*$", re.IGNORECASE)


def update_reference(update_id: int) -> str:
    return f"U-{update_id}"


def parse_reference(text: str) -> int | None:
    """U-1234, u1234 or U-0012 -> 1234; anything else -> None."""
    m = _REF.match(text or "")
    return int(m.group(1)) if m else None
