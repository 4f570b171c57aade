"""Plain questions, as people type them to the bot, mapped onto /qib subcommands. Pure."""

from __future__ import annotations

import re

from bot.services.text import unescape_slack
from handlers.commands.parse import CommandText, parse_command

_MENTION = re.compile(r"<[@!#][^>]*>")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(help|what can you do|commands?)\b"), "help"),
    (re.compile(r"\b(overdue|late|behind|past due)\b"), "overdue"),
    (re.compile(r"\b(what do i own|my (milestones|actions|items)|mine|assigned to me|i own)\b"), "mine"),
    (re.compile(r"\b(summary|overview|headline|board view)\b"), "summary"),
    (re.compile(r"\b(due soon|coming up|due (this|next) (week|month)|what'?s due)\b"), "due"),
    (re.compile(r"\b(meetings?|next board|when is the board)\b"), "meetings"),
    (re.compile(r"\bhistory of\b"), "history"),
]
_FILLER = re.compile(
    r"^(hi|hello|hey|please|can you|could you|tell me|show me|what is|what's|whats|how are we doing|how is|"
    r"how's|hows|how are|status of|status|update on|progress on|on|the|with|about|for)\b[\s,:]*",
    re.IGNORECASE,
)


def strip_mentions(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text).split())


def interpret(text: str, known: frozenset[str] = frozenset()) -> CommandText:
    """`how are we doing on foster carer reviews?` -> status "foster carer reviews".

    `text` is a message as Slack sends it: the mentions Slack made are dropped, then Slack's escaping
    is undone, once (so a typed "<!channel>" is kept as text, to be escaped wherever it is shown).
    """
    clean = unescape_slack(strip_mentions(text)).strip()
    if clean.startswith("/qib"):
        clean = clean[4:]
    direct = parse_command(clean)
    if direct.name in known and direct.name != "help":
        return direct
    lowered = clean.lower()
    for pattern, name in _PATTERNS:
        if pattern.search(lowered):
            if name == "history":
                return CommandText(name, lowered.split("history of", 1)[1].strip(" ?!."))
            return CommandText(name, "")
    topic = clean.rstrip("?!. ")
    previous = None
    while topic and topic != previous:
        previous = topic
        topic = _FILLER.sub("", topic).strip()
    if not topic:
        return CommandText("summary" if "summary" in known else "help", "")
    return CommandText("status", topic)
