"""Sending progress updates the two ways owners do (quick command, modal) and noting what they were told."""

from __future__ import annotations

import itertools

from qib_testing.bots import Bot
from qib_testing.people import CHAIR
from qib_testing.slack_standin import slash_command_body
from tests.reliability.conftest import Ledger
from tests.reliability.outcomes import modal_outcome, modal_state, told

CALLBACK = "qib_update"

__all__ = ["UpdateDriver", "modal_outcome", "modal_state"]


class UpdateDriver:
    """Owners at work: quick updates and modal submissions, each with a fresh idempotency key."""

    _ids = itertools.count(1)

    def __init__(self, bot: Bot, ledger: Ledger | None = None) -> None:
        self.bot = bot
        self.ledger = ledger or Ledger()

    def quick(self, code: str, percent: int, *, user: str = CHAIR) -> str:
        n = next(self._ids)
        name = f"quick{n}"
        body = slash_command_body(
            f"update {code} on track {percent}% quick note {n}",
            user_id=user,
            channel_id="CBOARD01",
            team_id="T111",
            response_url=self.bot.slack.response_url(name),
            trigger_id=f"trig.{name}",
        )
        key = f"command:trig.{name}"
        status, _, _ = self.bot.http.post("/slack/events", body)
        replies = self.bot.responses(name) if status == 200 else []
        self.ledger.note(key, told(replies[-1]["text"]) if replies else "unknown")
        return key

    def modal(self, code: str, percent: int, *, user: str = CHAIR, view_id: str | None = None) -> str:
        n = next(self._ids)
        view_id = view_id or f"VREL{n}"
        status, text = self.bot.submit(
            {"callback_id": CALLBACK},
            modal_state(code, "on track", str(percent), f"modal note {n}"),
            user=user,
            view_id=view_id,
        )
        key = f"view:{view_id}"
        self.ledger.note(key, modal_outcome(status, text))
        return key
