"""The outcomes a use case can report; a handler renders each one for its surface."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Refused:
    """The request cannot be done as asked; `reason` is fit to show the user, `field` names the form
    field it is about (inline error in a modal), `also` any further fields at fault."""

    reason: str
    field: str | None = None
    also: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class NeedsForm:
    """The request should continue in a form, prefilled with what was understood."""

    code: str | None = None
    typed: dict[str, Any] = dataclasses.field(default_factory=dict)
    notice: str | None = None


@dataclass(frozen=True)
class Ambiguous:
    """More than one thing matched; the user chooses."""

    prompt: str
    choices: tuple[str, ...]
