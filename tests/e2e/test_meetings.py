"""Board meetings over signed HTTP, as on Mon 3 Feb 2020: listing them, and the chair changing them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from models import AuditEvent
from qib_testing.people import CHAIR, IRO


def blocks_of(reply: dict) -> str:
    return json.dumps(reply["blocks"], ensure_ascii=False)


def text_of(reply: dict) -> str:
    return blocks_of(reply) + reply["text"]


def test_meetings_lists_the_next_three_with_reminder_and_digest_days(bot):
    [reply] = bot.command("meetings", user=IRO)
    assert reply["response_type"] == "ephemeral"
    lines = reply["text"].splitlines()
    assert lines[0] == "Next meetings of Social Care Quality Improvement Board:"
    assert lines[1:] == [
        "Thu 20 Feb, 10:00 · reminders Fri 7 Feb, digest Wed 12 Feb",
        "Thu 19 Mar, 10:00 · reminders Fri 6 Mar, digest Wed 11 Mar",
        "Thu 16 Apr, 10:00 · reminders Wed 1 Apr, digest Mon 6 Apr",
    ]
    blocks = blocks_of(reply)
    assert "Reminders to owners Fri 7 Feb, 09:00 · digest Wed 12 Feb, 09:00" in blocks
    assert "/qib meeting move" not in blocks  # how to change them is for the chair


def test_the_chair_moves_a_meeting_and_the_list_shows_its_new_digest_day(bot):
    [reply] = bot.command("meeting move 2020-02-20 2020-02-27", user=CHAIR)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "Moved the board meeting of Thu 20 Feb 2020 to Thu 27 Feb 2020 at 10:00. "
        "Reminders Fri 14 Feb, digest Wed 19 Feb."
    )
    assert "/qib meeting move 2020-02-27 2020-02-20" in blocks_of(reply)
    [listing] = bot.command("meetings", user=CHAIR)
    assert listing["text"].splitlines()[1] == (
        "Thu 27 Feb, 10:00 · moved from Thu 20 Feb · reminders Fri 14 Feb, digest Wed 19 Feb"
    )
    with bot.deps.sessions() as db:
        [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "meeting_move")).all()
    assert (event.actor, event.before["date"], event.after["date"]) == (
        "Sam Carter",
        "2020-02-20",
        "2020-02-27",
    )


def test_friendly_dates_and_a_time_work_too(bot):
    [reply] = bot.command("meeting move 20 Feb to 27/2/2020 at 14:00", user=CHAIR)
    assert reply["text"].startswith("Moved the board meeting of Thu 20 Feb 2020 to Thu 27 Feb 2020 at 14:00.")
    [cancelled] = bot.command("meeting cancel 19 March", user=CHAIR)
    assert cancelled["text"] == "Cancelled the board meeting of Thu 19 Mar 2020."
    [added] = bot.command("meeting add 2020-03-26 2pm", user=CHAIR)
    assert added["text"].startswith("Added a board meeting on Thu 26 Mar 2020 at 14:00.")
    [listing] = bot.command("meetings", user=IRO)
    assert [line.split(" · ")[0] for line in listing["text"].splitlines()[1:]] == [
        "Thu 27 Feb, 14:00",
        "Thu 26 Mar, 14:00",
        "Thu 16 Apr, 10:00",
    ]
    assert "extra meeting" in listing["text"]


def test_someone_who_is_not_the_chair_is_refused_kindly(bot):
    [reply] = bot.command("meeting move 2020-02-20 2020-02-27", user=IRO)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == (
        "Only the board's chair or a plan admin can move, cancel or add board meetings. "
        "Ask Sam Carter (Head of Children's Social Care) if a meeting needs to change."
    )
    [listing] = bot.command("meetings", user=IRO)
    assert listing["text"].splitlines()[1].startswith("Thu 20 Feb, 10:00")


def test_someone_not_in_the_plan_is_told_how_to_get_added(bot):
    [reply] = bot.command("meeting cancel 2020-02-20", user="UNOBODY")
    assert "not in the plan's list of people" in reply["text"]


def test_bad_dates_are_explained(bot):
    [reply] = bot.command("meeting move soonish 2020-02-27", user=CHAIR)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "“soonish” is not a date: write it like 2020-05-04."
    [none] = bot.command("meeting move 2020-02-21 2020-02-27", user=CHAIR)
    assert none["text"] == (
        "There is no board meeting on Fri 21 Feb 2020. The nearest are Thu 20 Feb 2020 and Thu 19 Mar 2020."
    )
    [past] = bot.command("meeting cancel 2020-01-16", user=CHAIR)
    assert (
        past["text"]
        == "The board meeting of Thu 16 Jan 2020 has already taken place: it cannot be cancelled now."
    )
    [taken] = bot.command("meeting add 2020-03-19", user=CHAIR)
    assert taken["text"] == "There is already a board meeting on Thu 19 Mar 2020 (at 10:00)."


def test_wrong_usage_gets_the_usage(bot):
    for text in (
        "meeting",
        "meeting postpone 2020-02-20",
        "meeting move 2020-02-20",
        "meeting cancel 20 Feb please",
    ):
        [reply] = bot.command(text, user=CHAIR)
        assert reply["response_type"] == "ephemeral", text
        assert "`/qib meeting move DATE NEWDATE [HH:MM]`" in reply["text"], text


def test_help_lists_both_commands(bot):
    [reply] = bot.command("help")
    assert "/qib meetings - the next three board meetings" in reply["text"]
    assert "/qib meeting move|cancel|add DATE [NEWDATE] - chair and admins" in reply["text"]


def test_a_meeting_on_a_bank_holiday_is_flagged_for_all_with_the_note_for_the_chair_only(bot):
    [added] = bot.command("meeting add 2020-05-08", user=CHAIR)  # VE Day, the moved May bank holiday
    assert "Fri 8 May 2020 is a bank holiday." in added["text"]
    bot.clock[0] = datetime(2020, 4, 20, 9, 0, tzinfo=UTC)
    [chair] = bot.command("meetings", user=CHAIR)
    [owner] = bot.command("meetings", user=IRO)
    for reply in (chair, owner):
        assert ":warning: Fri 8 May is a bank holiday." in blocks_of(reply)
    note = "This meeting is on Fri 8 May 2020, a bank holiday: move it with /qib meeting move 2020-05-08"
    assert note in text_of(chair)
    assert note not in text_of(owner)


def test_the_usage_gives_examples_from_the_next_meeting(bot):
    [reply] = bot.command("meeting cancel", user=CHAIR)
    assert reply["text"].startswith("Which meeting? Give its date.")
    assert "`/qib meeting move 2020-02-20 2020-02-27`" in reply["text"]  # Thu 20 Feb is the next meeting
    assert "`/qib meeting cancel 2020-02-20`" in reply["text"]
    assert "2020-08-20" not in reply["text"]  # a meeting of Durham's the plan may not have
