"""The owners' reminders, the nudge to those still silent, the chair's list, and Ofsted's action-plan
deadline: direct messages, each person once, resumed where a crash left off."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.deps import post_times
from bot.scheduler.base import (
    ACTION_PLAN_MARKER,
    NEEDS_A_PERSON,
    NUDGE_MARKER,
    REMINDER_MARKER,
    SchedulerBase,
    TickReport,
)
from bot.services import schedule
from bot.services.inspection import ActionPlan, outstanding_action_plan
from bot.services.reminders import ReminderBatch, reminder_batches
from bot.services.schedule import BoardRule, Claim, DuePost
from bot.services.text import mrkdwn_escape
from bot.services.wording import full_day
from bot.usecases.board_paper import meeting_schedule
from models import Person, Plan
from models.codes import code_order
from models.vocab import PostKind

log = logging.getLogger("qib.scheduler")


def awaiting_text(batches: list[ReminderBatch], meeting_on: date) -> str:
    """The chair's list, on the digest's eve: each milestone still without an update, and its owner."""
    owners: dict[str, str] = {}
    reminded = {i.row.code for b in batches if b.person.slack_user_id for i in b.items}  # owner or delegate
    for batch in batches:
        for item in batch.items:
            if item.covered_for is None:
                owners[item.row.code] = (item.row.owner_name or batch.person.name) + (
                    "" if item.row.code in reminded else " (no Slack id in the plan: not reminded)"
                )
    if not owners:
        return f"Every owner has answered their reminder for the board on {full_day(meeting_on)}."
    lines = [f"{code}: {name}" for code, name in sorted(owners.items(), key=lambda kv: code_order(kv[0]))]
    return f"Awaiting an update ({len(owners)}) before the board on {full_day(meeting_on)}:\n" + "\n".join(
        lines
    )


def action_plan_reminder_text(owed: ActionPlan) -> str:
    return (
        f":memo: The written action plan for Ofsted is due on {full_day(owed.due)}, "
        f"{owed.working_days_left} working days from today (70 working days after the report was "
        "published). When it has been sent, record the date as `action_plan_sent:` in the plan file."
    )


class Reminding(SchedulerBase):
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
        when = meeting_schedule(rule, post.meeting)
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
                    **self.renderers.reminder(batch, second=second).payload(),
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
