"""The kept answers most requests draw on, built before the first request (bot.usecases.warm_up).

Without them each worker process builds them on its first requests, which then wait on the plan's
largest reads (the board's summary about 150 ms on 2,000 milestones). Nothing here is new work: each
is what a request would have built, kept under the revision read now; a write since is seen as ever.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.inspection import inspection_view
from bot.services.measures import read_measures
from bot.services.people import keep_people
from bot.services.queries.owned import keep_everyone
from bot.services.queries.views import keep_areas
from bot.services.search_entries import keep_entries


def keep_plan(db: Session, plan_id: int, today: date, now: datetime) -> None:
    """The plan's status, areas, owned milestones, search entries, people, measures and inspection."""
    queries.plan_overview(db=db, plan_id=plan_id, today=today, now=now)
    queries.board_calendar(db=db, plan_id=plan_id, today=today, now=now)
    keep_areas(db=db, plan_id=plan_id, today=today)
    keep_everyone(db=db, plan_id=plan_id, today=today)
    keep_entries(db=db, plan_id=plan_id)
    keep_people(db=db, plan_id=plan_id)
    read_measures(db=db, plan_id=plan_id, today=today)
    inspection_view(db=db, plan_id=plan_id, today=today)
