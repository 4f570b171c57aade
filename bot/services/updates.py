"""Progress updates from owners: append-only, exactly once, checked for children's personal data.

`record_update` appends a ProgressUpdate (never overwriting one), moves the milestone's status and
percent, and audits the change. The caller owns the transaction (`with sessions.begin() as db:`).

Exactly once: an idempotency key (the modal's view id, a command's trigger id) already recorded
for the same request returns the original result with `duplicate=True`, both when it is seen up front
and when two requests race to insert it (the insert gives way on the unique key: ON CONFLICT DO
NOTHING, so the transaction goes on without a savepoint). The same request means the same key, author, milestone and content (a digest of them is
stored with the update): a key reused by anyone or anything else is a new update, stored under the
key with the digest appended, so no one is ever shown someone else's update as their own.
Nothing lost: the milestone row is locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite runs one
writer at a time, see models.db) before its previous status is read, so concurrent updates of one
milestone form one history in which each update's previous status is the one before it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NoChange, NotAllowed
from bot.services.ownership import DelegateChange, OwnerChange, reassign_owner, set_delegate
from bot.services.people import Actor, acting, can_reopen
from bot.services.privacy import Finding, check_update_fields, kinds_of, screen
from bot.services.privacy_plan import plan_staff
from bot.services.update_checks import (
    MAX_KEY_CHARS,
    MAX_TEXT_CHARS,
    MAX_URL_CHARS,
    TEXT_LABELS,
    lock_with_plan,
)
from bot.services.update_checks import check_key as _check_key
from bot.services.update_checks import check_now as _check_now
from bot.services.update_checks import check_percent as _check_percent
from bot.services.update_checks import check_source as _check_source
from bot.services.update_checks import check_status as _check_status
from bot.services.update_checks import check_url as _check_url
from bot.services.update_checks import clean_text as _clean_text
from bot.services.update_checks import not_yours as _not_yours
from bot.services.update_checks import owner_phrase as _owner_phrase
from bot.services.update_checks import zone as _zone
from bot.services.update_form import Choice, FormDefaults, form_defaults, latest_update, update_choices
from bot.services.update_results import UpdateResult, result_of, summarise
from bot.services.update_results import as_result as _result
from bot.services.update_rows import insert_giving_way as _insert
from bot.services.update_rows import scoped_key
from models import Milestone, Person, ProgressUpdate
from models.vocab import Status


@dataclass(frozen=True)
class UpdateRequest:
    """One progress update asked for: who, which milestone, what it says, and the request's key."""

    plan_id: int
    milestone_code: str
    author_id: int
    source: str
    idempotency_key: str
    now: datetime
    status: str | None = None
    percent: int | None = None
    note: str | None = None
    evidence_url: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    decision: str | None = None
    reopen_reason: str | None = None
    confirm_not_personal: bool = False
    override_reason: str | None = None
    extra_admin_slack_ids: frozenset[str] = frozenset()


@dataclass
class _Checked:
    """The request's fields as checked and cleaned, and what the update will set the milestone to."""

    key: str
    source: str
    status: Status | None
    percent: int | None
    texts: dict[str, str | None]
    url: str | None
    reason: str | None
    digest: str = ""
    after_status: str = ""
    after_percent: int = 0
    reopened: bool = False


def record_update(*, db: Session, **fields: Any) -> UpdateResult:
    """`record` with the request given as keywords (the fields of UpdateRequest)."""
    return record(db, UpdateRequest(**fields))


