"""The area thread use case: one thread however many updates race, and a bounded wait for the winner."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.announcements import area_thread, claim_area_thread
from bot.usecases.threads import WaitPolicy, thread_ts

NOW = datetime(2020, 2, 10, 10, 0, tzinfo=UTC)


def thread(sessions, plan: int):
    with sessions() as db:
        return area_thread(db, plan, "AFI-1", channel_override="C0BOARD")


def test_the_first_update_starts_the_thread_and_the_next_one_replies_in_it(sessions, durham):
    started: list[str] = []

    def start(t):
        started.append(t.area_code)
        return "C0BOARD", "111.222"

    first = thread_ts(sessions, durham, thread(sessions, durham), clock=lambda: NOW, start=start)
    second = thread_ts(sessions, durham, thread(sessions, durham), clock=lambda: NOW, start=start)
    assert (first, second, started) == ("111.222", "111.222", ["AFI-1"])


def test_a_thread_another_request_is_starting_is_waited_for_within_the_policy(sessions, durham):
    with sessions.begin() as db:
        assert claim_area_thread(db, durham, "AFI-1", channel="C0BOARD", now=NOW) is not None
    pauses: list[float] = []

    def start(t):
        raise AssertionError("a second thread must not be started")

    ts = thread_ts(
        sessions,
        durham,
        thread(sessions, durham),
        clock=lambda: NOW,
        start=start,
        policy=WaitPolicy(attempts=3, pause=0.25),
        sleep=pauses.append,
    )
    assert ts is None and pauses == [0.25, 0.25, 0.25]


def test_a_thread_whose_first_message_fails_is_released_for_the_next_update(sessions, durham):
    def fails(t):
        raise RuntimeError("slack down")

    with pytest.raises(RuntimeError):
        thread_ts(sessions, durham, thread(sessions, durham), clock=lambda: NOW, start=fails)
    ts = thread_ts(
        sessions, durham, thread(sessions, durham), clock=lambda: NOW, start=lambda t: ("C0BOARD", "9.9")
    )
    assert ts == "9.9"
