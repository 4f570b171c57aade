"""Reading `/qib ...` text into a subcommand and its arguments. Pure, so it is tested on its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandText:
    name: str
    args: str


ALIASES = {
    "": "help",
    "?": "help",
    "h": "help",
    "s": "status",
    "st": "status",
    "sum": "summary",
    "me": "mine",
    "my": "mine",
    "late": "overdue",
    "u": "update",
    "upd": "update",
    "hist": "history",
    "meeting": "meeting",
    "meetings": "meetings",
}


def parse_command(text: str | None) -> CommandText:
    """`status foster carers` -> ("status", "foster carers"); the name is lower-cased, args kept."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return CommandText("help", "")
    name = words[0].lower().strip()
    name = ALIASES.get(name, name)
    return CommandText(name, words[1].strip() if len(words) > 1 else "")
