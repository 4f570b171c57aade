"""Two plans in one database, sharing people (the same Slack ids) and milestone codes (both have M-01):
each board channel answers about its own plan, a DM or the Home tab asks which plan when it could be
either and remembers the answer, a form answers about the plan it was opened for, and the scheduler
posts each plan's reminders and digest to that plan's people and channel only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import make_client
from bot.deps import Deps
from bot.scheduler import Scheduler
from bot.scheduler.base import MARKER, REMINDER_MARKER
from bot.services.planfile import import_plan, parse_plan_text
from handlers.plan_chooser import CHOOSE_ACTION
from models import Milestone, PlanChoice, ProgressUpdate
from models.db import make_sessionmaker
from qib_testing.bots import Bot, bot_settings, serve_bot
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from qib_testing.slack_standin import BOARD_CHANNEL_ID, FakeSlack
from tests.conftest import SEED_TIME
from tests.e2e.test_updates import state

SEND_CHANNEL = "C0SENDBOARD"
SEND_TITLE = "SEND Written Statement of Action"
SEND_PLAN = f"""
version: 1
plan:
  title: "{SEND_TITLE}"
  authority: Durham County Council
  timezone: Europe/London
  channel: "#send-board"
areas:
  - code: WSOA-1
    title: Joint commissioning
    description: "Joint commissioning of services for children and young people with SEND"
people:
  - key: head-send
    slack_user_id: {CHAIR}
    name: Sam Carter
    roles: [chair, admin]
  - key: iro-ops
    slack_user_id: {IRO}
    name: Alex Morgan
milestones:
  - code: M-01
    area: WSOA-1
    title: "Joint commissioning strategy for SEND agreed"
    owner: head-send
    due: 2020-03-31
  - code: M-05
    area: WSOA-1
    title: "Local offer website relaunched with parent carers"
    owner: iro-ops
    due: 2020-04-30
board:
  name: SEND Improvement Board
  chair: head-send
  rrule: FREQ=MONTHLY;BYDAY=+4TH
  start: 2019-11-01
  time: "14:00"
  timezone: Europe/London
"""
DURHAM_M01 = "Key-principles"  # in the title of Durham's M-01
SEND_M01 = "Joint commissioning strategy"


@pytest.fixture
def send(sessions, durham: int, slack: FakeSlack) -> int:
    """The second plan, imported next to Durham's, with its own board channel in the workspace."""
    slack.add_channel("send-board", channel_id=SEND_CHANNEL)
    with sessions.begin() as db:
        return import_plan(db, parse_plan_text(SEND_PLAN), now=SEED_TIME).plan_id


@pytest.fixture
def bot(database_url, engine, slack: FakeSlack, durham: int, send: int) -> Iterator[Bot]:
    with serve_bot(database_url, engine, slack) as running:
        yield running


def dm_channel(user: str) -> str:
    return f"D{user}"


def said(responses: list[dict[str, Any]]) -> str:
    return json.dumps(responses)


def dm_replies(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    return [c.args for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == dm_channel(user)]


def selects(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        e
        for b in blocks
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("action_id") == CHOOSE_ACTION
    ]


def test_each_board_channel_answers_about_its_own_plan(bot: Bot):
    in_durham = said(bot.command("status M-01", channel=BOARD_CHANNEL_ID))
    in_send = said(bot.command("status M-01", channel=SEND_CHANNEL))
    assert DURHAM_M01 in in_durham and SEND_M01 not in in_durham
    assert SEND_M01 in in_send and DURHAM_M01 not in in_send
    summary = said(bot.command("summary", channel=SEND_CHANNEL))
    assert SEND_TITLE in summary and "Children's Social Care" not in summary

    bot.mention("M-01", channel=SEND_CHANNEL)
    [reply] = bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == SEND_CHANNEL
    )
    assert SEND_M01 in json.dumps(reply.args) and DURHAM_M01 not in json.dumps(reply.args)


def test_a_search_in_one_plans_channel_never_finds_the_other_plans_milestones(bot: Bot):
    found = said(bot.command("local offer", channel=SEND_CHANNEL))
    assert "Local offer website" in found
    assert "Local offer website" not in said(bot.command("local offer", channel=BOARD_CHANNEL_ID))


def test_a_dm_from_someone_in_both_plans_gets_the_chooser_then_the_plan_they_choose(bot: Bot, send: int):
    bot.dm("M-01", user=CHAIR)
    [chooser] = bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == dm_channel(CHAIR)
    )
    [select_menu] = selects(chooser.args["blocks"])
    assert [o["text"]["text"] for o in select_menu["options"]] == [
        "Children's Social Care Quality Improvement Plan",
        SEND_TITLE,
    ]

    listed = said(bot.command("plan", channel=dm_channel(CHAIR)))
    assert "You have not chosen one yet" in listed and SEND_TITLE in listed

    switched = said(bot.command("plan send", channel=dm_channel(CHAIR)))
    assert f"now answer about {SEND_TITLE}" in switched
    assert SEND_M01 in said(bot.command("status M-01", channel=dm_channel(CHAIR)))
    assert "(current)" in said(bot.command("plan", channel=dm_channel(CHAIR)))
    # ...and in the board channel of the other plan, that plan still answers.
    assert DURHAM_M01 in said(bot.command("status M-01", channel=BOARD_CHANNEL_ID))
    with bot.deps.sessions() as db:
        assert db.scalar(select(PlanChoice.plan_id).where(PlanChoice.slack_user_id == CHAIR)) == send


