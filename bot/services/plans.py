"""Which plan a request is about, when one deployment serves several plans.

Slack-free: the caller says where the request came from (a hint carried by a form or a message, the
channel, who is asking) and this picks the plan, in that order, or says a choice is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from bot.services.errors import DomainError, NotFound
from models import Board, Milestone, Person, Plan, PlanChoice


@dataclass(frozen=True)
class PlanRef:
    id: int
    title: str
    channel: str | None
    authority: str = ""  # the council: "Eastvale" finds its plan when the titles are alike


class PlanChoiceNeeded(DomainError):
    """Several plans could be meant and nothing says which: the person is asked to choose.

    `plans` lists the person's own plans first, then the others."""

    def __init__(self, plans: Sequence[PlanRef]) -> None:
        self.plans = list(plans)
        names = ", ".join(f'"{p.title}"' for p in self.plans)
        super().__init__(
            f"This workspace keeps several plans ({names}). Choose one with `/qib plan NAME`; "
            "I will remember it for your messages to me and the Home tab. In a plan's board channel I "
            "always answer about that plan."
        )


def plan_refs(db: Session, ids: Sequence[int] | None = None) -> list[PlanRef]:
    """The plans in the database (or those of `ids`), oldest first."""
    query = select(Plan.id, Plan.title, Plan.channel, Plan.authority).order_by(Plan.id)
    if ids is not None:
        query = query.where(Plan.id.in_(list(ids)))
    return [
        PlanRef(id=r.id, title=r.title, channel=r.channel, authority=r.authority) for r in db.execute(query)
    ]


def own_plan_ids(db: Session, slack_user_id: str, among: Sequence[int]) -> list[int]:
    """The plans where this Slack user has a part: owns a milestone, covers as a delegate, or chairs."""
    if not slack_user_id or not among:
        return []
    covered = aliased(Person)
    found = db.scalars(
        select(Person.plan_id)
        .where(
            Person.slack_user_id == slack_user_id,
            Person.plan_id.in_(list(among)),
            or_(
                Person.is_chair.is_(True),
                select(Milestone.id).where(Milestone.owner_id == Person.id).exists(),
                select(Board.id).where(Board.chair_id == Person.id).exists(),
                select(covered.id).where(covered.delegate_id == Person.id).exists(),
            ),
        )
        .distinct()
    )
    return sorted(set(found))


def chosen_plan_id(db: Session, slack_user_id: str) -> int | None:
    return db.scalar(select(PlanChoice.plan_id).where(PlanChoice.slack_user_id == slack_user_id))


def remember_choice(db: Session, slack_user_id: str, plan_id: int, *, now: datetime) -> None:
    """Record (or replace) the plan this person's DMs and Home answer about."""
    row = db.get(PlanChoice, slack_user_id)
    if row is None:
        db.add(PlanChoice(slack_user_id=slack_user_id, plan_id=plan_id, chosen_at=now))
    else:
        row.plan_id, row.chosen_at = plan_id, now
    db.flush()


def find_by_name(plans: Sequence[PlanRef], name: str) -> PlanRef:
    """A plan by its title (any case), a unique start or part of it, or its id; failing those, by its
    council's name (the authority) or a unique part of it; NotFound lists them."""
    wanted = " ".join(name.split()).casefold()
    for match in (
        lambda p: str(p.id) == wanted,
        lambda p: p.title.casefold() == wanted,
        lambda p: p.title.casefold().startswith(wanted),
        lambda p: wanted in p.title.casefold(),
        lambda p: p.authority.casefold() == wanted,
        lambda p: wanted in p.authority.casefold(),
    ):
        found = [p for p in plans if wanted and match(p)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            break
    names = ", ".join(f'"{p.title}"' for p in plans)
    raise NotFound(f'No single plan is called "{name}". The plans are: {names}.')


@dataclass(frozen=True)
class Where:
    """What a request says about its plan, most specific first."""

    slack_user_id: str
    hint: int | None = None  # a plan id carried by the form, Home tab or message acted on
    channel_id: str | None = None  # the channel the request came from, if any


def resolve(
    db: Session,
    plans: Sequence[PlanRef],
    where: Where,
    channel_of: Callable[[PlanRef], str | None],
) -> int:
    """The plan a request is about, among several: the form's or message's own plan; the plan bound to
    the channel; the plan the person chose last; the one plan they have a part in. Otherwise
    PlanChoiceNeeded. `channel_of` gives a plan's board channel as an id (None if unknown)."""
    ids = [p.id for p in plans]
    if where.hint is not None and where.hint in ids:
        return where.hint
    if where.channel_id and not where.channel_id.startswith("D"):
        for plan in plans:
            if plan.channel and channel_of(plan) == where.channel_id:
                return plan.id
    chosen = chosen_plan_id(db, where.slack_user_id) if where.slack_user_id else None
    if chosen in ids:
        return chosen
    own = own_plan_ids(db, where.slack_user_id, ids)
    if len(own) == 1:
        return own[0]
    first = [p for p in plans if p.id in own] + [p for p in plans if p.id not in own]
    raise PlanChoiceNeeded(first)
