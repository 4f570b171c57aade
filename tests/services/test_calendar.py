"""Calendar behaviour: bank holidays, clear working days, board meetings and post times.

Every expected date below was worked out by hand from a calendar and the gov.uk bank holiday lists,
not by calling the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services import bank_holiday_days
from bot.services.calendar import (
    Meeting,
    Override,
    bank_holidays,
    clear_working_days_before,
    is_working_day,
    meetings_between,
    next_meeting,
    parse_rrule,
    previous_meeting,
    schedule_for,
    unmatched_overrides,
    working_days_before,
)

LONDON = "Europe/London"
LONDON_TZ = ZoneInfo(LONDON)
THIRD_THURSDAY = "FREQ=MONTHLY;BYDAY=+3TH"
FIRST_MONDAY = "FREQ=MONTHLY;BYDAY=+1MO"
TEN = time(10, 0)
START = date(2020, 1, 1)


def board(frm: date, to: date, *overrides: Override, rule: str = THIRD_THURSDAY) -> list[Meeting]:
    return meetings_between(rule, START, TEN, LONDON, overrides, frm, to)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


# --- bank holidays ---------------------------------------------------------------------------------

GOV_UK_BANK_HOLIDAYS = {
    2020: {
        date(2020, 1, 1),
        date(2020, 4, 10),
        date(2020, 4, 13),
        date(2020, 5, 8),  # VE day: the early May bank holiday moved from Monday 4 May
        date(2020, 5, 25),
        date(2020, 8, 31),
        date(2020, 12, 25),
        date(2020, 12, 28),  # Boxing Day (Saturday 26th), substitute day
    },
    2021: {
        date(2021, 1, 1),
        date(2021, 4, 2),
        date(2021, 4, 5),
        date(2021, 5, 3),
        date(2021, 5, 31),
        date(2021, 8, 30),
        date(2021, 12, 27),  # Christmas Day (Saturday), substitute day
        date(2021, 12, 28),  # Boxing Day (Sunday), substitute day
    },
    2022: {
        date(2022, 1, 3),  # New Year's Day (Saturday), substitute day
        date(2022, 4, 15),
        date(2022, 4, 18),
        date(2022, 5, 2),
        date(2022, 6, 2),  # spring bank holiday moved from 30 May
        date(2022, 6, 3),  # Platinum Jubilee
        date(2022, 8, 29),
        date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        date(2022, 12, 26),
        date(2022, 12, 27),  # Christmas Day (Sunday), substitute day
    },
    2023: {
        date(2023, 1, 2),  # New Year's Day (Sunday), substitute day
        date(2023, 4, 7),
        date(2023, 4, 10),
        date(2023, 5, 1),
        date(2023, 5, 8),  # Coronation of King Charles III
        date(2023, 5, 29),
        date(2023, 8, 28),
        date(2023, 12, 25),
        date(2023, 12, 26),
    },
}


@pytest.mark.parametrize("year", sorted(GOV_UK_BANK_HOLIDAYS))
def test_bank_holidays_match_the_gov_uk_list(year: int) -> None:
    assert bank_holidays(year) == GOV_UK_BANK_HOLIDAYS[year]


def test_the_written_bank_holidays_are_the_librarys_answers() -> None:
    """bot.services.bank_holiday_days stands in for the library where its version is installed: for every
    year it covers it must say what the library says (after an upgrade it stands aside until written anew)."""
    for year in bank_holiday_days.DAYS:
        written = bank_holiday_days.written(year)
        library = bank_holiday_days.from_library(year)
        assert written is None or written == library, year
        assert bank_holidays(year) == library, year
    assert bank_holiday_days.written(min(bank_holiday_days.DAYS) - 1) is None  # a year it does not cover


def test_ve_day_2020_replaced_the_first_monday_in_may() -> None:
    assert date(2020, 5, 8) in bank_holidays(2020)
    assert date(2020, 5, 4) not in bank_holidays(2020)
    assert is_working_day(date(2020, 5, 4))
    assert not is_working_day(date(2020, 5, 8))


def test_one_off_bank_holidays_of_2022_and_2023_are_known() -> None:
    for day in (date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)):
        assert not is_working_day(day), day
    assert is_working_day(date(2022, 5, 30))  # the usual spring bank holiday moved to 2 June


def test_substitute_days_when_christmas_and_new_year_fall_at_a_weekend() -> None:
    for day in (date(2020, 12, 28), date(2021, 12, 27), date(2021, 12, 28), date(2022, 1, 3)):
        assert day in bank_holidays(day.year), day


def test_weekend_dates_the_library_names_are_not_listed_as_bank_holidays() -> None:
    # The holidays library also lists Saturday 26 December 2020 "Boxing Day" and the like.
    for day in (date(2020, 12, 26), date(2021, 12, 25), date(2021, 12, 26), date(2022, 1, 1)):
        assert day not in bank_holidays(day.year), day
        assert not is_working_day(day), day


def test_bank_holidays_are_computed_once_per_year() -> None:
    assert bank_holidays(2021) is bank_holidays(2021)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not is_working_day(date(2020, 2, 1))  # Saturday
    assert not is_working_day(date(2020, 2, 2))  # Sunday
    assert is_working_day(date(2020, 2, 3))  # Monday


# --- clear working days ----------------------------------------------------------------------------


def test_digest_for_7_february_2020_is_published_30_january() -> None:
    # Durham's agenda for the 7 February 2020 board is dated 30 January 2020.
    assert clear_working_days_before(date(2020, 2, 7), 5) == date(2020, 1, 30)


def test_three_clear_days_in_wales_for_7_february_2020_is_monday_3_february() -> None:
    assert clear_working_days_before(date(2020, 2, 7), 3) == date(2020, 2, 3)


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (date(2020, 2, 7), date(2020, 2, 6)),  # Friday -> Thursday
        (date(2020, 2, 10), date(2020, 2, 7)),  # Monday -> Friday
        (date(2020, 4, 14), date(2020, 4, 9)),  # Tuesday after Easter -> Maundy Thursday
        (date(2020, 4, 13), date(2020, 4, 9)),  # a meeting on Easter Monday itself
    ],
)
def test_zero_clear_days_means_the_previous_working_day(meeting: date, expected: date) -> None:
    assert clear_working_days_before(meeting, 0) == expected


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        # 11, (8 bank holiday), 7, 6, 5, 4 May are clear: 4 May 2020 was a working day.
        pytest.param(date(2020, 5, 12), date(2020, 5, 1), id="ve-day-2020"),
        # 6, 5, 4, (1 Jan), 31, 30 Dec clear; 29 Dec is the first working day before.
        pytest.param(date(2021, 1, 7), date(2020, 12, 29), id="christmas-2020"),
        # 5, 4, (3 Jan sub), 31, 30, 29 clear; 28 and 27 Dec are substitute days.
        pytest.param(date(2022, 1, 6), date(2021, 12, 24), id="christmas-2021"),
        # 4, 3, (2 Jan sub), 30, 29, 28 clear; 27 Dec sub, 26 Dec Boxing Day.
        pytest.param(date(2023, 1, 5), date(2022, 12, 23), id="christmas-2022"),
        # 6, (3, 2 Jun), 1 Jun, 31, 30, 27 May clear.
        pytest.param(date(2022, 6, 7), date(2022, 5, 26), id="platinum-jubilee-2022"),
        # 21, 20, (19 funeral), 16, 15, 14 clear.
        pytest.param(date(2022, 9, 22), date(2022, 9, 13), id="state-funeral-2022"),
        # 10, 9, (8 coronation), 5, 4, 3 clear.
        pytest.param(date(2023, 5, 11), date(2023, 5, 2), id="coronation-2023"),
    ],
)
def test_five_clear_days_skip_bank_holidays(meeting: date, expected: date) -> None:
    assert clear_working_days_before(meeting, 5) == expected


def test_negative_day_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        clear_working_days_before(date(2020, 2, 7), -1)
    with pytest.raises(ValueError, match="negative"):
        working_days_before(date(2020, 2, 7), -1)


@pytest.mark.parametrize(
    ("d", "n", "expected"),
    [
        (date(2020, 1, 8), 3, date(2020, 1, 3)),  # Wed -> Tue, Mon, Fri
        (date(2020, 1, 8), 0, date(2020, 1, 8)),  # a working day is its own 0th
        (date(2020, 4, 11), 0, date(2020, 4, 9)),  # Easter Saturday -> Maundy Thursday
        (date(2020, 4, 14), 1, date(2020, 4, 9)),  # over Easter Monday and Good Friday
        (date(2021, 1, 4), 1, date(2020, 12, 31)),  # over New Year's Day 2021
        (date(2020, 12, 29), 3, date(2020, 12, 22)),  # over 28 Dec (substitute) and Christmas
        (date(2021, 12, 24), 3, date(2021, 12, 21)),
    ],
)
def test_working_days_before(d: date, n: int, expected: date) -> None:
    assert working_days_before(d, n) == expected


@settings(deadline=None, max_examples=300)
@given(
    meeting=st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31)),
    n=st.integers(min_value=0, max_value=30),
)
def test_clear_working_days_before_leaves_exactly_n_working_days_between(meeting: date, n: int) -> None:
    published = clear_working_days_before(meeting, n)
    assert published < meeting
    assert is_working_day(published)
    between = [published + timedelta(days=i) for i in range(1, (meeting - published).days)]
    assert sum(1 for d in between if d.weekday() < 5 and d not in bank_holidays(d.year)) == n


@settings(deadline=None, max_examples=300)
@given(
    d=st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31)),
    n=st.integers(min_value=1, max_value=30),
)
def test_working_days_before_steps_back_exactly_n_working_days(d: date, n: int) -> None:
    result = working_days_before(d, n)
    assert result < d
    assert is_working_day(result)
    between = [result + timedelta(days=i) for i in range(1, (d - result).days)]
    assert sum(1 for x in between if is_working_day(x)) == n - 1


# --- the third-Thursday board, 2020 and 2021 --------------------------------------------------------

# (meeting, its UTC hour, digest day, digest UTC hour, reminder day, reminder UTC hour)
# Meetings are 10:00 Europe/London: 10:00 UTC in GMT, 09:00 UTC in BST (29 Mar-25 Oct 2020,
# 28 Mar-31 Oct 2021). Posts are 09:00 local: 09:00 UTC in GMT, 08:00 UTC in BST.
# Digest: five clear working days, i.e. normally the Wednesday of the week before a Thursday board.
# Reminder: three working days before the digest, i.e. normally the Friday before that.
THIRD_THURSDAY_TABLE = [
    (date(2020, 1, 16), 10, date(2020, 1, 8), 9, date(2020, 1, 3), 9),
    (date(2020, 2, 20), 10, date(2020, 2, 12), 9, date(2020, 2, 7), 9),
    (date(2020, 3, 19), 10, date(2020, 3, 11), 9, date(2020, 3, 6), 9),
    # Easter 2020: Good Friday 10 and Easter Monday 13 April are not clear days, so the digest goes
    # on Monday 6 April (clear: 7, 8, 9, 14, 15); the reminder three working days earlier, Wed 1 April.
    (date(2020, 4, 16), 9, date(2020, 4, 6), 8, date(2020, 4, 1), 8),
    # VE day, Friday 8 May 2020: the reminder skips it (12, 11, then 7 May).
    (date(2020, 5, 21), 9, date(2020, 5, 13), 8, date(2020, 5, 7), 8),
    (date(2020, 6, 18), 9, date(2020, 6, 10), 8, date(2020, 6, 5), 8),
    (date(2020, 7, 16), 9, date(2020, 7, 8), 8, date(2020, 7, 3), 8),
    (date(2020, 8, 20), 9, date(2020, 8, 12), 8, date(2020, 8, 7), 8),
    (date(2020, 9, 17), 9, date(2020, 9, 9), 8, date(2020, 9, 4), 8),
    (date(2020, 10, 15), 9, date(2020, 10, 7), 8, date(2020, 10, 2), 8),
    (date(2020, 11, 19), 10, date(2020, 11, 11), 9, date(2020, 11, 6), 9),
    (date(2020, 12, 17), 10, date(2020, 12, 9), 9, date(2020, 12, 4), 9),
    (date(2021, 1, 21), 10, date(2021, 1, 13), 9, date(2021, 1, 8), 9),
    (date(2021, 2, 18), 10, date(2021, 2, 10), 9, date(2021, 2, 5), 9),
    (date(2021, 3, 18), 10, date(2021, 3, 10), 9, date(2021, 3, 5), 9),
    # Easter 2021 (2 and 5 April) falls before the digest of Wed 7 April; the reminder skips both
    # (6 April, then 1 April, then 31 March, already BST after the 28 March change).
    (date(2021, 4, 15), 9, date(2021, 4, 7), 8, date(2021, 3, 31), 8),
    (date(2021, 5, 20), 9, date(2021, 5, 12), 8, date(2021, 5, 7), 8),
    (date(2021, 6, 17), 9, date(2021, 6, 9), 8, date(2021, 6, 4), 8),
    (date(2021, 7, 15), 9, date(2021, 7, 7), 8, date(2021, 7, 2), 8),
    (date(2021, 8, 19), 9, date(2021, 8, 11), 8, date(2021, 8, 6), 8),
    (date(2021, 9, 16), 9, date(2021, 9, 8), 8, date(2021, 9, 3), 8),
    (date(2021, 10, 21), 9, date(2021, 10, 13), 8, date(2021, 10, 8), 8),
    (date(2021, 11, 18), 10, date(2021, 11, 10), 9, date(2021, 11, 5), 9),
    (date(2021, 12, 16), 10, date(2021, 12, 8), 9, date(2021, 12, 3), 9),
]


def test_third_thursday_rule_gives_exactly_the_meetings_in_the_table() -> None:
    meetings = board(date(2020, 1, 1), date(2021, 12, 31))
    assert [m.on for m in meetings] == [row[0] for row in THIRD_THURSDAY_TABLE]
    assert all(m.kind == "rule" and m.original is None for m in meetings)
    assert not any(m.on_bank_holiday for m in meetings)


@pytest.mark.parametrize(
    ("on", "meeting_hour", "digest_day", "digest_hour", "reminder_day", "reminder_hour"),
    THIRD_THURSDAY_TABLE,
    ids=[row[0].isoformat() for row in THIRD_THURSDAY_TABLE],
)
def test_third_thursday_board_digest_and_reminder(
    on: date, meeting_hour: int, digest_day: date, digest_hour: int, reminder_day: date, reminder_hour: int
) -> None:
    [meeting] = board(on, on)
    assert meeting.starts_at == utc(on.year, on.month, on.day, meeting_hour)
    assert meeting.local_start == datetime(on.year, on.month, on.day, 10, tzinfo=LONDON_TZ)
    assert meeting.local_start.hour == 10

    schedule = schedule_for(meeting, tz=LONDON)

    assert schedule.digest_day == digest_day
    assert schedule.digest_at == utc(digest_day.year, digest_day.month, digest_day.day, digest_hour)
    assert schedule.reminder_day == reminder_day
    assert schedule.reminder_at == utc(reminder_day.year, reminder_day.month, reminder_day.day, reminder_hour)


def test_digest_at_is_nine_local_in_utc_either_side_of_29_march_2020() -> None:
    # First-Tuesday board: 7 April 2020. Clear days 6, 3, 2, 1 April and 31 March, so the digest is
    # Monday 30 March (BST: 08:00 UTC); the reminder, three working days earlier, Wednesday
    # 25 March (GMT: 09:00 UTC). The meeting, 10:00 BST, is 09:00 UTC.
    [meeting] = board(date(2020, 4, 1), date(2020, 4, 30), rule="FREQ=MONTHLY;BYDAY=+1TU")
    assert meeting.on == date(2020, 4, 7)
    assert meeting.starts_at == utc(2020, 4, 7, 9)
    schedule = schedule_for(meeting, tz=LONDON)
    assert schedule.digest_at == utc(2020, 3, 30, 8)
    assert schedule.reminder_at == utc(2020, 3, 25, 9)


def test_digest_at_is_nine_local_in_utc_either_side_of_25_october_2020() -> None:
    # First-Tuesday board: 3 November 2020. Clear days 2 Nov, 30, 29, 28, 27 Oct: digest Monday
    # 26 October (GMT again: 09:00 UTC); reminder Wednesday 21 October (BST: 08:00 UTC).
    [meeting] = board(date(2020, 11, 1), date(2020, 11, 30), rule="FREQ=MONTHLY;BYDAY=+1TU")
    assert meeting.on == date(2020, 11, 3)
    assert meeting.starts_at == utc(2020, 11, 3, 10)
    schedule = schedule_for(meeting, tz=LONDON)
    assert schedule.digest_at == utc(2020, 10, 26, 9)
    assert schedule.reminder_at == utc(2020, 10, 21, 8)


def test_a_daily_rule_keeps_10_local_across_both_clock_changes() -> None:
    spring = board(date(2020, 3, 28), date(2020, 3, 30), rule="FREQ=DAILY")
    assert [m.starts_at for m in spring] == [utc(2020, 3, 28, 10), utc(2020, 3, 29, 9), utc(2020, 3, 30, 9)]
    autumn = board(date(2020, 10, 24), date(2020, 10, 26), rule="FREQ=DAILY")
    assert [m.starts_at for m in autumn] == [
        utc(2020, 10, 24, 9),
        utc(2020, 10, 25, 10),
        utc(2020, 10, 26, 10),
    ]
    assert {m.local_start.hour for m in spring + autumn} == {10}


@pytest.mark.parametrize(
    ("extra_on", "digest_day", "reminder_day"),
    [
        # Christmas 2020: digest Tue 29 Dec (clear 30, 31 Dec, 4, 5, 6 Jan; 1 Jan is a holiday);
        # reminder skips 28 Dec (substitute) and 25 Dec: 24, 23, 22 -> Tuesday 22 December.
        (date(2021, 1, 7), date(2020, 12, 29), date(2020, 12, 22)),
        # Christmas 2021: 27 and 28 Dec and 3 Jan are substitute days: digest Fri 24 Dec.
        (date(2022, 1, 6), date(2021, 12, 24), date(2021, 12, 21)),
        # Christmas 2022: 26 Dec, 27 Dec (substitute) and 2 Jan (substitute): digest Fri 23 Dec.
        (date(2023, 1, 5), date(2022, 12, 23), date(2022, 12, 20)),
    ],
)
def test_an_early_january_board_publishes_before_christmas(
    extra_on: date, digest_day: date, reminder_day: date
) -> None:
    [meeting] = board(extra_on, extra_on, Override(on=extra_on, action="extra"))
    assert meeting.kind == "extra"
    assert meeting.starts_at == utc(extra_on.year, extra_on.month, extra_on.day, 10)
    schedule = schedule_for(meeting, tz=LONDON)
    assert (schedule.digest_day, schedule.reminder_day) == (digest_day, reminder_day)
    assert schedule.digest_at == utc(digest_day.year, digest_day.month, digest_day.day, 9)


def test_schedule_uses_the_configured_day_counts_and_post_time() -> None:
    [meeting] = board(date(2020, 2, 20), date(2020, 2, 20))
    schedule = schedule_for(
        meeting, digest_working_days=3, reminder_working_days=1, post_time=time(7, 30), tz=LONDON
    )
    # Thursday 20 Feb: clear 19, 18, 17 -> Friday 14 Feb; one working day before -> Thursday 13th.
    assert schedule.digest_day == date(2020, 2, 14)
    assert schedule.digest_at == utc(2020, 2, 14, 7, 30)
    assert schedule.reminder_day == date(2020, 2, 13)
    assert schedule.reminder_at == utc(2020, 2, 13, 7, 30)


def test_expanding_ten_years_of_a_monthly_rule_gives_120_meetings() -> None:
    assert len(board(date(2020, 1, 1), date(2029, 12, 31))) == 120


def test_an_empty_or_reversed_window_has_no_meetings() -> None:
    assert board(date(2020, 1, 17), date(2020, 2, 19)) == []
    assert board(date(2020, 12, 31), date(2020, 1, 1)) == []


def test_no_meetings_before_the_plan_start() -> None:
    meetings = meetings_between(
        THIRD_THURSDAY, date(2020, 6, 1), TEN, LONDON, [], date(2020, 1, 1), date(2020, 7, 31)
    )
    assert [m.on for m in meetings] == [date(2020, 6, 18), date(2020, 7, 16)]


def test_rrule_prefix_is_accepted() -> None:
    [meeting] = board(date(2020, 1, 1), date(2020, 1, 31), rule="RRULE:" + THIRD_THURSDAY)
    assert meeting.on == date(2020, 1, 16)


def test_until_as_a_plain_date_includes_that_day() -> None:
    meetings = board(date(2020, 1, 1), date(2020, 12, 31), rule=THIRD_THURSDAY + ";UNTIL=20200220")
    assert [m.on for m in meetings] == [date(2020, 1, 16), date(2020, 2, 20)]


# --- bank-holiday flagging ------------------------------------------------------------------------


def test_first_monday_board_never_hits_a_bank_holiday_in_2020() -> None:
    meetings = board(date(2020, 1, 1), date(2020, 12, 31), rule=FIRST_MONDAY)
    assert [m.on for m in meetings] == [
        date(2020, 1, 6),
        date(2020, 2, 3),
        date(2020, 3, 2),
        date(2020, 4, 6),
        date(2020, 5, 4),  # would have been the May bank holiday, but in 2020 that was Friday 8 May
        date(2020, 6, 1),
        date(2020, 7, 6),
        date(2020, 8, 3),
        date(2020, 9, 7),
        date(2020, 10, 5),
        date(2020, 11, 2),
        date(2020, 12, 7),
    ]
    assert not any(m.on_bank_holiday or m.rule_date_on_bank_holiday for m in meetings)


def test_first_monday_board_hits_easter_may_day_and_new_year_substitutes_2021_to_2023() -> None:
    meetings = board(date(2021, 1, 1), date(2023, 12, 31), rule=FIRST_MONDAY)
    flagged = [m.on for m in meetings if m.on_bank_holiday]
    assert flagged == [
        date(2021, 4, 5),  # Easter Monday
        date(2021, 5, 3),  # early May bank holiday
        date(2022, 1, 3),  # New Year's Day substitute
        date(2022, 5, 2),
        date(2023, 1, 2),  # New Year's Day substitute
        date(2023, 5, 1),
    ]
    assert all(m.rule_date_on_bank_holiday for m in meetings if m.on_bank_holiday)


def test_last_monday_board_in_2020_hits_spring_summer_and_boxing_day_substitute() -> None:
    meetings = board(date(2020, 1, 1), date(2020, 12, 31), rule="FREQ=MONTHLY;BYDAY=-1MO")
    assert [m.on for m in meetings if m.on_bank_holiday] == [
        date(2020, 5, 25),
        date(2020, 8, 31),
        date(2020, 12, 28),
    ]


def test_a_meeting_moved_off_a_bank_holiday_remembers_why() -> None:
    moved = Override(on=date(2021, 5, 3), action="moved", to=date(2021, 5, 4))
    [meeting] = board(date(2021, 5, 1), date(2021, 5, 31), moved, rule=FIRST_MONDAY)
    assert meeting.on == date(2021, 5, 4)
    assert meeting.kind == "moved"
    assert meeting.original == date(2021, 5, 3)
    assert meeting.on_bank_holiday is False
    assert meeting.rule_date_on_bank_holiday is True


def test_an_extra_meeting_on_a_bank_holiday_is_flagged_but_not_blamed_on_the_rule() -> None:
    [meeting] = board(date(2020, 8, 31), date(2020, 8, 31), Override(on=date(2020, 8, 31), action="extra"))
    assert meeting.on_bank_holiday is True
    assert meeting.rule_date_on_bank_holiday is False


# --- overrides ------------------------------------------------------------------------------------


def test_a_cancelled_meeting_disappears() -> None:
    meetings = board(
        date(2020, 1, 1), date(2020, 12, 31), Override(on=date(2020, 12, 17), action="cancelled")
    )
    assert len(meetings) == 11
    assert date(2020, 12, 17) not in [m.on for m in meetings]


def test_a_moved_meeting_takes_its_new_date_and_time() -> None:
    moved = Override(on=date(2020, 4, 16), action="moved", to=date(2020, 4, 23), at=time(14, 0))
    meetings = board(date(2020, 4, 1), date(2020, 5, 31), moved)
    assert [(m.on, m.kind) for m in meetings] == [(date(2020, 4, 23), "moved"), (date(2020, 5, 21), "rule")]
    meeting = meetings[0]
    assert meeting.original == date(2020, 4, 16)
    assert meeting.local_start == datetime(2020, 4, 23, 14, tzinfo=LONDON_TZ)
    assert meeting.starts_at == utc(2020, 4, 23, 13)
    # Thursday 23 April: clear 22, 21, 20, 17, 16 -> digest Wednesday 15 April; reminder over
    # Easter Monday and Good Friday: 14, 9, 8 -> Wednesday 8 April.
    schedule = schedule_for(meeting, tz=LONDON)
    assert (schedule.digest_day, schedule.reminder_day) == (date(2020, 4, 15), date(2020, 4, 8))


def test_a_moved_meeting_keeps_the_rule_time_when_none_is_given() -> None:
    moved = Override(on=date(2020, 4, 16), action="moved", to=date(2020, 4, 17))
    [meeting] = board(date(2020, 4, 1), date(2020, 4, 30), moved)
    assert meeting.local_start == datetime(2020, 4, 17, 10, tzinfo=LONDON_TZ)


def test_a_meeting_moved_across_the_window_edge_follows_its_new_date() -> None:
    moved = Override(on=date(2020, 12, 17), action="moved", to=date(2021, 1, 7))
    assert board(date(2020, 12, 1), date(2020, 12, 31), moved) == []
    january = board(date(2021, 1, 1), date(2021, 1, 31), moved)
    assert [(m.on, m.kind, m.original) for m in january] == [
        (date(2021, 1, 7), "moved", date(2020, 12, 17)),
        (date(2021, 1, 21), "rule", None),
    ]


def test_an_extra_meeting_is_added_in_time_order_at_its_own_time() -> None:
    extra = Override(on=date(2020, 7, 2), action="extra", at=time(15, 30))
    meetings = board(date(2020, 7, 1), date(2020, 7, 31), extra)
    assert [(m.on, m.kind) for m in meetings] == [(date(2020, 7, 2), "extra"), (date(2020, 7, 16), "rule")]
    assert meetings[0].starts_at == utc(2020, 7, 2, 14, 30)
    assert meetings[0].original is None


def test_an_override_for_a_date_the_rule_does_not_give_is_ignored_and_reported() -> None:
    stray = Override(on=date(2020, 12, 18), action="cancelled")
    assert [m.on for m in board(date(2020, 12, 1), date(2020, 12, 31), stray)] == [date(2020, 12, 17)]
    good = Override(on=date(2020, 12, 17), action="cancelled")
    extra = Override(on=date(2020, 12, 18), action="extra")
    assert unmatched_overrides(THIRD_THURSDAY, START, TEN, LONDON, [stray, good, extra]) == [stray]


def test_two_overrides_for_one_meeting_are_refused() -> None:
    overrides = (
        Override(on=date(2020, 12, 17), action="cancelled"),
        Override(on=date(2020, 12, 17), action="moved", to=date(2020, 12, 18)),
    )
    with pytest.raises(ValueError, match="2020-12-17"):
        board(date(2020, 1, 1), date(2020, 12, 31), *overrides)


def test_override_fields_must_fit_the_action() -> None:
    with pytest.raises(ValueError, match="not to a date"):
        Override(on=date(2020, 12, 17), action="moved")
    with pytest.raises(ValueError, match="only a moved meeting"):
        Override(on=date(2020, 12, 17), action="cancelled", to=date(2020, 12, 18))
    with pytest.raises(ValueError, match="no time"):
        Override(on=date(2020, 12, 17), action="cancelled", at=time(9))
    with pytest.raises(ValueError, match="unknown override action"):
        Override(on=date(2020, 12, 17), action="postponed")  # type: ignore[arg-type]


# --- previous and next meeting --------------------------------------------------------------------


def nxt(after: datetime, *overrides: Override, rule: str = THIRD_THURSDAY) -> Meeting | None:
    return next_meeting(rule, START, TEN, LONDON, overrides, after)


def prev(before: datetime, *overrides: Override, rule: str = THIRD_THURSDAY) -> Meeting | None:
    return previous_meeting(rule, START, TEN, LONDON, overrides, before)


def test_next_meeting_includes_one_starting_exactly_at_after() -> None:
    april = utc(2020, 4, 16, 9)  # 10:00 BST
    assert (m := nxt(april)) is not None and m.on == date(2020, 4, 16)
    assert (m := nxt(april + timedelta(microseconds=1))) is not None and m.on == date(2020, 5, 21)


def test_previous_meeting_is_strictly_before() -> None:
    april = utc(2020, 4, 16, 9)
    assert (m := prev(april)) is not None and m.on == date(2020, 3, 19)
    assert (m := prev(april + timedelta(microseconds=1))) is not None and m.on == date(2020, 4, 16)


def test_next_and_previous_accept_any_timezone_and_respect_local_midnight() -> None:
    same_instant = datetime(2020, 4, 16, 10, tzinfo=LONDON_TZ)
    assert (m := nxt(same_instant)) is not None and m.on == date(2020, 4, 16)
    # 23:30 UTC on 17 June is 00:30 on 18 June in London: the 18 June meeting is next.
    assert (m := nxt(utc(2020, 6, 17, 23, 30))) is not None and m.on == date(2020, 6, 18)
    # 23:30 UTC on 18 June is already 19 June in London: the 18 June meeting is previous.
    assert (m := prev(utc(2020, 6, 18, 23, 30))) is not None and m.on == date(2020, 6, 18)


def test_next_meeting_skips_cancelled_and_finds_moved() -> None:
    cancelled = Override(on=date(2020, 4, 16), action="cancelled")
    assert (m := nxt(utc(2020, 4, 1), cancelled)) is not None and m.on == date(2020, 5, 21)
    moved = Override(on=date(2020, 4, 16), action="moved", to=date(2020, 4, 23))
    assert (m := nxt(utc(2020, 4, 17), moved)) is not None and m.on == date(2020, 4, 23)
    assert (m := prev(utc(2020, 4, 20), moved)) is not None and m.on == date(2020, 3, 19)


def test_no_next_after_the_last_meeting_and_no_previous_before_the_first() -> None:
    rule = THIRD_THURSDAY + ";COUNT=2"
    assert nxt(utc(2020, 2, 21), rule=rule) is None
    assert prev(utc(2020, 1, 16, 10), rule=rule) is None


def test_next_meeting_looks_two_years_ahead_unless_told_otherwise() -> None:
    rule = "FREQ=YEARLY;INTERVAL=3;BYMONTH=1;BYDAY=+3TH"  # 16 Jan 2020, 19 Jan 2023
    assert nxt(utc(2020, 2, 1), rule=rule) is None
    found = next_meeting(rule, START, TEN, LONDON, [], utc(2020, 2, 1), horizon=timedelta(days=4 * 366))
    assert found is not None and found.on == date(2023, 1, 19)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        nxt(datetime(2020, 4, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        prev(datetime(2020, 4, 1))


# --- rule validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        THIRD_THURSDAY,
        "RRULE:" + THIRD_THURSDAY,
        "freq=monthly;byday=+3th",
        "FREQ=MONTHLY;BYDAY=-1MO;UNTIL=20251231",
    ],
)
def test_good_rules_pass(text: str) -> None:
    parse_rrule(text)
    parse_rrule(text, start=date(2020, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "FREQ=MONTHY",
            "FREQ=MONTHY is not a valid RRULE: unknown frequency 'MONTHY' (did you mean MONTHLY?)",
        ),
        ("BYDAY=+3TH", "BYDAY=+3TH is not a valid RRULE: FREQ is missing"),
        ("", '"" is not a valid RRULE: it is empty'),
        ("FREQ=MONTHLY;BYDAY=+3XX", "'+3XX' should be a day such as TH or +3TH"),
        ("FREQ=MONTHLY;BYDAY=+6TH", "+6TH is out of range (1 to 5"),
        ("FREQ=WEEKLY;BYDAY=+3TH", "a numbered day such as +3TH needs FREQ=MONTHLY or FREQ=YEARLY"),
        ("FREQ=MONTHLY;BYDAYS=+3TH", "unknown part 'BYDAYS' (did you mean BYDAY?)"),
        ("FREQ=MONTHLY;BYDAY", "'BYDAY' should be NAME=VALUE"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "FREQ is given twice"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32: 32 is out of range"),
        ("FREQ=MONTHLY;INTERVAL=0", "INTERVAL=0 should be a whole number of at least 1"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20201231", "use COUNT or UNTIL, not both"),
        ("FREQ=MONTHLY;UNTIL=2020-12-31", "UNTIL=2020-12-31 should look like 20211231"),
        ("FREQ=HOURLY", "cannot repeat more often than daily"),
        ("FREQ=MONTHLY;BYDAY=+3TH;BYHOUR=10", "BYHOUR is not allowed"),
        ("DTSTART:20200116T100000Z", "only the rule itself is accepted, not DTSTART"),
        ("DTSTART:20200116T100000Z\nRRULE:FREQ=MONTHLY", "give a single RRULE line"),
        # Well-formed, but no meeting ever: 30 February, and 31 April.
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "it gives no meeting in the 10 years"),
        ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "it gives no meeting in the 10 years"),
    ],
)
def test_malformed_rules_get_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rrule(text)
    assert message in str(caught.value)
    assert "is not a valid RRULE" in str(caught.value)


def test_a_rule_that_ended_before_the_plan_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="no meeting in the 10 years from 2020-01-01"):
        parse_rrule("FREQ=MONTHLY;BYDAY=+3TH;UNTIL=20191231", start=date(2020, 1, 1))


def test_meetings_between_refuses_a_malformed_rule_too() -> None:
    with pytest.raises(ValueError, match="FREQ=MONTHY is not a valid RRULE"):
        board(date(2020, 1, 1), date(2020, 12, 31), rule="FREQ=MONTHY")


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="not a known timezone"):
        meetings_between(THIRD_THURSDAY, START, TEN, "Europe/Londn", [], START, date(2020, 12, 31))
