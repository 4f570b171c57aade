"""Measures as calls: recording by owner, delegate or admin; what is refused, not saved, or to confirm."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.measure_charts import ChartData
from bot.services.measures import Recorded
from bot.usecases import measures
from bot.usecases.measures import NotSaved, RecordRequest
from bot.usecases.results import Refused
from tests.usecases.support import CHAIR, IRO, IRO_2, PRACTICE_LEAD, STRANGER, Who


@pytest.mark.parametrize("user", [IRO, IRO_2, CHAIR])  # the owner, their delegate, an admin
def test_the_owner_their_delegate_and_admins_record(sessions, who: Who, user: str) -> None:
    saved = measures.record(sessions, RecordRequest(who(user), "kpi-3", 1, "2019-12", "One review slipped"))
    assert isinstance(saved, Recorded) and saved.saved
    assert (saved.code, saved.period, saved.value, saved.replaced) == ("KPI-3", "2019-12", 1, None)


@pytest.mark.parametrize("user", [PRACTICE_LEAD, STRANGER])
def test_anyone_else_is_refused(sessions, who: Who, user: str) -> None:
    assert isinstance(measures.record(sessions, RecordRequest(who(user), "KPI-3", 1, "2019-12")), Refused)


def test_a_second_value_for_a_period_waits_for_replace(sessions, who: Who) -> None:
    first = measures.record(sessions, RecordRequest(who(IRO), "KPI-3", 2))  # January has 0 from the import
    assert isinstance(first, Recorded) and not first.saved and first.replaced is not None
    second = measures.record(sessions, RecordRequest(who(IRO), "KPI-3", 2, replace=True))
    assert isinstance(second, Recorded) and second.saved


def test_a_childs_details_or_an_unknown_measure_are_not_saved(sessions, who: Who) -> None:
    personal = measures.record(sessions, RecordRequest(who(IRO), "KPI-3", 1, "2019-12", "NHS 943 476 5919"))
    assert isinstance(personal, NotSaved) and personal.personal_data and personal.field == "note"
    assert "943" not in personal.reason
    unknown = measures.record(sessions, RecordRequest(who(IRO), "KPI-99", 1))
    assert isinstance(unknown, NotSaved) and not unknown.personal_data


def test_listing_finding_and_charting(sessions, who: Who) -> None:
    assert [m.code for m in measures.list_measures(sessions, who(IRO), "KPI-3")] == ["KPI-3"]
    assert len(measures.list_measures(sessions, who(IRO), "")) > 1
    found = measures.find_measure(sessions, who(IRO), "kpi-3")
    assert not isinstance(found, Refused) and found.code == "KPI-3"
    assert measures.find_measure(sessions, who(IRO), "KPI") == Refused(
        "There is no measure KPI. `/qib measures` lists them."
    )
    drawn = measures.chart(sessions, who(IRO), "KPI-3")
    assert isinstance(drawn, ChartData) and drawn.code == "KPI-3" and drawn.values
    assert isinstance(measures.chart(sessions, who(IRO), "KPI-99"), Refused)
    assert who(IRO).today == date(2020, 2, 3)
