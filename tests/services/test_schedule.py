from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from bot.services.calendar import meetings_between
from bot.services.schedule import SKIPPED, Timing, claim, due_posts, missed_posts, record_posted, record_skip
from models import ScheduledPost
from models.vocab import PostKind

RULE = "FREQ=MONTHLY;BYDAY=+3TH"
TIMING = Timing(digest_working_days=5, reminder_working_days=3, post_time=time(9, 0), tz="Europe/London")
MEETINGS_2020 = meetings_between(
    RULE, date(2019, 11, 1), time(10, 0), "Europe/London", [], date(2020, 1, 1), date(2020, 12, 31)
)
FEB = next(m for m in MEETINGS_2020 if m.on == date(2020, 2, 20))


def at(day: str, hhmm: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+00:00")


def test_nothing_is_due_before_reminder_day():
    assert due_posts([FEB], TIMING, now=at("2020-02-07", "08:59")) == []


def test_reminders_come_three_working_days_before_a_digest_five_clear_days_before_the_meeting():
    # Meeting Thu 20 Feb 2020: five clear days (13, 14, 17, 18, 19) put the digest on Wed 12 Feb; three
    # working days before that, reminders on Fri 7 Feb; both 09:00 London, which is UTC in winter.
    assert [(p.kind, p.due_at) for p in due_posts([FEB], TIMING, now=at("2020-02-07"))] == [
        (PostKind.REMINDERS, at("2020-02-07"))
    ]
    assert [(p.kind, p.due_at) for p in due_posts([FEB], TIMING, now=at("2020-02-12"))] == [
        (PostKind.REMINDERS, at("2020-02-07")),
        (PostKind.DIGEST, at("2020-02-12")),
    ]


def test_a_digest_found_due_well_after_its_time_is_marked_late():
    digest = [p for p in due_posts([FEB], TIMING, now=at("2020-02-17", "12:00")) if p.kind is PostKind.DIGEST]
    assert digest[0].late
    on_time = [
        p for p in due_posts([FEB], TIMING, now=at("2020-02-12", "09:01")) if p.kind is PostKind.DIGEST
    ]
    assert not on_time[0].late


def test_once_the_meeting_has_started_nothing_is_due_and_the_digest_counts_as_missed():
    assert due_posts([FEB], TIMING, now=at("2020-02-20", "10:00")) == []
    assert [p.meeting.on for p in missed_posts([FEB], TIMING, now=at("2020-02-20", "10:00"))] == [
        date(2020, 2, 20)
    ]


def test_the_second_claim_of_a_post_is_refused(sessions, durham):
    post = due_posts([FEB], TIMING, now=at("2020-02-13"))[1]
    with sessions.begin() as db:
        first = claim(db, durham, post, now=at("2020-02-13"), worker="a")
    with sessions.begin() as db:
        second = claim(db, durham, post, now=at("2020-02-13", "09:01"), worker="b")
    assert first is not None and first.attempt == 1
    assert second is None


def test_a_posted_digest_is_never_claimed_again_even_much_later(sessions, durham):
    post = due_posts([FEB], TIMING, now=at("2020-02-13"))[1]
    with sessions.begin() as db:
        mine = claim(db, durham, post, now=at("2020-02-13"), worker="a")
        record_posted(db, mine.id, now=at("2020-02-13"), channel="C1", ts="1.1", content={"blocks": []})
    with sessions.begin() as db:
        assert claim(db, durham, post, now=at("2020-02-14"), worker="b") is None


def test_an_old_claim_without_a_post_is_taken_over_once(sessions, durham):
    post = due_posts([FEB], TIMING, now=at("2020-02-13"))[1]
    with sessions.begin() as db:
        claim(db, durham, post, now=at("2020-02-13"), worker="crashed")
    later = at("2020-02-13", "09:20")
    with sessions.begin() as db:
        retry = claim(db, durham, post, now=later, worker="b")
    with sessions.begin() as db:
        again = claim(db, durham, post, now=later + timedelta(seconds=1), worker="c")
    assert retry is not None and retry.attempt == 2
    assert again is None


def test_two_workers_racing_for_one_digest_get_one_claim(sessions, durham):
    post = due_posts([FEB], TIMING, now=at("2020-02-13"))[1]
    barrier = threading.Barrier(6)
    won: list[str] = []

    def race(worker: str) -> None:
        barrier.wait()
        with sessions.begin() as db:
            if claim(db, durham, post, now=at("2020-02-13"), worker=worker):
                won.append(worker)

    threads = [threading.Thread(target=race, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(won) == 1
    with sessions() as db:
        assert db.scalar(select(func.count(ScheduledPost.id))) == 1


def test_a_missed_digest_is_recorded_as_skipped_once(sessions, durham):
    post = missed_posts([FEB], TIMING, now=at("2020-02-21"))[0]
    with sessions.begin() as db:
        assert record_skip(db, durham, post, now=at("2020-02-21"), worker="a")
    with sessions.begin() as db:
        assert not record_skip(db, durham, post, now=at("2020-02-22"), worker="a")
        assert claim(db, durham, post, now=at("2020-03-30"), worker="a") is None
    with sessions() as db:
        assert db.scalar(select(ScheduledPost.error)) == SKIPPED


def test_claims_are_kept_in_utc(sessions, durham):
    post = due_posts([FEB], TIMING, now=at("2020-02-13"))[1]
    with sessions.begin() as db:
        claim(db, durham, post, now=at("2020-02-13"), worker="a")
    with sessions() as db:
        assert db.scalar(select(ScheduledPost.due_at)) == datetime(2020, 2, 12, 9, 0, tzinfo=UTC)