def test_the_choice_is_remembered_across_a_restart(database_url, engine, slack, durham, send):
    with serve_bot(database_url, engine, slack) as first:
        first.command("plan SEND Written", channel=dm_channel(CHAIR))
    with serve_bot(database_url, engine, slack) as second:
        assert SEND_M01 in said(second.command("status M-01", channel=dm_channel(CHAIR)))
        second.command("plan children's social care", channel=dm_channel(CHAIR))
        assert DURHAM_M01 in said(second.command("status M-01", channel=dm_channel(CHAIR)))


def test_an_unknown_plan_name_lists_the_plans(bot: Bot):
    answer = said(bot.command("plan youth justice", channel=dm_channel(CHAIR)))
    assert 'No single plan is called \\"youth justice\\"' in answer and SEND_TITLE in answer


def test_someone_with_a_part_in_one_plan_only_is_answered_about_it_without_a_chooser(bot: Bot):
    bot.dm("what do I own?", user=PRACTICE_LEAD)
    [reply] = bot.slack.wait_for(
        "chat.postMessage", predicate=lambda c: c.args.get("channel") == dm_channel(PRACTICE_LEAD)
    )
    assert not selects(reply.args.get("blocks") or [])
    assert SEND_TITLE not in json.dumps(reply.args)


def test_the_home_tab_offers_the_chooser_and_redraws_for_the_plan_chosen(bot: Bot, send: int):
    home = bot.open_home(user=IRO)
    [select_menu] = selects(home["blocks"])
    bot.slack.reset()
    option = {"value": str(send), "text": {"type": "plain_text", "text": SEND_TITLE}}
    status, _ = bot.click(
        CHOOSE_ACTION,
        user=IRO,
        view={**home, "id": "VHOME"},
        action_type="static_select",
        selected_option=option,
    )
    assert status == 200
    [call] = bot.slack.wait_for("views.publish", predicate=lambda c: c.args.get("user_id") == IRO)
    redrawn = call.args["view"]
    assert redrawn["blocks"][0]["text"]["text"] == SEND_TITLE
    assert json.loads(redrawn["private_metadata"]) == {"plan": send}
    assert "Local offer website" in json.dumps(redrawn["blocks"])  # Alex's SEND milestone, with its button
    assert selects(redrawn["blocks"])  # the switcher stays on the Home tab


def test_an_update_from_a_form_opened_for_one_plan_lands_in_that_plan(bot: Bot, send: int, durham: int):
    bot.command("plan send", user=IRO, channel=dm_channel(IRO))
    bot.slack.reset()
    view = open_modal_in_dm(bot, "update M-05", user=IRO)
    assert json.loads(view["private_metadata"])["plan"] == send
    # The person switches plan while the form is open: the form still saves to the plan it was for.
    bot.command("plan children's", user=IRO, channel=dm_channel(IRO))
    status, text = bot.submit(
        view, state("M-05", "on track", "40", "Relaunch date agreed with parent carers"), user=IRO
    )
    assert (status, text) == (200, "")
    with bot.deps.sessions() as db:
        rows = db.execute(
            select(Milestone.plan_id, ProgressUpdate.note)
            .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
            .where(Milestone.code == "M-05", ProgressUpdate.note.like("Relaunch date%"))
        ).all()
    assert [tuple(r) for r in rows] == [(send, "Relaunch date agreed with parent carers")]


def open_modal_in_dm(bot: Bot, text: str, *, user: str) -> dict[str, Any]:
    name_before = len(bot.slack.calls_to("views.open"))
    assert bot.command(text, user=user, channel=dm_channel(user)) == []
    calls = bot.slack.wait_for("views.open", count=name_before + 1)
    return calls[-1].args["view"]


# ---------------------------------------------------------------------- the scheduler, plan by plan

DURHAM_REMINDERS = datetime(2020, 2, 7, 9, 0, tzinfo=UTC)  # Durham's board: Thu 20 Feb
DURHAM_DIGEST = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)
SEND_REMINDERS = datetime(2020, 2, 17, 9, 0, tzinfo=UTC)  # the SEND board: Thu 27 Feb (fourth Thursday)
SEND_DIGEST = datetime(2020, 2, 20, 9, 0, tzinfo=UTC)


def posts_marked(slack: FakeSlack, event_type: str) -> list[tuple[str, int]]:
    """(channel, plan id) of each top-level post carrying the scheduler's marker."""
    found = []
    for c in slack.calls_to("chat.postMessage"):
        meta = c.args.get("metadata") or {}
        if isinstance(meta, str):
            meta = json.loads(meta)
        if meta.get("event_type") == event_type and not c.failed:
            found.append((c.args["channel"], meta["event_payload"]["plan_id"]))
    return found


