"""The digest and reminders, posted exactly once: threads, crashes, downtime, Slack refusing, real processes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import make_client
from bot.deps import Deps
from bot.scheduler import MARKER, Scheduler
from bot.services import schedule
from bot.services.digest import frozen_digest
from bot.services.planfile import import_plan, parse_plan_text
from models import MeetingOverride, ScheduledPost
from models.db import make_sessionmaker
from qib_testing.bots import bot_settings
from qib_testing.people import CHAIR, IRO, IRO_2
from qib_testing.slack_standin import BOARD_CHANNEL_ID, FakeSlack
from seeds import DURHAM
from tests.conftest import empty_all_tables

CHANNEL = BOARD_CHANNEL_ID  # #qib-board, the Durham plan's board channel, as Slack answers it
MEETING = date(2020, 2, 20)
REMINDER_TIME = datetime(2020, 2, 7, 9, 0, tzinfo=UTC)  # Fri 7 Feb 09:00 London
DIGEST_TIME = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)  # Wed 12 Feb: five clear days before Thu 20 Feb
AREAS = 6


def scheduler(engine, database_url, slack: FakeSlack, worker: str = "w1", **extra) -> Scheduler:
    settings = bot_settings(database_url, slack, **extra)
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine))
    return Scheduler(deps, settings, make_client(settings), worker=worker)


def digests(slack: FakeSlack) -> list:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == CHANNEL and not c.args.get("thread_ts") and not c.failed
    ]


def claims(engine) -> list[ScheduledPost]:
    with make_sessionmaker(engine)() as db:
        return list(db.scalars(select(ScheduledPost).order_by(ScheduledPost.id)))


@pytest.fixture
def sched(engine, database_url, slack, durham) -> Scheduler:
    return scheduler(engine, database_url, slack)


def test_nothing_is_posted_before_reminder_day(sched, slack):
    report = sched.tick(REMINDER_TIME - timedelta(minutes=1))
    assert report.posted == []
    assert slack.calls_to("chat.postMessage") == []


def test_reminder_day_sends_one_message_per_owner_with_an_update_button_each(sched, slack):
    report = sched.tick(REMINDER_TIME)
    assert report.posted == ["reminders 2020-02-20 (8)"]
    dms = slack.calls_to("chat.postMessage")
    assert len({c.args["channel"] for c in dms}) == len(dms) == 8  # one per person, not per milestone
    to_iro = next(c for c in dms if c.args["channel"] == IRO)
    assert "M-05" in to_iro.args["text"]
    assert '"action_id": "update_milestone"' in str(to_iro.args["blocks"]).replace("'", '"')
    owners_with_nothing = {"U0QIB0004", "U0QIB0007"}  # everything of theirs is complete
    assert not owners_with_nothing & {c.args["channel"] for c in dms}


def test_an_owner_whose_measure_has_no_value_for_last_month_is_reminded_with_a_record_button(sched, slack):
    sched.tick(REMINDER_TIME)
    dms = {c.args["channel"]: c.args for c in slack.calls_to("chat.postMessage")}
    # the education lead's milestones are complete, but KPI-4 has nothing for January
    cme = dms["U0QIB0010"]
    assert cme["text"] == "measure(s) to record before the board on Thu 20 Feb: KPI-4"
    [block] = [b for b in cme["blocks"] if "*KPI-4*" in b.get("text", {}).get("text", "")]
    assert "Jan 2020 is not recorded yet" in block["text"]["text"]
    assert (block["accessory"]["action_id"], block["accessory"]["value"]) == ("record_measure", "KPI-4")
    # KPI-3 has January's value (0, from para 20): its owner is not asked for it
    assert "KPI-3" not in dms[IRO]["text"]


def test_a_delegate_gets_the_items_of_the_owner_they_cover(sched, slack):
    sched.tick(REMINDER_TIME)
    to_delegate = next(c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == IRO_2)
    assert "M-05" in to_delegate.args["text"]
    assert "covering for Alex Morgan" in str(to_delegate.args["blocks"])


def test_reminders_are_sent_once_however_often_the_tick_runs(sched, slack):
    for minute in range(5):
        sched.tick(REMINDER_TIME + timedelta(minutes=minute))
    assert len(slack.calls_to("chat.postMessage")) == 8


def test_digest_day_posts_the_digest_with_one_thread_reply_per_area(sched, slack):
    sched.tick(DIGEST_TIME)
    [main] = digests(slack)
    assert main.args["text"].startswith(
        "Social Care Quality Improvement Board digest for the meeting on Thu 20 Feb"
    )
    assert main.args["metadata"]["event_type"] == MARKER
    replies = [
        c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == main.response["ts"]
    ]
    assert len(replies) == AREAS
    assert [r.args["text"].split()[0] for r in replies] == [f"AFI-{i}" for i in range(1, 7)]


def test_the_digest_is_frozen_as_posted_even_after_later_updates(sched, slack, engine, durham):
    sched.tick(DIGEST_TIME)
    from bot.services.updates import record_update

    with make_sessionmaker(engine).begin() as db:
        record_update(
            db=db,
            plan_id=durham,
            milestone_code="M-05",
            author_id=_person(db, "iro-ops"),
            status="complete",
            percent=100,
            note="Done and audited",
            evidence_url=None,
            next_steps=None,
            blockers=None,
            source="console",
            idempotency_key="later",
            now=DIGEST_TIME + timedelta(days=1),
        )
    with make_sessionmaker(engine)() as db:
        frozen = frozen_digest(db=db, plan_id=durham, meeting_on=MEETING)
    assert frozen.message == {
        "text": digests(slack)[0].args["text"],
        "blocks": digests(slack)[0].args["blocks"],
    }
    assert frozen.digest.headline.complete == 11


def _person(db, key: str) -> int:
    from models import Person

    return db.scalar(select(Person.id).where(Person.key == key))


def test_two_schedulers_ticking_at_once_post_one_digest(engine, database_url, slack, durham):
    workers = [scheduler(engine, database_url, slack, worker=f"w{i}") for i in range(4)]
    barrier = threading.Barrier(len(workers))

    def tick(s: Scheduler) -> None:
        barrier.wait()
        s.tick(DIGEST_TIME)

    threads = [threading.Thread(target=tick, args=(s,)) for s in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(digests(slack)) == 1
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]) == AREAS


def test_a_bot_that_was_down_posts_late_while_the_meeting_is_ahead(sched, slack, engine):
    report = sched.tick(datetime(2020, 2, 19, 16, 0, tzinfo=UTC))
    assert "digest 2020-02-20 (late)" in report.posted
    assert len(digests(slack)) == 1
    assert [c.late for c in claims(engine) if c.kind == "digest"] == [True]


def test_once_the_meeting_has_passed_it_does_not_post_and_says_why(sched, slack, engine, caplog):
    caplog.set_level(logging.WARNING)
    report = sched.tick(datetime(2020, 2, 20, 10, 30, tzinfo=UTC))
    assert report.skipped == ["digest 2020-02-20"]
    assert digests(slack) == []
    assert "digest for the meeting on 2020-02-20 was not posted" in caplog.text
    caplog.clear()
    sched.tick(datetime(2020, 2, 20, 10, 31, tzinfo=UTC))
    assert "was not posted" not in caplog.text  # said once, not every minute


def test_a_meeting_held_before_the_plans_snapshot_is_history_not_a_missed_digest(sched, slack, caplog):
    caplog.set_level(logging.INFO)
    report = sched.tick(datetime(2020, 2, 7, 9, 0, tzinfo=UTC))  # the seed's as_at; the board met on 16 Jan
    assert report.skipped == []
    assert "was not posted" not in caplog.text
    assert "no digest for the meeting on 2020-01-16: it came before the plan" in caplog.text
    assert digests(slack) == []


def test_a_crash_between_claim_and_post_is_recovered_later_without_a_second_post(
    sched, slack, engine, durham
):
    post = [
        p
        for p in schedule.due_posts(
            sched.rule().meetings(MEETING, MEETING), sched.rule().timing, now=DIGEST_TIME
        )
        if p.kind.value == "digest"
    ][0]
    with make_sessionmaker(engine).begin() as db:
        assert schedule.claim(db, durham, post, now=DIGEST_TIME, worker="crashed") is not None
    first = sched.tick(DIGEST_TIME + timedelta(minutes=1))
    assert "digest 2020-02-20" not in first.posted  # the claim is fresh: someone else has it
    report = sched.tick(DIGEST_TIME + schedule.STALE_CLAIM + timedelta(minutes=1))
    assert "digest 2020-02-20" in report.posted
    assert len(digests(slack)) == 1


def test_a_crash_after_posting_but_before_recording_finds_the_post_and_does_not_repeat_it(
    sched, slack, engine, durham
):
    post = [
        p
        for p in schedule.due_posts(
            sched.rule().meetings(MEETING, MEETING), sched.rule().timing, now=DIGEST_TIME
        )
        if p.kind.value == "digest"
    ][0]
    with make_sessionmaker(engine).begin() as db:
        schedule.claim(db, durham, post, now=DIGEST_TIME, worker="crashed")
    # The crashed process got as far as posting: the message is in the channel, the ts never recorded.
    slack.add_message(
        CHANNEL,
        "digest",
        user="UBOT111",
        metadata={"event_type": MARKER, "event_payload": {"plan_id": durham, "meeting_on": "2020-02-20"}},
    )
    sched.tick(DIGEST_TIME + schedule.STALE_CLAIM + timedelta(minutes=1))
    assert digests(slack) == []
    assert slack.calls_to("conversations.history")
    [digest_claim] = [c for c in claims(engine) if c.kind == "digest" and c.meeting_on == MEETING]
    assert digest_claim.ts is not None and digest_claim.posted_at is not None


def test_one_unreachable_owner_does_not_stop_the_other_reminders(sched, slack):
    slack.fail("chat.postMessage", status=200, error="channel_not_found", times=1)
    report = sched.tick(REMINDER_TIME)
    assert report.posted == ["reminders 2020-02-20 (8)"]
    assert len([c for c in slack.calls_to("chat.postMessage") if not c.failed]) == 7


def test_slack_rate_limiting_is_waited_out_and_posts_once(sched, slack):
    slack.fail("chat.postMessage", status=429, retry_after=1, times=1)
    sched.tick(DIGEST_TIME)
    assert len(digests(slack)) == 1
    assert len([c for c in slack.calls_to("chat.postMessage") if c.failed]) == 1


def test_a_channel_the_bot_is_not_in_tells_the_chair_and_admins_once_then_posts_when_fixed(
    sched, slack, engine
):
    sched.tick(REMINDER_TIME)
    slack.reset()
    slack.fail("chat.postMessage", status=200, error="channel_not_found", times=1)
    report = sched.tick(DIGEST_TIME)
    assert report.problems == ["digest 2020-02-20: channel_not_found"]
    told = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR]
    assert (
        len(told) == 1 and "channel_not_found" in told[0].args["text"] and "/invite" in told[0].args["text"]
    )
    later = DIGEST_TIME + schedule.STALE_CLAIM + timedelta(minutes=1)
    sched.tick(later)
    assert len(digests(slack)) == 1
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR]) == 1


def test_a_meeting_on_a_bank_holiday_is_flagged_to_the_chair_on_reminder_day(
    engine, database_url, slack, durham
):
    from models import Board

    with make_sessionmaker(engine).begin() as db:
        board_id = db.scalar(select(Board.id).where(Board.plan_id == durham))
        db.add(MeetingOverride(board_id=board_id, on=date(2020, 5, 8), action="extra"))  # VE day bank holiday
    s = scheduler(engine, database_url, slack)
    rule = s.rule()
    [meeting] = rule.meetings(date(2020, 5, 8), date(2020, 5, 8))
    from bot.services.calendar import schedule_for

    when = schedule_for(meeting, tz=rule.tz)
    s.tick(when.reminder_at)
    flags = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == CHAIR and "bank holiday" in c.args.get("text", "")
    ]
    assert len(flags) == 1


def test_a_meeting_moved_off_a_bank_holiday_is_not_flagged_and_dates_read_one_way(
    engine, database_url, slack, durham
):
    """First Mondays: Easter Monday 5 Apr 2021 is moved to Wed 7 Apr, a working day: no alarm."""
    from models import Board

    with make_sessionmaker(engine).begin() as db:
        board = db.scalar(select(Board).where(Board.plan_id == durham))
        board.rrule = "FREQ=MONTHLY;BYDAY=+1MO"
        db.add(MeetingOverride(board_id=board.id, on=date(2021, 4, 5), action="moved", to=date(2021, 4, 7)))
    s = scheduler(engine, database_url, slack)
    rule = s.rule()
    [meeting] = rule.meetings(date(2021, 4, 7), date(2021, 4, 7))
    assert meeting.rule_date_on_bank_holiday and not meeting.on_bank_holiday
    from bot.services.calendar import schedule_for

    when = schedule_for(meeting, tz=rule.tz)
    report = s.tick(when.reminder_at)
    assert report.posted and report.posted[0].startswith("reminders 2021-04-07")
    sent = [c.args for c in slack.calls_to("chat.postMessage")]
    assert sent and not [a for a in sent if "bank holiday" in a.get("text", "")]
    assert all("Wed 7 Apr" in a["text"] and "07 Apr" not in a["text"] for a in sent)


def test_two_qib_tick_processes_at_once_post_one_digest(database_url, engine, slack, durham, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env.update(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-tick", SLACK_API_URL=slack.base_url)
    command = [sys.executable, "-m", "bot", "tick", "--now", DIGEST_TIME.isoformat()]
    procs = [
        subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert len(digests(slack)) == 1
    with make_sessionmaker(engine)() as db:
        assert (
            db.scalar(
                select(func.count(ScheduledPost.id)).where(
                    ScheduledPost.kind == "digest", ScheduledPost.meeting_on == MEETING
                )
            )
            == 1
        )


def test_the_chair_previews_the_next_digest_privately_and_others_may_not(bot):
    [preview] = bot.command("digest preview", user=CHAIR)
    assert preview["response_type"] == "ephemeral"
    assert preview["text"].startswith(
        "Preview: Social Care Quality Improvement Board digest for the meeting on Thu 20"
    )
    [refused] = bot.command("digest preview", user=IRO)
    assert refused["text"].startswith("Only the board's chair and plan admins can preview the digest")
    assert digests(bot.slack) == []


def test_digest_show_gives_what_the_board_saw(bot, engine, database_url):
    [none_yet] = bot.command("digest show")
    assert none_yet["text"] == "No digest has been posted for any meeting yet."
    scheduler(engine, database_url, bot.slack).tick(DIGEST_TIME)
    [shown] = bot.command("digest show 2020-02-20")
    assert shown["text"] == digests(bot.slack)[0].args["text"]
    assert "As posted on Wed 12 Feb 2020" in str(shown["blocks"][0])


def test_digest_export_writes_a_board_paper_of_the_posted_digest(
    engine, database_url, slack, durham, tmp_path
):
    scheduler(engine, database_url, slack).tick(DIGEST_TIME)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env["DATABASE_URL"] = database_url
    for fmt, marker in (("md", "# Social Care Quality Improvement Board"), ("html", "<!doctype html>")):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "digest", "export", "--meeting", "2020-02-20", "--format", fmt],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert marker in done.stdout
        assert "Thursday 20 February 2020" in done.stdout


def test_digest_preview_in_the_terminal_for_any_date(database_url, engine, durham, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "bot", "digest", "--preview", "--now", "2020-03-10T09:00"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "DIGEST FOR THU 19 MAR" in done.stdout
    assert done.stdout.count("--- preview: a reply in the digest's thread ---") == AREAS
    assert "posted in the channel" not in done.stdout


def test_a_digest_due_before_the_plan_was_imported_is_history_not_a_missed_digest(
    engine, database_url, slack, sessions, caplog
):
    """A council imports its plan (no as_at) on Sat 15 Feb, after the digest for Thu 20 Feb was due:
    the first tick after the meeting does not ask whether the bot was down."""
    text = DURHAM.read_text(encoding="utf-8").replace("as_at: 2020-02-07", "")
    try:
        with sessions.begin() as db:
            import_plan(db, parse_plan_text(text), now=datetime(2020, 2, 15, 9, 0, tzinfo=UTC))
        caplog.set_level(logging.INFO)
        report = scheduler(engine, database_url, slack).tick(datetime(2020, 2, 20, 10, 30, tzinfo=UTC))
        assert report.skipped == []
        assert "was not posted" not in caplog.text
        assert "no digest for the meeting on 2020-02-20: it came before the plan" in caplog.text
        assert digests(slack) == []
    finally:
        empty_all_tables(engine)
