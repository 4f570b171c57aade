"""/qib inspection: the inspection the plan answers, or the ones before it."""

from __future__ import annotations

from bot.services import inspection
from bot.services.inspection import EarlierView, InspectionView
from bot.usecases.base import Asker, Sessions, refusing


def current(sessions: Sessions, who: Asker) -> InspectionView | None:
    """The plan's inspection with its action-plan deadline as of today; None when the file names none."""
    with sessions() as db:
        return inspection.inspection_view(db=db, plan_id=who.plan_id, today=who.today)


@refusing
def history(sessions: Sessions, who: Asker) -> list[EarlierView]:
    """Earlier inspections and visits, newest first."""
    with sessions() as db:
        return inspection.inspection_history(db=db, plan_id=who.plan_id)
