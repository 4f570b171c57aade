"""Correcting or withdrawing a progress update: its author (or an admin), within 7 days.

A correction is a new row that replaces the old one in every view: it keeps the old one's time (so the
history, the digest's period and the tallies read as if it had been right first time) and names the
row it corrects; the old row is marked superseded and its text is kept only in the audit trail. A
withdrawal marks the update superseded with no replacement, so the milestone's latest update becomes
the one before it. The caller owns the transaction; messages that announced the update are returned
so the caller can edit them in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import Actor, actor_by_id
from bot.services.privacy import Finding, kinds_of, screen
from bot.services.privacy_plan import plan_staff
from bot.services.read_model import cached
from bot.services.redaction_refs import parse_reference, update_reference
from bot.services.update_checks import (
    check_key,
    check_now,
    check_percent,
    check_status,
    check_url,
    clean_text,
    lock,
    zone,
)
from bot.services.update_form import latest_update
from bot.services.updates import UpdateResult, check_reasons, request_digest, result_of
from bot.services.wording import full_day
from models import Milestone, Plan, PostedMessage, ProgressUpdate
from models.timezones import local_date
from models.vocab import Source, Status

CORRECTION_DAYS = 7
TEXTS = ("note", "next_steps", "blockers", "decision")


@dataclass(frozen=True)
class Posted:
    """A message that announced the update, to edit in place."""

    channel: str
    ts: str


@dataclass(frozen=True)
class CorrectionForm:
    """Where a correction starts: the update being corrected, its fields to prefill the form with."""

    reference: str
    code: str
    title: str
    on: date  # the plan's local day the update was made
    typed: dict[str, str | None]


@dataclass(frozen=True)
class Corrected:
    """A saved correction: the new update (as `record_update` reports one) and what it replaced."""

    reference: str  # the corrected update's, U-12
    update: UpdateResult
    posted: tuple[Posted, ...]
    duplicate: bool = False


@dataclass(frozen=True)
class Withdrawn:
    reference: str
    code: str
    title: str
    author_name: str | None
    posted: tuple[Posted, ...]
    now_status: str
    now_percent: int


@dataclass(frozen=True)
class CorrectionFields:
    """What the corrected update says (the update form's fields, without a revised date)."""

    status: str | None = None
    percent: int | None = None
    note: str | None = None
    evidence_url: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    decision: str | None = None
    confirm_not_personal: bool = False
    override_reason: str | None = None


def correctable(
    db: Session, plan_id: int, actor: Actor | None, reference: str, now: datetime
) -> ProgressUpdate:
    """The update `reference` names, if this person may still correct it; else a friendly refusal."""
    update_id = parse_reference(reference)
    if update_id is None:
        raise InvalidInput(
            f"“{reference.strip()[:20]}” is not an update reference: `/qib history CODE` shows them (U-1234).",
            field="reference",
        )
    row = db.get(ProgressUpdate, update_id)
    if row is None or row.plan_id != plan_id:
        raise NotFound(f"There is no update {update_reference(update_id)} in this plan.")
    ref = update_reference(update_id)
    if row.superseded_at is not None:
        raise InvalidInput(f"{ref} was already corrected or withdrawn: `/qib history {row.milestone.code}`.")
    if actor is None or not (actor.is_admin or actor.person_id == row.author_id):
        raise NotAllowed(f"Only the author of {ref} or an admin can correct it; ask them if it is wrong.")
    if now - row.at > timedelta(days=CORRECTION_DAYS):
        local = local_date(row.at, row.milestone.plan.timezone)
        raise NotAllowed(
            f"{ref} was given on {full_day(local)}: updates can be corrected for {CORRECTION_DAYS} days. "
            f"Give a new update instead: `/qib update {row.milestone.code}`."
        )
    return row


def correctable_ids(
    db: Session, plan_id: int, actor: Actor | None, milestone_code: str, now: datetime
) -> frozenset[int]:
    """The updates of a milestone this person may still correct (for the history's Edit buttons): the
    milestone's shown updates are kept in the read model while the plan's revision stands, and the
    person and the 7 days are applied to them here."""
    if actor is None:
        return frozenset()
    since = now - timedelta(days=CORRECTION_DAYS)
    return frozenset(
        update_id
        for update_id, author_id, at in shown_updates(db=db, plan_id=plan_id, code=milestone_code)
        if at >= since and (actor.is_admin or author_id == actor.person_id)
    )


@cached
def shown_updates(*, db: Session, plan_id: int, code: str) -> tuple[tuple[int, int | None, datetime], ...]:
    """A milestone's shown updates (not corrected, not withdrawn): (id, author, when)."""
    rows = db.execute(
        select(ProgressUpdate.id, ProgressUpdate.author_id, ProgressUpdate.at)
        .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
        .where(Milestone.plan_id == plan_id, Milestone.code == code, ProgressUpdate.shown())
        .order_by(ProgressUpdate.id)
    )
    return tuple((row[0], row[1], row[2]) for row in rows)


def correction_form(
    *, db: Session, plan_id: int, actor_id: int | None, reference: str, now: datetime, admins: frozenset[str]
) -> CorrectionForm:
    """The form to correct an update starts from that update: here prefilling is the point."""
    row = correctable(db, plan_id, actor_by_id(db, plan_id, actor_id, admins), reference, now)
    typed: dict[str, str | None] = {
        "milestone": row.milestone.code,
        "status": row.status,
        "percent": str(row.percent),
        "evidence_url": row.evidence_url,
    }
    typed |= {name: getattr(row, name) for name in TEXTS}
    on = local_date(row.at, row.milestone.plan.timezone)
    return CorrectionForm(update_reference(row.id), row.milestone.code, row.milestone.title, on, typed)


def correct_update(
    *,
    db: Session,
    plan_id: int,
    actor_id: int | None,
    reference: str,
    fields: CorrectionFields,
    now: datetime,
    idempotency_key: str,
    admins: frozenset[str] = frozenset(),
) -> Corrected:
    """Replace an update with a corrected one (see the module's docstring)."""
    check_now(now)
    key = f"correct:{check_key(idempotency_key)}"
    earlier = db.scalar(
        select(ProgressUpdate).where(ProgressUpdate.plan_id == plan_id, ProgressUpdate.idempotency_key == key)
    )
    if earlier is not None:  # this very form was submitted already
        return Corrected(
            update_reference(earlier.corrects_id or earlier.id), result_of(db, earlier), (), True
        )
    actor = actor_by_id(db, plan_id, actor_id, admins)
    old = correctable(db, plan_id, actor, reference, now)
    milestone = lock(db, old.milestone_id)
    status, percent, texts, url = _checked(milestone.code, old, fields)
    findings = _screen(db, plan_id, texts, url, fields, now)
    if (status, percent, url, texts) == (old.status, old.percent, old.evidence_url, _texts_of(old)):
        raise InvalidInput("No change: the correction says what the update already says.", field="note")
    assert actor is not None  # correctable() refuses nobody
    new = ProgressUpdate(
        plan_id=plan_id,
        milestone_id=milestone.id,
        author_id=old.author_id,
        at=old.at,
        status=status,
        percent=percent,
        previous_status=old.previous_status,
        previous_percent=old.previous_percent,
        evidence_url=url,
        reopen_reason=old.reopen_reason,
        source=Source(old.source).value,
        idempotency_key=key,
        request_digest=request_digest(
            author_id=actor.person_id,
            milestone_id=milestone.id,
            status=status,
            percent=percent,
            texts=texts,
            evidence_url=url,
            reopen_reason=None,
        ),
        corrects_id=old.id,
        **texts,
    )
    db.add(new)
    old.superseded_at = now
    db.flush()
    _restate(db, milestone)
    posted = _repoint(db, old.id, new.id)
    _audit(
        db,
        actor,
        AuditAction.CORRECT_UPDATE,
        milestone.code,
        now,
        old,
        {"update_id": new.id, "status": status},
    )
    if findings:
        _audit_override(db, actor, milestone.code, now, new.id, findings, fields.override_reason)
    db.flush()
    return Corrected(update_reference(old.id), result_of(db, new), posted)


def withdraw_update(
    *,
    db: Session,
    plan_id: int,
    actor_id: int | None,
    reference: str,
    now: datetime,
    admins: frozenset[str] = frozenset(),
) -> Withdrawn:
    """Take an update out of every view; the milestone's latest update becomes the one before it."""
    check_now(now)
    actor = actor_by_id(db, plan_id, actor_id, admins)
    old = correctable(db, plan_id, actor, reference, now)
    assert actor is not None
    milestone = lock(db, old.milestone_id)
    old.superseded_at = now
    db.flush()
    _restate(db, milestone, fallback=old)
    posted = tuple(Posted(p.channel, p.ts) for p in _announcements(db, old.id))
    _audit(db, actor, AuditAction.WITHDRAW_UPDATE, milestone.code, now, old, {"withdrawn": True})
    db.flush()
    return Withdrawn(
        reference=update_reference(old.id),
        code=milestone.code,
        title=milestone.title,
        author_name=old.author.name if old.author else None,
        posted=posted,
        now_status=milestone.status,
        now_percent=milestone.percent,
    )


# ---------------------------------------------------------------- helpers


def _texts_of(row: ProgressUpdate) -> dict[str, str | None]:
    return {name: getattr(row, name) for name in TEXTS}


def _checked(
    code: str, old: ProgressUpdate, fields: CorrectionFields
) -> tuple[str, int, dict[str, str | None], str | None]:
    """The corrected fields, checked as a new update's are (complete is 100% with its impact; at risk
    and off track give a reason and a recovery action)."""
    parsed = check_status(fields.status)
    status = parsed.value if parsed is not None else old.status
    given = check_percent(fields.percent)
    percent = given if given is not None else old.percent
    texts = {name: clean_text(getattr(fields, name), name) for name in TEXTS}
    url = check_url(fields.evidence_url)
    if status == Status.COMPLETE:
        if given is not None and given != 100:
            raise InvalidInput(f"Complete means 100%, but the correction says {given}%.", field="percent")
        percent = 100
        if texts["note"] is None and url is None:
            raise InvalidInput(
                f"To mark {code} complete, add a note on its impact or a link to the evidence.", field="note"
            )
    if status in (Status.AT_RISK, Status.OFF_TRACK):
        check_reasons(code, status, texts)
    return status, percent, texts, url


def _screen(
    db: Session,
    plan_id: int,
    texts: dict[str, str | None],
    url: str | None,
    fields: CorrectionFields,
    now: datetime,
) -> list[tuple[str, Finding]]:
    """The personal-data screen every update passes (see record_update)."""
    plan = db.get(Plan, plan_id)
    today = now.astimezone(zone(plan.timezone if plan else "Europe/London")).date()
    staff = plan_staff(db, plan_id)
    findings = screen(
        {**texts, "evidence_url": url}, staff=staff, today=today, confirmed=fields.confirm_not_personal
    )
    why = clean_text(fields.override_reason, "override_reason")
    if findings:
        screen({"override_reason": why}, staff=staff, today=today, confirmed=True)
        if why is None:
            raise InvalidInput(
                "You ticked the personal data box: say why the flagged text is not about a child.",
                field="override_reason",
            )
    return list(findings)


def _restate(db: Session, milestone: Milestone, *, fallback: ProgressUpdate | None = None) -> None:
    """The milestone's status and percent are its latest shown update's (or, with none left, what they
    were before the withdrawn one)."""
    latest = latest_update(db, milestone.id)
    if latest is not None:
        milestone.status, milestone.percent, milestone.last_update_at = (
            latest.status,
            latest.percent,
            latest.at,
        )
    elif fallback is not None:
        milestone.status = fallback.previous_status or milestone.status
        milestone.percent = fallback.previous_percent if fallback.previous_percent is not None else 0
        milestone.last_update_at = None


def _announcements(db: Session, update_id: int) -> list[PostedMessage]:
    return list(
        db.scalars(
            select(PostedMessage).where(
                PostedMessage.update_id == update_id, PostedMessage.purpose == "announcement"
            )
        )
    )


def _repoint(db: Session, old_id: int, new_id: int) -> tuple[Posted, ...]:
    """The announcement now shows the correction: a later redaction or correction finds it there."""
    out = []
    for posted in _announcements(db, old_id):
        posted.update_id = new_id
        out.append(Posted(posted.channel, posted.ts))
    return tuple(out)


def _audit(
    db: Session,
    actor: Actor,
    action: AuditAction,
    code: str,
    now: datetime,
    old: ProgressUpdate,
    after: dict[str, object],
) -> None:
    """The old text is kept here, and only here (a redaction of the update scrubs it here too)."""
    before: dict[str, object] = {
        "update_id": old.id,
        "status": old.status,
        "percent": old.percent,
        "evidence_url": old.evidence_url,
        **_texts_of(old),
    }
    audit(
        db,
        plan_id=old.plan_id,
        at=now,
        actor_id=actor.person_id,
        actor=actor.name,
        action=action,
        entity="progress_update",
        entity_code=code,
        before=before,
        after=after,
    )


def _audit_override(
    db: Session,
    actor: Actor,
    code: str,
    now: datetime,
    update_id: int,
    findings: list[tuple[str, Finding]],
    reason: str | None,
) -> None:
    audit(
        db,
        plan_id=db.get(ProgressUpdate, update_id).plan_id,  # type: ignore[union-attr]
        at=now,
        actor_id=actor.person_id,
        actor=actor.name,
        action=AuditAction.PERSONAL_DATA_OVERRIDE,
        entity="progress_update",
        entity_code=code,
        before=None,
        after={
            "update_id": update_id,
            "fields": list(dict.fromkeys(f for f, _ in findings)),
            "kinds": kinds_of(findings),
            "reason": clean_text(reason, "override_reason"),
        },
    )
