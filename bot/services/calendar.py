"""Board-meeting calendar: bank holidays, working days, meeting dates and post times.

Pure functions only: no Slack, no database and no hidden clock (time is always an argument), so the
scheduler, the plan validator and the tests all get the same answers for the same inputs.

Dates (``date``) are local dates in the plan's timezone; instants (``datetime``) are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule as RRule

from bot.services import bank_holiday_days
from bot.services.rrule import _build_rule, _day_end, _day_start, _wall_time, parse_rrule
from models import timezones
from models.defaults import DIGEST_TIME, DIGEST_WORKING_DAYS, REMINDER_WORKING_DAYS

__all__ = [
    "Meeting",
    "Override",
    "Schedule",
    "bank_holidays",
    "clear_working_days_before",
    "is_working_day",
    "meetings_between",
    "next_meeting",
    "parse_rrule",
    "previous_meeting",
    "schedule_for",
    "unmatched_overrides",
    "working_days_before",
    "DEFAULT_HORIZON",
    "working_days_after",
    "working_days_between",
    "OverrideAction",
    "MeetingKind",
]


#: How far next_meeting / previous_meeting look by default: a board that has not met for two years
#: has no "next" or "previous" meeting worth posting about.
DEFAULT_HORIZON = timedelta(days=731)


# ---------------------------------------------------------------------------------------------------
# Bank holidays and working days
# ---------------------------------------------------------------------------------------------------


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``: the weekdays on which offices close.

    Taken offline from the ``holidays`` library, so one-off days (8 May 2020, 2-3 June 2022,
    19 September 2022, 8 May 2023) and substitute days (27-28 December 2021, 3 January 2022) come
    with it. The library also lists the nominal weekend dates (Saturday 26 December 2020 "Boxing
    Day"); those are dropped, so the set matches gov.uk's list and a Saturday meeting is not
    flagged as a bank-holiday meeting. Future years are the library's projection of the regular
    pattern: one-off holidays announced later need a library upgrade.
    """
    written = bank_holiday_days.written(year)  # the library's answers, written down: see that module
    return written if written is not None else bank_holiday_days.from_library(year)


def is_working_day(d: date) -> bool:
    """True for a weekday that is not an England and Wales bank holiday."""
    return d.weekday() < 5 and d not in bank_holidays(d.year)


def clear_working_days_before(meeting: date, n: int) -> date:
    """The latest working day to publish on so that ``n`` clear working days precede ``meeting``.

    "Clear" follows committee-paper practice (LGA 1972 s.100B): neither the publication day nor the
    meeting day counts, nor do weekends and bank holidays. Five clear days before Friday
    7 February 2020 is Thursday 30 January 2020 (Durham's agenda date). ``n=0`` gives the previous
    working day.
    """
    if n < 0:
        raise ValueError(f"the number of clear working days cannot be negative (got {n})")
    d = meeting
    found = 0
    while True:
        d -= timedelta(days=1)
        if is_working_day(d):
            if found == n:
                return d
            found += 1


def working_days_before(d: date, n: int) -> date:
    """The ``n``-th working day before ``d`` (counting only days strictly before ``d``).

    ``n=0`` is ``d`` itself when it is a working day, else the working day before it. The result is
    always a working day. Used to put owner reminders a few working days ahead of the digest.
    """
    if n < 0:
        raise ValueError(f"the number of working days cannot be negative (got {n})")
    if n == 0:
        while not is_working_day(d):
            d -= timedelta(days=1)
        return d
    found = 0
    while found < n:
        d -= timedelta(days=1)
        if is_working_day(d):
            found += 1
    return d


def working_days_after(d: date, n: int) -> date:
    """The ``n``-th working day after ``d``: the day after ``d`` is day 1 when it is a working day.

    Statutory "within N working days of publication" deadlines count this way. 70 working days after
    Monday 21 October 2019 is Thursday 30 January 2020 (25 and 26 December and 1 January skipped).
    """
    if n < 1:
        raise ValueError(f"count at least one working day (got {n})")
    found = 0
    while found < n:
        d += timedelta(days=1)
        if is_working_day(d):
            found += 1
    return d


