"""One date formatter and one person formatter for every surface."""

from __future__ import annotations

from datetime import date

from bot.services.people import Actor
from bot.services.wording import day, day_in, full_day, person_label
from handlers import words


def test_days_have_no_leading_zero_and_a_short_month():
    assert day(date(2021, 4, 5)) == "Mon 5 Apr"
    assert full_day(date(2020, 1, 1)) == "Wed 1 Jan 2020"
    assert day_in(date(2020, 1, 1), today=date(2020, 6, 1)) == "Wed 1 Jan"
    assert day_in(date(2020, 1, 1), today=date(2019, 12, 1)) == "Wed 1 Jan 2020"
    assert day(None) == full_day(None) == "no date"


def test_slack_words_use_the_same_formatter():
    assert words.day is day and words.day_in is day_in and words.full_day is full_day


def test_a_person_whose_role_is_their_name_is_named_once():
    assert person_label("Quality Lead", "Quality Lead") == "Quality Lead"
    assert person_label("Quality Lead", " quality  lead ") == "Quality Lead"
    assert (
        person_label("Sam Carter", "Head of Children's Social Care")
        == "Sam Carter (Head of Children's Social Care)"
    )
    assert person_label("Sam Carter", None) == person_label("Sam Carter", "") == "Sam Carter"


def test_an_actor_is_introduced_with_the_same_person_formatter():
    actor = Actor(1, "ql", "Quality Lead", "Quality Lead", None, False, False)
    assert actor.label == "Quality Lead"
