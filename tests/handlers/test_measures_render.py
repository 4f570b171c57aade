"""Measure replies and the record form's inline errors, from the use cases' outcomes."""

from __future__ import annotations

import pytest

from bot.services.errors import InvalidInput
from bot.services.measures import MeasureView, Rag, Recorded
from bot.usecases.measures import NotSaved
from bot.usecases.results import Refused
from handlers.measures import form_errors, record_reply
from handlers.measures.render import measures_reply
from tests.handlers.blockcheck import valid_reply


def _recorded(saved: bool) -> Recorded:
    return Recorded(code="KPI-3", title="Reviews", unit="count", period="2019-12", value=1, saved=saved,
                    replaced=None)  # fmt: skip


def test_a_saved_value_is_confirmed() -> None:
    assert (
        valid_reply(record_reply(_recorded(True), "KPI-3 1 for 2019-12")).text
        == "Saved: KPI-3 1 for Dec 2019."
    )
    assert form_errors(_recorded(True)) == {}


def test_a_problem_with_the_input_says_nothing_was_saved() -> None:
    reply = valid_reply(record_reply(NotSaved("No such period."), "KPI-3 1 for 13"))
    assert reply.text == "Nothing was saved: No such period."


def test_not_allowed_goes_to_the_error_reply() -> None:
    with pytest.raises(InvalidInput, match="Only the owner"):
        record_reply(Refused("Only the owner"), "KPI-3 1")


def test_form_errors_point_at_the_field_at_fault() -> None:
    assert form_errors(Refused("Only the owner")) == {"value": "Only the owner"}
    assert form_errors(NotSaved("Looks like a name", field="note", personal_data=True)) == {
        "note": "Looks like a name",
        "options": "Tick this only if it is not.",
    }
    assert form_errors(NotSaved("Bad period", field="period")) == {"period": "Bad period"}
    assert form_errors(NotSaved("Odd", field="nowhere")) == {"value": "Odd"}
    assert "x" * 301 not in str(form_errors(NotSaved("x" * 400)))


def _measure(code: str, areas: tuple[str, ...]) -> MeasureView:
    return MeasureView(code=code, title="Visits in timescale", question=None, question_text=None, unit="percent",
                       direction="up", target=90, amber_within=5, frequency="monthly", owner_id=None,
                       owner_name=None, areas=areas, priorities=(), points=(), rag=Rag.NONE,
                       since_previous=None, since_board=None, sparkline="", last_period="2026-06",
                       missing_last_period=True)  # fmt: skip


def test_a_plan_with_no_measures_says_how_to_add_them_not_to_ask_again() -> None:
    reply = valid_reply(measures_reply([], asked=""))
    assert reply.text == (
        "The plan has no performance measures: add them under `measures:` in the plan file "
        "(see docs/plan-file.md)."
    )
    assert "lists them all" in valid_reply(measures_reply([], asked="fostering")).text


def test_a_long_list_of_measures_suggests_one_of_the_plans_own_codes() -> None:
    reply = valid_reply(measures_reply([_measure(f"PI{n}", ("1",)) for n in range(60)], asked=""))
    more = reply.blocks[-1]["elements"][0]["text"]
    assert "`/qib measures PI0`" in more and "AFI" not in more
