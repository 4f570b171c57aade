"""Where update announcements go: the plan's board channel and one thread per area."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Area, Plan


@dataclass(frozen=True)
class AreaThread:
    area_code: str
    area_title: str
    channel: str | None
    thread_channel: str | None
    thread_ts: str | None
    announce_all: bool

    @property
    def open_thread(self) -> str | None:
        """The thread to reply in, if one was started in the current channel."""
        return self.thread_ts if self.thread_channel == self.channel else None


def board_channel(db: Session, plan_id: int, override: str | None = None) -> str | None:
    return override or db.scalar(select(Plan.channel).where(Plan.id == plan_id))


def area_thread(
    db: Session, plan_id: int, area_code: str, *, channel_override: str | None = None
) -> AreaThread:
    row = db.execute(
        select(
            Area.code, Area.title, Area.thread_channel, Area.thread_ts, Plan.channel, Plan.announce_updates
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
    )


def save_area_thread(db: Session, plan_id: int, area_code: str, *, channel: str, ts: str) -> None:
    db.execute(
        update(Area)
        .where(Area.plan_id == plan_id, Area.code == area_code)
        .values(thread_channel=channel, thread_ts=ts)
        .execution_options(synchronize_session=False)
    )
