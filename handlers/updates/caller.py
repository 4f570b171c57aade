"""The request every update use case takes, read from the handler's Ask."""

from __future__ import annotations

from bot.usecases.updates import Caller
from handlers.context import Ask


def caller_of(ask: Ask) -> Caller:
    """Who asks, on which plan, and when."""
    return Caller(
        user_id=ask.user_id,
        plan_id=ask.plan_id,
        now=ask.now,
        today=ask.today(),
        admins=ask.settings.admin_ids,
        source=ask.deps.source,
    )