def record(db: Session, request: UpdateRequest) -> UpdateResult:
    """Record a progress update; a missing status or percent keeps the milestone's current one.

    Raises NotFound (no such milestone), NotAllowed (not the owner, their delegate or an admin; or a
    delegate reopening a complete milestone), InvalidInput with `field` set, and its subclasses
    PersonalDataRefused (a hard identifier: never saved) and PersonalDataSuspected (a soft one, unless
    `confirm_not_personal` is true and `override_reason` says why).
    """
    plan_id = request.plan_id
    checked = _check(request)
    milestone, plan = lock_with_plan(db, plan_id, request.milestone_code)
    checked.digest = request_digest(
        author_id=request.author_id,
        milestone_id=milestone.id,
        status=checked.status.value if checked.status is not None else None,
        percent=checked.percent,
        texts=checked.texts,
        evidence_url=checked.url,
        reopen_reason=checked.reason,
    )
    # Under the lock, a request racing with ours has either committed (and is seen here) or waits.
    earlier, key_free = _already_recorded(db, plan_id, checked.key, checked.digest)
    if earlier is not None:
        return _result(db, earlier, duplicate=True)

    today = request.now.astimezone(_zone(plan.timezone)).date()
    acting_as = acting(
        db,
        plan_id=plan_id,
        author_id=request.author_id,
        owner_id=milestone.owner_id,
        today=today,
        extra_admin_slack_ids=request.extra_admin_slack_ids,
        doing="update milestones",
    )
    if not acting_as.allowed:
        raise NotAllowed(_not_yours(milestone.code, acting_as.owner, acting_as.actor, today))
    _apply_rules(milestone, checked, acting_as.actor, acting_as.owner)
    if not checked.reopened:
        _refuse_no_change(
            db, milestone, checked.after_status, checked.after_percent, checked.texts, checked.url
        )
    findings, why = _screened(db, plan_id, checked, request, today)
    new_row = _new_row(request, milestone, checked, acting_as.author.id, key_free=key_free)
    row, duplicate = _insert(db, new_row, checked.key)
    if duplicate:
        return _result(db, row, duplicate=True)
    _move_milestone(db, milestone, row, checked, acting_as.author, request.now)
    if findings:
        _audit_override(db, row, acting_as.author, milestone.code, findings, why)
    db.flush()
    result = _result(db, row, duplicate=False)
    if findings:
        result = replace(result, override_kinds=tuple(kinds_of(findings)))
    return result


def _check(request: UpdateRequest) -> _Checked:
    """Each field checked on its own (before any database work): refused with the field named."""
    key = _check_key(request.idempotency_key)
    _check_now(request.now)
    return _Checked(
        key=key,
        source=_check_source(request.source),
        status=_check_status(request.status),
        percent=_check_percent(request.percent),
        texts={
            "note": _clean_text(request.note, "note"),
            "next_steps": _clean_text(request.next_steps, "next_steps"),
            "blockers": _clean_text(request.blockers, "blockers"),
            "decision": _clean_text(request.decision, "decision"),
        },
        url=_check_url(request.evidence_url),
        reason=_clean_text(request.reopen_reason, "reopen_reason"),
    )


def _apply_rules(milestone: Milestone, checked: _Checked, actor: Actor, owner: Person | None) -> None:
    """What the update sets the milestone to, under the rules: complete is 100% with its impact; a
    complete milestone is reopened by its owner or an admin, with a reason; at risk and off track say
    why and how they will recover."""
    code = milestone.code
    before_status, before_percent = milestone.status, milestone.percent
    after_status = checked.status.value if checked.status is not None else before_status
    was_complete, now_complete = before_status == Status.COMPLETE, after_status == Status.COMPLETE
    if now_complete and not was_complete and checked.percent == before_percent:
        # Choosing complete sets 100%: the percent the form showed, left as it was, is not a claim.
        checked.percent = 100
    after_percent = checked.percent if checked.percent is not None else before_percent
    if now_complete:
        _check_complete(code, checked, was_complete)
        after_percent = 100
    reopened = was_complete and not now_complete
    if reopened:
        if not can_reopen(actor, milestone.owner_id):
            raise NotAllowed(
                f"{code} is marked complete; only its owner{_owner_phrase(owner)} or an admin can reopen it."
            )
        if checked.reason is None:
            raise InvalidInput(
                f"{code} is marked complete. To reopen it, give the reason (for example, what the "
                "latest audit found).",
                field="reopen_reason",
            )
    if after_status in (Status.AT_RISK, Status.OFF_TRACK) and (checked.status is not None or reopened):
        _check_reasons(code, after_status, checked.texts)
    checked.after_status, checked.after_percent, checked.reopened = after_status, after_percent, reopened


