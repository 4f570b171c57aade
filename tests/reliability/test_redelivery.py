"""Slack delivers at least once: an event it thinks was missed comes again (with X-Slack-Retry-Num), a
person double-submits a modal or a command, a button is clicked twice. Whatever changes data must do
so once; what only reads or shows may simply run again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from models import AuditEvent, Base, MeetingOverride, ProgressUpdate
from models.db import make_sessionmaker
from qib_testing.people import BOARD, CHAIR, IRO, PRACTICE_LEAD, SAFEGUARDING, TEAM
from qib_testing.slack_standin import (
    BOARD_CHANNEL_ID,
    JSON,
    block_actions_payload,
    event_body,
    interactive_body,
    slash_command_body,
)
from tests.reliability.conftest import recorded_keys
from tests.reliability.outcomes import modal_outcome, modal_state, told

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def row_counts(outage_bot) -> dict[str, int]:
    """How many rows every table holds: what a replay that changes nothing leaves as it was."""
    with make_sessionmaker(outage_bot.engine)() as db:
        return {
            t.name: db.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables
        }


def twice(send: Callable[[dict[str, str] | None], Any], *, at_once: bool = False) -> list[Any]:
    """Deliver one request twice: one after the other (the second marked as Slack's retry), or at once."""
    if not at_once:
        return [send(None), send(RETRY)]
    results: list[Any] = [None, None]
    barrier = threading.Barrier(2)

    def go(i: int) -> None:
        barrier.wait()
        results[i] = send(RETRY if i else None)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def audit_count(outage_bot, action: str) -> int:
    with make_sessionmaker(outage_bot.engine)() as db:
        return db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action)) or 0


# ---------------------------------------------------------------------- events


def message_event(kind: str, text: str, user: str = IRO) -> dict[str, Any]:
    ts = "1580720000.000100"
    if kind == "app_mention":
        return {"type": "app_mention", "user": user, "text": f"<@UBOT111> {text}", "ts": ts, "channel": BOARD,
                "event_ts": ts}  # fmt: skip
    return {"type": "message", "user": user, "text": text, "ts": ts, "channel": f"D{user}", "event_ts": ts,
            "channel_type": "im"}  # fmt: skip


def deliver_event(outage_bot, event: dict[str, Any], event_id: str) -> Callable[[dict[str, str] | None], int]:
    body = event_body(event, team_id=TEAM, event_id=event_id)

    def send(headers: dict[str, str] | None) -> int:
        status, _, _ = outage_bot.http.post("/slack/events", body, JSON, headers=headers)
        return status

    return send


def test_an_update_asked_for_in_a_mention_and_delivered_again_is_saved_once(outage_bot):
    event = message_event("app_mention", "update M-05 on track 20% asked in the channel")
    assert twice(deliver_event(outage_bot, event, "Ev0MENTION1")) == [200, 200]
    assert recorded_keys(outage_bot.engine) == {f"message:{BOARD}:1580720000.000100"}
    answers = [
        c.args["text"] for c in outage_bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")
    ]
    answers = [a for a in answers if a.startswith(("Saved", "That update"))]
    assert [told(a) for a in answers] == ["saved", "saved"]
    assert answers[1].startswith("That update was already saved")


def test_an_update_asked_for_in_a_direct_message_and_delivered_again_is_saved_once(outage_bot):
    event = message_event("im", "update M-05 on track 25% sent as a DM")
    for _ in range(3):  # Slack tries up to three more times
        deliver_event(outage_bot, event, "Ev0DM1")(RETRY)
    assert len(recorded_keys(outage_bot.engine)) == 1
    with make_sessionmaker(outage_bot.engine)() as db:
        assert db.scalar(select(func.count(ProgressUpdate.id)).where(ProgressUpdate.source == "slack")) == 1


def test_two_deliveries_of_one_mention_at_the_same_moment_save_one_update(outage_bot):
    event = message_event("app_mention", "update M-05 at risk 30% racing; recovery: cover")
    twice(deliver_event(outage_bot, event, "Ev0RACE1"), at_once=True)
    assert len(recorded_keys(outage_bot.engine)) == 1
    assert audit_count(outage_bot, "update") == 1


def test_questions_and_the_home_tab_delivered_again_change_nothing(outage_bot):
    before = row_counts(outage_bot)
    twice(deliver_event(outage_bot, message_event("app_mention", "what's overdue?"), "Ev0Q1"))
    home = {"type": "app_home_opened", "user": IRO, "channel": f"D{IRO}", "tab": "home", "event_ts": "1.2"}
    twice(deliver_event(outage_bot, home, "Ev0HOME1"))
    assert row_counts(outage_bot) == before
    assert len(outage_bot.slack.calls_to("views.publish")) == 2  # shown again: harmless


# ---------------------------------------------------------------------- modal submissions


