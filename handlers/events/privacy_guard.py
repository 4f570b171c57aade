"""A mention or DM carrying a hard identifier: not echoed, answered privately, audited without the text.

A bot cannot delete a person's message, so it asks them to. Nothing from the message is repeated, in
the reply, the audit or the logs.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.services.privacy import WHAT_HARD, find_personal_data
from bot.services.privacy_plan import plan_staff, record_personal_data_message
from bot.services.text import strip_mentions
from handlers.context import Ask

log = logging.getLogger("qib.privacy")


def hard_kinds(ask: Ask, text: str) -> list[str]:
    with ask.deps.sessions() as db:
        staff = plan_staff(db, ask.plan_id_or_first())
    found = find_personal_data(strip_mentions(text), staff=staff, today=ask.today())
    return list(dict.fromkeys(f.kind for f in found if f.hard))


def refusal(kinds: list[str]) -> str:
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
        kinds = hard_kinds(ask, event.get("text") or "")
    except Exception as exc:  # the screen must not take the bot down; answer as usual
        log.warning("could not screen a message: %s", type(exc).__name__)
        return False
    if not kinds:
        return False
    with ask.deps.sessions.begin() as db:
        record_personal_data_message(
            db,
            ask.plan_id_or_first(),
            slack_user_id=ask.user_id,
            surface=surface,
            channel=ask.channel_id,
            kinds=kinds,
            now=ask.now,
        )
    text = refusal(kinds)
    if surface == "mention" and ask.channel_id:
        ask.client.chat_postEphemeral(channel=ask.channel_id, user=ask.user_id, text=text)
    else:
        ask.client.chat_postMessage(channel=ask.channel_id or ask.user_id, text=text)
    return True
