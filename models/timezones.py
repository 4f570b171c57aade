"""The one time zone lookup: a plan's (or a setting's) IANA name to a ``ZoneInfo``.

Lives beside the models because the plan file's validator needs it as much as the services do. An
unknown name is a ``ValueError`` everywhere, with one message, so a bad plan file, a bad meeting rule
and a bad setting fail the same way; callers that must carry on (an update's local date) ask for
``zone_or_default``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/London"


@cache
def zone(name: str) -> ZoneInfo:
    """The zone named ``name``; ValueError, saying what a good name looks like, when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f'"{name}" is not a known timezone (an IANA name such as {DEFAULT_TIMEZONE})'
        ) from None


def zone_or_default(name: str | None) -> ZoneInfo:
    """The zone named ``name``, or Europe/London when it is missing or unknown (never raises)."""
    try:
        return zone(name or DEFAULT_TIMEZONE)
    except ValueError:
        return zone(DEFAULT_TIMEZONE)


def local_date(at: datetime, tz: str | None) -> date:
    """The day the instant ``at`` falls on in ``tz`` (Europe/London when missing or unknown). A moment
    is kept in UTC: an update made at 00:30 on a summer morning in London is still the day before in UTC,
    and must be shown on the day its author made it. A naive ``at`` is taken as UTC."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(zone_or_default(tz)).date()


def local_day_start(d: date, tz: str) -> datetime:
    """The instant (UTC) the local day ``d`` starts in ``tz``."""
    return datetime.combine(d, time.min, tzinfo=zone(tz)).astimezone(UTC)