def _check_complete(code: str, checked: _Checked, was_complete: bool) -> None:
    new_percent = checked.percent
    if new_percent is not None and new_percent != 100:
        if was_complete and checked.status is None:
            raise InvalidInput(
                f"{code} is complete, so it stays at 100%. To reopen it, choose its new status "
                "and say why it is being reopened.",
                field="percent",
            )
        raise InvalidInput(
            f"Complete means 100%, but the update says {new_percent}%. Choose 100%, or a status "
            "such as on track if there is work still to do.",
            field="percent",
        )
    if not was_complete and checked.texts["note"] is None and checked.url is None:
        raise InvalidInput(
            f"To mark {code} complete, add a note on its impact (what is better for children and "
            "families) or a link to the evidence.",
            field="note",
        )


def _screened(
    db: Session, plan_id: int, checked: _Checked, request: UpdateRequest, today: date
) -> tuple[list[tuple[str, Finding]], str | None]:
    """The personal-data screen: what it flagged (confirmed as not about a child) and why."""
    why = _clean_text(request.override_reason, "override_reason")
    fields = {**checked.texts, "evidence_url": checked.url, "reopen_reason": checked.reason}
    if not check_update_fields(fields, today=today):
        # The plan's staff only ever take findings away (bot.services.privacy), so text the screen finds
        # clean without them is clean with them: most updates need not read the plan's people.
        return [], why
    staff = plan_staff(db, plan_id)
    findings = screen(fields, staff=staff, today=today, confirmed=request.confirm_not_personal)
    if findings:
        # The reason is kept in the audit, so it must not carry a hard identifier either.
        screen({"override_reason": why}, staff=staff, today=today, confirmed=True)
        if why is None:
            raise InvalidInput(
                "You ticked the personal data box: say why the flagged text is not about a child "
                "(for example, a colleague's name or a place), so the privacy officer can see it.",
                field="override_reason",
            )
    return list(findings), why


def _new_row(
    request: UpdateRequest, milestone: Milestone, checked: _Checked, author_id: int, *, key_free: bool
) -> dict[str, Any]:
    key, digest = checked.key, checked.digest
    return {
        "plan_id": request.plan_id,
        "milestone_id": milestone.id,
        "author_id": author_id,
        "at": request.now,
        "status": checked.after_status,
        "percent": checked.after_percent,
        "previous_status": milestone.status,
        "previous_percent": milestone.percent,
        "note": checked.texts["note"],
        "evidence_url": checked.url,
        "next_steps": checked.texts["next_steps"],
        "blockers": checked.texts["blockers"],
        "decision": checked.texts["decision"],
        "reopen_reason": checked.reason if checked.reopened else None,
        "source": checked.source,
        "idempotency_key": key if key_free else scoped_key(key, digest),
        "request_digest": digest,
    }


def _move_milestone(
    db: Session, milestone: Milestone, row: ProgressUpdate, checked: _Checked, author: Person, now: datetime
) -> None:
    """The milestone takes the update's status and percent, audited."""
    before = {"status": milestone.status, "percent": milestone.percent}
    milestone.status = Status(checked.after_status)
    milestone.percent = checked.after_percent
    if milestone.last_update_at is None or milestone.last_update_at < now:
        milestone.last_update_at = now
    after: dict[str, object] = {
        "status": checked.after_status,
        "percent": checked.after_percent,
        "update_id": row.id,
    }
    if checked.reopened:
        after["reopen_reason"] = checked.reason
    audit(
        db,
        plan_id=row.plan_id,
        at=now,
        actor_id=author.id,
        actor=author.name,
        action=AuditAction.UPDATE,
        entity="milestone",
        entity_code=milestone.code,
        before=before,
        after=after,
    )


