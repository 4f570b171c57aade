"""Where update announcements go: the plan's board channel and one thread per area per board cycle.

A cycle runs from one board meeting to the next and is named by the meeting it follows (None before
the first). The first update of a cycle opens the area's thread for it, so each month's updates are
together rather than under a year of older ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Area, Plan

# While one request posts an area's first message, the area's thread_ts holds its claim, so that two
# updates of one area at the same moment do not start two threads. A claim this old was abandoned.
STARTING = "start:"  # + unix time + ":" + 12 hex digits: fits Area.thread_ts (32)
STALE_START = timedelta(seconds=60)


@dataclass(frozen=True)
class AreaThread:
    area_code: str
    area_title: str
    channel: str | None
    thread_channel: str | None
    thread_ts: str | None
    announce_all: bool
    thread_cycle: date | None = None  # the cycle the stored thread was opened in
    cycle: date | None = None  # the cycle an update now belongs to

    @property
    def open_thread(self) -> str | None:
        """The thread to reply in, if one was started in the current channel in this cycle."""
        if self.thread_ts is None or self.thread_ts.startswith(STARTING):
            return None
        if self.thread_cycle != self.cycle:
            return None
        return self.thread_ts if self.thread_channel == self.channel else None


def board_channel(db: Session, plan_id: int, override: str | None = None) -> str | None:
    return override or db.scalar(select(Plan.channel).where(Plan.id == plan_id))


def area_thread(
    db: Session,
    plan_id: int,
    area_code: str,
    *,
    channel_override: str | None = None,
    cycle: date | None = None,
) -> AreaThread:
    row = db.execute(
        select(
            Area.code,
            Area.title,
            Area.thread_channel,
            Area.thread_ts,
            Plan.channel,
            Plan.announce_updates,
            Area.thread_cycle,
        )
        .join(Plan, Plan.id == Area.plan_id)
        .where(Area.plan_id == plan_id, Area.code == area_code)
    ).one()
    return AreaThread(
        row.code,
        row.title,
        channel_override or row.channel,
        row.thread_channel,
        row.thread_ts,
        row.announce_updates,
        row.thread_cycle,
        cycle,
    )


def save_area_thread(db: Session, plan_id: int, area_code: str, *, channel: str, ts: str) -> None:
    db.execute(
        update(Area)
        .where(Area.plan_id == plan_id, Area.code == area_code)
        .values(thread_channel=channel, thread_ts=ts)
        .execution_options(synchronize_session=False)
    )


def claim_area_thread(
    db: Session, plan_id: int, area_code: str, *, channel: str, now: datetime, cycle: date | None = None
) -> str | None:
    """The right to start the area's thread in `channel` for `cycle`: a token, or None when the thread
    is there already or another request is starting it (compare-and-set on the area's thread columns)."""
    row = db.execute(
        select(Area.id, Area.thread_channel, Area.thread_ts, Area.thread_cycle).where(
            Area.plan_id == plan_id, Area.code == area_code
        )
    ).one()
    if (
        row.thread_channel == channel
        and row.thread_ts
        and (row.thread_ts.startswith(STARTING) or row.thread_cycle == cycle)
    ):
        if not row.thread_ts.startswith(STARTING):
            return None
        started = float(row.thread_ts.removeprefix(STARTING).split(":", 1)[0] or 0)
        if now.timestamp() - started < STALE_START.total_seconds():
            return None
    token = f"{STARTING}{now.timestamp():.0f}:{uuid.uuid4().hex[:12]}"
    taken = db.execute(
        update(Area)
        .where(
            Area.id == row.id,
            Area.thread_channel.is_(None)
            if row.thread_channel is None
            else Area.thread_channel == row.thread_channel,
            Area.thread_ts.is_(None) if row.thread_ts is None else Area.thread_ts == row.thread_ts,
        )
        .values(thread_channel=channel, thread_ts=token, thread_cycle=cycle)
        .execution_options(synchronize_session=False)
    )
    return token if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def release_area_thread(db: Session, plan_id: int, area_code: str, token: str) -> None:
    """Give up a claim (the first message could not be posted), so the next update tries again."""
    db.execute(
        update(Area)
        .where(Area.plan_id == plan_id, Area.code == area_code, Area.thread_ts == token)
        .values(thread_channel=None, thread_ts=None)
        .execution_options(synchronize_session=False)
    )
