"""A recorded update as the caller reports it: the change in one line, the milestone's health after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services.people import board_chairs
from bot.services.status import Health, health
from bot.services.update_checks import zone as _zone
from models import Person, Plan, ProgressUpdate
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


def as_result(db: Session, update: ProgressUpdate, *, duplicate: bool) -> UpdateResult:
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
    return as_result(db, update, duplicate=False)


def told_of_reopening(db: Session, update_id: int) -> tuple[str, ...]:
    """Who hears that a complete milestone was reopened: its owner and the board's chair (Slack ids),
    never the person who reopened it."""
    update = db.get(ProgressUpdate, update_id)
    if update is None:
        return ()
    owner = db.get(Person, update.milestone.owner_id) if update.milestone.owner_id is not None else None
    people = [owner, *board_chairs(db, update.plan_id)]
    told: list[str] = []
    for person in people:
        if person is None or not person.slack_user_id or person.id == update.author_id:
            continue
        if person.slack_user_id not in told:
            told.append(person.slack_user_id)
    return tuple(told)