def _audit_override(
    db: Session,
    row: ProgressUpdate,
    author: Person,
    code: str,
    findings: list[tuple[str, Finding]],
    why: str | None,
) -> None:
    """What was overridden, never the text itself."""
    audit(
        db,
        plan_id=row.plan_id,
        at=row.at,
        actor_id=author.id,
        actor=author.name,
        action=AuditAction.PERSONAL_DATA_OVERRIDE,
        entity="progress_update",
        entity_code=code,
        before=None,
        after={
            "update_id": row.id,
            "fields": list(dict.fromkeys(f for f, _ in findings)),
            "kinds": kinds_of(findings),
            "reason": why,
        },
    )


def _check_reasons(code: str, status: str, texts: dict[str, str | None]) -> None:
    """At risk and off track tell the board why (the blockers, or the note) and what will recover it."""
    word = "at risk" if status == Status.AT_RISK else "off track"
    errors: dict[str, str] = {}
    if texts["blockers"] is None and texts["note"] is None:
        errors["blockers"] = f"Say why {code} is {word}: the board sees this reason beside the rating."
    if texts["next_steps"] is None:
        errors["next_steps"] = f"Give the recovery action: what will bring {code} back on track, and by when."
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidInput(message, field=field, also=errors)


def _refuse_no_change(
    db: Session,
    milestone: Milestone,
    status: str,
    percent: int,
    texts: dict[str, str | None],
    url: str | None,
) -> None:
    """An update that says exactly what the latest one said would only repeat it in history."""
    latest = latest_update(db, milestone.id)
    if latest is None:  # nothing said yet: an update must say something
        if (status, percent) == (milestone.status, milestone.percent) and not any((url, *texts.values())):
            raise NoChange(
                f"No change: {milestone.code} is already {status}, {percent}%. Say what has changed.",
                field="note",
            )
        return
    said = {name: getattr(latest, name) for name in texts}
    if (latest.status, latest.percent, latest.evidence_url, said) == (status, percent, url, texts):
        raise NoChange(
            f"No change: this is what the latest update of {milestone.code} already says. Change the status, "
            "the percent or the note, or cancel.",
            field="note",
        )


def request_digest(
    *,
    author_id: int,
    milestone_id: int,
    status: str | None,
    percent: int | None,
    texts: dict[str, str | None],
    evidence_url: str | None,
    reopen_reason: str | None,
) -> str:
    """What makes a request the same request: who, which milestone, and what they asked for (as checked
    and cleaned, so a replay digests the same whatever whitespace or control characters it carried)."""
    parts = [
        author_id,
        milestone_id,
        status,
        percent,
        texts.get("note"),
        texts.get("next_steps"),
        texts.get("blockers"),
        evidence_url,
        reopen_reason,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _already_recorded(db: Session, plan_id: int, key: str, digest: str) -> tuple[ProgressUpdate | None, bool]:
    """The update this very request (same key and digest) already recorded, if any; and whether the key
    is still free (a different request may have used it). One statement, made under the lock."""
    rows = db.scalars(
        select(ProgressUpdate).where(
            ProgressUpdate.plan_id == plan_id,
            ProgressUpdate.idempotency_key.in_([key, scoped_key(key, digest)]),
        )
    ).all()
    earlier = next((r for r in rows if r.request_digest == digest), None)
    return earlier, all(r.idempotency_key != key for r in rows)


check_reasons = _check_reasons

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_URL_CHARS",
    "TEXT_LABELS",
    "Choice",
    "DelegateChange",
    "FormDefaults",
    "OwnerChange",
    "UpdateRequest",
    "UpdateResult",
    "record",
    "check_reasons",
    "result_of",
    "form_defaults",
    "latest_update",
    "reassign_owner",
    "record_update",
    "request_digest",
    "scoped_key",
    "set_delegate",
    "summarise",
    "update_choices",
]
