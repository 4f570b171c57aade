"""Revised due dates: an owner asks, the chair (or an admin) approves or declines.

The plan's original date is kept as the milestone's baseline once a revision is approved; `due` is
always the approved date, so overdue is measured against it. Every step is audited.
The caller owns the transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.audit import AuditAction, audit
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import actor_by_id, can_manage_meetings, can_update
from bot.services.update_checks import clean_text, lock_milestone
from bot.services.wording import day, full_day
from models import Milestone, Person, Plan


@dataclass(frozen=True)
class DueRequest:
    milestone_code: str
    milestone_title: str
    due: date | None
    proposed: date
    reason: str
    requested_by: str
    owner_slack_id: str | None
    approver_slack_ids: tuple[str, ...]  # the chair and the plan's admins

    def as_facts(self) -> dict[str, Any]:
        """As JSON, for the outbox row that asks the approvers (from_facts reads it back)."""
        facts = dataclasses.asdict(self)
        facts.update(
            due=self.due.isoformat() if self.due else None,
            proposed=self.proposed.isoformat(),
            approver_slack_ids=list(self.approver_slack_ids),
        )
        return facts

    @classmethod
    def from_facts(cls, facts: dict[str, Any]) -> DueRequest:
        return cls(
            **{
                **facts,
                "due": date.fromisoformat(facts["due"]) if facts.get("due") else None,
                "proposed": date.fromisoformat(facts["proposed"]),
                "approver_slack_ids": tuple(facts["approver_slack_ids"]),
            }
        )


@dataclass(frozen=True)
class DueDecision:
    milestone_code: str
    milestone_title: str
    approved: bool
    baseline: date | None
    due: date | None
    proposed: date
    decided_by: str
    requester_slack_id: str | None
    already: bool  # decided before (another approver's click, or a replay): nothing changed now


def request_due_date(
    *,
    db: Session,
    plan_id: int,
    milestone_code: str,
    author_id: int,
    proposed: date | None,
    reason: str | None,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> DueRequest:
    """Ask for a new due date; the milestone keeps its date until the chair approves."""
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise NotFound("That plan no longer exists.")
    milestone = lock_milestone(db, plan_id, milestone_code)
    actor = actor_by_id(db, plan_id, author_id, extra_admin_slack_ids)
    today = now.astimezone(ZoneInfo(plan.timezone)).date()
    owner = db.get(Person, milestone.owner_id) if milestone.owner_id is not None else None
    if actor is None or not can_update(
        actor,
        milestone.owner_id,
        owner.delegate_id if owner else None,
        owner.delegate_until if owner else None,
        today,
    ):
        raise NotAllowed(
            f"Only {milestone.code}'s owner, their cover or an admin can ask to move its due date."
        )
    if proposed is None:
        raise InvalidInput("Give the new due date, e.g. `due 30 Apr because …`.", field="due")
    if proposed < today:
        raise InvalidInput(f"The new due date ({full_day(proposed)}) has already passed.", field="due")
    if proposed == milestone.due:
        raise InvalidInput(f"{milestone.code} is already due on {full_day(proposed)}.", field="due")
    why = clean_text(reason, "note")
    if why is None:
        raise InvalidInput(
            f"Say why {milestone.code}'s date should move, e.g. `due {day(proposed)} because the "
            "training provider has moved the course`: the chair decides on the reason.",
            field="due_reason",
        )
    milestone.due_requested = proposed
    milestone.due_request_reason = why
    milestone.due_requested_by_id = actor.person_id
    audit(
        db,
        plan_id=plan_id,
        at=now,
        actor_id=actor.person_id,
        actor=actor.name,
        action=AuditAction.DUE_DATE_REQUESTED,
        entity="milestone",
        entity_code=milestone.code,
        before={"due": _iso(milestone.due)},
        after={"requested": proposed.isoformat(), "reason": why},
    )
    db.flush()
    approvers = db.scalars(
        select(Person.slack_user_id).where(
            Person.plan_id == plan_id,
            Person.slack_user_id.is_not(None),
            (Person.is_chair.is_(True)) | (Person.is_admin.is_(True)),
        )
    ).all()
    return DueRequest(
        milestone_code=milestone.code,
        milestone_title=milestone.title,
        due=milestone.due,
        proposed=proposed,
        reason=why,
        requested_by=actor.name,
        owner_slack_id=owner.slack_user_id if owner else None,
        approver_slack_ids=tuple(dict.fromkeys(a for a in approvers if a)),
    )


def decide_due_date(
    *,
    db: Session,
    plan_id: int,
    milestone_code: str,
    proposed: date,
    approve: bool,
    actor_id: int,
    now: datetime,
    extra_admin_slack_ids: frozenset[str] = frozenset(),
) -> DueDecision:
    """Approve or decline the revision asked for; a decision on a request no longer pending changes
    nothing (`already`)."""
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise NotFound("That plan no longer exists.")
    actor = actor_by_id(db, plan_id, actor_id, extra_admin_slack_ids)
    if not can_manage_meetings(actor):
        raise NotAllowed("Only the board's chair or a plan admin can approve a revised due date.")
    assert actor is not None
    milestone = lock_milestone(db, plan_id, milestone_code)
    requester = db.get(Person, milestone.due_requested_by_id) if milestone.due_requested_by_id else None
    pending = milestone.due_requested == proposed
    if pending:
        today = now.astimezone(ZoneInfo(plan.timezone)).date()
        before = milestone.due
        if approve:
            if milestone.baseline_due is None:
                milestone.baseline_due = milestone.due
            milestone.due = proposed
            milestone.due_revised_by = actor.name
            milestone.due_revised_on = today
        audit(
            db,
            plan_id=plan_id,
            at=now,
            actor_id=actor.person_id,
            actor=actor.name,
            action=AuditAction.DUE_DATE_APPROVED if approve else AuditAction.DUE_DATE_DECLINED,
            entity="milestone",
            entity_code=milestone.code,
            before={"due": _iso(before), "baseline": _iso(milestone.baseline_due)},
            after={
                "due": _iso(milestone.due),
                "requested": proposed.isoformat(),
                "reason": milestone.due_request_reason,
            },
        )
        milestone.due_requested = None
        milestone.due_request_reason = None
        milestone.due_requested_by_id = None
        db.flush()
    return DueDecision(
        milestone_code=milestone.code,
        milestone_title=milestone.title,
        approved=approve,
        baseline=milestone.baseline_due,
        due=milestone.due,
        proposed=proposed,
        decided_by=actor.name,
        requester_slack_id=requester.slack_user_id if requester else None,
        already=not pending,
    )


def due_phrase(
    due: date | None,
    baseline: date | None,
    revised_by: str | None,
    revised_on: date | None,
    requested: date | None,
) -> str:
    """ "due Tue 31 Mar, revised to Thu 30 Apr, approved by Sam Carter on Wed 12 Feb" (plain text)."""
    if baseline is None or due == baseline:
        text = f"due {day(due)}"
    else:
        text = f"due {day(baseline)}, revised to {day(due)}"
        if revised_by:
            text += f", approved by {revised_by}"
        if revised_on:
            text += f" on {day(revised_on)}"
    if requested is not None:
        text += f" (revised date requested: {day(requested)})"
    return text


def milestone_due_phrase(milestone: Milestone) -> str:
    return due_phrase(
        milestone.due,
        milestone.baseline_due,
        milestone.due_revised_by,
        milestone.due_revised_on,
        milestone.due_requested,
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
