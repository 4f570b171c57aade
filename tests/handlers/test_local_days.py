"""Days shown to people are the plan's local days, not UTC's: an update made at 00:30 on a summer
morning in London was made that morning, though it is still the evening before in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.queries import BoardCalendar, UpdateEntry
from handlers.digest.render import area_reply, digest_front
from handlers.status.milestone import history_line
from models.timezones import local_date
from models.vocab import Status
from tests.services.test_digest_export import digest, row

# 23:30 UTC on Wednesday 1 July 2026 is 00:30 BST on Thursday 2 July.
LATE_EVENING_UTC = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)


def entry(at: datetime) -> UpdateEntry:
    return UpdateEntry(
        at=at,
        author_key="U1",
        author_name="Jane Smith",
        status=Status.ON_TRACK,
        previous_status=None,
        percent=40,
        previous_percent=None,
        note=None,
        evidence_url=None,
        next_steps=None,
        blockers=None,
        source="slack",
    )


def calendar(tz: str) -> BoardCalendar:
    return BoardCalendar(today=date(2026, 7, 2), timezone=tz, board_name=None, previous=None, next=None)


def test_an_update_made_after_midnight_in_london_is_shown_on_that_day() -> None:
    assert history_line(entry(LATE_EVENING_UTC), calendar("Europe/London")).startswith("*Thu 2 Jul*")


def test_the_same_instant_is_the_day_before_in_a_zone_behind_utc() -> None:
    assert history_line(entry(LATE_EVENING_UTC), calendar("America/New_York")).startswith("*Wed 1 Jul*")


def test_a_naive_instant_is_read_as_utc_and_an_unknown_zone_as_london() -> None:
    assert local_date(LATE_EVENING_UTC.replace(tzinfo=None), "Europe/London") == date(2026, 7, 2)
    assert local_date(LATE_EVENING_UTC, "Not/AZone") == date(2026, 7, 2)


def test_a_digest_made_after_midnight_in_london_counts_days_from_that_day() -> None:
    due_today = row("M1", due=date(2026, 7, 2), health="on track", kind=None)
    paper = digest(
        generated_at=LATE_EVENING_UTC,
        timezone="Europe/London",
        meeting_on=date(2026, 7, 16),
        previous_meeting=date(2026, 6, 18),
        due_before_meeting=[due_today],
        exceptions=[],
    )
    assert paper.local_today == date(2026, 7, 2)
    front = str(digest_front(paper).blocks)
    assert "due today" in front and "due tomorrow" not in front
    area = paper.areas[0]
    assert "due today" in str(area_reply(area.model_copy(update={"rows": [due_today]}), paper))
