"""Progress updates, one call per interaction: the quick line, the form, a correction, a withdrawal.

Each takes the sessions, a `Asker` (who, which plan, when) and what was typed, parsed; it returns a
result for the handler to render and never raises a DomainError. Decisions made here, and tested
here (tests/usecases/test_updates.py):
- permission: the plan's one rule (bot.services.people.acting), applied by the services;
- fallback: a quick update the line cannot carry (a reason missing, a milestone found by words)
  continues in the form, prefilled (`NeedsForm`); a form that only asks for a new due date saves no
  empty update;
- the commit: a database failure before COMMIT saved nothing (`Unavailable`); one at COMMIT leaves it
  unknown (`Unconfirmed`), never reported as a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.services.corrections import (
    Corrected,
    CorrectionFields,
    CorrectionForm,
    Withdrawn,
    correct_update,
    correctable_ids,
    correction_form,
    withdraw_update,
)
from bot.services.due_dates import DueDecision, DueRequest, decide_due_date, request_due_date
from bot.services.errors import DomainError, InvalidInput, NoChange, NotAllowed
from bot.services.outbox import enqueue
from bot.services.people import actor_for, person_for
from bot.services.privacy import PersonalDataRefused, PersonalDataSuspected
from bot.services.quick import QuickUpdate, parse_quick_update, plan_codes, resolve_milestone
from bot.services.update_form import may_update as may_update_milestone
from bot.services.updates import UpdateResult, record_update
from bot.usecases.base import NOT_IN_PLAN, Asker, Sessions
from bot.usecases.form_fields import FORM_FIELDS
from bot.usecases.results import NeedsForm, Refused
from models.vocab import OutboxKind

T = TypeVar("T")


@dataclass(frozen=True)
class UpdateInput:
    """One update as typed, whichever surface it came from."""

    code: str
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
    due: date | None = None  # a revised due date asked for, with its reason
    due_reason: str | None = None


@dataclass(frozen=True)
class Unchanged(Refused):
    """The update says exactly what the latest one says."""


@dataclass(frozen=True)
class PersonalData(Refused):
    """The personal-data screen stopped it; `also` names the fields flagged. `overridable`: the author
    may tick the box and say why the text is not about a child (never for a hard identifier)."""

    overridable: bool = False


@dataclass(frozen=True)
class Saved:
    """The update is saved (None: the form only asked for a new due date), and any date asked for."""

    update: UpdateResult | None
    due: DueRequest | None = None


@dataclass(frozen=True)
class Unconfirmed:
    """The database stopped answering at COMMIT: the update may or may not be saved."""

    code: str

    @property
    def message(self) -> str:
        return (
            f"The plan database stopped answering while your update to {self.code} was being saved, so I "
            f"can't tell whether it was. Check `/qib history {self.code}` before sending it again."
        )


@dataclass(frozen=True)
class Unavailable:
    """The database failed before anything was saved; the handler words it (bot.app.friendly_message)."""

    error: DBAPIError


@dataclass(frozen=True)
class DueAsked:
    """A quick `due 30 Apr because …` line asked for a revised date (and saved any update it carried)."""

    request: DueRequest
    update: UpdateResult | None = None


@dataclass(frozen=True)
class Unclear:
    """The quick line could not be acted on and no form can open (a mention or a message)."""

    reason: str
    form: NeedsForm = field(default_factory=NeedsForm)


SaveOutcome = Saved | Refused | Unconfirmed | Unavailable
QuickOutcome = Saved | DueAsked | NeedsForm | Refused | Unconfirmed | Unavailable


# ---------------------------------------------------------------- the form


def submit_form(sessions: Sessions, caller: Asker, given: UpdateInput, key: str) -> SaveOutcome:
    """Save the form's update, then ask for its revised due date if one was given. Saved once per key:
    resubmitting the same form after any failure is safe."""
    saved = _save(sessions, caller, given, key, only_a_date=given.due is not None, receipt=True)
    if not isinstance(saved, Saved) or given.due is None:
        return saved
    asked = ask_due_date(sessions, caller, given.code, given.due, given.due_reason)
    if isinstance(asked, Refused):
        return Refused(asked.reason, asked.field if asked.field in ("due", "due_reason") else "due")
    return Saved(saved.update, asked)


def ask_due_date(
    sessions: Sessions, caller: Asker, code: str, proposed: date | None, reason: str | None
) -> DueRequest | Refused:
    def request(db: Session, person_id: int) -> DueRequest:
        asked = request_due_date(
            db=db,
            plan_id=caller.plan_id,
            milestone_code=code,
            author_id=person_id,
            proposed=proposed,
            reason=reason,
            now=caller.now,
            extra_admin_slack_ids=caller.admin_ids,
        )
        # The approvers' Approve / Decline DMs, posted by the outbox with the request committed.
        facts = {"request": asked.as_facts()}
        enqueue(
            db,
            plan_id=caller.plan_id,
            kind=OutboxKind.DUE_REQUESTED,
            subject_id=None,
            now=caller.now,
            facts=facts,
        )
        return asked

    return _write(sessions, caller, request)


def decide_due(
    sessions: Sessions, caller: Asker, code: str, proposed: date, *, approve: bool
) -> DueDecision | Refused:
    """The chair's (or an admin's) Approve or Decline of a revised due date."""

    def decide(db: Session, person_id: int) -> DueDecision:
        return decide_due_date(
            db=db,
            plan_id=caller.plan_id,
            milestone_code=code,
            proposed=proposed,
            approve=approve,
            actor_id=person_id,
            now=caller.now,
            extra_admin_slack_ids=caller.admin_ids,
        )

    return _write(sessions, caller, decide)


# ---------------------------------------------------------------- the quick line


def quick_update(sessions: Sessions, caller: Asker, text: str, key: str) -> QuickOutcome:
    """`/qib update M-07 on track 60% Workshops held`: saved at once when the line says it all with a
    typed code; otherwise the form, prefilled with what was understood and why it opened."""
    with sessions() as db:
        quick = parse_quick_update(
            text, today=caller.today, plan_codes=plan_codes(db=db, plan_id=caller.plan_id)
        )
        candidates = resolve_milestone(db, caller.plan_id, quick.code, quick.phrase)
    code = candidates[0][0] if len(candidates) == 1 else None
    typed = _typed(quick, code)
    if quick.due_typed is not None and code and not quick.unclear:
        return _quick_due(sessions, caller, quick, code, typed, key)
    if quick.percent == 100 and quick.status is None:
        # 100% suggests complete, which needs its impact: the form, with complete chosen, checks it.
        typed["status"] = "complete"
        quick.problems.append("100% suggests complete: check the status and the impact, then save.")
    # Only a typed code saves at once: a milestone found by searching words is confirmed in the form first.
    if not (quick.code and code and quick.has_change and not quick.problems):
        return NeedsForm(code, typed, _form_notice(quick, code, candidates))
    saved = _save(sessions, caller, _input(quick, code, typed["status"]), key)
    if isinstance(saved, Refused) and not _is_denial(saved):
        said = " ".join(saved.also.values()) if saved.also and type(saved) is Refused else saved.reason
        return NeedsForm(code, typed, f"Nothing was saved yet: {said}")
    return saved


def _quick_due(
    sessions: Sessions, caller: Asker, quick: QuickUpdate, code: str, typed: dict[str, Any], key: str
) -> QuickOutcome:
    """ "due 30 Apr because …": a request for the chair, never a note; the status, percent or note
    given with it are saved as an update first (they are not dropped)."""
    if quick.due is None:
        return Refused(" ".join(quick.problems), "due")
    update: UpdateResult | None = None
    if quick.status is not None or quick.percent is not None or quick.note is not None:
        saved = _save(sessions, caller, _input(quick, code, typed["status"]), key, only_a_date=True)
        if isinstance(saved, Refused) and not _is_denial(saved):
            typed |= {"due": quick.due.isoformat(), "due_reason": quick.due_reason}
            return NeedsForm(code, typed, f"Nothing was saved yet: {saved.reason}")
        if not isinstance(saved, Saved):
            return saved
        update = saved.update
    asked = ask_due_date(sessions, caller, code, quick.due, quick.due_reason)
    if isinstance(asked, Refused):
        return asked
    return DueAsked(asked, update)


def _typed(quick: QuickUpdate, code: str | None) -> dict[str, Any]:
    return {
        "milestone": code,
        "status": quick.status.value if quick.status else None,
        "percent": str(quick.percent) if quick.percent is not None else None,
        "note": quick.note or (quick.phrase if quick.code is None else None),
        "evidence_url": quick.evidence_url,
        "decision": quick.decision,
        "next_steps": quick.next_steps,
    }


def _input(quick: QuickUpdate, code: str, status: str | None) -> UpdateInput:
    return UpdateInput(
        code=code,
        status=status,
        percent=quick.percent,
        note=quick.note,
        evidence_url=quick.evidence_url,
        next_steps=quick.next_steps,
        decision=quick.decision,
    )


def _form_notice(quick: QuickUpdate, code: str | None, candidates: list[tuple[str, str]]) -> str:
    """Why the form opened: what to check, and anything that could not be read."""
    if code and quick.code is None:
        notice = f"Is this the milestone you meant? Check it and save. ({code} {candidates[0][1]})"
    elif len(candidates) > 1:
        notice = "Which milestone did you mean? " + ", ".join(f"{c} {t}" for c, t in candidates[:5])
    elif not candidates and quick.has_milestone:
        notice = f"I couldn't find a milestone for “{quick.code_typed or quick.phrase}”: choose it below."
    else:
        notice = "" if quick.problems else "Fill in what is missing and save."
    return " ".join([notice, *quick.problems]).strip()


# ---------------------------------------------------------------- corrections


def start_correction(sessions: Sessions, caller: Asker, reference: str) -> CorrectionForm | Refused:
    """`/qib correct U-12` or the history's Edit button: the form, prefilled with that update."""
    with sessions() as db:
        try:
            return correction_form(
                db=db,
                plan_id=caller.plan_id,
                actor_id=caller_person(db, caller),
                reference=reference,
                now=caller.now,
                admins=caller.admin_ids,
            )
        except DomainError as exc:
            return refused(exc)


