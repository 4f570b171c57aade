"""Reminders know who already answered, and show each owner an example with their own code."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from models import Milestone
from qib_testing.people import CHAIR, IRO
from tests.e2e.test_scheduler import REMINDER_TIME, scheduler


def test_an_owner_who_updated_in_the_reminder_window_is_not_reminded_of_it(bot, engine, database_url, slack):
    with bot.deps.sessions.begin() as db:  # M-05 falls due before the meeting: it is reminded however fresh
        db.execute(update(Milestone).where(Milestone.code == "M-05").values(due=date(2020, 2, 14)))
    bot.clock[0] = datetime(2020, 2, 5, 10, 0, tzinfo=UTC)  # two days before reminder day
    [saved] = bot.command("update M-05 on track 30% Scrutiny checklist in use", user=IRO)
    assert saved["text"].startswith("Saved: M-05")
    slack.reset()
    report = scheduler(engine, database_url, slack).tick(REMINDER_TIME)
    # Seven without the update (Alex and their cover), and the education lead, whose KPI-4 has no value yet.
    assert report.posted == ["reminders 2020-02-20 (6)"]
    reminded = {c.args["channel"] for c in slack.calls_to("chat.postMessage")}
    assert IRO not in reminded


def test_an_update_before_the_window_opened_still_gets_a_reminder(bot, engine, database_url, slack):
    bot.clock[0] = datetime(2020, 1, 10, 10, 0, tzinfo=UTC)  # before the last board, and the window
    bot.command("update M-05 on track 30% Scrutiny checklist in use", user=IRO)
    slack.reset()
    scheduler(engine, database_url, slack).tick(REMINDER_TIME)
    assert IRO in {c.args["channel"] for c in slack.calls_to("chat.postMessage")}


def test_each_reminder_gives_the_example_with_the_owners_own_code(engine, database_url, slack, durham):
    scheduler(engine, database_url, slack).tick(REMINDER_TIME)
    dms = slack.calls_to("chat.postMessage")
    assert dms
    for dm in dms:
        codes = dm.args["text"].split(": ", 1)[1].split(";")[0].split(", ")
        if dm.args["text"].startswith("measure(s)"):  # only a measure to record: its own example
            assert f"/qib measure {codes[0]} 88%" in str(dm.args["blocks"])
            continue
        assert f"/qib update {codes[0]} on track 60% note" in str(dm.args["blocks"])
    assert any("/qib update M-07 " not in str(dm.args["blocks"]) for dm in dms)


NUDGE_TIME = datetime(2020, 2, 11, 9, 0, tzinfo=UTC)  # Tue 11 Feb: a working day before the digest


def test_a_second_nudge_goes_to_those_still_silent_and_the_chair_learns_who_has_not_answered(
    bot, engine, database_url, slack
):
    sched = scheduler(engine, database_url, slack)
    sched.tick(REMINDER_TIME)
    first = {c.args["channel"] for c in slack.calls_to("chat.postMessage")}
    assert IRO in first
    bot.clock[0] = datetime(2020, 2, 10, 10, 0, tzinfo=UTC)
    [saved] = bot.command("update M-05 on track 30% Scrutiny checklist in use", user=IRO)
    assert saved["text"].startswith("Saved: M-05")
    slack.reset()

    report = sched.tick(NUDGE_TIME)
    assert report.posted == ["nudges 2020-02-20 (6)"]  # the education lead still owes KPI-4
    dms = slack.calls_to("chat.postMessage")
    nudged = {c.args["channel"] for c in dms if "a second reminder" in str(c.args.get("blocks"))}
    assert nudged and IRO not in nudged and nudged < first
    [to_chair] = [c for c in dms if c.args["channel"] == CHAIR and "Awaiting an update" in c.args["text"]]
    assert to_chair.args["text"].startswith("Awaiting an update (")
    assert "M-05" not in to_chair.args["text"] and "M-07" in to_chair.args["text"]
    assert sched.tick(NUDGE_TIME + timedelta(minutes=5)).posted == []  # once
