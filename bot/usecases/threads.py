"""The area thread an update announcement goes in: found, or started once however many updates race.

Starting a thread is a compare-and-set claim on the area's row (bot.services.announcements); a request
that loses the claim waits for the winner's first message under a bounded policy, then gives up on
its one line rather than post a second thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services.announcements import (
    AreaThread,
    area_thread,
    claim_area_thread,
    release_area_thread,
    save_area_thread,
)


@dataclass(frozen=True)
class WaitPolicy:
    """How long to wait for another request starting the same thread: `attempts` x `pause` seconds."""

    attempts: int = 50
    pause: float = 0.1


def thread_ts(
    sessions: sessionmaker[Session],
    plan_id: int,
    thread: AreaThread,
    *,
    clock: Callable[[], datetime],
    start: Callable[[AreaThread], tuple[str, str]],
    policy: WaitPolicy = WaitPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """The thread's ts, started now with `start` (which posts its first message and returns the
    channel and ts) if it has none; None when another request is still starting it after the wait."""
    for _ in range(policy.attempts):
        if thread.open_thread is not None:
            return thread.open_thread
        assert thread.channel is not None
        with sessions.begin() as db:
            token = claim_area_thread(
                db, plan_id, thread.area_code, channel=thread.channel, now=clock(), cycle=thread.cycle
            )
        if token is None:  # another request is starting it: wait for its first message
            sleep(policy.pause)
            with sessions() as db:
                thread = area_thread(
                    db, plan_id, thread.area_code, channel_override=thread.channel, cycle=thread.cycle
                )
            continue
        try:
            channel, ts = start(thread)
        except Exception:
            with sessions.begin() as db:
                release_area_thread(db, plan_id, thread.area_code, token)
            raise
        with sessions.begin() as db:
            save_area_thread(db, plan_id, thread.area_code, channel=channel, ts=ts)
        return ts
    return None
