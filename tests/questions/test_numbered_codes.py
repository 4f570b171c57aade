"""Questions over a plan whose milestones are numbered 1, 2, 30, 60: a figure in a question (a number
of days, a day of the month, a percent) is not a milestone code, and a code on its own still is."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.questions import PlanTerms, interpret
from bot.services.questions import intents as q
from qib_testing.routes import subcommands

TODAY = date(2026, 5, 1)
COMMANDS = subcommands().names()
NUMBERED = PlanTerms(codes=("A", "B", "1", "2", "10", "15", "30", "60"), commands=COMMANDS)
LETTERED = PlanTerms(codes=("A", "B", "M-01", "M-02"), commands=COMMANDS)


@pytest.mark.parametrize(
    "question",
    [
        "what is due in the next 60 days?",
        "what's due in the next 30 days?",
        "what falls due in 2 weeks?",
        "what is due by 15 May?",
        "what is due on May 30?",
        "what's due in 30 days",
        "show me the 10 most overdue",
        "top 10 risks",
    ],
)
def test_a_figure_in_a_question_is_read_as_in_a_plan_with_no_milestone_of_that_number(question):
    assert interpret(question, TODAY, NUMBERED) == interpret(question, TODAY, LETTERED)
    assert not isinstance(interpret(question, TODAY, NUMBERED), q.Status)


@pytest.mark.parametrize(
    ("question", "code"),
    [("how is 30 doing?", "30"), ("status of 60", "60"), ("who owns 2?", "2"), ("what about 15", "15")],
)
def test_a_milestone_numbered_alone_is_still_found_by_its_number(question, code):
    assert interpret(question, TODAY, NUMBERED) == q.Status(code)


THREE_PARTS = PlanTerms(codes=("A1", "A1.2", "A1.2.3", "1.2", "1.2.3", "M1-2", "M1-2-1"), commands=COMMANDS)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("how is A1.2.3 doing?", "A1.2.3"),
        ("what about a1.2.3", "A1.2.3"),
        ("how is 1.2.3 doing?", "1.2.3"),
        ("any news on m1-2-1?", "M1-2-1"),
        ("how is A1.2 doing?", "A1.2"),
        ("what about 1.2?", "1.2"),
    ],
)
def test_a_code_of_three_parts_is_read_whole_not_as_its_first_two(question, code):
    assert interpret(question, TODAY, THREE_PARTS) == q.Status(code)


LETTERED_AREAS = PlanTerms(codes=("A", "B", "C", "I", "1", "2", "10"), commands=COMMANDS)
DURHAM_STYLE = PlanTerms(codes=("AFI-1", "M-01"), commands=COMMANDS)


@pytest.mark.parametrize(
    "question",
    [
        "give me a summary",
        "is there a decision for the board?",
        "show me a list of what is overdue",
        "what is due in a month?",
        "who has not updated in a while?",
        "what changed since a week ago?",
        "what do i own?",
    ],
)
def test_the_word_a_is_not_area_a(question):
    assert interpret(question, TODAY, LETTERED_AREAS) == interpret(question, TODAY, DURHAM_STYLE)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("how is A doing?", "A"),
        ("tell me about a", "A"),
        ("how is area a doing?", "A"),
        ("what's happening in area b?", "B"),
        ("what about c", "C"),
        ("how is I doing?", "I"),
    ],
)
def test_an_area_lettered_a_is_still_found_when_named(question, code):
    assert interpret(question, TODAY, LETTERED_AREAS) == q.Status(code)
