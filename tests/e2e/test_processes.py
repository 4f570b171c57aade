"""`qib run` as a real process, the way an admin starts it: HTTP mode and Socket Mode."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qib_testing.people import BOARD, CHAIR, SECRET, TEAM
from qib_testing.slack_standin import (
    FakeSlack,
    FakeSocketMode,
    SignedClient,
    slash_command_body,
    slash_command_payload,
)


def start_bot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def bot_env(database_url: str, slack: FakeSlack, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-process-token",
        SLACK_API_URL=slack.base_url,
        LOG_LEVEL="INFO",
        **extra,
    )
    return env


def wait_for_line(proc: subprocess.Popen[str], pattern: str, timeout: float = 30) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    assert proc.stderr is not None
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if found := re.search(pattern, line):
            return found
    proc.kill()
    raise AssertionError(f"no line matching {pattern!r}; stderr was:\n{''.join(seen)}")


@pytest.fixture
def stopper() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(10)


def test_http_mode_serves_a_signed_slash_command_and_stops_cleanly_on_sigterm(
    database_url, durham, slack, tmp_path, stopper
):
    env = bot_env(database_url, slack, SLACK_SIGNING_SECRET=SECRET, SCHEDULER="false")
    proc = start_bot(["--http", "--host", "127.0.0.1", "--port", "0"], env, tmp_path)
    stopper.append(proc)
    wait_for_line(proc, r"answers prepared in [0-9.]+ s")  # the plan's kept answers, before it listens
    port = wait_for_line(proc, r"listening on http://127\.0\.0\.1:(\d+)/slack/events").group(1)
    http = SignedClient(f"http://127.0.0.1:{port}", SECRET)

    body = slash_command_body(
        "help", user_id=CHAIR, channel_id=BOARD, team_id=TEAM, response_url=slack.response_url("proc")
    )
    status, _, _ = http.post("/slack/events", body)
    assert status == 200
    [reply] = slack.wait_for("response_url", timeout=10)
    assert "/qib help" in reply.args["text"]

    unsigned, _, _ = http.post("/slack/events", body, sign=False)
    assert unsigned == 401

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0
    _, err = proc.communicate()
    assert "xoxb-process-token" not in err and SECRET not in err


def children_of(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return {int(p) for p in path.read_text().split()} if path.exists() else set()


def two_workers(pid: int, without: int | None = None) -> set[int] | None:
    found = children_of(pid)
    return found if len(found) == 2 and without not in found else None


def poll_until(check, timeout: float = 20):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_http_mode_on_two_worker_processes_answers_replaces_a_dead_worker_and_stops_on_sigterm(
    database_url, durham, slack, tmp_path, stopper
):
    env = bot_env(database_url, slack, SLACK_SIGNING_SECRET=SECRET, SCHEDULER="false")
    proc = start_bot(["--http", "--host", "127.0.0.1", "--port", "0", "--workers", "2"], env, tmp_path)
    stopper.append(proc)
    port = wait_for_line(proc, r"listening on http://127\.0\.0\.1:(\d+)/slack/events, 2 worker").group(1)
    http = SignedClient(f"http://127.0.0.1:{port}", SECRET)
    workers = poll_until(lambda: two_workers(proc.pid))

    def ask(n: int) -> None:
        tag = f"w{time.monotonic_ns()}"
        for i in range(n):
            url = slack.response_url(f"{tag}-{i}")
            body = slash_command_body("help", user_id=CHAIR, channel_id=BOARD, team_id=TEAM, response_url=url)
            assert http.post("/slack/events", body)[0] == 200
        replies = slack.wait_for("response_url", count=n, timeout=20, predicate=lambda c: tag in c.path)
        assert all("/qib help" in r.args["text"] for r in replies)

    ask(6)
    dead = sorted(workers)[0]
    os.kill(dead, signal.SIGKILL)
    replaced = poll_until(lambda: two_workers(proc.pid, without=dead))
    assert replaced & workers == workers - {dead}
    ask(4)  # still answered, by the survivor and the new worker

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    assert not any(
        Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()
        for pid in replaced
    )
    _, err = proc.communicate()
    assert "starting another" in err
    assert "xoxb-process-token" not in err and SECRET not in err


def test_socket_mode_acks_a_slash_command_and_answers_it(database_url, durham, slack, tmp_path, stopper):
    with FakeSocketMode(slack) as socket_mode:
        env = bot_env(database_url, slack, SLACK_APP_TOKEN="xapp-1-process", SCHEDULER="false")
        proc = start_bot([], env, tmp_path)
        stopper.append(proc)
        socket_mode.wait_connected(timeout=30)
        payload = slash_command_payload(
            "help", user_id=CHAIR, channel_id=BOARD, team_id=TEAM, response_url=slack.response_url("sock")
        )
        envelope_id = socket_mode.send_envelope("slash_commands", payload, accepts_response_payload=True)
        ack = socket_mode.wait_for_ack(envelope_id, timeout=10)
        assert ack["envelope_id"] == envelope_id
        assert socket_mode.ack_delay(envelope_id) < 3
        [reply] = slack.wait_for("response_url", timeout=10)
        assert "/qib help" in reply.args["text"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0


def test_a_partial_configuration_stops_with_one_line(database_url, slack, tmp_path):
    env = bot_env(database_url, slack)  # a bot token and nothing else
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "qib: SLACK_BOT_TOKEN is set but Socket Mode needs SLACK_APP_TOKEN too (or set SLACK_SIGNING_SECRET "
        "and use --http for HTTP mode)"
    ]


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_when_slack_will_not_say_which_workspace_the_bot_stops_at_start_with_one_line(
    database_url, durham, slack, tmp_path, mode
):
    slack.fail("auth.test", status=200, error="invalid_auth", times=None)
    extra = {"SLACK_SIGNING_SECRET": SECRET} if mode == "http" else {"SLACK_APP_TOKEN": "xapp-1-process"}
    env = bot_env(database_url, slack, SCHEDULER="false", **extra)
    env["LOG_LEVEL"] = "WARNING"  # the start-up INFO lines aside, the failure is all that is said
    args = ["--http", "--host", "127.0.0.1", "--port", "0"] if mode == "http" else []
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "qib: could not learn the bot's workspace: Slack's auth.test said invalid_auth"
    ]
    assert [c.method for c in slack.calls] == ["auth.test"]  # nothing served, nothing connected


def test_when_slack_cannot_be_reached_at_start_the_bot_stops_with_one_line(
    database_url, durham, slack, tmp_path
):
    env = bot_env(database_url, slack, SCHEDULER="false", SLACK_SIGNING_SECRET=SECRET)
    env["SLACK_API_URL"] = "http://127.0.0.1:9/api/"  # the discard port: connection refused
    env["LOG_LEVEL"] = "WARNING"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--http", "--port", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "qib: could not learn the bot's workspace: auth.test failed (URLError)"
    ]
