"""Milestone rows: one statement loads every milestone with its owner, area and latest update."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from bot.services.queries.people import _person_alias
from bot.services.queries.results import _COMPLETE, _STATUSES, REASON_MAX_CHARS, BoardCalendar, MilestoneRow
from bot.services.status import Health, health, is_stale
from models import (
    Area,
    Milestone,
    Priority,
    ProgressUpdate,
)

# ---------------------------------------------------------------------------------------------------
# Milestone rows (one statement)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Loaded:
    """A row plus the ids the queries need internally (never handed out)."""

    id: int
    owner_id: int | None
    priority_id: int | None
    area_id: int
    position: int
    row: MilestoneRow


def _latest(column_name: str) -> Any:
    """A column of the milestone's latest update, as a correlated scalar subquery (SQLite).

    Each one is an index probe on ``(milestone_id, at, id)``, so the cost follows the milestones shown,
    not the plan's history. (An outer join on the latest id made PostgreSQL hash every update.)
    """
    pu = aliased(ProgressUpdate, name=f"latest_{column_name}")
    return (
        select(getattr(pu, column_name))
        .where(pu.milestone_id == Milestone.id, pu.superseded_at.is_(None))
        .order_by(pu.at.desc(), pu.id.desc())
        .limit(1)
        .correlate(Milestone)
        .scalar_subquery()
    )


def latest_update_lateral(*names: str) -> Any:
    """These columns of the milestone's latest shown update, as a LATERAL subquery (PostgreSQL): one
    backward probe of the ``(milestone_id, at, id)`` index per milestone, however many columns (a
    probe per column took twice as long on 2,000 milestones)."""
    pu = aliased(ProgressUpdate, name="latest")
    return (
        select(*(getattr(pu, name) for name in names))
        .where(pu.milestone_id == Milestone.id, pu.shown())
        .order_by(pu.at.desc(), pu.id.desc())
        .limit(1)
        .lateral("latest_update")
    )


@cache
def _rows_select(with_reason: bool, lateral: bool = False) -> Select[Any]:
    """The milestone-row SELECT without its WHERE; built once (statements are immutable)."""
    owner = _person_alias("owner")
    columns: list[Any] = [
        Milestone.id,
        Milestone.owner_id,
        Milestone.priority_id,
        Milestone.area_id,
        Milestone.position,
        Milestone.code,
        Milestone.title,
        Milestone.due,
        Milestone.status,
        Milestone.percent,
        Milestone.last_update_at,
        Area.code,
        Area.title,
        Priority.code,
        owner.key,
        owner.name,
        owner.role,
        owner.slack_user_id,
        Milestone.baseline_due,
        Milestone.due_requested,
        Milestone.due_request_reason,
    ]
    latest = latest_update_lateral("note", "blockers") if with_reason and lateral else None
    if latest is not None:
        columns += [latest.c.note, latest.c.blockers]
    elif with_reason:
        columns += [_latest("note"), _latest("blockers")]
    stmt = (
        select(*columns)
        .join(Area, Area.id == Milestone.area_id)
        .outerjoin(Priority, Priority.id == Milestone.priority_id)
        .outerjoin(owner, owner.id == Milestone.owner_id)
    )
    if latest is not None:
        stmt = stmt.outerjoin(latest, true())
    return stmt.order_by(Milestone.position, Milestone.id)


def _load_rows(
    db: Session,
    plan_id: int,
    calendar: BoardCalendar,
    *where: ColumnElement[bool],
    with_reason: bool = True,
) -> list[_Loaded]:
    """Milestones of the plan matching ``where``, in plan order, as rows: one SELECT."""
    lateral = db.connection().dialect.name == "postgresql"
    stmt = _rows_select(with_reason, lateral).where(Milestone.plan_id == plan_id, *where)
    loaded = []
    for r in db.execute(stmt):
        loaded.append(
            _Loaded(
                id=r[0],
                owner_id=r[1],
                priority_id=r[2],
                area_id=r[3],
                position=r[4],
                row=_make_row(
                    calendar,
                    code=r[5],
                    title=r[6],
                    due=r[7],
                    status=r[8],
                    percent=r[9],
                    last_update_at=r[10],
                    area_code=r[11],
                    area_title=r[12],
                    priority_code=r[13],
                    owner_key=r[14],
                    owner_name=r[15],
                    owner_role=r[16],
                    owner_slack_id=r[17],
                    baseline_due=r[18],
                    due_requested=r[19],
                    due_request_reason=r[20],
                    reason=_reason(r[21], r[22]) if with_reason else None,
                ),
            )
        )
    return loaded


def _make_row(
    calendar: BoardCalendar,
    *,
    code: str,
    title: str,
    due: date | None,
    status: str,
    percent: int,
    last_update_at: datetime | None,
    area_code: str,
    area_title: str,
    priority_code: str | None,
    owner_key: str | None,
    owner_name: str | None,
    owner_role: str | None,
    owner_slack_id: str | None,
    reason: str | None,
    baseline_due: date | None = None,
    due_requested: date | None = None,
    due_request_reason: str | None = None,
) -> MilestoneRow:
    today = calendar.today
    h = health(status, due, today)
    updated_on = calendar.day_of(last_update_at) if last_update_at else None
    return MilestoneRow(
        code=code,
        title=title,
        area_code=area_code,
        area_title=area_title,
        priority_code=priority_code,
        owner_key=owner_key,
        owner_name=owner_name,
        owner_role=owner_role,
        owner_slack_id=owner_slack_id,
        due=due,
        status=_STATUSES[status],
        health=h,
        percent=percent,
        last_update_at=last_update_at,
        last_update_age_days=max(0, (today - updated_on).days) if updated_on else None,
        stale=_is_stale(status, updated_on, calendar),
        reason=reason,
        overdue_days=(today - due).days if h is Health.OVERDUE and due is not None else 0,
        baseline_due=baseline_due if baseline_due != due else None,
        due_requested=due_requested if status != _COMPLETE else None,
        due_request_reason=due_request_reason if due_requested and status != _COMPLETE else None,
    )


def _is_stale(status: str, updated_on: date | None, calendar: BoardCalendar) -> bool:
    """A finished milestone needs no more updates, so it is never stale."""
    return status != _COMPLETE and is_stale(updated_on, calendar.previous_on)


_SPACES = re.compile(r"\s+")


def _reason(note: str | None, blockers: str | None) -> str | None:
    """Blockers first (they explain a red or amber), then the note; whitespace folded, cut at a word."""
    parts = []
    if blockers and blockers.strip():
        parts.append("Blockers: " + _SPACES.sub(" ", blockers.strip()))
    if note and note.strip():
        parts.append(_SPACES.sub(" ", note.strip()))
    if not parts:
        return None
    text = " — ".join(parts)
    if len(text) <= REASON_MAX_CHARS:
        return text
    cut = text[: REASON_MAX_CHARS - 1]
    space = cut.rfind(" ")
    if space > REASON_MAX_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + "…"


def _unfinished() -> ColumnElement[bool]:
    return Milestone.status != _COMPLETE


def _stale_filter(calendar: BoardCalendar) -> ColumnElement[bool] | None:
    """SQL for "unfinished and not updated since the previous meeting's day"; None if no meeting yet."""
    since = calendar.since_previous
    if since is None:
        return None
    return and_(_unfinished(), or_(Milestone.last_update_at.is_(None), Milestone.last_update_at < since))


def _due_order(row: MilestoneRow) -> tuple[date, str]:
    return (row.due or date.max, row.code)