def working_days_between(frm: date, to: date) -> int:
    """Working days after ``frm`` up to and including ``to`` (negative when ``to`` is earlier)."""
    if to < frm:
        return -working_days_between(to, frm)
    return sum(1 for k in range(1, (to - frm).days + 1) if is_working_day(frm + timedelta(days=k)))


# ---------------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------------

OverrideAction = Literal["moved", "cancelled", "extra"]

MeetingKind = Literal["rule", "moved", "extra"]


@dataclass(frozen=True, slots=True)
class Override:
    """A one-off exception to the meeting rule, because boards move, cancel and add meetings.

    ``on`` is the date the rule gives (for ``moved`` and ``cancelled``) or the date of the added
    meeting (for ``extra``). ``to`` is the new date of a moved meeting; ``at`` an optional local
    time for a moved or extra meeting (else the meeting keeps the rule's time).
    """

    on: date
    action: OverrideAction
    to: date | None = None
    at: time | None = None

    def __post_init__(self) -> None:
        if self.action not in ("moved", "cancelled", "extra"):
            raise ValueError(f"unknown override action {self.action!r}: use moved, cancelled or extra")
        if self.action == "moved" and self.to is None:
            raise ValueError(f"the meeting of {self.on.isoformat()} is moved, but not to a date")
        if self.action != "moved" and self.to is not None:
            raise ValueError(f"only a moved meeting has a new date ({self.action} on {self.on.isoformat()})")
        if self.action == "cancelled" and self.at is not None:
            raise ValueError(f"a cancelled meeting has no time ({self.on.isoformat()})")
        if self.at is not None and self.at.tzinfo is not None:
            raise ValueError("an override time is a local wall-clock time: give it without a timezone")


@dataclass(frozen=True, slots=True)
class Meeting:
    """One board meeting as it will actually happen, after overrides.

    ``starts_at`` is UTC (for storage and comparison), ``local_start`` the same instant in the
    plan's timezone (for display). ``original`` is the rule's date of a moved meeting.
    ``rule_date_on_bank_holiday`` stays true after a move, so the bot can say why it was moved.
    """

    on: date
    starts_at: datetime
    local_start: datetime
    original: date | None
    kind: MeetingKind
    on_bank_holiday: bool
    rule_date_on_bank_holiday: bool


def meetings_between(
    rrule: str,
    start: date,
    at: time,
    tz: str,
    overrides: Sequence[Override],
    frm: date,
    to: date,
) -> list[Meeting]:
    """The meetings on local dates ``frm`` to ``to`` inclusive, overrides applied, in time order.

    The rule is an RFC 5545 RRULE (no DTSTART: the plan gives ``start`` and the local time ``at``).
    Times are wall-clock in ``tz`` all year, so a 10:00 Europe/London meeting is 09:00 UTC in
    summer and 10:00 UTC in winter. A moved meeting appears on its new date (even if the rule's
    date is outside the window); an override for a date the rule does not give is ignored (see
    ``unmatched_overrides``).
    """
    zone = timezones.zone(tz)
    if frm > to:
        return []
    rule = _build_rule(rrule, start, _wall_time(at), tz)
    by_rule_date = _index_overrides(overrides)

    meetings: list[Meeting] = []
    for occurrence in rule.between(_day_start(frm, zone), _day_end(to, zone), inc=True):
        day = occurrence.date()
        override = by_rule_date.get(day)
        if override is None:
            meetings.append(_meeting(day, occurrence.time(), zone, kind="rule", original=None))
        elif override.action == "moved" and override.to is not None and frm <= override.to <= to:
            meetings.append(_moved(override, occurrence.time(), zone))

    for override in by_rule_date.values():
        # Moves into the window from a rule date outside it.
        if override.action != "moved" or override.to is None or not frm <= override.to <= to:
            continue
        if frm <= override.on <= to:
            continue  # already handled above, if the rule gives that date
        occurrence_time = _rule_time_on(rule, override.on, zone)
        if occurrence_time is not None:
            meetings.append(_moved(override, occurrence_time, zone))

    for override in overrides:
        if override.action == "extra" and frm <= override.on <= to:
            meetings.append(_meeting(override.on, override.at or at, zone, kind="extra", original=None))

    meetings.sort(key=lambda m: (m.starts_at, m.kind))
    return meetings


