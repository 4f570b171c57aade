"""Domain errors: each carries a message fit to show a user as it is."""

from __future__ import annotations


class DomainError(Exception):
    """Something the user can act on; the message is shown to them verbatim."""

    @property
    def message(self) -> str:
        return str(self)


class NotFound(DomainError):
    pass


class NotAllowed(DomainError):
    pass


class InvalidInput(DomainError):
    """Bad input; `field` names the form field it is about, `also` any further fields and their errors
    (a form shows every field at fault at once, not one per submission)."""

    def __init__(self, message: str, *, field: str | None = None, also: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.also = dict(also or {})


class NoChange(InvalidInput):
    """An update that says exactly what the latest one said."""


class PlanFileError(DomainError):
    """A plan file is refused as a whole; `problems` lists every line that is wrong."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: the plan file is not valid, nothing was imported:\n{shown}{more}")
