"""Reading `/qib ...` text into a subcommand and its arguments. Pure, so it is tested on its own."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.questions.interpret import ALIASES

__all__ = ["ALIASES", "CommandText", "parse_command"]


@dataclass(frozen=True)
class CommandText:
    name: str
    args: str


def parse_command(text: str | None) -> CommandText:
    """`status foster carers` -> ("status", "foster carers"); the name is lower-cased, args kept."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return CommandText("help", "")
    name = words[0].lower().strip()
    name = ALIASES.get(name, name)
    return CommandText(name, words[1].strip() if len(words) > 1 else "")
