"""Taking a child's personal data out again: `/qib redact U-1234 <reason>`.

History is append-only, with one sanctioned exception: a redaction replaces every free-text field of
one update with a marker (`[redacted 2020-02-12 by Sam Carter: reason]`), replaces the text in every
frozen digest that carried it (recorded in the digest as "redacted on ..."), and queues an edit of
every Slack message the bot posted with it (the announcement, the owner's receipt, the digest and its
area replies). The edits are made by the caller and retried by the scheduler until done. The audit
event says who, when, why and the kinds of data found, never the text.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import actor_by_id
from bot.services.privacy import find_personal_data, screen
from bot.services.privacy_plan import plan_staff
from bot.services.redaction_refs import parse_reference, update_reference
from bot.services.text import mrkdwn_escape
from models import (
    AuditEvent,
    Milestone,
    Person,
    Plan,
    PostedMessage,
    ProgressUpdate,
    RedactionEdit,
    ScheduledPost,
)
from models.timezones import zone_or_default
from models.vocab import PostKind

MIN_FRAGMENT = 20  # a clipped copy of the text ("first words…") is found by a prefix this long
MAX_REASON_CHARS = 300
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Redacted:
    reference: str
    milestone_code: str
    marker: str
    kinds: list[str]
    edits: int
    digests: int


def record_posted(
    db: Session, *, plan_id: int, update_id: int, purpose: str, channel: str, ts: str, payload: dict[str, Any]
) -> None:
    """Remember a message that carries an update's text, as posted, so a redaction can edit it."""
    db.add(
        PostedMessage(
            plan_id=plan_id, update_id=update_id, purpose=purpose, channel=channel, ts=ts, payload=payload
        )
    )


def _update_to_redact(db: Session, plan_id: int, reference: str) -> ProgressUpdate:
    """The update a reference (U-1234) names in this plan, not yet redacted."""
    update_id = parse_reference(reference)
    if update_id is None:
        raise InvalidInput(
            f"“{reference[:20]}” is not an update reference: `/qib history CODE` shows them (U-1234).",
            field="reference",
        )
    row = db.get(ProgressUpdate, update_id)
    if row is None or row.plan_id != plan_id:
        raise NotFound(f"There is no update {update_reference(update_id)} in this plan.")
    if row.redacted_at is not None:
        raise InvalidInput(f"{update_reference(update_id)} was redacted already.", field="reference")
    return row


def _reason(reason: str) -> str:
    """Why it is being redacted, folded to one line: required, and short."""
    why = _SPACES.sub(" ", reason or "").strip()
    if not why:
        raise InvalidInput("Say why it is being redacted: `/qib redact U-1234 child's name in the note`.")
    if len(why) > MAX_REASON_CHARS:
        raise InvalidInput(f"Keep the reason under {MAX_REASON_CHARS} characters.", field="reason")
    return why


def _blank_fields(row: ProgressUpdate, marker: str) -> None:
    """Every free-text field that had text says the marker instead; a link goes and the note says why."""
    row.note = marker if row.note else None
    row.next_steps = marker if row.next_steps else None
    row.blockers = marker if row.blockers else None
    row.decision = marker if row.decision else None
    row.reopen_reason = marker if row.reopen_reason else None
    if row.evidence_url:  # a link is not free text: it goes, and the note says why
        row.evidence_url = None
        row.note = marker


def _scrub_posted(
    db: Session,
    plan_id: int,
    update_id: int,
    requested_by: str | None,
    originals: list[str],
    marker: str,
    now: datetime,
) -> int:
    """The update's own Slack messages scrubbed, each edit queued; how many edits."""
    edits = 0
    for posted in db.scalars(select(PostedMessage).where(PostedMessage.update_id == update_id)):
        payload = scrub(posted.payload, originals, marker)
        posted.payload = payload
        db.add(_edit(plan_id, update_id, requested_by, posted.channel, posted.ts, None, None, payload, now))
        edits += 1

    return edits


