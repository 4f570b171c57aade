"""`kill -9` at the worst moment: mid-update in `qib run --http`, and mid-digest in `qib tick`.

After a restart an update is all there (history row, milestone status, audit event) or not there at
all, and the digest is in the channel exactly once, its thread complete and nothing in it twice.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.scheduler import MARKER
from bot.services import schedule
from models import ScheduledPost
from models.db import make_sessionmaker
from qib_testing.people import BOARD, CHAIR, IRO, SECRET, TEAM
from qib_testing.slack_standin import (
    BOARD_CHANNEL_ID,
    SignedClient,
    interactive_body,
    slash_command_body,
    view_submission_payload,
)
from tests.reliability.conftest import (
    Ledger,
    assert_told_matches_database,
    assert_updates_are_whole,
    get_status,
    process_env,
    recorded_keys,
    start_process,
)
from tests.reliability.flaky_slack import FlakySlack
from tests.reliability.outcomes import modal_outcome, modal_state, told

CHANNEL = BOARD_CHANNEL_ID  # #qib-board, the Durham plan's board channel, as Slack answers it
DIGEST_DAY = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)
MEETING = date(2020, 2, 20)
AREAS = 6


def kill_9(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL


# ---------------------------------------------------------------------- the digest


def tick(database_url: str, slack: FlakySlack, now: datetime, cwd: Path) -> subprocess.Popen:
    env = process_env(database_url, slack)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "tick", "--now", now.isoformat()],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def tick_to_the_end(database_url: str, slack: FlakySlack, now: datetime, cwd: Path) -> str:
    proc = tick(database_url, slack, now, cwd)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return out


def digest_posts(slack: FlakySlack) -> list[dict]:
    return [m for m in slack.posts(CHANNEL) if (m.get("metadata") or {}).get("event_type") == MARKER]


def replies_to(slack: FlakySlack, ts: str) -> list[str]:
    return [m["text"] for m in slack.messages(CHANNEL) if m.get("thread_ts") == ts and m["ts"] != ts]


def is_digest(args: dict) -> bool:
    return args.get("channel") == CHANNEL and not args.get("thread_ts")


def nth_thread_reply(n: int):
    seen = {"count": 0}

    def match(args: dict) -> bool:
        if args.get("channel") == CHANNEL and args.get("thread_ts"):
            seen["count"] += 1
            return seen["count"] == n
        return False

    return match


@pytest.mark.parametrize(
    "where, landed",
    [
        ("the digest", True),  # Slack posted it; the bot died before hearing so
        ("the digest", False),  # the bot died before Slack got it
        ("a thread reply", True),
        ("a thread reply", False),
    ],
)
def test_a_tick_killed_while_posting_the_digest_leaves_exactly_one_digest_after_restart(
    database_url, engine, durham, flaky, tmp_path, where, landed
):
    hang = flaky.hang("chat.postMessage", is_digest if where == "the digest" else nth_thread_reply(3))
    proc = tick(database_url, flaky, DIGEST_DAY, tmp_path)
    try:
        hang.wait_reached(timeout=60)
    finally:
        kill_9(proc)
    hang.release(deliver=landed)
    if landed:
        hang.wait_answered()  # Slack finishes acting on it, though nobody is listening

    soon = tick_to_the_end(database_url, flaky, DIGEST_DAY + timedelta(minutes=1), tmp_path)
    assert "posted digest" not in soon  # the dead process's claim is fresh: nobody else takes it yet
    after = tick_to_the_end(
        database_url, flaky, DIGEST_DAY + schedule.STALE_CLAIM + timedelta(minutes=1), tmp_path
    )
    assert "posted digest 2020-02-20" in after

    [digest] = digest_posts(flaky)
    replies = replies_to(flaky, digest["ts"])
    assert len(replies) == len(set(replies)) == AREAS, replies
    with make_sessionmaker(engine)() as db:
        [claim] = db.scalars(
            select(ScheduledPost).where(ScheduledPost.kind == "digest", ScheduledPost.meeting_on == MEETING)
        )
        assert claim.posted_at is not None and claim.ts == digest["ts"] and claim.attempts == 2
    again = tick_to_the_end(database_url, flaky, DIGEST_DAY + timedelta(hours=2), tmp_path)
    assert "posted digest" not in again and len(digest_posts(flaky)) == 1


# ---------------------------------------------------------------------- updates


def quick_body(slack: FlakySlack, n: int, code: str, percent: int, user: str = CHAIR) -> tuple[str, str, str]:
    name = f"k{n}"
    body = slash_command_body(
        f"update {code} on track {percent}% killed {n}", user_id=user, channel_id=BOARD, team_id=TEAM,
        response_url=slack.response_url(name), trigger_id=f"trig.{name}",
    )  # fmt: skip
    return body, f"command:trig.{name}", name


def modal_body(n: int, code: str, percent: int, user: str = CHAIR) -> tuple[str, str]:
    view_id = f"VKILL{n}"
    payload = view_submission_payload(
        "qib_update", modal_state(code, "on track", str(percent), f"killed {n}"), user_id=user, team_id=TEAM,
        view_id=view_id,
    )  # fmt: skip
    return interactive_body(payload), f"view:{view_id}"


def run_bot(database_url: str, slack: FlakySlack, cwd: Path, log: Path):
    env = process_env(database_url, slack, SCHEDULER="false")
    return start_process(["run", "--http", "--host", "127.0.0.1", "--port", "0"], env, cwd, log)


def test_a_bot_killed_after_saving_an_update_but_before_answering_keeps_the_whole_update(
    database_url, engine, durham, flaky, tmp_path, processes
):
    bp = run_bot(database_url, flaky, tmp_path, tmp_path / "bot1.log")
    processes.append(bp)
    hang = flaky.hang("response_url", lambda a: str(a.get("text", "")).startswith("Saved"))  # the answer
    body, key, name = quick_body(flaky, 1, "M-05", 20, user=IRO)
    status, _, _ = bp.http().post("/slack/events", body)
    assert status == 200  # acknowledged at once; the work goes on behind
    hang.wait_reached(timeout=30)  # saved, and now answering the person
    kill_9(bp.proc)
    hang.release(deliver=False)

    assert recorded_keys(engine) == {key}
    assert_updates_are_whole(engine)
    assert [c for c in flaky.calls_to("response_url") if c.path.endswith("/" + name)] == []  # never told

    again = run_bot(database_url, flaky, tmp_path, tmp_path / "bot2.log")
    processes.append(again)
    assert get_status(again.base_url + "/healthz") == 200
    status, _, _ = again.http().post("/slack/events", modal_body(2, "M-05", 25, user=IRO)[0])
    assert status == 200
    assert len(recorded_keys(engine)) == 2
    assert_updates_are_whole(engine)


def test_a_bot_killed_in_the_middle_of_many_updates_leaves_each_whole_or_absent(
    database_url, engine, durham, flaky, tmp_path, processes
):
    rng = random.Random(9)
    ledger = Ledger()
    codes = ["M-05", "M-06", "M-07", "M-08", "M-09", "M-10"]
    modal_keys: dict[str, str] = {}
    for round_ in range(3):
        bp = run_bot(database_url, flaky, tmp_path, tmp_path / f"bot{round_}.log")
        processes.append(bp)
        http = SignedClient(bp.base_url, SECRET, timeout=10)

        def send(n: int, http: SignedClient = http) -> None:
            code, percent = codes[n % len(codes)], 10 + n % 80
            try:
                if n % 2:
                    body, key = modal_body(n, code, percent)
                    modal_keys[key] = body
                    status, _, text = http.post("/slack/events", body)
                    ledger.note(key, modal_outcome(status, text))
                else:
                    body, key, _ = quick_body(flaky, n, code, percent)
                    ledger.note(key, "unknown")
                    http.post("/slack/events", body)
            except OSError:
                pass  # the bot died under us: nothing was said

        threads = [threading.Thread(target=send, args=(round_ * 100 + i,)) for i in range(12)]
        for t in threads:
            t.start()
            time.sleep(rng.uniform(0, 0.02))
        time.sleep(rng.uniform(0.05, 0.4))
        kill_9(bp.proc)
        for t in threads:
            t.join(15)

    for call in flaky.calls_to("response_url"):  # what the quick updates' senders were told
        ledger.note(f"command:trig.{call.path.rsplit('/', 1)[-1]}", told(call.args.get("text")))
    assert_updates_are_whole(engine)
    assert_told_matches_database(ledger, engine)

    # People whose modal never closed press Submit again: each update ends up saved exactly once.
    last = run_bot(database_url, flaky, tmp_path, tmp_path / "last.log")
    processes.append(last)
    http = last.http()
    for key, body in modal_keys.items():
        status, _, text = http.post("/slack/events", body)
        assert modal_outcome(status, text) == "saved", (key, text)
    assert set(modal_keys) <= recorded_keys(engine)
    assert_updates_are_whole(engine)
