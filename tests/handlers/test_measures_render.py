"""Measure replies and the record form's inline errors, from the use cases' outcomes."""

from __future__ import annotations

import pytest

from bot.services.errors import InvalidInput
from bot.services.measures import Recorded
from bot.usecases.measures import NotSaved
from bot.usecases.results import Refused
from handlers.measures import form_errors, record_reply
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
