"""The paper in the board channel: posted once, its thread replies and charts after it, resumed where a
crash or a timeout left it (the claim row records each step)."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.scheduler.base import MARKER, SchedulerBase, TickReport
from bot.services import schedule
from bot.services.digest import Digest, DigestMeasure
from bot.services.digest_chart import (
    brag_alt_text,
    brag_chart_png,
    charted_measures,
    has_brag_chart,
    measure_alt_text,
    measure_chart_png,
)
from bot.services.schedule import BoardRule, Claim, DuePost
from bot.services.text import mrkdwn_escape

log = logging.getLogger("qib.scheduler")


class DigestPosting(SchedulerBase):
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
        reply = self.renderers.digest(digest)
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