def _scrub_digests(
    db: Session,
    plan_id: int,
    update_id: int,
    requested_by: str | None,
    originals: list[str],
    marker: str,
    now: datetime,
    on: str,
    name: str,
) -> tuple[int, int]:
    """Frozen digests that quoted the update scrubbed, noted, and their messages' edits queued."""
    digests = edits = 0
    for post in db.scalars(
        select(ScheduledPost).where(
            ScheduledPost.plan_id == plan_id,
            ScheduledPost.kind == PostKind.DIGEST.value,
            ScheduledPost.content.is_not(None),
        )
    ):
        content = post.content or {}
        cleaned = scrub(content, originals, marker)
        if cleaned == content:
            continue
        digests += 1
        if isinstance(cleaned.get("digest"), dict):
            cleaned["digest"].setdefault("redactions", []).append(
                f"{update_reference(update_id)} redacted on {on} by {name}"
            )
        post.content = cleaned
        if post.channel and post.ts and cleaned.get("message") != content.get("message"):
            db.add(
                _edit(
                    plan_id,
                    update_id,
                    requested_by,
                    post.channel,
                    post.ts,
                    None,
                    None,
                    cleaned["message"],
                    now,
                )
            )
            edits += 1
        for before, after in zip(content.get("thread", []), cleaned.get("thread", []), strict=False):
            if before != after and post.channel and post.ts:
                db.add(
                    _edit(
                        plan_id,
                        update_id,
                        requested_by,
                        post.channel,
                        None,
                        post.ts,
                        str(after.get("text", ""))[:500],
                        after,
                        now,
                    )
                )
                edits += 1

    return digests, edits


