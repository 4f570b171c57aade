"""The tick: every minute, post what is due (owner reminders, then the digest), each exactly once.

State lives in the database (the claim rows), never in memory, so restarts, crashes and several
replicas still give one digest per meeting: late rather than never, and never twice.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot import metrics
from bot.channels import ChannelNotVisible
from bot.logs import log_unexpected
from bot.redaction_runner import apply_redaction_edits
from bot.scheduler.base import LOOK_AHEAD, LOOK_BACK, TickReport
from bot.scheduler.digest_post import DigestPosting
from bot.scheduler.reminders import Reminding
from bot.services import schedule
from models.vocab import PostKind

log = logging.getLogger("qib.scheduler")


def retry_redaction_edits(client: Any, deps: Any, now: datetime, report: TickReport) -> None:
    """Slack edits a redaction could not make yet (bot.redaction_runner), tried again every tick."""
    try:
        edited, pending = apply_redaction_edits(client, deps.sessions, deps.plan_id(), now)
    except Exception as exc:  # the digest and reminders must still go out
        log.warning("redaction edits could not be retried: %s", type(exc).__name__)
        return
    metrics.PENDING_EDITS.set(pending)
    if edited:
        report.posted.append(f"{edited} redaction edit(s)")
    if pending:
        report.problems.append(f"{pending} redaction edit(s) still pending")


class BoardScheduler(DigestPosting, Reminding):
    """The tick, with the renderers it is given (see Renderers)."""

    def tick(self, now: datetime | None = None) -> TickReport:
        try:
            report = self._tick_each_plan(now or self.deps.clock())
        except Exception:
            metrics.TICKS.labels("failed").inc()
            raise
        metrics.TICKS.labels("problems" if report.problems else "ok").inc()
        metrics.LAST_TICK.set_to_current_time()
        return report

    def _tick_each_plan(self, now: datetime) -> TickReport:
        """One plan served (QIB_PLAN, or the only one): its tick. Several: each plan's tick in turn, with
        its own board rule, calendar and channel; one plan's failure does not stop the others'."""
        plan_ids = self.deps.plan_ids()
        if len(plan_ids) == 1:
            return self._tick(now)
        # BOARD_CHANNEL overrides one plan's channel; it cannot be every plan's channel at once.
        settings = self.settings.model_copy(update={"board_channel": None})
        report = TickReport()
        for plan_id in plan_ids:
            one = BoardScheduler(
                self.deps.for_plan(plan_id),
                settings,
                self.client,
                renderers=self.renderers,
                worker=self.worker,
            )
            try:
                part = one._tick(now)
            except Exception as exc:  # the next plan's posts must still go out; the next tick retries
                log_unexpected(log, f"scheduler tick failed for plan {plan_id}", exc)
                report.problems.append(f"plan {plan_id}: {type(exc).__name__}")
                continue
            report.posted += part.posted
            report.skipped += part.skipped
            report.problems += part.problems
        return report

    def _tick(self, now: datetime) -> TickReport:
        report = TickReport()
        try:
            self._action_plan_reminder(now, report)
        except SlackApiError as exc:  # the claim goes stale and a later tick resumes it
            error = str(exc.response.get("error", "error")) if exc.response is not None else "error"
            log.warning("the action-plan reminder failed: %s", error)
            report.problems.append(f"action plan reminder: {error}")
        retry_redaction_edits(self.client, self.deps, now, report)
        rule = self.rule()
        if rule is None:
            return report
        local = now.astimezone(ZoneInfo(rule.tz)).date()
        meetings = rule.meetings(local - LOOK_BACK, local + LOOK_AHEAD)
        plan_id = self.deps.plan_id()
        for missed in schedule.missed_posts(meetings, rule.timing, now=now):
            if missed.due_at < now - LOOK_BACK:
                continue
            with self.deps.sessions.begin() as db:
                noted = schedule.record_skip(db, plan_id, missed, now=now, worker=self.worker)
            if noted and rule.before_the_plan(missed.meeting.on, missed.due_at):
                log.info("no digest for the meeting on %s: it came before the plan", missed.meeting.on)
            elif noted:
                log.warning(
                    "digest for the meeting on %s was not posted: the meeting started before the bot "
                    "could post it (was the bot down?)",
                    missed.meeting.on,
                )
                report.skipped.append(f"digest {missed.meeting.on}")
                metrics.SCHEDULED.labels(missed.kind.value, "skipped").inc()
        for post in schedule.due_posts(meetings, rule.timing, now=now):
            with self.deps.sessions.begin() as db:
                claim = schedule.claim(db, plan_id, post, now=now, worker=self.worker)
            if claim is None:
                continue
            metrics.SCHEDULED.labels(post.kind.value, "due").inc()
            problems = len(report.problems)
            try:
                if post.kind is PostKind.DIGEST:
                    self._digest(rule, post, claim, now, report)
                elif post.kind is PostKind.NUDGE:
                    self._reminders(rule, post, claim, now, report, second=True)
                else:
                    self._reminders(rule, post, claim, now, report)
            except SlackApiError as exc:
                self._slack_failed(rule, claim, exc, report)
            except ChannelNotVisible as exc:
                self._failed(rule, claim, "channel_not_found", report, advice=exc.advice)
            failed = len(report.problems) > problems
            metrics.SCHEDULED.labels(post.kind.value, "failed" if failed else "posted").inc()
        return report

    # ------------------------------------------------------------------ running

    def run_forever(self, stop: threading.Event, *, every: float = 60.0) -> None:
        """Tick until stopped; a failing tick is logged and the next one tries again."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # the loop must survive anything; the next tick retries
                log_unexpected(log, "scheduler tick failed", exc)
            stop.wait(every)


def start_in_background(scheduler: BoardScheduler, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,), name="qib-scheduler", daemon=True)
    thread.start()
    return thread
