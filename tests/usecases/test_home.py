"""The Home tab's contents as one call: one's own milestones and measures, the plan, the inspection."""

from __future__ import annotations

from bot.usecases.home import home_tab
from tests.usecases.support import IRO, STRANGER, Who


def test_an_owner_sees_their_milestones_and_measures(sessions, who: Who) -> None:
    tab = home_tab(sessions, who(IRO))
    assert tab.mine is not None and {i.row.code for i in tab.mine.items} >= {"M-05"}
    assert "KPI-3" in {m.code for m in tab.measures}
    assert tab.inspection is not None and tab.overview.totals.milestones == 22


def test_someone_the_plan_does_not_know_sees_the_plan_only(sessions, who: Who) -> None:
    tab = home_tab(sessions, who(STRANGER))
    assert tab.mine is None and tab.measures == ()
    assert tab.overview.areas
