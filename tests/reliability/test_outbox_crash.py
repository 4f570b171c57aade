"""A bot process killed (SIGKILL) after an update's commit and before its announcement is known to have
landed: the update is recorded once, and the restarted process announces it exactly once, whether
Slack never got the post or got it and the answer died with the process."""

from __future__ import annotations

import itertools
import signal

import pytest
from sqlalchemy import Engine, select

from models import OutboxMessage
from models.db import make_sessionmaker
from qib_testing.people import IRO
from qib_testing.slack_standin import BOARD_CHANNEL_ID
from qib_testing.slack_standin.signer import slash_command_body
from tests.reliability.conftest import poll, process_env, recorded_keys, start_process
from tests.reliability.flaky_slack import FlakySlack

RUN = ["run", "--http", "--host", "127.0.0.1", "--port", "0"]
counter = itertools.count()


def quick_update(http, flaky: FlakySlack, text: str) -> tuple[str, str]:
    """Send /qib update as Slack does; the request's key and the reply's text."""
    name = f"crash{next(counter)}"
    body = slash_command_body(
        text, user_id=IRO, channel_id="C1", team_id="T111",
        response_url=flaky.response_url(name), trigger_id=f"trig.crash.{name}",
    )  # fmt: skip
    status, _, _ = http.post("/slack/events", body)
    assert status == 200
    [reply] = flaky.wait_for("response_url", timeout=20, predicate=lambda c: c.path.endswith("/" + name))
    return f"command:trig.crash.{name}", str(reply.args["text"])


def announcements(flaky: FlakySlack, words: str) -> list[dict]:
    """Lines in the area threads of the board channel whose note carries `words`."""
    return [
        m
        for m in flaky.messages(BOARD_CHANNEL_ID)
        if m.get("thread_ts") not in (None, m["ts"]) and words in str(m.get("blocks", ""))
    ]


@pytest.mark.parametrize("slack_got_it", [False, True], ids=["post-lost", "answer-lost"])
def test_an_update_is_announced_exactly_once_across_a_kill_between_commit_and_post(
    database_url, engine, durham, flaky, tmp_path, processes, slack_got_it
):
    env = process_env(database_url, flaky, SCHEDULER="false", OUTBOX_STALE_SECONDS="1")
    first = start_process(RUN, env, tmp_path, tmp_path / "first.log")
    processes.append(first)
    # The announcement line (a reply in the area's thread) is held: the worker is mid-post when killed.
    held = flaky.hang("chat.postMessage", predicate=lambda a: bool(a.get("thread_ts")))

    key, reply = quick_update(first.http(), flaky, "update M-05 on track 35% killed mid-post")
    assert reply.startswith("Saved: M-05")  # the ack and the reply never waited for the board channel
    held.wait_reached()
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    held.release(deliver=slack_got_it)  # Slack keeps the post, or never got it; either way, no answer
    held.wait_answered()
    assert len(announcements(flaky, "killed mid-post")) == (1 if slack_got_it else 0)

    second = start_process(RUN, env, tmp_path, tmp_path / "second.log")
    processes.append(second)
    poll(lambda: all_posted(engine), timeout=30)  # the claim goes stale, the new worker takes it over
    assert len(announcements(flaky, "killed mid-post")) == 1
    assert recorded_keys(engine) == {key}
    # Long after the stale period, still once: the finished row is not taken again.
    quick_update(second.http(), flaky, "update M-05 on track 40% after the restart")
    poll(lambda: len(announcements(flaky, "after the restart")) == 1, timeout=20)
    assert len(announcements(flaky, "killed mid-post")) == 1
    assert "unhandled error" not in second.log_text()


def all_posted(engine: Engine) -> bool:
    with make_sessionmaker(engine)() as db:
        rows = list(db.scalars(select(OutboxMessage)))
    return bool(rows) and all(r.done_at is not None for r in rows)