def correct(
    sessions: Sessions, caller: Asker, reference: str, given: UpdateInput, key: str
) -> Corrected | Refused | Unconfirmed | Unavailable:
    fields = CorrectionFields(
        status=given.status,
        percent=given.percent,
        note=given.note,
        evidence_url=given.evidence_url,
        next_steps=given.next_steps,
        blockers=given.blockers,
        decision=given.decision,
        confirm_not_personal=given.confirm_not_personal,
        override_reason=given.override_reason,
    )

    def save(db: Session, person_id: int) -> Corrected:
        return correct_update(
            db=db,
            plan_id=caller.plan_id,
            actor_id=person_id,
            reference=reference,
            fields=fields,
            now=caller.now,
            idempotency_key=key,
            admins=caller.admin_ids,
        )

    return _committed(sessions, caller, given.code, save)


def withdraw(sessions: Sessions, caller: Asker, reference: str) -> Withdrawn | Refused:
    def take_out(db: Session, person_id: int) -> Withdrawn:
        return withdraw_update(
            db=db,
            plan_id=caller.plan_id,
            actor_id=person_id,
            reference=reference,
            now=caller.now,
            admins=caller.admin_ids,
        )

    return _write(sessions, caller, take_out)


def editable(sessions: Sessions, caller: Asker, code: str) -> frozenset[int]:
    """The updates of a milestone the caller may still correct: the history shows them an Edit button."""
    with sessions() as db:
        actor = actor_for(db, caller.plan_id, caller.user_id, caller.admin_ids)
        return correctable_ids(db, caller.plan_id, actor, code, caller.now)


