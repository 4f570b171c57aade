"""The outbox's rules, Slack-free: a row is written with the change it announces, claimed by one worker
at a time, advanced step by step, retried with backoff when Slack fails for a while, and taken over
when the process that claimed it died (see models.outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from models import OutboxMessage
from models.vocab import OutboxKind

STALE_CLAIM = timedelta(minutes=2)  # far beyond Slack's 10 s client timeout: the claimer is gone
MAX_ATTEMPTS = 8  # about an hour and a half of backoff in all, then given up and logged
BATCH = 50


class ThreadBusy(Exception):
    """Another process is still starting the thread this row posts in: try again shortly."""


@dataclass(frozen=True)
class Claimed:
    """A row this worker now holds. `retaken`: an earlier attempt may have posted before it died or timed
    out, so before posting again the worker looks for what landed."""

    id: int
    plan_id: int
    kind: OutboxKind
    subject_id: int | None
    recipient: str | None
    receipt: bool
    attempt: int
    progress: dict[str, Any]
    owner: str

    @property
    def retaken(self) -> bool:
        return self.attempt > 1


def enqueue(
    db: Session,
    *,
    plan_id: int,
    kind: OutboxKind,
    subject_id: int | None,
    now: datetime,
    recipient: str | None = None,
    receipt: bool = False,
    facts: dict[str, Any] | None = None,
) -> None:
    """Add a row in the caller's transaction: it commits, or vanishes, with the change it announces.
    `facts`: what the poster needs that the database does not keep (they start the row's progress)."""
    # A Core INSERT: the row is never read back in this transaction, and the ORM's unit of work for
    # it cost a modal submission's ack about as much as the statement itself.
    db.execute(
        _ENQUEUE,
        {
            "plan_id": plan_id,
            "kind": kind,
            "subject_id": subject_id,
            "recipient": recipient,
            "receipt": receipt,
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
            "progress": dict(facts) if facts else None,
        },
    )


_ENQUEUE = insert(OutboxMessage.__table__)  # type: ignore[arg-type]  # a Table, typed as a FromClause


def _claimable(now: datetime, stale: timedelta) -> Any:
    return (OutboxMessage.done_at.is_(None)) & or_(
        OutboxMessage.claimed_at.is_(None) & (OutboxMessage.next_attempt_at <= now),
        OutboxMessage.claimed_at < now - stale,
    )


def claim(
    db: Session, *, now: datetime, owner: str, limit: int = BATCH, stale: timedelta = STALE_CLAIM
) -> list[Claimed]:
    """Claim the rows that are due, oldest first, and those whose claim is older than `stale`. Each
    claim is a compare-and-set on the row, so two workers (threads or replicas) never hold the same
    row: the loser's UPDATE matches nothing."""
    ids = db.scalars(
        select(OutboxMessage.id).where(_claimable(now, stale)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    claimed: list[Claimed] = []
    for row_id in ids:
        won = db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, _claimable(now, stale))
            .values(claimed_at=now, claimed_by=owner, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            continue
        row = db.get(OutboxMessage, row_id, populate_existing=True)
        assert row is not None
        claimed.append(
            Claimed(
                id=row.id,
                plan_id=row.plan_id,
                kind=row.kind,
                subject_id=row.subject_id,
                recipient=row.recipient,
                receipt=row.receipt,
                attempt=row.attempts,
                progress=dict(row.progress or {}),
                owner=owner,
            )
        )
    return claimed


def _held(held: Claimed) -> Any:
    return (OutboxMessage.id == held.id) & (OutboxMessage.claimed_by == held.owner)


def record_step(db: Session, held: Claimed, progress: dict[str, Any]) -> None:
    """What has been posted so far: a retry (or the process that takes over) skips it."""
    db.execute(
        update(OutboxMessage)
        .where(_held(held))
        .values(progress=dict(progress))
        .execution_options(synchronize_session=False)
    )


def finish(db: Session, held: Claimed, *, now: datetime, error: str | None = None) -> None:
    """Done: everything posted, or a failure a retry cannot mend (recorded in `error`)."""
    db.execute(
        update(OutboxMessage)
        .where(_held(held))
        .values(done_at=now, error=error[:500] if error else None)
        .execution_options(synchronize_session=False)
    )


def retry_later(db: Session, held: Claimed, *, now: datetime, error: str) -> bool:
    """Release the claim for another try after a backoff (5 s, 10 s, 20 s, … at most 30 min); after
    MAX_ATTEMPTS the row is given up. True when it will be tried again."""
    if held.attempt >= MAX_ATTEMPTS:
        finish(db, held, now=now, error=f"given up after {held.attempt} attempts: {error}")
        return False
    wait = min(timedelta(seconds=5 * 2 ** (held.attempt - 1)), timedelta(minutes=30))
    db.execute(
        update(OutboxMessage)
        .where(_held(held))
        .values(claimed_at=None, claimed_by=None, next_attempt_at=now + wait, error=error[:500])
        .execution_options(synchronize_session=False)
    )
    return True


KEEP_DONE = timedelta(days=30)


def forget_done(db: Session, *, now: datetime, keep: timedelta = KEEP_DONE) -> int:
    """Delete rows finished more than `keep` ago: the outbox is a queue, not a record (the update, its
    audit row and posted_message are the record). The number deleted."""
    gone = db.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.done_at.is_not(None), OutboxMessage.done_at < now - keep)
        .execution_options(synchronize_session=False)
    )
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def backlog(db: Session) -> int:
    """Rows not yet done (waiting, claimed, or backing off): the metrics' outbox backlog."""
    return int(db.scalar(select(func.count()).where(OutboxMessage.done_at.is_(None))) or 0)


def next_due(db: Session) -> datetime | None:
    """When the earliest row that is backing off may be tried again."""
    return db.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.done_at.is_(None), OutboxMessage.claimed_at.is_(None)
        )
    )