def test_the_scheduler_posts_each_plans_reminders_and_digest_to_its_own_people_and_channel(
    engine, database_url, slack: FakeSlack, durham: int, send: int
):
    settings = bot_settings(database_url, slack)
    scheduler = Scheduler(
        Deps(engine=engine, sessions=make_sessionmaker(engine)), settings, make_client(settings)
    )

    scheduler.tick(DURHAM_REMINDERS)
    reminders = posts_marked(slack, REMINDER_MARKER)
    assert reminders and {plan for _, plan in reminders} == {durham}

    scheduler.tick(DURHAM_DIGEST)
    assert posts_marked(slack, MARKER) == [(BOARD_CHANNEL_ID, durham)]

    slack.reset()
    scheduler.tick(SEND_REMINDERS)
    reminders = posts_marked(slack, REMINDER_MARKER)
    # The SEND owners only (the chair and Alex, who are Durham's people too), about SEND's milestones.
    assert sorted(reminders) == sorted([(CHAIR, send), (IRO, send)])
    texts = json.dumps([c.args for c in slack.calls_to("chat.postMessage")])
    assert "Local offer website" in texts and DURHAM_M01 not in texts

    scheduler.tick(SEND_DIGEST)
    assert posts_marked(slack, MARKER) == [(SEND_CHANNEL, send)]
    threads = [c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert threads and {c.args["channel"] for c in threads} == {SEND_CHANNEL}

    scheduler.tick(SEND_DIGEST)  # each plan's digest once, however often the tick runs
    assert posts_marked(slack, MARKER) == [(SEND_CHANNEL, send)]


def test_qib_plan_pins_the_scheduler_to_one_plan(
    engine, database_url, slack: FakeSlack, durham: int, send: int
):
    settings = bot_settings(database_url, slack)
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), plan_selector=SEND_TITLE)
    Scheduler(deps, settings, make_client(settings)).tick(DURHAM_DIGEST)
    assert posts_marked(slack, MARKER) == []
    Scheduler(deps, settings, make_client(settings)).tick(SEND_DIGEST)
    assert posts_marked(slack, MARKER) == [(SEND_CHANNEL, send)]


def test_with_one_plan_nothing_asks_which(database_url, engine, slack, durham):
    with serve_bot(database_url, engine, slack) as bot:
        bot.dm("M-01", user=CHAIR)
        [reply] = bot.slack.wait_for(
            "chat.postMessage", predicate=lambda c: c.args.get("channel") == dm_channel(CHAIR)
        )
        assert DURHAM_M01 in json.dumps(reply.args) and not selects(reply.args.get("blocks") or [])
        assert "one plan" in said(bot.command("plan", channel=dm_channel(CHAIR)))
        assert "plan is called" not in said(bot.command("plan summary", channel=dm_channel(CHAIR)))


def test_an_update_button_in_a_plans_reminder_opens_the_form_for_that_plan(bot: Bot, send: int):
    """Alex owns M-05 in both plans and has chosen none: the reminder's own plan decides."""
    reminder = {
        "type": "message",
        "ts": "1581066000.000100",
        "text": "",
        "user": "UBOT111",
        "metadata": {
            "event_type": REMINDER_MARKER,
            "event_payload": {"plan_id": send, "meeting_on": "2020-02-27"},
        },
    }
    status, _ = bot.click("update_milestone", "M-05", user=IRO, channel_id=dm_channel(IRO), message=reminder)
    assert status == 200
    [call] = bot.slack.wait_for("views.open")
    view = call.args["view"]
    assert json.loads(view["private_metadata"]) == {"milestone": "M-05", "plan": send}
    assert "Local offer website" in json.dumps(view["blocks"])


def test_the_chairs_approve_button_decides_the_request_of_the_plan_it_came_from(
    bot: Bot, send: int, durham: int
):
    """Sam chairs both boards and, having last chosen Durham's plan, approves a revised date that Alex
    asked for in the SEND plan (both plans have an M-05): the SEND milestone moves, Durham's does not."""
    bot.command("plan send", user=IRO, channel=dm_channel(IRO))
    [asked] = bot.command("update M-05 due 2020-09-30 because the relaunch moved", user=IRO)
    assert "Asked the chair" in asked["text"]
    bot.command("plan children's", user=CHAIR, channel=dm_channel(CHAIR))
    [dm] = bot.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.args["channel"] == CHAIR and "Revised due date" in c.args.get("text", ""),
    )
    meta = dm.args.get("metadata")
    message = {"type": "message", "ts": "1581066000.000200", "text": "", "user": "UBOT111"}
    if meta:
        message["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
    value = next(e["value"] for b in dm.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    status, _ = bot.click("due_date_approve", value, user=CHAIR, channel_id=CHAIR, message=message)
    assert status == 200
    bot.slack.wait_for("chat.update")
    with bot.deps.sessions() as db:
        dues = dict(
            db.execute(select(Milestone.plan_id, Milestone.due).where(Milestone.code == "M-05")).all()
        )
    assert dues == {send: date(2020, 9, 30), durham: date(2020, 6, 30)}
