"""The App Home tab: what it shows one person, read in one session."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import inspection, queries
from bot.services.inspection import InspectionView
from bot.services.measures import MeasureView, owned_by, read_measures
from bot.services.people import actor_for
from bot.usecases.base import Asker, Sessions


@dataclass(frozen=True)
class HomeTab:
    """`mine` is None for someone the plan does not know (they are told how to get added)."""

    overview: queries.PlanOverview
    mine: queries.PersonMilestones | None
    inspection: InspectionView | None
    measures: tuple[MeasureView, ...]


def home_tab(sessions: Sessions, who: Asker) -> HomeTab:
    plan_id, today = who.plan_id, who.today
    with sessions() as db:
        actor = actor_for(db, plan_id, who.user_id, who.admin_ids)
        mine = (
            queries.milestones_for(db=db, plan_id=plan_id, today=today, person_id=actor.person_id)
            if actor
            else None
        )
        measures = (
            owned_by(read_measures(db=db, plan_id=plan_id, today=today), actor.person_id) if actor else ()
        )
        return HomeTab(
            overview=queries.plan_overview(db=db, plan_id=plan_id, today=today, now=who.now),
            mine=mine,
            inspection=inspection.inspection_view(db=db, plan_id=plan_id, today=today),
            measures=measures,
        )
