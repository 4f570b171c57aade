"""The Home tab view: own milestones above the plan, the question box and its last answer."""

from __future__ import annotations

import json

from bot.usecases.home import home_tab
from handlers.blocks import Reply, section
from handlers.home.view import QUESTION_INPUT, home_view
from tests.handlers.blockcheck import valid_view
from tests.usecases.support import IRO, STRANGER, TODAY, Who


def test_own_milestones_come_above_the_plan_with_update_buttons(sessions, who: Who) -> None:
    view = valid_view(home_view(home_tab(sessions, who(IRO)), TODAY))
    text = json.dumps(view["blocks"])
    assert text.index("Your milestones") < text.index("The plan:")
    assert '"value": "M-05"' in text and QUESTION_INPUT in text


def test_a_stranger_is_told_how_to_get_added(sessions, who: Who) -> None:
    view = valid_view(home_view(home_tab(sessions, who(STRANGER)), TODAY))
    assert "not in the plan's list of people yet" in json.dumps(view["blocks"])


def test_the_last_answer_is_shown_under_the_question_escaped(sessions, who: Who) -> None:
    answered = ("what's <late>?", Reply(text="Nothing", blocks=[section("Nothing is overdue.")]))
    view = valid_view(home_view(home_tab(sessions, who(IRO)), TODAY, answered))
    text = json.dumps(view["blocks"])
    assert "You asked: _what's &lt;late&gt;?_" in text and "Nothing is overdue." in text
