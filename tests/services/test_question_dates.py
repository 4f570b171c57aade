"""Dates in words, read against the plan's local date: never guessed silently, always day first."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.questions.dates import find_date, find_window

MONDAY = date(2020, 2, 3)


def window(text: str, today: date = MONDAY) -> tuple[date, date, str]:
    found = find_window(text, today)
    assert found is not None, text
    return found.frm, found.until, found.reading


def test_a_month_without_a_year_is_the_next_one_and_the_answer_says_which():
    assert window("due in march") == (date(2020, 3, 1), date(2020, 3, 31), "March 2020 (1 Mar–31 Mar)")
    assert window("due in january")[:2] == (date(2021, 1, 1), date(2021, 1, 31))
    assert window("due in february")[:2] == (date(2020, 2, 1), date(2020, 2, 29))  # this month: all of it


def test_a_month_with_a_year_is_that_month():
    assert window("in march 2021")[:2] == (date(2021, 3, 1), date(2021, 3, 31))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("next 60 days", 60),
        ("in the next 2 weeks", 14),
        ("within fourteen days", 14),
        ("over the next 3 months", 90),
    ],
)
def test_the_next_n_days_weeks_or_months_run_from_today(text, days):
    frm, until, reading = window(text)
    assert frm == MONDAY and (until - frm).days == days
    assert reading.startswith("the next ")


def test_this_week_runs_to_sunday_and_next_week_is_monday_to_sunday():
    assert window("this week")[:2] == (MONDAY, date(2020, 2, 9))
    assert window("next week")[:2] == (date(2020, 2, 10), date(2020, 2, 16))
    sunday = date(2020, 2, 9)
    assert window("this week", sunday)[:2] == (sunday, sunday)


def test_end_of_the_month_and_next_month():
    assert window("by the end of the month")[:2] == (MONDAY, date(2020, 2, 29))
    assert window("next month")[:2] == (date(2020, 3, 1), date(2020, 3, 31))
    assert window("next month", date(2020, 12, 10))[:2] == (date(2021, 1, 1), date(2021, 1, 31))


def test_numeric_dates_are_british_day_first():
    assert find_date("3/4/2020", MONDAY) == (date(2020, 4, 3), "Fri 3 Apr 2020")
    assert find_date("03.04.20", MONDAY) == (date(2020, 4, 3), "Fri 3 Apr 2020")


def test_between_two_dates_in_either_order():
    assert window("between 30 april and 1 march")[:2] == (date(2020, 3, 1), date(2020, 4, 30))
    assert window("from 01/03/2020 to 30/06/2020")[:2] == (date(2020, 3, 1), date(2020, 6, 30))


def test_by_a_date_runs_from_today_to_it():
    assert window("by 31st March")[:2] == (MONDAY, date(2020, 3, 31))


def test_weekdays_are_the_next_one_or_for_since_the_last_one():
    assert find_date("next thursday", MONDAY) == (date(2020, 2, 6), "Thu 6 Feb 2020")
    assert find_date("next monday", MONDAY)[0] == date(2020, 2, 10)
    assert find_date("monday", MONDAY, past=True)[0] == date(2020, 1, 27)


def test_since_a_day_without_a_year_is_the_last_one():
    assert find_date("1 march", MONDAY, past=True)[0] == date(2019, 3, 1)
    assert find_date("1 january", MONDAY, past=True)[0] == date(2020, 1, 1)


@pytest.mark.parametrize("text", ["31/2/2020", "30 february", "what may slip", "soonish", "in 99999 days"])
def test_what_is_not_a_date_is_not_read_as_one(text):
    assert find_window(text, MONDAY) is None


def test_common_misspellings_of_months():
    assert window("due in febuary")[:2] == (date(2020, 2, 1), date(2020, 2, 29))
    assert window("sept")[:2] == (date(2020, 9, 1), date(2020, 9, 30))
