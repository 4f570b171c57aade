"""/qib inspection as calls: the current inspection, the earlier ones, and a database with no plan."""

from __future__ import annotations

from datetime import date

from bot.usecases import inspection
from bot.usecases.base import Asker
from bot.usecases.results import Refused
from tests.usecases.support import IRO, NOW, Who


def test_the_current_inspection_with_its_action_plan_deadline(sessions, who: Who) -> None:
    seen = inspection.current(sessions, who(IRO))
    assert seen is not None
    assert seen.action_plan is not None and seen.action_plan.due == date(2020, 1, 30)


def test_earlier_inspections_newest_first(sessions, who: Who) -> None:
    earlier = inspection.history(sessions, who(IRO))
    assert isinstance(earlier, list)
    assert [e.month for e in earlier] == ["2019-01", "2018-07", "2016-02"]


def test_no_plan_is_refused_and_shows_no_inspection(sessions) -> None:
    nobody = Asker("U1", 999, NOW, NOW.date())
    assert inspection.current(sessions, nobody) is None
    assert inspection.history(sessions, nobody) == Refused("There is no plan loaded yet.")
