"""Progress updates from owners: append-only, exactly once, checked for children's personal data.

`record_update` appends a ProgressUpdate (never overwriting one), moves the milestone's status and
percent, and audits the change. The caller owns the transaction (`with sessions.begin() as db:`).

Exactly once: an idempotency key (the modal's view id, a command's trigger id) already recorded
for the same request returns the original result with `duplicate=True`, both when it is seen up front
and when two requests race to insert it (the unique constraint fails inside a SAVEPOINT, which is
rolled back). The same request means the same key, author, milestone and content (a digest of them is
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

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.errors import InvalidInput, NoChange, NotAllowed, NotFound
from bot.services.ownership import DelegateChange, OwnerChange, reassign_owner, set_delegate
from bot.services.people import acting, can_reopen
from bot.services.privacy import kinds_of, screen
from bot.services.privacy_plan import plan_staff
from bot.services.status import Health, health
from bot.services.update_checks import MAX_KEY_CHARS, MAX_TEXT_CHARS, MAX_URL_CHARS, TEXT_LABELS
from bot.services.update_checks import check_key as _check_key
from bot.services.update_checks import check_now as _check_now
from bot.services.update_checks import check_percent as _check_percent
from bot.services.update_checks import check_source as _check_source
from bot.services.update_checks import check_status as _check_status
from bot.services.update_checks import check_url as _check_url
from bot.services.update_checks import clean_text as _clean_text
from bot.services.update_checks import find_milestone_id as _milestone_id
from bot.services.update_checks import lock as _lock
from bot.services.update_checks import lock_milestone as _lock_milestone
from bot.services.update_checks import not_yours as _not_yours
from bot.services.update_checks import owner_phrase as _owner_phrase
from bot.services.update_checks import zone as _zone
from bot.services.update_form import Choice, FormDefaults, form_defaults, latest_update, update_choices
from models import AuditEvent, Milestone, Person, Plan, ProgressUpdate
from models.vocab import Status


@dataclass(frozen=True)
class UpdateResult:
    """One recorded update, as the handler needs it to reply and (if `announce`) to tell the channel."""

    update_id: int
    milestone_code: str
    milestone_title: str
    area_code: str
    area_title: str
    before_status: str | None
    before_percent: int | None
    after_status: str
    after_percent: int
    summary: str
    duplicate: bool
    announce: bool
    reopened: bool
    health: Health
    due: date | None
    at: datetime
    author_name: str | None
    owner_name: str | None
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    # The kinds of soft identifier the author confirmed were not about a child (empty for most updates).
    override_kinds: tuple[str, ...] = ()


def record_update(
    *,
    db: Session,
    plan_id: int,
    milestone_code: str,
    author_id: int,
    status: str | None,
    percent: int | None,
    note: str | None,
    evidence_url: str | None,
    next_steps: str | None,
    blockers: str | None,
    source: str,
    idempotency_key: str,
    now: datetime,
    confirm_not_personal: bool = False,
    reopen_reason: str | None = None,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
    override_reason: str | None = None,
    decision: str | None = None,
) -> UpdateResult:
    """Record a progress update; a missing status or percent keeps the milestone's current one.

    Raises NotFound (no such milestone), NotAllowed (not the owner, their delegate or an admin; or a
    delegate reopening a complete milestone), InvalidInput with `field` set, and its subclasses
    PersonalDataRefused (a hard identifier: never saved) and PersonalDataSuspected (a soft one, unless
    `confirm_not_personal` is true and `override_reason` says why).
    """
    key = _check_key(idempotency_key)
    _check_now(now)
    source_value = _check_source(source)

    new_status = _check_status(status)
    new_percent = _check_percent(percent)
    texts = {
        "note": _clean_text(note, "note"),
        "next_steps": _clean_text(next_steps, "next_steps"),
        "blockers": _clean_text(blockers, "blockers"),
        "decision": _clean_text(decision, "decision"),
    }
    url = _check_url(evidence_url)
    reason = _clean_text(reopen_reason, "reopen_reason")

    milestone_id = _milestone_id(db, plan_id, milestone_code)
    digest = request_digest(
        author_id=author_id,
        milestone_id=milestone_id,
        status=new_status.value if new_status is not None else None,
        percent=new_percent,
        texts=texts,
        evidence_url=url,
        reopen_reason=reason,
    )
    earlier = _already_recorded(db, plan_id, key, digest)
    if earlier is not None:
        return _result(db, earlier, duplicate=True)

    plan = db.get(Plan, plan_id)
    if plan is None:
        raise NotFound("That plan no longer exists.")
    milestone = _lock(db, milestone_id)
    code = milestone.code

    # Under the lock, a request racing with ours has either committed (and is seen here) or waits.
    earlier = _already_recorded(db, plan_id, key, digest)
    if earlier is not None:
        return _result(db, earlier, duplicate=True)

    today = now.astimezone(_zone(plan.timezone)).date()
    acting_as = acting(
        db,
        plan_id=plan_id,
        author_id=author_id,
        owner_id=milestone.owner_id,
        today=today,
        extra_admin_slack_ids=extra_admin_slack_ids,
        doing="update milestones",
    )
    author, actor, owner = acting_as.author, acting_as.actor, acting_as.owner
    if not acting_as.allowed:
        raise NotAllowed(_not_yours(code, owner, actor, today))

    before_status, before_percent = milestone.status, milestone.percent
    after_status = new_status.value if new_status is not None else before_status
    after_percent = new_percent if new_percent is not None else before_percent
    was_complete = before_status == Status.COMPLETE
    now_complete = after_status == Status.COMPLETE

    if now_complete and not was_complete and new_percent == before_percent:
        # Choosing complete sets 100%: the percent the form showed, left as it was, is not a claim.
        new_percent = 100
    if now_complete:
        if new_percent is not None and new_percent != 100:
            if was_complete and new_status is None:
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
        after_percent = 100
        if not was_complete and texts["note"] is None and url is None:
            raise InvalidInput(
                f"To mark {code} complete, add a note on its impact (what is better for children and "
                "families) or a link to the evidence.",
                field="note",
            )
    reopened = was_complete and not now_complete
    if reopened:
        if not can_reopen(actor, milestone.owner_id):
            raise NotAllowed(
                f"{code} is marked complete; only its owner{_owner_phrase(owner)} or an admin can reopen it."
            )
        if reason is None:
            raise InvalidInput(
                f"{code} is marked complete. To reopen it, give the reason (for example, what the "
                "latest audit found).",
                field="reopen_reason",
            )

    if after_status in (Status.AT_RISK, Status.OFF_TRACK) and (new_status is not None or reopened):
        _check_reasons(code, after_status, texts)
    if not reopened:
        _refuse_no_change(db, milestone, after_status, after_percent, texts, url)

    why = _clean_text(override_reason, "override_reason")
    staff = plan_staff(db, plan_id)
    fields = {**texts, "evidence_url": url, "reopen_reason": reason}
    findings = screen(fields, staff=staff, today=today, confirmed=confirm_not_personal)
    if findings:
        # The reason is kept in the audit, so it must not carry a hard identifier either.
        screen({"override_reason": why}, staff=staff, today=today, confirmed=True)
        if why is None:
            raise InvalidInput(
                "You ticked the personal data box: say why the flagged text is not about a child "
                "(for example, a colleague's name or a place), so the privacy officer can see it.",
                field="override_reason",
            )

    row = ProgressUpdate(
        plan_id=plan_id,
        milestone_id=milestone.id,
        author_id=author.id,
        at=now,
        status=after_status,
        percent=after_percent,
        previous_status=before_status,
        previous_percent=before_percent,
        note=texts["note"],
        evidence_url=url,
        next_steps=texts["next_steps"],
        blockers=texts["blockers"],
        decision=texts["decision"],
        reopen_reason=reason if reopened else None,
        source=source_value,
        idempotency_key=key if _key_free(db, plan_id, key) else scoped_key(key, digest),
        request_digest=digest,
    )
    earlier = _insert(db, row, plan_id, key, digest)
    if earlier is not None:
        return _result(db, earlier, duplicate=True)

    milestone.status = after_status
    milestone.percent = after_percent
    if milestone.last_update_at is None or milestone.last_update_at < now:
        milestone.last_update_at = now
    after: dict[str, object] = {"status": after_status, "percent": after_percent, "update_id": row.id}
    if reopened:
        after["reopen_reason"] = reason
    db.add(
        AuditEvent(
            plan_id=plan_id,
            at=now,
            actor_id=author.id,
            actor=author.name,
            action="update",
            entity="milestone",
            entity_code=code,
            before={"status": before_status, "percent": before_percent},
            after=after,
        )
    )
    if findings:
        # What was overridden, never the text itself.
        db.add(
            AuditEvent(
                plan_id=plan_id,
                at=now,
                actor_id=author.id,
                actor=author.name,
                action="personal_data_override",
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
        )
    db.flush()
    result = _result(db, row, duplicate=False)
    if findings:
        result = replace(result, override_kinds=tuple(kinds_of(findings)))
    return result


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


def scoped_key(key: str, digest: str) -> str:
    """The key a different request sent with an already-used key is stored under (unique per plan)."""
    return f"{key[: MAX_KEY_CHARS - 17]}#{digest[:16]}"


def _already_recorded(db: Session, plan_id: int, key: str, digest: str) -> ProgressUpdate | None:
    """The check made before inserting (a separate name so tests can simulate losing the race)."""
    return _find_update(db, plan_id, key, digest)


def _find_update(db: Session, plan_id: int, key: str, digest: str) -> ProgressUpdate | None:
    """The update this very request (same key and digest) already recorded, if any."""
    return db.scalars(
        select(ProgressUpdate).where(
            ProgressUpdate.plan_id == plan_id,
            ProgressUpdate.idempotency_key.in_([key, scoped_key(key, digest)]),
            ProgressUpdate.request_digest == digest,
        )
    ).first()


def _key_free(db: Session, plan_id: int, key: str) -> bool:
    return (
        db.scalar(
            select(ProgressUpdate.id).where(
                ProgressUpdate.plan_id == plan_id, ProgressUpdate.idempotency_key == key
            )
        )
        is None
    )


def _insert(db: Session, row: ProgressUpdate, plan_id: int, key: str, digest: str) -> ProgressUpdate | None:
    """Insert the update; if a racing request took its key first, the update that request recorded when
    it was this same request, else insert again under the scoped key (None: ours is in)."""
    for _ in range(2):
        try:
            with db.begin_nested():
                db.add(row)
                db.flush()
            return None
        except IntegrityError:
            earlier = _find_update(db, plan_id, key, digest)
            if earlier is not None:
                return earlier
            if row.idempotency_key == scoped_key(key, digest):
                raise
            row.idempotency_key = scoped_key(key, digest)
    raise AssertionError("unreachable")  # pragma: no cover


def _result(db: Session, update: ProgressUpdate, *, duplicate: bool) -> UpdateResult:
    milestone = update.milestone
    area = milestone.area
    plan = db.get(Plan, update.plan_id)
    zone = _zone(plan.timezone if plan else "Europe/London")
    day = update.at.astimezone(zone).date()
    state = health(update.status, milestone.due, day)
    moved_off_track = update.status == Status.OFF_TRACK and update.previous_status != Status.OFF_TRACK
    owner = db.get(Person, milestone.owner_id) if milestone.owner_id is not None else None
    return UpdateResult(
        update_id=update.id,
        milestone_code=milestone.code,
        milestone_title=milestone.title,
        area_code=area.code,
        area_title=area.title,
        before_status=update.previous_status,
        before_percent=update.previous_percent,
        after_status=update.status,
        after_percent=update.percent,
        summary=summarise(
            milestone.code, update.previous_status, update.previous_percent, update.status, update.percent
        ),
        duplicate=duplicate,
        announce=moved_off_track or state is Health.OVERDUE,
        reopened=update.previous_status == Status.COMPLETE and update.status != Status.COMPLETE,
        health=state,
        due=milestone.due,
        at=update.at,
        author_name=update.author.name if update.author is not None else None,
        owner_name=owner.name if owner is not None else None,
        note=update.note,
        evidence_url=update.evidence_url,
        next_steps=update.next_steps,
        blockers=update.blockers,
    )


def summarise(
    code: str, before_status: str | None, before_percent: int | None, after_status: str, after_percent: int
) -> str:
    """ "M-07: at risk -> on track, 40% -> 60%"; an unchanged part is shown once."""
    status = (
        f"{before_status} -> {after_status}"
        if before_status is not None and before_status != after_status
        else after_status
    )
    percent = (
        f"{before_percent}% -> {after_percent}%"
        if before_percent is not None and before_percent != after_percent
        else f"{after_percent}%"
    )
    unchanged = before_status == after_status and before_percent == after_percent
    return f"{code}: {status}, {percent}" + (" (no change)" if unchanged else "")


def result_of(db: Session, update: ProgressUpdate) -> UpdateResult:
    """An update as recorded (a correction's replacement, say), reported as `record_update` reports one."""
    return _result(db, update, duplicate=False)


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
    "UpdateResult",
    "_clean_text",
    "check_reasons",
    "result_of",
    "_lock_milestone",
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
