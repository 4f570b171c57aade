"""What every part of the tick shares: the markers it leaves on Slack messages, the report it returns,
the renderers it is given, and how it tells a person when Slack says no."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.deps import Deps
from bot.services import schedule
from bot.services.calendar import Meeting
from bot.services.digest import Digest
from bot.services.reminders import ReminderBatch
from bot.services.schedule import BoardRule, Claim
from bot.services.text import mrkdwn_escape
from bot.services.wording import full_day
from bot.settings import Settings
from bot.usecases import board_paper
from models import Person

log = logging.getLogger("qib.scheduler")

LOOK_BACK = timedelta(days=40)
LOOK_AHEAD = timedelta(days=60)
# Errors a person must fix (the bot is not in the channel, or it is gone); retrying alone will not help.
NEEDS_A_PERSON = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "account_inactive",
    "missing_scope",
    "not_authed",
}
MARKER = "qib_digest"
ACTION_PLAN_MARKER = "qib_action_plan"
REMINDER_MARKER = "qib_reminder"
NUDGE_MARKER = "qib_nudge"


class Rendered(Protocol):
    """A message as the renderers build it (handlers.blocks.Reply): its payload and thread replies."""

    @property
    def thread_blocks(self) -> list[list[dict[str, Any]]]: ...

    def payload(self) -> dict[str, Any]: ...


class ReminderRenderer(Protocol):
    def __call__(self, batch: ReminderBatch, *, second: bool = ...) -> Rendered: ...


@dataclass(frozen=True)
class Renderers:
    """How the paper and the reminders look in Slack, given by the code that builds the scheduler
    (bot.scheduler binds handlers.digest.render's), so the tick itself knows no handler."""

    digest: Callable[[Digest], Rendered]
    reminder: ReminderRenderer


@dataclass
class TickReport:
    posted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class SchedulerBase:
    def __init__(
        self,
        deps: Deps,
        settings: Settings,
        client: WebClient,
        *,
        renderers: Renderers,
        worker: str | None = None,
    ) -> None:
        self.deps = deps
        self.settings = settings
        self.client = client
        self.renderers = renderers
        self.worker = worker or default_worker()

    def rule(self) -> BoardRule | None:
        return board_paper.board_rule(self.deps, self.settings)

    # ------------------------------------------------------------------ the paper, as data (bot.usecases)

    def upcoming(self, now: datetime, meeting_on: date | None = None) -> tuple[BoardRule, Meeting]:
        """The meeting a preview is for: the given date, or the next one after now."""
        return board_paper.upcoming(self.deps, self.settings, now, meeting_on)

    def preview(self, now: datetime, meeting_on: date | None = None) -> Digest:
        return board_paper.preview(self.deps, self.settings, now, meeting_on)

    def build(self, rule: BoardRule, meeting: Meeting, now: datetime) -> Digest:
        return board_paper.build(self.deps, rule, meeting, now)

    # ------------------------------------------------------------------ when Slack says no

    def _slack_failed(self, rule: BoardRule, claim: Claim, exc: SlackApiError, report: TickReport) -> None:
        error = str(exc.response.get("error", "error")) if exc.response is not None else "error"
        self._failed(rule, claim, error, report)

    def _failed(
        self, rule: BoardRule, claim: Claim, error: str, report: TickReport, *, advice: str | None = None
    ) -> None:
        log.warning("%s for the meeting on %s failed: %s", claim.kind.value, claim.meeting_on, error)
        report.problems.append(f"{claim.kind.value} {claim.meeting_on}: {error}")
        progress = dict(claim.progress or {})
        if error in NEEDS_A_PERSON and not progress.get("told"):
            why = advice or (
                f"Slack said `{error}`. Invite me to the board channel (`/invite @qib` in "
                f"{rule.channel or 'the channel'}) or fix the channel in the plan."
            )
            self._tell_chair_and_admins(
                f"I could not post the {claim.kind.value} for the board meeting on {full_day(claim.meeting_on)}: "
                f"{why} I will try again."
            )
            progress["told"] = True
        with self.deps.sessions.begin() as db:
            schedule.record_progress(db, claim.id, progress, error=error[:500])

    def _tell_chair_and_admins(self, text: str, *, chair_only: bool = False) -> None:
        with self.deps.sessions() as db:
            people = db.execute(
                select(Person.slack_user_id, Person.is_chair, Person.is_admin).where(
                    Person.plan_id == self.deps.plan_id()
                )
            ).all()
        ids = {
            p.slack_user_id
            for p in people
            if p.slack_user_id and (p.is_chair or (p.is_admin and not chair_only))
        }
        ids |= set() if chair_only else set(self.settings.admin_ids)
        for user in sorted(ids):
            try:
                self.client.chat_postMessage(channel=user, text=mrkdwn_escape(text))
            except SlackApiError as exc:
                log.warning("could not tell %s: %s", "a chair or admin", exc.response.get("error"))
