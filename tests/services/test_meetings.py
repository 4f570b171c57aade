"""Board meetings: the next few with their post dates, and the chair moving, cancelling and adding them.

Pinned on the Durham plan: FREQ=MONTHLY;BYDAY=+3TH at 10:00 Europe/London from 2019-11-01, with
August and December 2020 cancelled; digest 5 clear working days before, reminders 3 working days
before the digest, both at 09:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.services import meetings as mt
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.people import Actor, actor_for
from models import AuditEvent, Board, MeetingOverride, Person
from qib_testing.people import CHAIR, IRO

NOW = datetime(2020, 2, 3, 9, 30, tzinfo=UTC)  # Mon 3 Feb 2020, after January's board (16th)
TODAY = date(2020, 2, 3)


def actor(sessions: sessionmaker[Session], plan: int, slack_id: str) -> Actor:
    with sessions() as db:
        found = actor_for(db, plan, slack_id)
    assert found is not None
    return found


def overrides(sessions: sessionmaker[Session], plan: int) -> list[tuple[date, str, date | None, time | None]]:
    with sessions() as db:
        return [
            (o.on, o.action, o.to, o.at)
            for o in db.scalars(
                select(MeetingOverride)
                .join(Board, Board.id == MeetingOverride.board_id)
                .where(Board.plan_id == plan)
                .order_by(MeetingOverride.on)
            )
        ]


def audits(sessions: sessionmaker[Session], plan: int) -> list[AuditEvent]:
    with sessions() as db:
        return list(
            db.scalars(
                select(AuditEvent)
                .where(AuditEvent.plan_id == plan, AuditEvent.entity == "meeting")
                .order_by(AuditEvent.id)
            )
        )


def upcoming(sessions: sessionmaker[Session], plan: int, now: datetime = NOW, **kwargs) -> mt.Upcoming:
    with sessions() as db:
        return mt.upcoming(db=db, plan_id=plan, now=now, **kwargs)


def dates(u: mt.Upcoming) -> list[date]:
    return [m.on for m in u.meetings]


def move(sessions, plan, on, to, at=None, *, who=CHAIR, now=NOW) -> mt.MeetingChange:
    with sessions.begin() as db:
        return mt.move_meeting(
            db=db, plan_id=plan, actor=actor(sessions, plan, who), on=on, to=to, at=at, now=now
        )


def cancel(sessions, plan, on, *, who=CHAIR, now=NOW) -> mt.MeetingChange:
    with sessions.begin() as db:
        return mt.cancel_meeting(db=db, plan_id=plan, actor=actor(sessions, plan, who), on=on, now=now)


def add(sessions, plan, on, at=None, *, who=CHAIR, now=NOW) -> mt.MeetingChange:
    with sessions.begin() as db:
        return mt.add_meeting(db=db, plan_id=plan, actor=actor(sessions, plan, who), on=on, at=at, now=now)


def set_rule(sessions: sessionmaker[Session], plan: int, rrule: str, start: date) -> None:
    with sessions.begin() as db:
        db.execute(update(Board).where(Board.plan_id == plan).values(rrule=rrule, start=start))


# ---------------------------------------------------------------------------------------------------
# Upcoming
# ---------------------------------------------------------------------------------------------------


def test_the_next_three_meetings_on_3_february_2020_with_their_post_dates(sessions, durham):
    u = upcoming(sessions, durham)
    assert u.board_name == "Social Care Quality Improvement Board"
    assert u.today == TODAY and u.timezone == "Europe/London"
    assert [(m.on, m.digest_day, m.reminder_day) for m in u.meetings] == [
        (date(2020, 2, 20), date(2020, 2, 12), date(2020, 2, 7)),  # Thu; digest Wed, reminders Fri
        (date(2020, 3, 19), date(2020, 3, 11), date(2020, 3, 6)),
        (date(2020, 4, 16), date(2020, 4, 6), date(2020, 4, 1)),  # Easter: digest Mon 6, reminders Wed 1
    ]
    first = u.meetings[0]
    assert first.kind == "rule" and first.original is None
    assert first.start_time == time(10, 0) and first.digest_time == time(9, 0) == first.reminder_time
    assert first.starts_at == datetime(2020, 2, 20, 10, 0, tzinfo=UTC)
    assert first.digest_at == datetime(2020, 2, 12, 9, 0, tzinfo=UTC)
    assert not (first.on_bank_holiday or first.rule_date_on_bank_holiday or first.on_weekend)
    assert first.note is None
    assert u.overrides_ignored == []


def test_times_are_local_wall_clock_across_the_clock_change(sessions, durham):
    april = upcoming(sessions, durham).meetings[2]
    assert april.start_time == time(10, 0)
    assert april.starts_at == datetime(2020, 4, 16, 9, 0, tzinfo=UTC)  # BST
    assert april.digest_at == datetime(2020, 4, 6, 8, 0, tzinfo=UTC)
    assert april.reminder_time == time(9, 0)


def test_upcoming_starts_after_now_and_skips_cancelled_months(sessions, durham):
    before_start = datetime(2020, 2, 20, 9, 59, tzinfo=UTC)
    after_start = datetime(2020, 2, 20, 10, 0, tzinfo=UTC)
    assert dates(upcoming(sessions, durham, before_start))[0] == date(2020, 2, 20)
    assert dates(upcoming(sessions, durham, after_start))[0] == date(2020, 3, 19)
    summer = upcoming(sessions, durham, datetime(2020, 7, 1, 9, 0, tzinfo=UTC), count=4)
    assert dates(summer) == [date(2020, 7, 16), date(2020, 9, 17), date(2020, 10, 15), date(2020, 11, 19)]


def test_count_asks_for_more_or_fewer(sessions, durham):
    assert len(upcoming(sessions, durham, count=1).meetings) == 1
    assert len(upcoming(sessions, durham, count=6).meetings) == 6
    assert len(upcoming(sessions, durham, count=500).meetings) == mt.MAX_UPCOMING


def test_deployment_settings_override_the_plans_post_timing(sessions, durham):
    u = upcoming(sessions, durham, posts=mt.PostTimes(digest_working_days=3, digest_time=time(8, 30)))
    first = u.meetings[0]
    assert first.digest_day == date(2020, 2, 14)  # three clear working days before Thu 20 Feb
    assert first.reminder_day == date(2020, 2, 11)
    assert first.digest_time == time(8, 30)


def test_a_first_monday_rule_is_flagged_on_bank_holidays_with_a_note_for_the_chair(sessions, durham):
    set_rule(sessions, durham, "FREQ=MONTHLY;BYDAY=+1MO", date(2021, 1, 1))
    u = upcoming(sessions, durham, datetime(2021, 3, 10, 9, 0, tzinfo=UTC))
    assert dates(u) == [date(2021, 4, 5), date(2021, 5, 3), date(2021, 6, 7)]
    easter, may, june = u.meetings
    assert easter.on_bank_holiday and easter.rule_date_on_bank_holiday
    assert easter.note == (
        "The rule puts this meeting on Mon 5 Apr 2021, a bank holiday: "
        "move it with /qib meeting move 2021-04-05 YYYY-MM-DD or cancel it."
    )
    # Good Friday (2 Apr) and the weekend do not count: five clear days back from Easter Monday.
    assert easter.digest_day == date(2021, 3, 25) and easter.reminder_day == date(2021, 3, 22)
    assert may.on_bank_holiday and may.note is not None and "Mon 3 May 2021" in may.note
    assert not june.on_bank_holiday and june.note is None


def test_4_may_2020_was_not_a_bank_holiday_the_8th_was(sessions, durham):
    set_rule(sessions, durham, "FREQ=MONTHLY;BYDAY=+1MO", date(2020, 1, 1))
    u = upcoming(sessions, durham, datetime(2020, 4, 10, 9, 0, tzinfo=UTC))
    may = u.meetings[0]
    assert may.on == date(2020, 5, 4) and not may.on_bank_holiday and may.note is None


def test_a_meeting_moved_off_a_bank_holiday_remembers_why(sessions, durham):
    set_rule(sessions, durham, "FREQ=MONTHLY;BYDAY=+1MO", date(2021, 1, 1))
    now = datetime(2021, 3, 10, 9, 0, tzinfo=UTC)
    move(sessions, durham, date(2021, 4, 5), date(2021, 4, 6), now=now)
    easter = upcoming(sessions, durham, now).meetings[0]
    assert (easter.on, easter.kind, easter.original) == (date(2021, 4, 6), "moved", date(2021, 4, 5))
    assert not easter.on_bank_holiday and easter.rule_date_on_bank_holiday and easter.note is None


def test_moves_and_cancellations_of_dates_the_rule_does_not_give_are_surfaced(sessions, durham):
    with sessions.begin() as db:
        board_id = db.scalar(select(Board.id).where(Board.plan_id == durham))
        db.add(MeetingOverride(board_id=board_id, on=date(2020, 8, 21), action="cancelled"))
        db.add(MeetingOverride(board_id=board_id, on=date(2019, 10, 17), action="cancelled"))  # past: quiet
    [ignored] = upcoming(sessions, durham).overrides_ignored
    assert ignored.on == date(2020, 8, 21) and ignored.action == "cancelled"
    assert ignored.message == (
        "The cancellation of Fri 21 Aug 2020 is ignored: the board's rule gives no meeting that day."
    )


# ---------------------------------------------------------------------------------------------------
# Moving
# ---------------------------------------------------------------------------------------------------


def test_the_chair_moves_a_meeting_and_upcoming_shows_it_with_its_new_digest_date(sessions, durham):
    change = move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27))
    assert change.action == "move"
    assert change.summary == "Moved the board meeting of Thu 20 Feb 2020 to Thu 27 Feb 2020 at 10:00."
    assert change.warnings == []
    assert change.undo == "/qib meeting move 2020-02-27 2020-02-20"
    assert change.after is not None and change.after.digest_day == date(2020, 2, 19)
    assert overrides(sessions, durham)[0] == (date(2020, 2, 20), "moved", date(2020, 2, 27), None)
    first = upcoming(sessions, durham).meetings[0]
    assert (first.on, first.kind, first.original) == (date(2020, 2, 27), "moved", date(2020, 2, 20))
    assert (first.digest_day, first.reminder_day) == (date(2020, 2, 19), date(2020, 2, 14))


def test_a_move_is_audited_with_who_and_the_before_and_after(sessions, durham):
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27), time(14, 0))
    [event] = audits(sessions, durham)
    assert (
        event.action == "meeting_move" and event.actor == "Sam Carter" and event.entity_code == "2020-02-20"
    )
    assert event.at == NOW
    assert event.before == {"date": "2020-02-20", "time": "10:00", "kind": "rule", "rule_date": None}
    assert event.after == {"date": "2020-02-27", "time": "14:00", "kind": "moved", "rule_date": "2020-02-20"}


def test_moving_a_moved_meeting_updates_its_one_exception(sessions, durham):
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27))
    move(sessions, durham, date(2020, 2, 27), date(2020, 2, 26), time(13, 30))  # by its new date
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 25))  # or by the rule's date; keeps 13:30
    feb = [o for o in overrides(sessions, durham) if o[0].year == 2020 and o[0].month == 2]
    assert feb == [(date(2020, 2, 20), "moved", date(2020, 2, 25), time(13, 30))]
    first = upcoming(sessions, durham).meetings[0]
    assert (first.on, first.start_time) == (date(2020, 2, 25), time(13, 30))


def test_moving_back_to_the_rules_date_and_time_removes_the_exception(sessions, durham):
    before = overrides(sessions, durham)
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27), time(14, 0))
    change = move(sessions, durham, date(2020, 2, 27), date(2020, 2, 20), time(10, 0))
    assert overrides(sessions, durham) == before
    assert change.after is not None and change.after.kind == "rule"
    assert [e.action for e in audits(sessions, durham)] == ["meeting_move", "meeting_move"]


def test_changing_only_the_time(sessions, durham):
    change = move(sessions, durham, date(2020, 2, 20), date(2020, 2, 20), time(14, 0))
    assert change.summary == "Moved the board meeting of Thu 20 Feb 2020 to Thu 20 Feb 2020 at 14:00."
    first = upcoming(sessions, durham).meetings[0]
    assert (first.on, first.start_time, first.kind) == (date(2020, 2, 20), time(14, 0), "moved")
    with pytest.raises(InvalidInput, match="already on Thu 20 Feb 2020 at 14:00"):
        move(sessions, durham, date(2020, 2, 20), date(2020, 2, 20), time(14, 0))


def test_moving_onto_a_weekend_or_a_bank_holiday_is_allowed_and_said(sessions, durham):
    saturday = move(sessions, durham, date(2020, 2, 20), date(2020, 2, 22))
    assert saturday.warnings == ["Sat 22 Feb 2020 is a Saturday."]
    easter = move(sessions, durham, date(2020, 4, 16), date(2020, 4, 13))
    assert easter.warnings == ["Mon 13 Apr 2020 is a bank holiday."]
    assert easter.after is not None and easter.after.on_bank_holiday and easter.after.note is not None


def test_moving_to_a_date_whose_digest_has_passed_says_it_will_go_out_late(sessions, durham):
    change = move(sessions, durham, date(2020, 2, 20), date(2020, 2, 6))
    assert change.warnings == [
        "Its digest was due on Wed 29 Jan 2020, which has passed: it goes out late, at the scheduler's next run."
    ]


def test_moving_a_date_that_has_no_meeting_names_the_nearest(sessions, durham):
    with pytest.raises(InvalidInput) as caught:
        move(sessions, durham, date(2020, 2, 21), date(2020, 2, 27))
    assert caught.value.message == (
        "There is no board meeting on Fri 21 Feb 2020. The nearest are Thu 20 Feb 2020 and Thu 19 Mar 2020."
    )


def test_moving_onto_another_meeting_is_refused(sessions, durham):
    with pytest.raises(InvalidInput, match=r"already a board meeting on Thu 19 Mar 2020 \(at 10:00\)"):
        move(sessions, durham, date(2020, 2, 20), date(2020, 3, 19))
    assert audits(sessions, durham) == []


def test_past_meetings_and_past_dates_are_refused(sessions, durham):
    with pytest.raises(InvalidInput, match="Thu 16 Jan 2020 has already taken place"):
        move(sessions, durham, date(2020, 1, 16), date(2020, 2, 27))
    with pytest.raises(InvalidInput, match="Thu 30 Jan 2020 is in the past"):
        move(sessions, durham, date(2020, 2, 20), date(2020, 1, 30))
    with pytest.raises(InvalidInput, match="09:00 today has already passed"):
        move(sessions, durham, date(2020, 2, 20), TODAY, time(9, 0))
    with pytest.raises(InvalidInput, match="more than two years ahead"):
        move(sessions, durham, date(2020, 2, 20), date(2023, 2, 27))
    started = datetime(2020, 2, 20, 10, 5, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="Thu 20 Feb 2020 has already started"):
        cancel(sessions, durham, date(2020, 2, 20), now=started)


# ---------------------------------------------------------------------------------------------------
# Cancelling and adding
# ---------------------------------------------------------------------------------------------------


def test_cancelling_a_rule_meeting_and_adding_it_back(sessions, durham):
    seeded = overrides(sessions, durham)
    change = cancel(sessions, durham, date(2020, 3, 19))
    assert change.summary == "Cancelled the board meeting of Thu 19 Mar 2020."
    assert change.undo == "/qib meeting add 2020-03-19"
    assert (date(2020, 3, 19), "cancelled", None, None) in overrides(sessions, durham)
    assert dates(upcoming(sessions, durham)) == [date(2020, 2, 20), date(2020, 4, 16), date(2020, 5, 21)]
    with pytest.raises(InvalidInput, match="already cancelled.*/qib meeting add 2020-03-19"):
        cancel(sessions, durham, date(2020, 3, 19))
    back = add(sessions, durham, date(2020, 3, 19))
    assert "its cancellation is withdrawn" in back.summary
    assert back.after is not None and back.after.kind == "rule"
    assert overrides(sessions, durham) == seeded
    assert [(e.action, e.before, e.after) for e in audits(sessions, durham)] == [
        ("meeting_cancel", {"date": "2020-03-19", "time": "10:00", "kind": "rule", "rule_date": None}, None),
        ("meeting_add", None, {"date": "2020-03-19", "time": "10:00", "kind": "rule", "rule_date": None}),
    ]


def test_a_seeded_cancellation_can_be_withdrawn_at_another_time(sessions, durham):
    now = datetime(2020, 7, 1, 9, 0, tzinfo=UTC)
    add(sessions, durham, date(2020, 8, 20), time(14, 0), now=now)
    assert (date(2020, 8, 20), "moved", date(2020, 8, 20), time(14, 0)) in overrides(sessions, durham)
    august = upcoming(sessions, durham, now, count=2).meetings[1]
    assert (august.on, august.start_time) == (date(2020, 8, 20), time(14, 0))


def test_cancelling_a_moved_meeting_turns_its_move_into_a_cancellation(sessions, durham):
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27))
    change = cancel(sessions, durham, date(2020, 2, 27))
    assert change.summary == "Cancelled the board meeting of Thu 27 Feb 2020 (moved from Thu 20 Feb 2020)."
    assert (date(2020, 2, 20), "cancelled", None, None) in overrides(sessions, durham)
    assert dates(upcoming(sessions, durham))[0] == date(2020, 3, 19)


def test_an_extra_meeting_is_added_shown_and_cancelled_away(sessions, durham):
    seeded = overrides(sessions, durham)
    change = add(sessions, durham, date(2020, 3, 5), time(14, 0))
    assert change.summary == "Added a board meeting on Thu 5 Mar 2020 at 14:00."
    assert change.undo == "/qib meeting cancel 2020-03-05"
    assert (date(2020, 3, 5), "extra", None, time(14, 0)) in overrides(sessions, durham)
    u = upcoming(sessions, durham)
    assert [(m.on, m.kind) for m in u.meetings] == [
        (date(2020, 2, 20), "rule"),
        (date(2020, 3, 5), "extra"),
        (date(2020, 3, 19), "rule"),
    ]
    gone = cancel(sessions, durham, date(2020, 3, 5))
    assert gone.summary == "Cancelled the board meeting of Thu 5 Mar 2020 (an extra meeting)."
    assert overrides(sessions, durham) == seeded


def test_moving_an_extra_meeting(sessions, durham):
    add(sessions, durham, date(2020, 3, 5))
    change = move(sessions, durham, date(2020, 3, 5), date(2020, 3, 6))
    assert (
        change.summary
        == "Moved the board meeting of Thu 5 Mar 2020 (an extra meeting) to Fri 6 Mar 2020 at 10:00."
    )
    assert (date(2020, 3, 6), "extra", None, None) in overrides(sessions, durham)
    assert date(2020, 3, 5) not in [o[0] for o in overrides(sessions, durham)]


def test_moving_an_extra_meeting_onto_a_cancelled_rule_date_brings_that_meeting_back(sessions, durham):
    now = datetime(2020, 7, 1, 9, 0, tzinfo=UTC)
    add(sessions, durham, date(2020, 8, 27), now=now)
    change = move(sessions, durham, date(2020, 8, 27), date(2020, 8, 20), now=now)
    assert change.after is not None and change.after.kind == "rule"
    assert [o[0] for o in overrides(sessions, durham) if o[0].month == 8] == []


def test_adding_on_a_day_that_has_a_meeting_is_refused(sessions, durham):
    with pytest.raises(InvalidInput, match=r"already a board meeting on Thu 20 Feb 2020 \(at 10:00\)"):
        add(sessions, durham, date(2020, 2, 20), time(15, 0))


def test_adding_on_the_date_a_meeting_was_moved_from_says_to_move_it_back(sessions, durham):
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27))
    with pytest.raises(InvalidInput) as caught:
        add(sessions, durham, date(2020, 2, 20))
    assert caught.value.message == (
        "Thu 20 Feb 2020 is the rule's date of the meeting moved to Thu 27 Feb 2020. To meet on "
        "Thu 20 Feb 2020 again, move that one back: `/qib meeting move 2020-02-27 2020-02-20`."
    )


def test_adding_in_the_past_is_refused(sessions, durham):
    with pytest.raises(InvalidInput, match="Fri 31 Jan 2020 is in the past"):
        add(sessions, durham, date(2020, 1, 31))


# ---------------------------------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------------------------------


def test_someone_who_is_not_chair_or_admin_is_refused_and_nothing_changes(sessions, durham):
    seeded = overrides(sessions, durham)
    for attempt in (
        lambda: move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27), who=IRO),
        lambda: cancel(sessions, durham, date(2020, 2, 20), who=IRO),
        lambda: add(sessions, durham, date(2020, 3, 5), who=IRO),
    ):
        with pytest.raises(NotAllowed) as caught:
            attempt()
        assert caught.value.message == (
            "Only the board's chair or a plan admin can move, cancel or add board meetings. "
            "Ask Sam Carter (Head of Children's Social Care) if a meeting needs to change."
        )
    assert overrides(sessions, durham) == seeded and audits(sessions, durham) == []


def test_refusal_comes_before_any_complaint_about_dates(sessions, durham):
    with pytest.raises(NotAllowed):
        move(sessions, durham, date(2020, 2, 21), date(2019, 1, 1), who=IRO)


def test_an_admin_who_is_not_the_chair_may_and_nobody_unknown_may(sessions, durham):
    with sessions.begin() as db:
        db.execute(
            update(Person).where(Person.plan_id == durham, Person.key == "iro-ops").values(is_admin=True)
        )
    move(sessions, durham, date(2020, 2, 20), date(2020, 2, 27), who=IRO)
    [event] = audits(sessions, durham)
    assert event.actor == "Alex Morgan"
    with sessions.begin() as db, pytest.raises(NotAllowed):
        mt.cancel_meeting(db=db, plan_id=durham, actor=None, on=date(2020, 3, 19), now=NOW)


# ---------------------------------------------------------------------------------------------------
# Reading dates and times
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-05-04", date(2020, 5, 4)),
        ("4/5/2020", date(2020, 5, 4)),  # day first, as in the UK
        ("04/05/20", date(2020, 5, 4)),
        ("4.5.2020", date(2020, 5, 4)),
        ("4 May 2020", date(2020, 5, 4)),
        ("4th May 2020", date(2020, 5, 4)),
        ("May 4 2020", date(2020, 5, 4)),
        ("Mon 4 May 2020", date(2020, 5, 4)),
        ("Monday, 4 May", date(2020, 5, 4)),
        ("4 May", date(2020, 5, 4)),  # the next 4 May from 3 Feb 2020
        ("3 feb", date(2020, 2, 3)),  # today counts
        ("2 February", date(2021, 2, 2)),  # yesterday's date is next year's
        ("4/1", date(2021, 1, 4)),
        ("20 sept", date(2020, 9, 20)),
    ],
)
def test_dates_in_the_forms_people_write(text, expected):
    assert mt.parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["soonish", "31/2/2020", "2020-13-01", "4 Mayy 2020", "32 May", "next week"])
def test_anything_else_is_not_a_date(text):
    with pytest.raises(InvalidInput) as caught:
        mt.parse_date(text, today=TODAY)
    assert caught.value.message.endswith("is not a date: write it like 2020-05-04.")


def test_not_a_date_quotes_what_was_written():
    with pytest.raises(InvalidInput) as caught:
        mt.parse_date("soonish", today=TODAY)
    assert caught.value.message == "“soonish” is not a date: write it like 2020-05-04."


def test_a_wrong_weekday_is_pointed_out():
    with pytest.raises(InvalidInput) as caught:
        mt.parse_date("Fri 20 Feb 2020", today=TODAY)
    assert caught.value.message == "“Fri 20 Feb 2020” does not add up: 20 February 2020 is a Thursday."


def test_take_date_leaves_the_words_after_the_date():
    assert mt.take_date(["20", "Feb", "27", "Feb", "14:00"], today=TODAY) == (
        date(2020, 2, 20),
        ["27", "Feb", "14:00"],
    )
    assert mt.take_date(["2020-02-20", "2020-02-27"], today=TODAY) == (date(2020, 2, 20), ["2020-02-27"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("9:00", time(9, 0)),
        ("14.30", time(14, 30)),
        ("2pm", time(14, 0)),
        ("2:30pm", time(14, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
    ],
)
def test_times(text, expected):
    assert mt.parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "14:60", "14", "13pm", "noonish"])
def test_not_a_time(text):
    with pytest.raises(InvalidInput, match="is not a time: write it like 14:30."):
        mt.parse_time(text)


def test_a_plan_without_a_board_has_no_meetings_to_show_or_change(sessions, durham):
    with sessions.begin() as db:
        db.delete(db.scalars(select(Board).where(Board.plan_id == durham)).one())
    u = upcoming(sessions, durham)
    assert (u.board_name, u.meetings, u.overrides_ignored) == (None, [], [])
    with pytest.raises(NotFound, match="no board meeting rule"):
        cancel(sessions, durham, date(2020, 2, 20))
