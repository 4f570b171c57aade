"""A board channel given by name (`#qib-board`, as in the Durham plan file) against a stand-in that
answers like Slack: with the channel's id, whatever name a message was posted to."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.channels import PAGE, ChannelIds, ChannelNotVisible
from bot.scheduler import MARKER
from bot.services import schedule
from models import Area, Plan
from models.db import make_sessionmaker
from qib_testing.bots import serve_bot
from qib_testing.people import CHAIR, IRO
from qib_testing.slack_standin import BOARD_CHANNEL_ID, FakeSlack
from tests.e2e.test_scheduler import CHANNEL, DIGEST_TIME, MEETING, REMINDER_TIME, digests, scheduler


def plan_channel(engine) -> str:
    with make_sessionmaker(engine)() as db:
        return str(db.scalar(select(Plan.channel)))


def area_parents(slack: FakeSlack) -> list[dict]:
    return [
        m
        for m in slack.messages(BOARD_CHANNEL_ID)
        if str(m.get("text", "")).startswith("Updates: ") and m.get("thread_ts") in (None, m["ts"])
    ]


@pytest.fixture
def crowded_slack():
    """A workspace where #qib-board is on the third page of conversations.list, behind an archived
    namesake, a private channel the bot is not in and plenty of others."""
    fillers = tuple(f"team-{i:03d}" for i in range(2 * PAGE + 10))
    with FakeSlack(channels=fillers) as fake:
        fake.add_channel("qib-board", channel_id="CARCHIVED1", is_archived=True)
        fake.add_channel("secret", is_private=True, is_member=False)
        fake.add_channel("qib-board", channel_id=BOARD_CHANNEL_ID)
        yield fake
        fake.assert_no_violations()


def test_the_durham_plan_names_its_channel_rather_than_giving_its_id(engine, durham):
    assert plan_channel(engine) == "#qib-board"  # what the rest of this file is about


def test_two_updates_of_one_area_land_in_one_thread_when_the_plan_names_its_channel(
    database_url, engine, durham, crowded_slack
):
    with serve_bot(database_url, engine, crowded_slack) as bot:
        bot.command("update M-05 on track 20% first", user=IRO)
        bot.command("update M-05 on track 30% second", user=IRO)
        bot.command("update M-06 at risk 10% third; recovery: cover", user=CHAIR)  # the same area, AFI-1
    [parent] = area_parents(crowded_slack)
    lines = [
        m["text"] for m in crowded_slack.messages(BOARD_CHANNEL_ID) if m.get("thread_ts") == parent["ts"]
    ]
    assert len(lines) == 4  # the parent and three updates under it
    assert crowded_slack.messages("CARCHIVED1") == []
    posts = crowded_slack.calls_to("chat.postMessage")
    assert {c.args["channel"] for c in posts if c.args["channel"] != IRO and c.args["channel"] != CHAIR} == {
        BOARD_CHANNEL_ID
    }
    with make_sessionmaker(engine)() as db:
        assert db.scalar(select(Area.thread_channel).where(Area.code == "AFI-1")) == BOARD_CHANNEL_ID


def test_the_channel_is_looked_up_once_for_many_posts_paging_through_the_workspace(
    database_url, engine, durham, crowded_slack
):
    with serve_bot(database_url, engine, crowded_slack) as bot:
        for percent in (10, 20, 30, 40):
            bot.command(f"update M-05 on track {percent}% step {percent}", user=IRO)
    listed = crowded_slack.calls_to("conversations.list")
    assert len(listed) == 3  # one look-up: three pages of up to PAGE channels, then cached
    assert [c.args.get("cursor") for c in listed] == [None, str(PAGE), str(2 * PAGE)]
    assert all(
        c.args["types"] == "public_channel,private_channel" and c.args["exclude_archived"] in ("1", "true")
        for c in listed
    )
    [parent] = area_parents(crowded_slack)
    assert (
        len([m for m in crowded_slack.messages(BOARD_CHANNEL_ID) if m.get("thread_ts") == parent["ts"]]) == 5
    )


def test_an_unknown_channel_name_is_one_clear_line_and_the_author_is_told(
    database_url, engine, durham, slack, caplog
):
    caplog.set_level(logging.INFO, logger="qib")
    with serve_bot(database_url, engine, slack, board_channel="#qib-bored") as bot:
        [first] = bot.command("update M-05 on track 20% first", user=IRO)
        [second] = bot.command("update M-05 on track 30% second", user=IRO)
    for reply in (first, second):
        assert reply["text"].startswith("Saved: M-05")
    told = [c.args for c in slack.calls_to("chat.postMessage") if c.args["channel"] == IRO]
    assert len(told) == 2  # each author hears of it, after the ack, in a message of its own
    for message in told:
        assert "I can't see the board channel #qib-bored: invite me to it" in str(message["blocks"])
    lines = [r.getMessage() for r in caplog.records if "qib-bored" in r.getMessage()]
    assert lines == [
        "board channel #qib-bored is not a channel the bot can see: invite the bot to it or set the "
        "plan's channel to its id"
    ]
    assert len(slack.calls_to("conversations.list")) == 1  # not asked again for every update
    assert [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] not in (IRO,)] == []


def test_the_digest_crash_check_finds_its_message_when_the_plan_names_its_channel(
    engine, database_url, slack, durham
):
    sched = scheduler(engine, database_url, slack)
    rule = sched.rule()
    assert rule is not None and rule.channel == "#qib-board"
    [post] = [
        p
        for p in schedule.due_posts(rule.meetings(MEETING, MEETING), rule.timing, now=DIGEST_TIME)
        if p.kind.value == "digest"
    ]
    with make_sessionmaker(engine).begin() as db:
        schedule.claim(db, durham, post, now=DIGEST_TIME, worker="crashed")
    # The crashed process posted to #qib-board; Slack keeps it in the channel, which it knows by id.
    slack.add_message(
        "#qib-board",
        "digest",
        user="UBOT111",
        metadata={"event_type": MARKER, "event_payload": {"plan_id": durham, "meeting_on": "2020-02-20"}},
    )
    report = sched.tick(DIGEST_TIME + schedule.STALE_CLAIM + timedelta(minutes=1))
    assert report.problems == []
    assert digests(slack) == []  # found, so not posted again
    [history] = slack.calls_to("conversations.history")
    assert history.args["channel"] == CHANNEL == BOARD_CHANNEL_ID and not history.failed


def test_a_digest_for_a_channel_the_bot_cannot_see_tells_the_chair_once(engine, database_url, slack, durham):
    sched = scheduler(engine, database_url, slack, board_channel="#qib-bored")
    sched.tick(REMINDER_TIME)
    slack.reset()
    report = sched.tick(DIGEST_TIME)
    assert report.problems == ["digest 2020-02-20: channel_not_found"]
    told = [c.args["text"] for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR]
    assert len(told) == 1 and "I can't see the board channel #qib-bored" in told[0] and "/invite" in told[0]
    sched.tick(DIGEST_TIME + schedule.STALE_CLAIM + timedelta(minutes=1))
    assert len([c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR]) == 1


def test_an_archived_channel_or_a_private_one_the_bot_is_not_in_cannot_be_seen(crowded_slack):
    client = WebClient(token="xoxb-test", base_url=crowded_slack.base_url)
    ids = ChannelIds()
    assert ids.resolve(client, "#qib-board") == BOARD_CHANNEL_ID  # not the archived namesake
    assert ids.resolve(client, "QIB-Board") == BOARD_CHANNEL_ID
    assert ids.resolve(client, "C0SOMEID99") == "C0SOMEID99"  # an id needs no look-up
    with pytest.raises(ChannelNotVisible):
        ids.resolve(client, "#secret")
    crowded_slack.add_channel("hidden", is_private=True, is_member=True)
    assert ChannelIds().resolve(client, "#hidden").startswith("C")
