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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.errors import InvalidInput, NoChange, NotAllowed, NotFound
from bot.services.people import (
    Actor,
    acting,
    actor_by_id,
    can_admin,
    can_reopen,
    is_active_delegate,
)
from bot.services.privacy import kinds_of, screen
from bot.services.privacy_plan import plan_staff
from bot.services.status import Health, health
from bot.services.wording import full_day, person_label
from models import AuditEvent, Milestone, Person, Plan, ProgressUpdate
from models.codes import code_key
from models.planfile import CONTROL
from models.vocab import Source, Status, parse_status

MAX_TEXT_CHARS = 3000  # Slack's plain_text_input maximum
MAX_URL_CHARS = 2000  # ProgressUpdate.evidence_url
MAX_KEY_CHARS = 255  # ProgressUpdate.idempotency_key

TEXT_LABELS = {
    "note": "The note",
    "next_steps": "The next steps",
    "blockers": "The blockers",
    "decision": "The decision needed",
    "reopen_reason": "The reason for reopening",
    "override_reason": "The reason for saving over the personal data check",
}


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


@dataclass(frozen=True)
class OwnerChange:
    milestone_code: str
    milestone_title: str
    before_owner: str | None
    after_owner: str | None
    changed: bool
    # Who to tell: the new and the former owner's Slack ids (None when unmapped), and who made the change.
    before_slack_id: str | None = None
    after_slack_id: str | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class DelegateChange:
    person_key: str
    person_name: str
    before_delegate: str | None
    before_until: date | None
    after_delegate: str | None
    after_until: date | None
    changed: bool


# ---------------------------------------------------------------- recording an update


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

    milestone.status = Status(after_status)
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


def latest_update(db: Session, milestone_id: int) -> ProgressUpdate | None:
    return db.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.milestone_id == milestone_id)
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )


# ---------------------------------------------------------------- owners and delegates