def may_update(sessions: Sessions, caller: Asker, code: str) -> bool:
    """Whether to offer an Update button: the plan's one rule (owner, their cover, an admin)."""
    with sessions() as db:
        actor = actor_for(db, caller.plan_id, caller.user_id, caller.admin_ids)
        return may_update_milestone(db, plan_id=caller.plan_id, actor=actor, code=code, today=caller.today)


# ---------------------------------------------------------------- saving, and what can go wrong


def _save(
    sessions: Sessions,
    caller: Asker,
    given: UpdateInput,
    key: str,
    *,
    only_a_date: bool = False,
    receipt: bool = False,
) -> SaveOutcome:
    """record_update in a transaction of its own, with the outbox row that announces it (and, with
    `receipt`, sends the author a receipt); with `only_a_date`, an update that changes nothing is no
    update (None), since the request is for a new due date."""

    def record(db: Session, person_id: int) -> UpdateResult:
        result = _record(db, person_id)
        if not result.duplicate:  # a replay was announced the first time
            enqueue(
                db,
                plan_id=caller.plan_id,
                kind=OutboxKind.UPDATE_SAVED,
                subject_id=result.update_id,
                now=caller.now,
                recipient=caller.user_id,
                receipt=receipt,
                facts={"override_kinds": list(result.override_kinds)} if result.override_kinds else None,
            )
        return result

    def _record(db: Session, person_id: int) -> UpdateResult:
        return record_update(
            db=db,
            plan_id=caller.plan_id,
            milestone_code=given.code,
            author_id=person_id,
            status=given.status,
            percent=given.percent,
            note=given.note,
            evidence_url=given.evidence_url,
            next_steps=given.next_steps,
            blockers=given.blockers,
            decision=given.decision,
            source=caller.source,
            idempotency_key=key,
            now=caller.now,
            reopen_reason=given.reopen_reason,
            confirm_not_personal=given.confirm_not_personal,
            override_reason=given.override_reason,
            extra_admin_slack_ids=caller.admin_ids,
        )

    outcome = _committed(sessions, caller, given.code, record)
    if isinstance(outcome, Unchanged) and only_a_date:
        return Saved(None)
    if isinstance(outcome, UpdateResult):
        return Saved(outcome)
    return outcome


