"""Screening a mention or DM for a child's hard identifiers before anything acts on it.

A bot cannot delete a person's message, so it asks them to. Nothing from the message is repeated, in
the reply, the audit or the logs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.services.privacy import find_personal_data
from bot.services.privacy_plan import plan_staff, record_personal_data_message
from bot.services.text import strip_mentions
from bot.usecases.base import Asker, Sessions

log = logging.getLogger("qib.privacy")


@dataclass(frozen=True)
class Message:
    who: Asker
    text: str
    surface: str  # mention | dm
    channel_id: str | None


@dataclass(frozen=True)
class Stopped:
    """The message holds these kinds of hard identifier: it was audited (without its text), not acted on."""

    kinds: tuple[str, ...]


def hard_kinds(sessions: Sessions, who: Asker, text: str) -> tuple[str, ...]:
    with sessions() as db:
        staff = plan_staff(db, who.plan_id)
    found = find_personal_data(strip_mentions(text), staff=staff, today=who.today)
    return tuple(dict.fromkeys(f.kind for f in found if f.hard))


def screen(sessions: Sessions, msg: Message) -> Stopped | None:
    """Stopped when the message must not be acted on; None to answer it as usual. A screen that fails is
    logged and lets the message through: it must not take the bot down."""
    try:
        kinds = hard_kinds(sessions, msg.who, msg.text)
    except Exception as exc:
        log.warning("could not screen a message: %s", type(exc).__name__)
        return None
    if not kinds:
        return None
    with sessions.begin() as db:
        record_personal_data_message(
            db,
            msg.who.plan_id,
            slack_user_id=msg.who.user_id,
            surface=msg.surface,
            channel=msg.channel_id,
            kinds=list(kinds),
            now=msg.who.now,
        )
    return Stopped(kinds)