def redact_update(
    *,
    db: Session,
    plan_id: int,
    reference: str,
    reason: str,
    actor_id: int | None,
    requested_by: str | None,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> Redacted:
    """Redact one update: admins and the privacy officer only. The caller owns the transaction."""
    actor = actor_by_id(db, plan_id, actor_id, extra_admin_slack_ids) if actor_id is not None else None
    person = db.get(Person, actor_id) if actor_id is not None else None
    if actor is None or person is None or not (actor.is_admin or person.is_privacy_officer):
        raise NotAllowed("Only a plan admin or the privacy officer can redact an update.")
    row = _update_to_redact(db, plan_id, reference)
    update_id = row.id
    why = _reason(reason)
    staff = plan_staff(db, plan_id)
    screen({"reason": why}, staff=staff, confirmed=True)  # the reason is kept: no hard identifier in it

    plan = db.get(Plan, plan_id)
    zone = zone_or_default(plan.timezone if plan else None)
    marker = f"[redacted {now.astimezone(zone):%Y-%m-%d} by {person.name}: {why}]"
    originals = [
        t
        for t in (row.note, row.next_steps, row.blockers, row.decision, row.reopen_reason, row.evidence_url)
        if t
    ]
    kinds = list(dict.fromkeys(f.kind for t in originals for f in find_personal_data(t, staff=staff)))
    _blank_fields(row, marker)
    row.redacted_at = now
    _scrub_update_audits(db, plan_id, update_id, originals, marker)

    edits = _scrub_posted(db, plan_id, update_id, requested_by, originals, marker, now)
    on = f"{now.astimezone(zone):%Y-%m-%d}"
    digests, digest_edits = _scrub_digests(
        db, plan_id, update_id, requested_by, originals, marker, now, on, person.name
    )
    edits += digest_edits

    milestone = db.get(Milestone, row.milestone_id)
    audit(
        db,
        plan_id=plan_id,
        at=now,
        actor_id=person.id,
        actor=person.name,
        action=AuditAction.REDACT,
        entity="progress_update",
        entity_code=milestone.code if milestone else None,
        after={
            "update": update_reference(update_id),
            "reason": why,
            "kinds": kinds,
            "slack_edits": edits,
            "digests": digests,
        },
    )
    db.flush()
    return Redacted(
        reference=update_reference(update_id),
        milestone_code=milestone.code if milestone else "",
        marker=marker,
        kinds=kinds,
        edits=edits,
        digests=digests,
    )


def _edit(
    plan_id: int,
    update_id: int,
    requested_by: str | None,
    channel: str,
    ts: str | None,
    thread_ts: str | None,
    find_text: str | None,
    payload: dict[str, Any],
    now: datetime,
) -> RedactionEdit:
    return RedactionEdit(
        plan_id=plan_id,
        update_id=update_id,
        requested_by=requested_by,
        channel=channel,
        ts=ts,
        thread_ts=thread_ts,
        find_text=find_text,
        payload=payload,
        attempts=0,
        created_at=now,
        reported=False,
    )


def _scrub_update_audits(
    db: Session, plan_id: int, update_id: int, originals: list[str], marker: str
) -> None:
    """The update's own audit event kept the reopen reason, and a correction or withdrawal of it kept
    its text: that is the update's text too."""
    for event in db.scalars(
        select(AuditEvent).where(
            AuditEvent.plan_id == plan_id,
            AuditEvent.action.in_(("update", "correct_update", "withdraw_update")),
        )
    ):
        after, before = event.after or {}, event.before or {}
        if event.action == "update" and after.get("update_id") == update_id and after.get("reopen_reason"):
            event.after = {**after, "reopen_reason": marker}
        elif event.action != "update" and before.get("update_id") == update_id:
            event.before = {k: (marker if v and k in _AUDITED_TEXTS else v) for k, v in before.items()}


_AUDITED_TEXTS = ("note", "next_steps", "blockers", "decision", "evidence_url")


# ---------------------------------------------------------------- replacing text wherever it was copied


def _variants(originals: list[str]) -> list[str]:
    """The text as stored, with whitespace folded (the digest's reasons), and escaped for mrkdwn."""
    out: set[str] = set()
    for text in originals:
        for v in (text, _SPACES.sub(" ", text).strip()):
            out.add(v)
            out.add(mrkdwn_escape(v))
    return sorted((v for v in out if v), key=len, reverse=True)


def _scrub_string(value: str, variants: list[str], marker: str) -> str:
    for v in variants:
        if v in value:
            value = value.replace(v, marker)
    # A clipped copy: a long enough prefix of the text, up to where the copy was cut ("…").
    for v in variants:
        if len(v) < MIN_FRAGMENT:
            continue
        start = value.find(v[:MIN_FRAGMENT])
        while start >= 0:
            end = start
            while end < len(value) and end - start < len(v) and value[end] == v[end - start]:
                end += 1
            if value[end : end + 1] == "…":
                end += 1
            value = value[:start] + marker + value[end:]
            start = value.find(v[:MIN_FRAGMENT], start + len(marker))
    return value


def scrub(data: Any, originals: list[str], marker: str) -> Any:
    """A copy of `data` (JSON) with every copy of the texts, whole or clipped, replaced by the marker."""
    variants = _variants(originals)
    escaped_marker = mrkdwn_escape(marker)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _scrub_string(node, variants, escaped_marker if "&amp;" in node else marker)
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return walk(copy.deepcopy(data))


# ---------------------------------------------------------------- the queue of Slack edits


def pending_edits(db: Session, plan_id: int) -> list[RedactionEdit]:
    return list(
        db.scalars(
            select(RedactionEdit)
            .where(RedactionEdit.plan_id == plan_id, RedactionEdit.done_at.is_(None))
            .order_by(RedactionEdit.id)
        )
    )


def finish_edit(db: Session, edit_id: int, *, now: datetime, error: str | None) -> None:
    values: dict[str, Any] = {"attempts": RedactionEdit.attempts + 1, "last_error": error}
    if error is None:
        values["done_at"] = now
    db.execute(update(RedactionEdit).where(RedactionEdit.id == edit_id).values(**values))


def unreported(db: Session, plan_id: int) -> dict[tuple[str, int], list[RedactionEdit]]:
    """Edits whose requester has not yet been told how they went, by (requester, update)."""
    out: dict[tuple[str, int], list[RedactionEdit]] = {}
    for edit in db.scalars(
        select(RedactionEdit).where(
            RedactionEdit.plan_id == plan_id,
            RedactionEdit.reported.is_(False),
            RedactionEdit.requested_by.is_not(None),
        )
    ):
        out.setdefault((edit.requested_by or "", edit.update_id), []).append(edit)
    return out


def mark_reported(db: Session, edit_ids: list[int]) -> None:
    db.execute(update(RedactionEdit).where(RedactionEdit.id.in_(edit_ids)).values(reported=True))