def reassign_owner(
    *,
    db: Session,
    plan_id: int,
    milestone_code: str,
    new_owner_id: int | None,
    actor_id: int,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> OwnerChange:
    """Give a milestone a new owner (or none); admins only, audited."""
    _check_now(now)
    actor = _admin(db, plan_id, actor_id, extra_admin_slack_ids, "change who owns a milestone")
    milestone = _lock_milestone(db, plan_id, milestone_code)
    new_owner = _person(db, plan_id, new_owner_id) if new_owner_id is not None else None
    old_owner = db.get(Person, milestone.owner_id) if milestone.owner_id is not None else None
    changed = milestone.owner_id != new_owner_id
    if changed:
        milestone.owner_id = new_owner_id
        db.add(
            AuditEvent(
                plan_id=plan_id,
                at=now,
                actor_id=actor.person_id,
                actor=actor.name,
                action="reassign_owner",
                entity="milestone",
                entity_code=milestone.code,
                before={"owner": old_owner.key if old_owner else None},
                after={"owner": new_owner.key if new_owner else None},
            )
        )
        db.flush()
    return OwnerChange(
        milestone_code=milestone.code,
        milestone_title=milestone.title,
        before_owner=_label(old_owner),
        after_owner=_label(new_owner),
        changed=changed,
        before_slack_id=old_owner.slack_user_id if old_owner else None,
        after_slack_id=new_owner.slack_user_id if new_owner else None,
        changed_by=actor.name,
    )


def set_delegate(
    *,
    db: Session,
    plan_id: int,
    person_id: int,
    delegate_id: int | None,
    until: date | None,
    actor_id: int,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> DelegateChange:
    """Set (or clear, with None) who covers a person's milestones, optionally until a date; admins only."""
    _check_now(now)
    actor = _admin(db, plan_id, actor_id, extra_admin_slack_ids, "set who covers for someone")
    plan = db.get(Plan, plan_id)
    assert plan is not None  # _admin found a person of this plan
    person = _person(db, plan_id, person_id)
    delegate = _person(db, plan_id, delegate_id) if delegate_id is not None else None
    if delegate is not None and delegate.id == person.id:
        raise InvalidInput(
            f"{person.name} cannot cover for themselves; choose someone else.", field="delegate"
        )
    if delegate is None:
        until = None
    today = now.astimezone(_zone(plan.timezone)).date()
    if until is not None and until < today:
        raise InvalidInput(
            f"The cover would already have ended ({_day(until)}); choose today or a later date.",
            field="until",
        )
    before_delegate = db.get(Person, person.delegate_id) if person.delegate_id is not None else None
    before_until = person.delegate_until
    changed = (person.delegate_id, person.delegate_until) != (delegate_id, until)
    if changed:
        person.delegate_id = delegate_id
        person.delegate_until = until
        db.add(
            AuditEvent(
                plan_id=plan_id,
                at=now,
                actor_id=actor.person_id,
                actor=actor.name,
                action="set_delegate",
                entity="person",
                entity_code=person.key,
                before={
                    "delegate": before_delegate.key if before_delegate else None,
                    "until": before_until.isoformat() if before_until else None,
                },
                after={
                    "delegate": delegate.key if delegate else None,
                    "until": until.isoformat() if until else None,
                },
            )
        )
        db.flush()
    return DelegateChange(
        person_key=person.key,
        person_name=person.name,
        before_delegate=_label(before_delegate),
        before_until=before_until,
        after_delegate=_label(delegate),
        after_until=until,
        changed=changed,
    )


# ---------------------------------------------------------------- reading back


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


# ---------------------------------------------------------------- checks


def _lock_milestone(db: Session, plan_id: int, code: str) -> Milestone:
    """The milestone, its row locked until the caller's transaction ends (a no-op on SQLite)."""
    return _lock(db, _milestone_id(db, plan_id, code))


def _lock(db: Session, milestone_id: int) -> Milestone:
    return db.scalars(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _milestone_id(db: Session, plan_id: int, code: str) -> int:
    """The id of the milestone a code names ("M-07", "m7"), or NotFound."""
    wanted = (code or "").strip()
    milestone_id = db.scalar(
        select(Milestone.id).where(Milestone.plan_id == plan_id, Milestone.code == wanted)
    )
    if milestone_id is None:
        key = code_key(wanted)
        if key is not None:
            same = [
                mid
                for mid, other in db.execute(
                    select(Milestone.id, Milestone.code).where(Milestone.plan_id == plan_id)
                )
                if code_key(other) == key
            ]
            milestone_id = same[0] if len(same) == 1 else None  # two codes with one key: exact only
    if milestone_id is None:
        raise NotFound(f"There is no milestone {wanted or '(blank)'} in this plan.")
    return milestone_id


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not CONTROL.sub("", key).strip():
        raise ValueError("an idempotency key is required (the modal's view id, the command's trigger id)")
    key = CONTROL.sub("", key).strip()
    if len(key) > MAX_KEY_CHARS:
        raise ValueError(f"the idempotency key is longer than {MAX_KEY_CHARS} characters")
    return key


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")


def _check_source(source: str) -> str:
    try:
        return Source(source).value
    except ValueError:
        raise ValueError(f"unknown update source {source!r}") from None


def _check_status(status: str | None) -> Status | None:
    if status is None or not str(status).strip():
        return None
    try:
        return parse_status(str(status))
    except ValueError:
        raise InvalidInput(
            f'"{str(status).strip()[:40]}" is not a status. Use not started, on track (green), '
            "at risk (amber), off track (red) or complete (blue).",
            field="status",
        ) from None


def _check_percent(percent: int | None) -> int | None:
    if percent is None:
        return None
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise InvalidInput("Percent complete must be a whole number from 0 to 100.", field="percent")
    if not 0 <= percent <= 100:
        raise InvalidInput(
            f"Percent complete must be from 0 to 100 (the update says {percent}%).", field="percent"
        )
    return percent


def _clean_text(value: str | None, field: str) -> str | None:
    """Trimmed text, None when blank; control characters dropped (PostgreSQL refuses NUL, and a plan
    file refuses them all, so an export of the plan must not carry any)."""
    if value is None:
        return None
    text = CONTROL.sub("", str(value)).strip()
    if not text:
        return None
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"{TEXT_LABELS[field]} is {len(text):,} characters long; the most Slack takes is "
            f"{MAX_TEXT_CHARS:,}. Shorten it, or put the detail in a document and link it as evidence.",
            field=field,
        )
    return text


def _check_url(value: str | None) -> str | None:
    if value is None:
        return None
    url = str(value).replace("\x00", "").strip()
    if not url:
        return None
    problem = (
        "The evidence link must be a web address starting with https:// (or http://), "
        "such as a SharePoint or intranet page."
    )
    if len(url) > MAX_URL_CHARS:
        raise InvalidInput(
            f"The evidence link is longer than {MAX_URL_CHARS:,} characters.", field="evidence_url"
        )
    if any(c.isspace() for c in url) or CONTROL.search(url):
        raise InvalidInput(problem, field="evidence_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidInput(problem, field="evidence_url") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput(problem, field="evidence_url")
    return url


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _admin(db: Session, plan_id: int, actor_id: int, extra: frozenset[str], doing: str) -> Actor:
    actor = actor_by_id(db, plan_id, actor_id, extra)
    if not can_admin(actor):
        raise NotAllowed(f"Only a plan admin can {doing}.")
    assert actor is not None
    return actor


def _person(db: Session, plan_id: int, person_id: int) -> Person:
    person = db.get(Person, person_id)
    if person is None or person.plan_id != plan_id:
        raise NotFound("That person is not one of this plan's people.")
    return person


def _label(person: Person | None) -> str | None:
    if person is None:
        return None
    return person_label(person.name, person.role)


def _owner_phrase(owner: Person | None) -> str:
    return f", {_label(owner)}," if owner is not None else ""


def _day(d: date) -> str:
    return full_day(d)


def _not_yours(code: str, owner: Person | None, actor: Actor, today: date) -> str:
    if owner is None:
        return f"{code} has no owner yet; ask an admin to update it or to give it an owner."
    message = f"{code} is owned by {_label(owner)}; ask them or an admin to update it."
    if (
        owner.delegate_id == actor.person_id
        and owner.delegate_until is not None
        and not is_active_delegate(actor, owner.delegate_id, owner.delegate_until, today)
    ):
        message = f"Your cover for {owner.name} ended on {_day(owner.delegate_until)}. " + message
    return message


# ---------------------------------------------------------------- what a person may update, and the form


@dataclass(frozen=True)
class Choice:
    code: str
    title: str
    own: bool


@dataclass(frozen=True)
class FormDefaults:
    """What the update form starts from: the milestone as it stands, and its latest update to show as
    context (read-only: a new update says what is new, it never starts from the last one's words)."""

    code: str
    title: str
    status: str
    percent: int
    note: str | None
    evidence_url: str | None
    next_steps: str | None
    blockers: str | None
    latest_at: datetime | None = None
    latest_by: str | None = None
    latest_status: str | None = None
    latest_percent: int | None = None


def update_choices(*, db: Session, plan_id: int, actor: Actor, today: date) -> list[Choice]:
    """Milestones the person can update, their own (or those they cover) first; admins see all."""
    covered = {
        p.id
        for p in db.scalars(
            select(Person).where(Person.plan_id == plan_id, Person.delegate_id == actor.person_id)
        )
        if p.delegate_until is None or today <= p.delegate_until
    }
    mine = {actor.person_id, *covered}
    rows = db.execute(
        select(Milestone.code, Milestone.title, Milestone.owner_id)
        .where(Milestone.plan_id == plan_id)
        .order_by(Milestone.position, Milestone.id)
    ).all()
    own = [Choice(c, t, True) for c, t, owner in rows if owner in mine]
    others = [Choice(c, t, False) for c, t, owner in rows if owner not in mine] if can_admin(actor) else []
    return own + others


def form_defaults(*, db: Session, plan_id: int, code: str) -> FormDefaults:
    milestone = db.scalar(select(Milestone).where(Milestone.plan_id == plan_id, Milestone.code == code))
    if milestone is None:
        raise NotFound(f"There is no milestone {code} in the plan.")
    latest = latest_update(db, milestone.id)
    return FormDefaults(
        code=milestone.code,
        title=milestone.title,
        status=milestone.status,
        percent=milestone.percent,
        note=latest.note if latest else None,
        evidence_url=latest.evidence_url if latest else None,
        next_steps=latest.next_steps if latest else None,
        blockers=latest.blockers if latest else None,
        latest_at=latest.at if latest else None,
        latest_by=latest.author.name if latest and latest.author else None,
        latest_status=latest.status if latest else None,
        latest_percent=latest.percent if latest else None,
    )
