"""The outbox's rules: one holder per row, steps kept, backoff then give-up, a dead holder's claim taken
over, and no plan revision bumped by the worker's bookkeeping (the read model stays warm)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import outbox
from bot.services.read_model import current_revision
from bot.services.redaction import record_posted
from models import OutboxMessage, ProgressUpdate
from models.vocab import OutboxKind

NOW = datetime(2020, 2, 12, 9, 0, tzinfo=UTC)


def queue(sessions: sessionmaker[Session], plan_id: int, subject_id: int = 1, **extra) -> None:
    with sessions.begin() as db:
        outbox.enqueue(
            db, plan_id=plan_id, kind=OutboxKind.UPDATE_SAVED, subject_id=subject_id, now=NOW, **extra
        )


def claim(sessions: sessionmaker[Session], owner: str, now: datetime = NOW) -> list[outbox.Claimed]:
    with sessions.begin() as db:
        return outbox.claim(db, now=now, owner=owner)


def test_a_row_is_held_by_one_worker_at_a_time(sessions, durham):
    queue(sessions, durham)
    [held] = claim(sessions, "a")
    assert held.attempt == 1 and not held.retaken
    assert claim(sessions, "b") == []  # a second worker, or a second replica, finds nothing to take


def test_rows_are_claimed_oldest_first_with_what_they_carry(sessions, durham):
    queue(sessions, durham, 7, recipient="U1", receipt=True, facts={"override_kinds": ["name"]})
    queue(sessions, durham, 8)
    first, second = claim(sessions, "a")
    assert (first.subject_id, first.recipient, first.receipt) == (7, "U1", True)
    assert first.progress == {"override_kinds": ["name"]}
    assert (second.subject_id, second.recipient, second.receipt) == (8, None, False)


def test_a_claim_left_by_a_dead_process_is_taken_over_once_stale(sessions, durham):
    queue(sessions, durham)
    [held] = claim(sessions, "dead")
    with sessions.begin() as db:
        outbox.record_step(db, held, {"announced": "1.1"})
    assert claim(sessions, "b", NOW + outbox.STALE_CLAIM - timedelta(seconds=1)) == []
    [taken] = claim(sessions, "b", NOW + outbox.STALE_CLAIM + timedelta(seconds=1))
    assert taken.retaken and taken.attempt == 2
    assert taken.progress == {"announced": "1.1"}  # what the dead holder posted is not posted again


def test_a_holder_that_lost_its_claim_cannot_finish_the_row(sessions, durham):
    queue(sessions, durham)
    [slow] = claim(sessions, "slow")
    [taken] = claim(sessions, "b", NOW + outbox.STALE_CLAIM + timedelta(seconds=1))
    with sessions.begin() as db:
        outbox.finish(db, slow, now=NOW)  # too late: the row is b's now
        outbox.record_step(db, slow, {"announced": "stale"})
    with sessions() as db:
        row = db.scalars(select(OutboxMessage)).one()
        assert row.done_at is None and row.progress is None and row.claimed_by == "b"
    with sessions.begin() as db:
        outbox.finish(db, taken, now=NOW)
    assert claim(sessions, "c", NOW + timedelta(days=1)) == []


def test_a_failed_row_backs_off_then_is_tried_again(sessions, durham):
    queue(sessions, durham)
    [held] = claim(sessions, "a")
    with sessions.begin() as db:
        assert outbox.retry_later(db, held, now=NOW, error="SlackApiError")
        assert outbox.next_due(db) == NOW + timedelta(seconds=5)
        assert outbox.backlog(db) == 1
    assert claim(sessions, "a", NOW + timedelta(seconds=4)) == []
    [again] = claim(sessions, "a", NOW + timedelta(seconds=5))
    assert again.attempt == 2 and again.retaken  # it may have landed: the worker looks first


def test_a_row_that_keeps_failing_is_given_up_and_leaves_the_backlog(sessions, durham):
    queue(sessions, durham)
    at = NOW
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        [held] = claim(sessions, "a", at)
        assert held.attempt == attempt
        with sessions.begin() as db:
            kept = outbox.retry_later(db, held, now=at, error="TimeoutError")
        at += timedelta(hours=1)
    assert not kept
    assert claim(sessions, "a", at) == []
    with sessions() as db:
        row = db.scalars(select(OutboxMessage)).one()
        assert row.done_at is not None and row.error is not None and "given up" in row.error
        assert outbox.backlog(db) == 0


def test_the_workers_bookkeeping_does_not_move_the_plan_revision(sessions, durham):
    def revision() -> int:
        with sessions() as db:
            found = current_revision(db, durham)
        assert found is not None
        return found[1]

    queue(sessions, durham)
    before = revision()
    [held] = claim(sessions, "a")
    with sessions.begin() as db:
        outbox.record_step(db, held, {"announced": "1.1"})
        outbox.finish(db, held, now=NOW)
    assert revision() == before


def test_recording_where_an_announcement_went_does_not_move_the_plan_revision(sessions, durham):
    with sessions() as db:
        update_id = db.scalars(select(ProgressUpdate.id).where(ProgressUpdate.plan_id == durham)).first()
        before = current_revision(db, durham)
    assert update_id is not None
    with sessions.begin() as db:
        record_posted(
            db, plan_id=durham, update_id=update_id, purpose="announcement", channel="C1", ts="1.1",
            payload={"text": "line"},
        )  # fmt: skip
    with sessions() as db:
        assert current_revision(db, durham) == before


def test_rows_finished_a_month_ago_are_forgotten_and_nothing_else(sessions, durham):
    queue(sessions, durham, 1)
    queue(sessions, durham, 2)
    queue(sessions, durham, 3)
    first, second, _waiting = claim(sessions, "a")
    with sessions.begin() as db:
        outbox.finish(db, first, now=NOW)
        outbox.finish(db, second, now=NOW + timedelta(days=20))
    with sessions.begin() as db:
        assert outbox.forget_done(db, now=NOW + outbox.KEEP_DONE + timedelta(days=1)) == 1
    with sessions() as db:
        assert sorted(db.scalars(select(OutboxMessage.subject_id))) == [2, 3]
