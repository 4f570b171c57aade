"""Where are we? The plan, an area, priority or milestone found by what was typed, someone's own
milestones, what is overdue, due or stale, a milestone's history, and the chair's summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.corrections import correctable_ids
from bot.services.digest import Digest
from bot.services.errors import NotFound
from bot.services.measures import MeasureView, read_measures, select_measures
from bot.services.people import actor_for
from bot.services.search import SearchResult, search
from bot.services.update_form import may_update
from bot.usecases.base import Asker, Sessions, refusing, require_actor


@dataclass(frozen=True)
class Choices:
    """Nothing, or more than one thing, matched: the search, to offer its choices."""

    found: SearchResult


@dataclass(frozen=True)
class AreaFound:
    detail: queries.AreaDetail
    measures: tuple[MeasureView, ...]


@dataclass(frozen=True)
class PriorityFound:
    report: queries.PriorityReport


@dataclass(frozen=True)
class MilestoneFound:
    detail: queries.MilestoneDetail
    can_update: bool  # the asker may update it (owner, their cover, an admin): an Update button


Found = Choices | AreaFound | PriorityFound | MilestoneFound


@dataclass(frozen=True)
class Paper:
    """The summary of the board paper that would be posted now, and the meetings line under it."""

    digest: Digest
    calendar: queries.BoardCalendar


@dataclass(frozen=True)
class NoPaper:
    """No board meets within the year: the plan's own view for the chair, without a paper to follow."""

    summary: queries.ChairSummary


# Builds the digest for the next board as of a moment, in the use case's session; NotFound when there is
# no board to build it for.
BuildDigest = Callable[[Session, datetime], Digest]


def overview(sessions: Sessions, who: Asker) -> queries.PlanOverview:
    with sessions() as db:
        return queries.plan_overview(db=db, plan_id=who.plan_id, today=who.today, now=who.now)


def look_up(sessions: Sessions, who: Asker, text: str) -> Found:
    """What the words name: an area (with its measures), a priority, a milestone, or choices."""
    with sessions() as db:
        return found_in(db, who, search(db, who.plan_id, text))


def found_in(db: Session, who: Asker, found: SearchResult) -> Found:
    """The details of what a search found, read in the same session as the search."""
    if found.match is None:
        return Choices(found)
    hit, plan_id, today = found.match, who.plan_id, who.today
    if hit.kind == "area":
        return AreaFound(
            queries.area_detail(db=db, plan_id=plan_id, today=today, code=hit.code),
            select_measures(read_measures(db=db, plan_id=plan_id, today=today), hit.code),
        )
    if hit.kind == "priority":
        return PriorityFound(queries.by_priority(db=db, plan_id=plan_id, today=today, code=hit.code))
    actor = actor_for(db, plan_id, who.user_id, who.admin_ids)
    return MilestoneFound(
        queries.milestone_detail(db=db, plan_id=plan_id, today=today, code=hit.code),
        may_update(db, plan_id=plan_id, actor=actor, code=hit.code, today=today),
    )


def summary(sessions: Sessions, who: Asker, build: BuildDigest) -> Paper | NoPaper:
    """The board paper in brief; without a board in the coming year, the chair's view of the plan. One
    session, so a warm request reads the plan revision once."""
    with sessions() as db:
        try:
            paper = build(db, who.now)
        except NotFound:
            return NoPaper(queries.chair_summary(db=db, plan_id=who.plan_id, today=who.today, now=who.now))
        return Paper(paper, queries.board_calendar(db=db, plan_id=who.plan_id, today=who.today, now=who.now))


@refusing
def mine(sessions: Sessions, who: Asker) -> queries.PersonMilestones:
    """The asker's milestones and those they cover; someone not in the plan is told how to get added."""
    with sessions() as db:
        actor = require_actor(db, who)
        return queries.milestones_for(db=db, plan_id=who.plan_id, today=who.today, person_id=actor.person_id)


def overdue(sessions: Sessions, who: Asker) -> queries.MilestoneList:
    with sessions() as db:
        return queries.overdue(db=db, plan_id=who.plan_id, today=who.today)


def due(sessions: Sessions, who: Asker, days: int | None) -> queries.DueSoon:
    """What falls due in `days`, or before the next board when None."""
    with sessions() as db:
        return queries.due_soon(db=db, plan_id=who.plan_id, today=who.today, days=days, now=who.now)


def stale(sessions: Sessions, who: Asker) -> queries.MilestoneList:
    with sessions() as db:
        return queries.stale(db=db, plan_id=who.plan_id, today=who.today)


@refusing
def priorities(sessions: Sessions, who: Asker, code: str | None) -> queries.PriorityReport:
    with sessions() as db:
        return queries.by_priority(db=db, plan_id=who.plan_id, today=who.today, code=code)


@dataclass(frozen=True)
class HistoryFound:
    detail: queries.MilestoneDetail
    editable: frozenset[int]  # the updates the asker may still correct: an Edit button each


@refusing
def history(sessions: Sessions, who: Asker, text: str) -> queries.MilestoneDetail:
    """A milestone's updates, found by its code as typed ("m7") or by words that name only it."""
    with sessions() as db:
        return _history(db, who, text)


@refusing
def history_to_edit(sessions: Sessions, who: Asker, text: str) -> HistoryFound:
    """A milestone's updates, and those the asker may still correct, in one session (so a warm request
    reads the plan revision once)."""
    with sessions() as db:
        detail = _history(db, who, text)
        actor = actor_for(db, who.plan_id, who.user_id, who.admin_ids)
        return HistoryFound(detail, correctable_ids(db, who.plan_id, actor, detail.row.code, who.now))


def _history(db: Session, who: Asker, text: str) -> queries.MilestoneDetail:
    code = text.strip().split()[0]
    found = search(db, who.plan_id, code)
    if found.match is not None and found.match.kind == "milestone":
        code = found.match.code
    return queries.milestone_detail(db=db, plan_id=who.plan_id, today=who.today, code=code)