def next_meeting(
    rrule: str,
    start: date,
    at: time,
    tz: str,
    overrides: Sequence[Override],
    after: datetime,
    *,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Meeting | None:
    """The first meeting starting at or after ``after`` (aware), looking ``horizon`` ahead."""
    zone = timezones.zone(tz)
    local = _aware(after, "after").astimezone(zone)
    for meeting in meetings_between(rrule, start, at, tz, overrides, local.date(), (local + horizon).date()):
        if meeting.starts_at >= after:
            return meeting
    return None


def previous_meeting(
    rrule: str,
    start: date,
    at: time,
    tz: str,
    overrides: Sequence[Override],
    before: datetime,
    *,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Meeting | None:
    """The last meeting that started strictly before ``before`` (aware), looking ``horizon`` back.

    "Stale" milestones are those with no update since this meeting.
    """
    zone = timezones.zone(tz)
    local = _aware(before, "before").astimezone(zone)
    found = [
        m
        for m in meetings_between(rrule, start, at, tz, overrides, (local - horizon).date(), local.date())
        if m.starts_at < before
    ]
    return found[-1] if found else None


def unmatched_overrides(
    rrule: str, start: date, at: time, tz: str, overrides: Sequence[Override]
) -> list[Override]:
    """Moved or cancelled overrides whose date the rule does not give, for the plan validator.

    ``meetings_between`` ignores them (the rule may have changed since they were written), so a
    plan that still carries them probably says something its author no longer means.
    """
    zone = timezones.zone(tz)
    rule = _build_rule(rrule, start, _wall_time(at), tz)
    return [o for o in overrides if o.action != "extra" and _rule_time_on(rule, o.on, zone) is None]


# ---------------------------------------------------------------------------------------------------
# Post schedule
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the digest and the owner reminders for one meeting go out.

    The digest goes out like committee papers, a number of clear working days before the meeting;
    reminders go a few working days before the digest so owners can update in time for it.
    ``*_at`` are aware UTC instants for the scheduler; ``*_day`` are local dates for display.
    """

    digest_day: date
    digest_at: datetime
    reminder_day: date
    reminder_at: datetime


def schedule_for(
    meeting: Meeting,
    *,
    digest_working_days: int = DIGEST_WORKING_DAYS,
    reminder_working_days: int = REMINDER_WORKING_DAYS,
    post_time: time = DIGEST_TIME,
    tz: str,
) -> Schedule:
    """Digest and reminder dates and instants for ``meeting``, posting at ``post_time`` local."""
    zone = timezones.zone(tz)
    wall = _wall_time(post_time)
    digest_day = clear_working_days_before(meeting.on, digest_working_days)
    reminder_day = working_days_before(digest_day, reminder_working_days)
    return Schedule(
        digest_day=digest_day,
        digest_at=datetime.combine(digest_day, wall, tzinfo=zone).astimezone(UTC),
        reminder_day=reminder_day,
        reminder_at=datetime.combine(reminder_day, wall, tzinfo=zone).astimezone(UTC),
    )


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment


def _rule_time_on(rule: RRule, day: date, zone: ZoneInfo) -> time | None:
    """The rule's local time on ``day``, or None when the rule gives no meeting that day."""
    hits = rule.between(_day_start(day, zone), _day_end(day, zone), inc=True)
    return hits[0].time() if hits else None


def _index_overrides(overrides: Sequence[Override]) -> dict[date, Override]:
    by_rule_date: dict[date, Override] = {}
    for override in overrides:
        if override.action == "extra":
            continue
        if override.on in by_rule_date:
            raise ValueError(
                f"the meeting of {override.on.isoformat()} has more than one move or cancellation"
            )
        by_rule_date[override.on] = override
    return by_rule_date


def _meeting(day: date, at: time, zone: ZoneInfo, *, kind: MeetingKind, original: date | None) -> Meeting:
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    holiday = day in bank_holidays(day.year)
    return Meeting(
        on=day,
        starts_at=local.astimezone(UTC),
        local_start=local,
        original=original,
        kind=kind,
        on_bank_holiday=holiday,
        rule_date_on_bank_holiday=(
            original in bank_holidays(original.year) if original is not None else holiday and kind == "rule"
        ),
    )


def _moved(override: Override, rule_time: time, zone: ZoneInfo) -> Meeting:
    assert override.to is not None
    return _meeting(override.to, override.at or rule_time, zone, kind="moved", original=override.on)
