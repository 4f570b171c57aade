"""The console's clock: where a first run starts, and how `:advance` moves it.

A plan file describes the plan on one day (`as_at:`, a board paper's date). Shown against today's
date, every open milestone of an old plan is years overdue, so the console starts its clock on that
day instead, says so, and lets it run with real time from there.
"""

from __future__ import annotations

import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.wording import full_day

# A simulated day starts at the working day's beginning, where reminders and digests are posted.
START_OF_DAY = time(9, 0)
_STEP = re.compile(r"(\d+)\s*(w|d|h|m)", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


@dataclass
class ConsoleClock:
    """A clock that starts at `start` and runs with real time (unless pinned); `advance` moves it."""

    start: datetime
    running: bool = True
    _real_start: float = field(default_factory=_time.monotonic, repr=False)
    _offset: timedelta = field(default=timedelta(0), repr=False)

    def __call__(self) -> datetime:
        elapsed = timedelta(seconds=_time.monotonic() - self._real_start) if self.running else timedelta(0)
        return self.start + self._offset + elapsed

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += by
        return self()

    def move_to(self, moment: datetime) -> datetime:
        return self.advance(moment - self())


def parse_advance(text: str, tz: str, now: datetime) -> datetime:
    """`2d`, `3h`, `1w 2d`, `90m`, or `to 2020-02-12T09:00` (plan time zone unless an offset is given)."""
    text = text.strip()
    if text.lower().startswith("to "):
        target = text[3:].strip()
        moment = local_moment(target, tz, f'"{target}" is not a date or date and time like 2020-02-12T09:00')
        if moment < now:
            raise ValueError("the clock only moves forward")
        return moment
    steps = _STEP.findall(text)
    if not steps or _STEP.sub("", text).strip():
        raise ValueError("usage: :advance 2d (w, d, h, m) or :advance to 2020-02-12T09:00")
    by = timedelta()
    for amount, unit in steps:
        by += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return now + by


def console_clock(
    now_text: str | None,
    *,
    tz: str,
    as_at: date | None,
    real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[ConsoleClock, str | None]:
    """The clock a console starts with, and the line that explains it when it is not the real one.

    `--now T` pins the clock at T; `--now now` is the real clock; otherwise a plan whose snapshot is
    in the past starts the clock on that day, at the start of the working day, running from there.
    """
    zone = ZoneInfo(tz)
    if now_text and now_text.strip().lower() != "now":
        try:
            moment = datetime.fromisoformat(now_text)
        except ValueError:
            raise ValueError(f'--now "{now_text}" is not an ISO date or date and time') from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return ConsoleClock(moment, running=False), None
    today = real_now().astimezone(zone).date()
    if now_text or as_at is None or as_at >= today:
        return ConsoleClock(real_now()), None
    start = datetime.combine(as_at, START_OF_DAY, tzinfo=zone)
    note = (
        f"The plan describes {full_day(as_at)}, so the console's clock starts there "
        f"({start:%H:%M} {tz}) and runs on from it. `:advance 2d` or `:advance to 2020-02-12T09:00` "
        "moves it on; `qib console --now now` uses the real clock."
    )
    return ConsoleClock(start), note


def now_from(text: str | None, tz: str) -> Callable[[], datetime] | None:
    """`--now 2020-02-03T09:00` pins the clock; without an offset the time is read in the plan's zone."""
    if not text:
        return None
    moment = local_moment(text, tz, f'--now "{text}" is not an ISO date or date and time')
    return lambda: moment


def local_moment(text: str, tz: str, refusal: str) -> datetime:
    """An ISO date or date and time; without an offset it is read in the plan's zone (`tz`)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(refusal) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(tz))
