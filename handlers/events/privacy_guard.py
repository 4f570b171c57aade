"""A mention or DM carrying a hard identifier: not echoed, answered privately, audited without the text.

The screening and the audit are bot.usecases.screening; this module says so to the person who wrote it.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.services.privacy import WHAT_HARD
from bot.usecases import screening
from handlers.context import Ask

log = logging.getLogger("qib.privacy")


def refusal(kinds: tuple[str, ...] | list[str]) -> str:
    whats = [WHAT_HARD.get(k, k.replace("_", " ")) for k in kinds]
    listed = whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]
    return (
        f":no_entry: Your message contains personal data ({listed}), which must never be in Slack. "
        "Please delete it now (I can't delete other people's messages). I haven't acted on it or "
        "repeated it; ask again without it."
    )


def guard(ask: Ask, event: dict[str, Any], *, surface: str) -> bool:
    """True when the message was stopped here (the caller then does nothing else)."""
    try:
        who = ask.asker(or_first=True)  # a DM sent before the person chose a plan is screened too
    except Exception as exc:  # the screen must not take the bot down; answer as usual
        log.warning("could not screen a message: %s", type(exc).__name__)
        return False
    message = screening.Message(who, event.get("text") or "", surface, ask.channel_id)
    stopped = screening.screen(ask.deps.sessions, message)
    if stopped is None:
        return False
    text = refusal(stopped.kinds)
    if surface == "mention" and ask.channel_id:
        ask.client.chat_postEphemeral(channel=ask.channel_id, user=ask.user_id, text=text)
    else:
        ask.client.chat_postMessage(channel=ask.channel_id or ask.user_id, text=text)
    return True
