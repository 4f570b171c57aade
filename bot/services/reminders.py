"""Who gets a reminder before a board meeting, and for what: one batch per person, never per milestone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.measures import MeasureView, read_measures
from bot.services.queries import MilestoneRow, PersonRef
from bot.services.status import Health
from models import Person


def _answered(row: MilestoneRow, since: date | None, today: date) -> bool:
    """Updated on or after `since` (local days)."""
    if since is None or row.last_update_age_days is None:
        return False
    return row.last_update_age_days <= (today - since).days


@dataclass(frozen=True)
class ReminderItem:
    row: MilestoneRow
    covered_for: PersonRef | None


@dataclass(frozen=True)
class ReminderBatch:
    person: PersonRef
    items: list[ReminderItem]
    board_name: str
    meeting_on: date
    digest_on: date
    today: date
    # Measures the person owns (or covers) with no value for the last complete period.
    measures: list[MeasureView] = field(default_factory=list)


def _covering(owner: Any, by_id: dict[int, Any], today: date) -> Any | None:
    """The owner's delegate while the cover lasts, or None."""
    delegate = by_id.get(owner.delegate_id) if owner.delegate_id else None
    if delegate is not None and (owner.delegate_until is None or today <= owner.delegate_until):
        return delegate
    return None


def _measures_due(
    db: Session, plan_id: int, today: date, by_id: dict[int, Any]
) -> dict[str, list[MeasureView]]:
    """Measures missing last period's value, by owner key (and by a covering delegate's)."""
    measures: dict[str, list[MeasureView]] = {}
    for m in read_measures(db=db, plan_id=plan_id, today=today).measures:
        owner = by_id.get(m.owner_id) if m.owner_id else None
        if owner is None or not m.missing_last_period:
            continue
        measures.setdefault(owner.key, []).append(m)
        delegate = _covering(owner, by_id, today)
        if delegate is not None:
            measures.setdefault(delegate.key, []).append(m)
    return measures


def reminder_batches(
    *,
    db: Session,
    plan_id: int,
    meeting_on: date,
    digest_on: date,
    today: date,
    updated_since: date | None = None,
) -> list[ReminderBatch]:
    """Owners with stale milestones or milestones due before the meeting; a covering delegate gets them too.

    A milestone updated on or after `updated_since` (when the reminder window opened) has its answer
    already, so nobody is reminded of it. People without a Slack id cannot be reached: their batches come
    with no `slack_user_id`, sent to nobody, so the chair's list of who has not answered still names them.
    """
    calendar, rows = queries.milestone_rows(db=db, plan_id=plan_id, today=today)
    wanted = [
        r
        for r in rows
        if r.health is not Health.COMPLETE
        and (r.stale or (r.due is not None and r.due < meeting_on))
        and not _answered(r, updated_since, today)
    ]
    people = db.execute(
        select(
            Person.key,
            Person.name,
            Person.role,
            Person.slack_user_id,
            Person.delegate_id,
            Person.delegate_until,
            Person.id,
        ).where(Person.plan_id == plan_id)
    ).all()
    by_id = {p.id: p for p in people}
    by_key = {p.key: p for p in people}
    items: dict[str, list[ReminderItem]] = {}
    for row in wanted:
        owner = by_key.get(row.owner_key or "")
        if owner is None:
            continue
        items.setdefault(owner.key, []).append(ReminderItem(row, None))
        delegate = _covering(owner, by_id, today)
        if delegate is not None:
            ref = PersonRef(owner.key, owner.name, owner.role, owner.slack_user_id)
            items.setdefault(delegate.key, []).append(ReminderItem(row, ref))
    measures = _measures_due(db, plan_id, today, by_id)
    batches = []
    for key in {**items, **measures}:
        p = by_key[key]
        batches.append(
            ReminderBatch(
                person=PersonRef(p.key, p.name, p.role, p.slack_user_id),
                items=items.get(key, []),
                board_name=calendar.board_name or "board",
                meeting_on=meeting_on,
                digest_on=digest_on,
                today=today,
                measures=measures.get(key, []),
            )
        )
    return sorted(batches, key=lambda b: b.person.key)
