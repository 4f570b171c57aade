"""What a question asks for, as typed values: the same queries the /qib subcommands run.

Each intent is a frozen dataclass the handlers map onto a query and a renderer. A new kind of question
(as the performance measures were: ``Measure(topic="foster carer reviews out of timescale")``) is one
more dataclass here, one more rule in ``interpret`` and one more branch where intents are answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Rating = Literal["off track", "at risk", "on track", "complete", "not started", "overdue"]


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Greeting:
    pass


@dataclass(frozen=True, slots=True)
class Summary:
    pass


@dataclass(frozen=True, slots=True)
class Status:
    """The whole plan (no topic), or whatever the topic names: a code or words about an area,
    a milestone or a priority (resolved by search against the plan)."""

    topic: str = ""


@dataclass(frozen=True, slots=True)
class ByRating:
    """Unfinished (or complete) milestones with any of these ratings, worst first."""

    ratings: frozenset[Rating]


@dataclass(frozen=True, slots=True)
class Overdue:
    pass


@dataclass(frozen=True, slots=True)
class Stale:
    pass


@dataclass(frozen=True, slots=True)
class Due:
    """Due from ``frm`` to ``until`` (inclusive); no ``until`` means "before the next board".

    ``reading`` says how the words were read ("March 2020 (1–31 Mar)") whenever dates were in words,
    so that a guess is never silent.
    """

    frm: date | None = None
    until: date | None = None
    reading: str = ""


@dataclass(frozen=True, slots=True)
class Owned:
    """What someone owns: ``who`` as typed ("Alex", "robin marsh"), or the asker when ``mine``."""

    who: str = ""
    mine: bool = False


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the board is asked to decide: the plan records no decisions, so its exceptions."""


@dataclass(frozen=True, slots=True)
class History:
    topic: str


@dataclass(frozen=True, slots=True)
class Changes:
    """Updates since a date, or since the previous board when ``since`` is None."""

    since: date | None = None
    reading: str = ""


@dataclass(frozen=True, slots=True)
class Meetings:
    pass


@dataclass(frozen=True, slots=True)
class Priorities:
    code: str = ""


@dataclass(frozen=True, slots=True)
class Measure:
    """Performance measures: all of them (no topic), or what ``/qib measures <topic>`` selects: a
    measure code, an area or priority code, or words of a measure's title or question."""

    topic: str = ""


@dataclass(frozen=True, slots=True)
class Command:
    """A /qib subcommand typed as such (``update M-05 ...``, ``digest``): run as it is."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Nothing matched: ``words`` are what was left of the question after the filler."""

    text: str
    words: str


Intent = (
    Help
    | Greeting
    | Summary
    | Status
    | ByRating
    | Overdue
    | Stale
    | Due
    | Owned
    | Decisions
    | History
    | Changes
    | Meetings
    | Priorities
    | Measure
    | Command
    | NotUnderstood
)
