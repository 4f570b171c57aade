"""The tick: every minute, post what is due (owner reminders, then the digest), each exactly once.

State lives in the database (the claim rows), never in memory, so restarts, crashes and several
replicas still give one digest per meeting: late rather than never, and never twice.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot import metrics
from bot.channels import ChannelNotVisible
from bot.deps import Deps, post_times
from bot.redaction_runner import apply_redaction_edits
from bot.services import schedule
from bot.services.calendar import Meeting, Schedule, schedule_for
from bot.services.digest import DatedEvent, Digest, DigestMeasure, build_digest
from bot.services.digest_chart import (
    brag_alt_text,
    brag_chart_png,
    charted_measures,
    has_brag_chart,
    measure_alt_text,
    measure_chart_png,
)
from bot.services.errors import NotFound
from bot.services.inspection import ActionPlan, outstanding_action_plan
from bot.services.reminders import ReminderBatch, reminder_batches
from bot.services.schedule import BoardRule, Claim, DuePost
from bot.services.text import mrkdwn_escape
from bot.services.wording import full_day
from bot.settings import Settings
from handlers.digest.render import digest_message, reminder_message
from models import Person, Plan
from models.vocab import PostKind

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


def awaiting_text(batches: list[ReminderBatch], meeting_on: date) -> str:
    """The chair's list, on the digest's eve: each milestone still without an update, and its owner."""
    owners: dict[str, str] = {}
    for batch in batches:
        for item in batch.items:
            if item.covered_for is None:
                owners[item.row.code] = item.row.owner_name or batch.person.name
    if not owners:
        return f"Every owner has answered their reminder for the board on {full_day(meeting_on)}."
    lines = [f"{code}: {name}" for code, name in sorted(owners.items())]
    return f"Awaiting an update ({len(owners)}) before the board on {full_day(meeting_on)}:\n" + "\n".join(
        lines
    )


@dataclass
class TickReport:
    posted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def action_plan_reminder_text(owed: ActionPlan) -> str:
    return (
        f":memo: The written action plan for Ofsted is due on {full_day(owed.due)}, "
        f"{owed.working_days_left} working days from today (70 working days after the report was "
        "published). When it has been sent, record the date as `action_plan_sent:` in the plan file."
    )


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


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Scheduler:
    def __init__(
        self, deps: Deps, settings: Settings, client: WebClient, *, worker: str | None = None
    ) -> None:
        self.deps = deps
        self.settings = settings
        self.client = client
        self.worker = worker or default_worker()

    # ------------------------------------------------------------------ the tick

    def rule(self) -> BoardRule | None:
        with self.deps.sessions() as db:
            return schedule.board_rule(
                db, self.deps.plan_id(), posts=post_times(self.settings), channel=self.settings.board_channel
            )

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
            one = Scheduler(self.deps.for_plan(plan_id), settings, self.client, worker=self.worker)
            try:
                part = one._tick(now)
            except Exception as exc:  # the next plan's posts must still go out; the next tick retries
                from bot.app import log_unexpected

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
            if noted:
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

    # ------------------------------------------------------------------ the digest

    def upcoming(self, now: datetime, meeting_on: date | None = None) -> tuple[BoardRule, Meeting]:
        """The meeting a preview is for: the given date, or the next one after now."""
        rule = self.rule()
        if rule is None:
            raise NotFound("The plan has no board, so there is no digest.")
        local = now.astimezone(ZoneInfo(rule.tz)).date()
        if meeting_on is not None:
            found = [m for m in rule.meetings(meeting_on, meeting_on)]
            if not found:
                raise NotFound(f"There is no board meeting on {full_day(meeting_on)}.")
            return rule, found[0]
        ahead = [m for m in rule.meetings(local, local + timedelta(days=400)) if m.starts_at > now]
        if not ahead:
            raise NotFound("No board meeting is scheduled in the next year.")
        return rule, ahead[0]

    def preview(self, now: datetime, meeting_on: date | None = None) -> Digest:
        rule, meeting = self.upcoming(now, meeting_on)
        return self.build(rule, meeting, now)

    def build(self, rule: BoardRule, meeting: Meeting, now: datetime) -> Digest:
        local_today = now.astimezone(ZoneInfo(rule.tz)).date()
        this = self._schedule(rule, meeting)
        later = [m for m in rule.meetings(meeting.on + timedelta(days=1), meeting.on + timedelta(days=400))]
        dates: list[DatedEvent] = []
        next_on = None
        if later:
            following = later[0]
            next_on = following.on
            when = self._schedule(rule, following)
            dates = [
                DatedEvent(on=when.reminder_day, what="Owner reminders for the next board"),
                DatedEvent(on=when.digest_day, what="Digest for the next board"),
                DatedEvent(on=following.on, what=f"Board meeting, {following.local_start:%H:%M}"),
            ]
        with self.deps.sessions() as db:
            return build_digest(
                db=db,
                plan_id=self.deps.plan_id(),
                meeting_on=meeting.on,
                meeting_local=f"{full_day(meeting.local_start.date())}, {meeting.local_start:%H:%M}",
                now=now,
                today=local_today,
                bank_holiday=meeting.on_bank_holiday,
                reminders_at=this.reminder_at if this.reminder_at <= now else None,
                next_meeting=next_on,
                dates_ahead=dates,
            )

    @staticmethod
    def _schedule(rule: BoardRule, meeting: Meeting) -> Schedule:
        return schedule_for(
            meeting,
            digest_working_days=rule.timing.digest_working_days,
            reminder_working_days=rule.timing.reminder_working_days,
            post_time=rule.timing.post_time,
            tz=rule.tz,
        )

    def _digest(
        self, rule: BoardRule, post: DuePost, claim: Claim, now: datetime, report: TickReport
    ) -> None:
        if not rule.channel:
            self._tell_chair_and_admins(
                "The digest could not be posted: the plan has no board channel. Set "
                "`channel` in the plan file (or BOARD_CHANNEL) to the channel's id."
            )
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, claim.progress or {}, error="no board channel")
            report.problems.append("no board channel")
            return
        # Slack answers with ids and conversations.history takes only ids: a channel name is resolved.
        channel = self.deps.channel_ids.resolve(self.client, rule.channel)
        progress: dict[str, Any] = dict(claim.progress or {})
        if "digest" in progress:  # a retry: post exactly what was built the first time
            digest = Digest.model_validate(progress["digest"])
        else:
            digest = self.build(rule, post.meeting, now)
        reply = digest_message(digest)
        metadata = {
            "event_type": MARKER,
            "event_payload": {"plan_id": self.deps.plan_id(), "meeting_on": post.meeting.on.isoformat()},
        }
        ts = progress.get("ts")
        if ts is None and claim.attempt > 1:
            ts = self._already_posted(channel, post)
        if ts is None:
            answer = self.client.chat_postMessage(
                channel=channel,
                **reply.payload(),
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
            ts = answer["ts"]
            progress.update(
                digest=digest.model_dump(mode="json"),
                ts=ts,
                channel=answer.get("channel", channel),
                message=reply.payload(),
                thread=[],
            )
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        progress.setdefault("digest", digest.model_dump(mode="json"))
        progress.setdefault("message", reply.payload())
        progress.setdefault("thread", [])
        landed: set[str] = set()
        if claim.attempt > 1 and len(progress["thread"]) < len(reply.thread_blocks):
            # A crash or a timeout may have come after Slack took a reply but before it was recorded.
            landed = self._replies_in_thread(progress.get("channel", channel), ts)
        for i, blocks in enumerate(reply.thread_blocks):
            if i < len(progress["thread"]):
                continue  # posted before a crash
            area = digest.areas[i]
            payload: dict[str, Any] = {"text": mrkdwn_escape(f"{area.code} {area.title}"), "blocks": blocks}
            if payload["text"] not in landed:
                self.client.chat_postMessage(channel=channel, thread_ts=ts, **payload)
            progress["thread"].append(payload)
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        if has_brag_chart(digest) and not progress.get("chart"):
            self._upload_chart(digest, progress.get("channel", rule.channel), ts)
            progress["chart"] = True
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        for m in charted_measures(digest):
            if m.code in progress.setdefault("measure_charts", []):
                continue  # uploaded before a crash
            self._upload_measure_chart(m, digest, progress.get("channel", rule.channel), ts)
            progress["measure_charts"].append(m.code)
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        with self.deps.sessions.begin() as db:
            schedule.record_posted(
                db, claim.id, now=now, channel=progress.get("channel", channel), ts=ts, content=progress
            )
        late = " (late)" if claim.late else ""
        log.info("digest for the meeting on %s posted%s", post.meeting.on, late)
        report.posted.append(f"digest {post.meeting.on}{late}")

    def _upload_chart(self, digest: Digest, channel: str, ts: str) -> None:
        """The BRAG-over-time chart as a PNG in the digest's thread, drawn from the digest itself."""
        try:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                content=brag_chart_png(digest),
                filename=f"brag-{digest.meeting_on.isoformat()}.png",
                title="Milestones by rating at each board meeting",
                alt_txt=brag_alt_text(digest)[:1000],
            )
        except SlackApiError as exc:  # the paper is posted; a missing chart must not repost it
            log.warning("the BRAG chart could not be uploaded: %s", exc.response.get("error"))

    def _upload_measure_chart(self, m: DigestMeasure, digest: Digest, channel: str, ts: str) -> None:
        """A measure's trend chart as a PNG in the digest's thread, from the series frozen with it."""
        try:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=ts,
                content=measure_chart_png(m),
                filename=f"{re.sub(r'[^a-z0-9-]', '', m.code.lower())}-{digest.meeting_on.isoformat()}.png",
                title=f"{m.code} {m.title}"[:250],
                alt_txt=measure_alt_text(m)[:1000],
            )
        except SlackApiError as exc:  # the paper is posted; a missing chart must not repost it
            log.warning("a measure's chart could not be uploaded: %s", exc.response.get("error"))

    def _already_posted(self, channel: str, post: DuePost) -> str | None:
        """After a crash between posting and recording: look for our own digest in the channel."""
        oldest = (post.due_at - timedelta(days=1)).timestamp()
        answer = self.client.conversations_history(
            channel=channel, oldest=f"{oldest:.6f}", limit=200, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = answer.get("messages", [])
        for message in messages:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if (
                meta.get("event_type") == MARKER
                and payload.get("meeting_on") == post.meeting.on.isoformat()
                and payload.get("plan_id") == self.deps.plan_id()
            ):
                log.info("digest for %s was already in the channel; not posting it again", post.meeting.on)
                return str(message["ts"])
        return None

    def _replies_in_thread(self, channel: str, ts: str) -> set[str]:
        """The texts of the bot's replies already in the digest's thread."""
        answer = self.client.conversations_replies(channel=channel, ts=ts, limit=200)
        messages: list[dict[str, Any]] = answer.get("messages", [])
        return {str(m.get("text", "")) for m in messages if m.get("ts") != ts and m.get("bot_id")}

    # ------------------------------------------------------------------ reminders

    def _reminders(
        self,
        rule: BoardRule,
        post: DuePost,
        claim: Claim,
        now: datetime,
        report: TickReport,
        *,
        second: bool = False,
    ) -> None:
        """The owners' reminders; `second`, the nudge a working day before the digest to those still
        silent since the first (and the chair's list of who has not answered)."""

        progress: dict[str, Any] = dict(claim.progress or {})
        sent: list[str] = progress.setdefault("sent", [])
        when = schedule_for(
            post.meeting,
            digest_working_days=rule.timing.digest_working_days,
            reminder_working_days=rule.timing.reminder_working_days,
            post_time=rule.timing.post_time,
            tz=rule.tz,
        )
        local_today = now.astimezone(ZoneInfo(rule.tz)).date()
        with self.deps.sessions() as db:
            batches = reminder_batches(
                db=db,
                plan_id=self.deps.plan_id(),
                meeting_on=post.meeting.on,
                digest_on=when.digest_day,
                today=local_today,
                updated_since=when.reminder_day
                if second
                else local_today - timedelta(days=self.settings.reminder_window_days),
            )
        marker = {
            "event_type": NUDGE_MARKER if second else REMINDER_MARKER,
            "event_payload": {"plan_id": self.deps.plan_id(), "meeting_on": post.meeting.on.isoformat()},
        }
        for batch in batches:
            if batch.person.key in sent or not batch.person.slack_user_id:
                continue
            if progress.get("sending") == batch.person.key and self._reminded(
                batch.person.slack_user_id, post, marker
            ):
                log.info(
                    "a reminder sent before a crash or timeout had reached its owner; not sending it again"
                )
                sent.append(batch.person.key)
                continue
            progress["sending"] = batch.person.key  # should this post's answer be lost, a retry checks
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
            try:
                self.client.chat_postMessage(
                    channel=batch.person.slack_user_id,
                    **reminder_message(batch, second=second).payload(),
                    metadata=marker,
                )
            except SlackApiError as exc:
                error = str(exc.response.get("error", "error")) if exc.response is not None else "error"
                if error not in NEEDS_A_PERSON:
                    raise  # Slack is struggling: the claim goes stale and a later tick resumes
                log.warning("could not remind one person (%s); carrying on with the others", error)
                progress.setdefault("unreachable", []).append(batch.person.key)
            sent.append(batch.person.key)
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        if second and not progress.get("chair_told"):
            self._tell_chair_and_admins(awaiting_text(batches, post.meeting.on), chair_only=True)
            progress["chair_told"] = True
        # The date the meeting is actually on: a meeting moved off a bank holiday needs no warning.
        if not second and post.meeting.on_bank_holiday and not progress.get("flagged"):
            self._tell_chair_and_admins(
                f":warning: The board meeting on {full_day(post.meeting.on)} falls on a bank holiday. "
                f"Move it with `/qib meeting move {post.meeting.on.isoformat()} YYYY-MM-DD`, or cancel it.",
                chair_only=True,
            )
            progress["flagged"] = True
        with self.deps.sessions.begin() as db:
            schedule.record_posted(db, claim.id, now=now, channel=None, ts=None, content=progress)
        what = "nudges" if second else "reminders"
        log.info("%s for the meeting on %s sent to %d people", what, post.meeting.on, len(sent))
        report.posted.append(f"{what} {post.meeting.on} ({len(sent)})")

    def _reminded(self, user_id: str, post: DuePost, marker: dict[str, Any]) -> bool:
        """Is this meeting's reminder already in the owner's DM with the bot?"""
        dm = self.client.conversations_open(users=user_id)["channel"]["id"]
        oldest = (post.due_at - timedelta(days=1)).timestamp()
        answer = self.client.conversations_history(
            channel=dm, oldest=f"{oldest:.6f}", limit=200, include_all_metadata=True
        )
        messages: list[dict[str, Any]] = answer.get("messages", [])
        return any(
            (m.get("metadata") or {}).get("event_type") == marker["event_type"]
            and (m.get("metadata") or {}).get("event_payload") == marker["event_payload"]
            for m in messages
        )

    # ------------------------------------------------------------------ Ofsted's action-plan deadline

    def _action_plan_reminder(self, now: datetime, report: TickReport) -> None:
        """Once, 10 working days before the action plan is due (at the plan's digest time), DM the chair."""
        plan_id = self.deps.plan_id()
        with self.deps.sessions() as db:
            plan = db.get(Plan, plan_id)
            if plan is None:
                return
            zone = ZoneInfo(plan.timezone)
            post_time = post_times(self.settings).digest_time or plan.digest_time
            owed = outstanding_action_plan(db=db, plan_id=plan_id, today=now.astimezone(zone).date())
        if owed is None or owed.today > owed.due:
            return  # none owed, already sent, or too late for a reminder to help
        due_at = datetime.combine(owed.remind_on, post_time, tzinfo=zone).astimezone(UTC)
        if now < due_at:
            return
        with self.deps.sessions.begin() as db:
            claim = schedule.claim_on(
                db,
                plan_id,
                on=owed.due,
                kind=PostKind.ACTION_PLAN,
                due_at=due_at,
                late=now - due_at > schedule.LATE_AFTER,
                now=now,
                worker=self.worker,
            )
        if claim is None:
            return
        progress: dict[str, Any] = dict(claim.progress or {})
        sent: list[str] = progress.setdefault("sent", [])
        marker = {
            "event_type": ACTION_PLAN_MARKER,
            "event_payload": {"plan_id": plan_id, "due": owed.due.isoformat()},
        }
        text = action_plan_reminder_text(owed)
        with self.deps.sessions() as db:
            chairs = db.scalars(
                select(Person.slack_user_id).where(
                    Person.plan_id == plan_id, Person.is_chair.is_(True), Person.slack_user_id.is_not(None)
                )
            ).all()
        for user in sorted(c for c in chairs if c):
            if user in sent:
                continue
            if progress.get("sending") == user and self._dm_has(user, due_at, marker):
                sent.append(user)
                continue
            progress["sending"] = user
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
            self.client.chat_postMessage(channel=user, text=mrkdwn_escape(text), metadata=marker)
            sent.append(user)
            with self.deps.sessions.begin() as db:
                schedule.record_progress(db, claim.id, progress)
        with self.deps.sessions.begin() as db:
            schedule.record_posted(db, claim.id, now=now, channel=None, ts=None, content=progress)
        log.info("action-plan reminder sent to %d chair(s)", len(sent))
        report.posted.append(f"action plan reminder {owed.due} ({len(sent)})")

    def _dm_has(self, user_id: str, since: datetime, marker: dict[str, Any]) -> bool:
        dm = self.client.conversations_open(users=user_id)["channel"]["id"]
        answer = self.client.conversations_history(
            channel=dm,
            oldest=f"{(since - timedelta(days=1)).timestamp():.6f}",
            limit=200,
            include_all_metadata=True,
        )
        messages: list[dict[str, Any]] = answer.get("messages", [])
        return any((m.get("metadata") or {}) == marker for m in messages)

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

    # ------------------------------------------------------------------ running

    def run_forever(self, stop: threading.Event, *, every: float = 60.0) -> None:
        """Tick until stopped; a failing tick is logged and the next one tries again."""
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # the loop must survive anything; the next tick retries
                from bot.app import log_unexpected

                log_unexpected(log, "scheduler tick failed", exc)
            stop.wait(every)


def start_in_background(scheduler: Scheduler, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,), name="qib-scheduler", daemon=True)
    thread.start()
    return thread
