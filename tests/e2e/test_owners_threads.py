"""One announcement thread per area per board cycle: the first update after a meeting opens a new one."""

from __future__ import annotations

from datetime import UTC, datetime

from qib_testing.people import IRO


def test_the_first_update_after_a_board_meeting_opens_the_areas_thread_for_the_new_cycle(bot):
    bot.command("update M-05 on track 20% first of February", user=IRO)
    bot.command("update M-05 on track 25% second of February", user=IRO)
    parent, first, second = bot.slack.wait_for("chat.postMessage", count=3)
    assert first.args["thread_ts"] == second.args["thread_ts"] == parent.response["ts"]

    bot.clock[0] = datetime(2020, 2, 21, 9, 0, tzinfo=UTC)  # the board met on Thu 20 Feb
    bot.slack.reset()
    bot.command("update M-05 on track 30% first of the new cycle", user=IRO)
    bot.command("update M-05 on track 35% second of the new cycle", user=IRO)
    new_parent, third, fourth = bot.slack.wait_for("chat.postMessage", count=3)
    assert new_parent.args["text"] == "Updates: AFI-1 Management oversight"
    assert not new_parent.args.get("thread_ts")
    assert new_parent.response["ts"] != parent.response["ts"]
    assert third.args["thread_ts"] == fourth.args["thread_ts"] == new_parent.response["ts"]
