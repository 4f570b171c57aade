"""Tallies by health, per area and for the plan, counted in SQL or over loaded rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Date, Select, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.services.queries.results import _COMPLETE, AreaSummary, BoardCalendar, Figures, MilestoneRow
from bot.services.queries.rows import _is_stale
from bot.services.status import Health, health, roll_up
from models import (
    Area,
    Milestone,
)
from models.base import UTCDateTime

# ---------------------------------------------------------------------------------------------------
# Figures and roll-ups (pure)
# ---------------------------------------------------------------------------------------------------


_HEALTHS = tuple(Health)  # iterating the enum itself is slow, and a tally is made per area per request


class _Tally:
    """Running totals for one set of milestones (an area, a priority, the plan)."""

    __slots__ = ("counts", "next_due", "percent", "stale")

    def __init__(self) -> None:
        self.counts: dict[Health, int] = dict.fromkeys(_HEALTHS, 0)
        self.percent = 0
        self.stale = 0
        self.next_due: date | None = None

    def add(self, h: Health, *, n: int, percent: int, stale: int, due_ahead: date | None) -> None:
        self.counts[h] += n
        self.percent += percent
        self.stale += stale
        if due_ahead is not None and (self.next_due is None or due_ahead < self.next_due):
            self.next_due = due_ahead

    def add_row(self, r: MilestoneRow, today: date) -> None:
        ahead = r.due if r.due is not None and r.due >= today and r.status != _COMPLETE else None
        self.add(r.health, n=1, percent=r.percent, stale=int(r.stale), due_ahead=ahead)

    def health(self) -> Health | None:
        # The roll-up depends only on which healths are present, not on how many of each.
        return roll_up(h for h, n in self.counts.items() if n)

    def figures(self) -> Figures:
        total = sum(self.counts.values())
        complete = self.counts[Health.COMPLETE]
        return Figures(
            milestones=total,
            complete=complete,
            counts=dict(self.counts),
            percent_complete=round(self.percent / total, 1) if total else 0.0,
            share_complete=round(100 * complete / total, 1) if total else 0.0,
            overdue=self.counts[Health.OVERDUE],
            stale=self.stale,
            next_due=self.next_due,
        )


def _tally(rows: Iterable[MilestoneRow], today: date) -> _Tally:
    tally = _Tally()
    for r in rows:
        tally.add_row(r, today)
    return tally


def _aggregate(
    db: Session, plan_id: int, calendar: BoardCalendar, key: Any
) -> tuple[_Tally, dict[Any, _Tally]]:
    """Totals for the plan and per ``key`` (a milestone column such as area_id) in one GROUP BY.

    Milestones are grouped by key, stored status, "due before today" and "not updated since the
    previous meeting", so every milestone in a group has the same health and staleness; each group's
    health and staleness then come from ``health()`` and ``is_stale()`` applied to a representative
    (its earliest due date, its latest update), never re-implemented in SQL.
    """
    today = calendar.today
    since = calendar.since_previous
    stmt = _aggregate_select(key, since is not None)
    rows = db.execute(stmt, {"plan_id": plan_id, "today": today, "since": since})
    total = _Tally()
    by_key: dict[Any, _Tally] = defaultdict(_Tally)
    for group_key, status, n, percent, first_due, last_update, first_due_ahead in rows:
        h = health(status, first_due, today)
        stale_n = (
            n if _is_stale(status, calendar.day_of(last_update) if last_update else None, calendar) else 0
        )
        ahead = first_due_ahead if status != _COMPLETE else None
        for tally in (total, by_key[group_key]):
            tally.add(h, n=n, percent=int(percent or 0), stale=stale_n, due_ahead=ahead)
    return total, by_key


@cache
def _aggregate_select(key: Any, with_since: bool) -> Select[Any]:
    """The GROUP BY of _aggregate, built once per key column; plan, today and since are bound."""
    today = bindparam("today", type_=Date)
    late = case((Milestone.due < today, 1), else_=0)
    old = (
        case(
            (
                or_(
                    Milestone.last_update_at.is_(None),
                    Milestone.last_update_at < bindparam("since", type_=UTCDateTime),
                ),
                1,
            ),
            else_=0,
        )
        if with_since
        else literal(0)
    )
    flagged = (
        select(
            key.label("key"),
            Milestone.status.label("status"),
            late.label("late"),
            old.label("old"),
            Milestone.percent.label("percent"),
            Milestone.due.label("due"),
            Milestone.last_update_at.label("last_update_at"),
        )
        .where(Milestone.plan_id == bindparam("plan_id"))
        .subquery("flagged")
    )
    c = flagged.c
    return select(
        c.key,
        c.status,
        func.count(),
        func.sum(c.percent),
        func.min(c.due),
        func.max(c.last_update_at),
        func.min(case((c.due >= today, c.due))),
    ).group_by(c.key, c.status, c.late, c.old)


def _area_summaries(
    areas: Sequence[tuple[int, str, str, str]], tallies: Mapping[int, _Tally]
) -> list[AreaSummary]:
    empty = _Tally()
    return [
        AreaSummary(
            code=code,
            title=title,
            description=description,
            health=tallies.get(area_id, empty).health(),
            figures=tallies.get(area_id, empty).figures(),
        )
        for area_id, code, title, description in areas
    ]


def _load_areas(db: Session, plan_id: int) -> list[tuple[int, str, str, str]]:
    return [
        (r.id, r.code, r.title, r.description)
        for r in db.execute(
            select(Area.id, Area.code, Area.title, Area.description)
            .where(Area.plan_id == plan_id)
            .order_by(Area.position, Area.id)
        )
    ]
