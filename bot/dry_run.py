"""`qib tick --dry-run`: the real tick, against the console's Slack, in a transaction that is rolled back.

Running the scheduler itself (not a copy of its rules) is what makes the dry run honest: it claims,
builds and "posts" exactly what a real tick would, then every row it wrote is thrown away.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker

from bot.channels import ChannelIds
from bot.console_render import render_outgoing
from bot.console_slack import ConsoleSlack
from bot.deps import Deps
from bot.scheduler import Scheduler, TickReport
from bot.settings import Settings
from models.db import Sessions

# What each place a tick posts to would be, said so nobody reads a dry run as something that happened.
WOULD = {
    "channel": "would be posted in the channel",
    "thread": "would be a reply in the thread",
    "dm": "would be a direct message",
}


class _RolledBackSessions(Sessions):
    """Sessions on one connection whose outer transaction is never committed: commits are savepoints."""

    def __init__(self, connection: Connection) -> None:
        sessionmaker.__init__(
            self, bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self._writer = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )


@contextmanager
def rolled_back(deps: Deps) -> Iterator[Deps]:
    """The same deps, on a transaction that is rolled back at the end, whatever happens inside."""
    with deps.engine.connect() as connection:
        outer = connection.begin()
        try:
            yield replace(deps, sessions=_RolledBackSessions(connection))
        finally:
            outer.rollback()


def dry_run_tick(deps: Deps, settings: Settings) -> tuple[TickReport, list[str]]:
    """What one tick at the deps' clock would post, rendered as the console renders it; changes nothing."""
    slack = ConsoleSlack()
    if len(deps.plan_ids()) == 1:
        deps.plan_id()  # looked up on the real sessions, so the copy below shares it
    deps.channel_ids = ChannelIds(look_up_names=False)  # no workspace here, as in the console
    with rolled_back(deps) as trial:
        report = Scheduler(trial, settings, slack.client(), worker="dry-run").tick()
    shown: list[str] = []
    for item in slack.outbox:
        payload: dict[str, Any] = item.payload
        shown.append(render_outgoing(WOULD.get(item.where, f"would be {item.where}"), payload))
    return report, shown
