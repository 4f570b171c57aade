"""Questions as calls: what was asked, and the answers no subcommand gives as such."""

from __future__ import annotations

from datetime import date

from bot.services.questions import intents as q
from bot.usecases import questions, status
from tests.usecases.support import IRO, Who

COMMANDS = frozenset({"status", "summary", "mine", "overdue", "due", "help", "update", "history"})


def test_a_typed_subcommand_needs_no_plan_words(sessions, who: Who) -> None:
    asked = questions.understand(sessions, who(IRO), "summary", COMMANDS)
    assert asked.direct and asked.words is None and isinstance(asked.intent, q.Summary | q.Command)


def test_a_question_is_read_with_the_plans_words(sessions, who: Who) -> None:
    asked = questions.understand(sessions, who(IRO), "what's overdue?", COMMANDS)
    assert not asked.direct and asked.words is not None and isinstance(asked.intent, q.Overdue)
    assert not asked.bare_topic


def test_bare_words_are_a_topic_that_may_be_a_missing_subcommand(sessions, who: Who) -> None:
    asked = questions.understand(sessions, who(IRO), "frobnicate", COMMANDS)
    assert asked.bare_topic and isinstance(asked.intent, q.Status) and asked.intent.topic == "frobnicate"


def test_a_topic_finds_what_it_names_or_nothing(sessions, who: Who) -> None:
    assert isinstance(questions.about(sessions, who(IRO), "foster carer reviews"), status.AreaFound)
    assert questions.about(sessions, who(IRO), "xylophone quantum") is None


def test_someone_elses_milestones_by_name(sessions, who: Who) -> None:
    theirs = questions.owned_by(sessions, who(IRO), "Alex Morgan")
    assert theirs is not None and {i.row.code for i in theirs.items} >= {"M-05"}
    assert questions.owned_by(sessions, who(IRO), "Nobody Atall") is None


def test_ratings_dates_decisions_and_changes(sessions, who: Who) -> None:
    assert {r.code for r in questions.rated(sessions, who(IRO), frozenset({"complete"})).rows} >= {"M-16"}
    window = questions.due_between(sessions, who(IRO), date(2020, 3, 1), date(2020, 3, 31))
    assert (window.frm, window.until, window.basis) == (date(2020, 3, 1), date(2020, 3, 31), "dates")
    assert questions.for_decision(sessions, who(IRO)).calendar.today == date(2020, 2, 3)
    calendar, changed = questions.changes(sessions, who(IRO), date(2019, 1, 1))
    assert calendar.today == date(2020, 2, 3) and changed
