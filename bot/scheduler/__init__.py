"""The scheduler as the bot runs it: the tick (bot.scheduler.tick) with Slack's renderers from
handlers.digest.render. This module is composition: it binds the two, and nothing below it imports it."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.outbox_worker import Courier, drain_quietly
from bot.scheduler.base import LOOK_AHEAD, LOOK_BACK, MARKER, Renderers, TickReport
from bot.scheduler.tick import BoardScheduler, start_in_background
from bot.settings import Settings
from handlers.digest.render import digest_message, reminder_message

SLACK = Renderers(digest=digest_message, reminder=reminder_message)

__all__ = [
    "LOOK_AHEAD",
    "LOOK_BACK",
    "MARKER",
    "SLACK",
    "BoardScheduler",
    "Renderers",
    "Scheduler",
    "TickReport",
    "start_in_background",
]


class Scheduler(BoardScheduler):
    """The tick with the paper and reminders drawn as Slack messages."""

    def __init__(
        self,
        deps: Deps,
        settings: Settings,
        client: WebClient,
        *,
        worker: str | None = None,
        renderers: Renderers = SLACK,
    ) -> None:
        super().__init__(deps, settings, client, renderers=renderers, worker=worker)
        self.courier = Courier(deps, settings, client)

    def tick(self, now: datetime | None = None) -> TickReport:
        """The board's tick, then whatever the outbox still holds (retries due, rows a dead process
        left): a deployment whose worker thread is not running (cron, FaaS) still posts them."""
        report = super().tick(now)
        drain_quietly(self.courier, now, tidy=True)
        return report