def submit(outage_bot, view_id: str, values: dict[str, Any], user: str = CHAIR) -> Callable[[Any], str]:
    from qib_testing.slack_standin import view_submission_payload

    body = interactive_body(
        view_submission_payload("qib_update", values, user_id=user, team_id=TEAM, view_id=view_id)
    )

    def send(headers: dict[str, str] | None) -> str:
        status, _, text = outage_bot.http.post("/slack/events", body, headers=headers)
        return modal_outcome(status, text)

    return send


def test_the_same_modal_submitted_twice_saves_one_update(outage_bot):
    outcomes = twice(submit(outage_bot, "VTWICE", modal_state("M-06", "on track", "40", "twice")))
    assert outcomes == ["saved", "saved"]
    assert recorded_keys(outage_bot.engine) == {"view:VTWICE"}
    receipts = [
        c.args["text"] for c in outage_bot.slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR
    ]
    assert receipts[0].startswith("Saved") and receipts[1].startswith("That update was already saved")
    assert len([c for c in outage_bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]) == 1


def test_the_same_modal_submitted_twice_at_once_saves_one_update_and_announces_it_once(outage_bot):
    outcomes = twice(
        submit(outage_bot, "VRACE", modal_state("M-06", "at risk", "35", "double click")), at_once=True
    )
    assert outcomes == ["saved", "saved"]
    assert recorded_keys(outage_bot.engine) == {"view:VRACE"}
    assert audit_count(outage_bot, "update") == 1
    announced = [c for c in outage_bot.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(announced) == 1


# ---------------------------------------------------------------------- slash commands


def command(
    outage_bot, text: str, name: str, user: str = IRO, trigger_id: str | None = None
) -> Callable[[Any], list[str]]:
    body = slash_command_body(
        text, user_id=user, channel_id=BOARD, team_id=TEAM, response_url=outage_bot.slack.response_url(name),
        trigger_id=trigger_id or f"trig.{name}",
    )  # fmt: skip

    def send(headers: dict[str, str] | None) -> list[str]:
        status, _, _ = outage_bot.http.post("/slack/events", body, headers=headers)
        assert status == 200
        return [r["text"] for r in outage_bot.responses(name)]

    return send


def test_the_same_quick_update_command_twice_saves_one_update(outage_bot):
    twice(command(outage_bot, "update M-05 on track 20% once", "dup1"))
    assert recorded_keys(outage_bot.engine) == {"command:trig.dup1"}
    replies = [r["text"] for r in outage_bot.responses("dup1")]
    assert replies[0].startswith("Saved") and replies[1].startswith("That update was already saved")


def test_the_same_quick_update_command_twice_at_once_saves_one_update(outage_bot):
    twice(command(outage_bot, "update M-05 off track 10% racing; recovery: cover", "dup2"), at_once=True)
    assert recorded_keys(outage_bot.engine) == {"command:trig.dup2"}
    assert audit_count(outage_bot, "update") == 1
    broadcast = [
        c
        for c in outage_bot.slack.calls_to("chat.postMessage")
        if c.args.get("reply_broadcast") in (True, "1", "true")
    ]
    assert len(broadcast) == 1  # off track is announced to the channel, once


def test_a_trigger_id_seen_before_from_someone_else_is_their_own_update_and_a_replay_tells_only_its_sender(
    outage_bot,
):
    first = command(outage_bot, "update M-05 on track 20% first", "mine", trigger_id="trig.shared")
    other = command(
        outage_bot,
        "update M-07 at risk 30% theirs; recovery: agency cover",
        "theirs",
        user=SAFEGUARDING,
        trigger_id="trig.shared",
    )
    first(None)
    other(None)
    first(RETRY)
    mine = [r["text"] for r in outage_bot.responses("mine")]
    theirs = [r["text"] for r in outage_bot.responses("theirs")]
    assert mine[0].startswith("Saved: M-05") and mine[1].startswith("That update was already saved: M-05")
    assert len(theirs) == 1 and theirs[0].startswith("Saved: M-07") and "M-05" not in theirs[0]
    assert len(recorded_keys(outage_bot.engine)) == 2


def test_a_view_id_seen_before_from_someone_else_is_their_own_update(outage_bot):
    outcomes = [
        submit(outage_bot, "VSHARED", modal_state("M-05", "on track", "25", "mine"), user=IRO)(None),
        submit(outage_bot, "VSHARED", modal_state("M-07", "at risk", "30", "theirs"), user=SAFEGUARDING)(
            None
        ),
    ]
    assert outcomes == ["saved", "saved"]
    receipts = {c.args["channel"]: c.args["text"] for c in outage_bot.slack.calls_to("chat.postMessage")}
    assert receipts[IRO].startswith("Saved: M-05")
    assert receipts[SAFEGUARDING].startswith("Saved: M-07")
    assert len(recorded_keys(outage_bot.engine)) == 2


def test_an_owner_change_sent_twice_is_made_and_audited_once(outage_bot):
    replies = twice(command(outage_bot, f"owner M-05 <@{PRACTICE_LEAD}|drew>", "own1", user=CHAIR))
    assert audit_count(outage_bot, "reassign_owner") == 1
    assert "is already owned by" in replies[-1][-1]


def test_cover_set_twice_is_set_and_audited_once(outage_bot):
    twice(
        command(
            outage_bot, f"delegate <@{IRO}|alex> <@{PRACTICE_LEAD}|drew> until 2020-03-31", "cov1", user=CHAIR
        )
    )
    assert audit_count(outage_bot, "set_delegate") == 1


def test_a_meeting_cancelled_twice_is_cancelled_once(outage_bot):
    before = row_counts(outage_bot)
    twice(command(outage_bot, "meeting cancel 2020-03-19", "meet1", user=CHAIR))
    after = row_counts(outage_bot)
    with make_sessionmaker(outage_bot.engine)() as db:
        assert db.scalar(select(func.count(MeetingOverride.id))) == before["meeting_override"] + 1
    assert after["audit_event"] - before["audit_event"] <= 1


# ---------------------------------------------------------------------- buttons


def click(
    outage_bot, action_id: str, value: str = "", *, view: dict | None = None, **kwargs: Any
) -> Callable[[Any], int]:
    body = interactive_body(
        block_actions_payload(
            action_id, value=value, user_id=IRO, team_id=TEAM, view=view,
            response_url=outage_bot.slack.response_url(f"click-{action_id}"), **kwargs,
        )
    )  # fmt: skip

    def send(headers: dict[str, str] | None) -> int:
        status, _, _ = outage_bot.http.post("/slack/events", body, headers=headers)
        return status

    return send


def test_buttons_clicked_twice_change_nothing(outage_bot):
    before = row_counts(outage_bot)
    assert twice(click(outage_bot, "update_milestone", "M-05")) == [200, 200]
    [opened, _] = outage_bot.slack.wait_for("views.open", count=2)
    view = opened.response["view"]
    pick = {
        "type": "static_select",
        "selected_option": {"value": "M-16", "text": {"type": "plain_text", "text": "M-16"}},
    }
    twice(
        click(
            outage_bot,
            "update_pick_milestone",
            view=view,
            action_type="static_select",
            selected_option=pick["selected_option"],
        )
    )
    twice(click(outage_bot, "share_summary"))
    assert row_counts(outage_bot) == before
    shared = [
        c for c in outage_bot.slack.calls_to("response_url") if c.args.get("response_type") == "in_channel"
    ]
    # Sharing is a post, not a change of data: a double click shares twice, as Slack's own share would.
    assert len(shared) == 2
    assert json.dumps(before)  # the counts are plain numbers


# ---------------------------------------------------------------------- the board channel's area threads


def area_parents(outage_bot) -> list[dict[str, Any]]:
    return [m for m in outage_bot.slack.posts("#qib-board") if str(m.get("text", "")).startswith("Updates: ")]


def test_updates_of_one_area_arriving_together_share_one_thread(busy_bot):
    """Different updates, one area, the same moment: one "Updates: AFI-1" message, every line under it."""
    codes = ["M-05", "M-06", "M-07", "M-08", "M-09", "M-10"]  # all in AFI-1
    barrier = threading.Barrier(len(codes))

    def update(i: int) -> None:
        barrier.wait()
        command(busy_bot, f"update {codes[i]} on track {10 + i}% together", f"area{i}", user=CHAIR)(None)

    threads = [threading.Thread(target=update, args=(i,)) for i in range(len(codes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    [parent] = area_parents(busy_bot)
    lines = [
        m
        for m in busy_bot.slack.messages("#qib-board")
        if m.get("thread_ts") == parent["ts"] and m["ts"] != parent["ts"]
    ]
    assert len(lines) == len(codes)
    assert len(recorded_keys(busy_bot.engine)) == len(codes)


def test_an_area_thread_left_half_started_by_a_dead_process_is_taken_over(outage_bot):
    from datetime import timedelta

    from bot.services.announcements import STALE_START, STARTING
    from models import Area

    long_ago = outage_bot.deps.clock() - STALE_START - timedelta(seconds=1)
    with outage_bot.deps.sessions.begin() as db:
        area = db.scalar(select(Area).where(Area.code == "AFI-1"))
        area.thread_channel, area.thread_ts = BOARD_CHANNEL_ID, f"{STARTING}{long_ago.timestamp():.0f}:dead"
    [text] = command(outage_bot, "update M-05 on track 20% after a crash", "taken", user=CHAIR)(None)
    assert told(text) == "saved"
    assert ":warning:" not in str(
        outage_bot.responses("taken")[0]["blocks"]
    )  # announced, no problem reported
    assert len(area_parents(outage_bot)) == 1