def _committed(
    sessions: Sessions, caller: Asker, code: str, work: Callable[[Session, int], T]
) -> T | Refused | Unconfirmed | Unavailable:
    """`work` in a transaction of its own. A database failure before COMMIT means nothing was saved;
    a failure at COMMIT leaves it unknown, which must never be reported as a failure."""
    done: list[T] = []
    try:
        with sessions.begin() as db:
            person = person_for(db, caller.plan_id, caller.user_id)  # held: the checks find it by id
            if person is None:
                return Refused(NOT_IN_PLAN)
            done.append(work(db, person.id))
    except DomainError as exc:
        return refused(exc)
    except DBAPIError as exc:
        return Unconfirmed(code) if done else Unavailable(exc)
    return done[0]


def _write(sessions: Sessions, caller: Asker, work: Callable[[Session, int], T]) -> T | Refused:
    """`work` in a transaction of its own, a domain refusal as a result."""
    try:
        with sessions.begin() as db:
            person_id = caller_person(db, caller)
            if person_id is None:
                return Refused(NOT_IN_PLAN)
            return work(db, person_id)
    except DomainError as exc:
        return refused(exc)


def caller_person(db: Session, caller: Asker) -> int | None:
    """The caller's person in the plan, or None for someone the plan does not know."""
    actor = actor_for(db, caller.plan_id, caller.user_id, caller.admin_ids)
    return actor.person_id if actor is not None else None


def refused(exc: DomainError) -> Refused:
    """A refusal with the form fields it is about: personal data names its fields (and, when the box
    can help, the box); an input error its field and any others; anything else the milestone."""
    if isinstance(exc, PersonalDataSuspected):
        fields = [f for f in exc.fields if f in FORM_FIELDS] or ["note"]
        overridable = not isinstance(exc, PersonalDataRefused)  # no box for a hard identifier
        return PersonalData(exc.message, fields[0], {f: exc.message for f in fields}, overridable)
    if isinstance(exc, NoChange):
        return Unchanged(exc.message, "note")
    if isinstance(exc, InvalidInput):
        field_name = exc.field if exc.field in FORM_FIELDS else "note"
        return Refused(exc.message, field_name, dict(exc.also))
    if isinstance(exc, NotAllowed):
        return Refused(exc.message, None)
    return Refused(exc.message, "milestone")


def _is_denial(refused: Refused) -> bool:
    """Not allowed (or not in the plan): the form would not help, so the quick line says so."""
    return refused.field is None
