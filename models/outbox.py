"""The outbox: what the bot must post in Slack after a write, committed in the write's own transaction.

A request saves its change and the row together, acknowledges Slack at once, and leaves the posting to
the outbox worker (bot.outbox_worker), so a slow or failing Slack never holds an ack, and a process
killed between the commit and the post still posts after it restarts. The worker claims a row
(compare-and-set on claimed_at, as the digest's claim does), records each message as it lands in
`progress`, and a claim left by a dead process is taken over once it is stale.

Nothing read by the plan's queries lives here: the table is marked so that its writes do not bump the
plan revision (models.revision), which would throw away the read model for every claim.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, StrEnumType, UTCDateTime
from models.revision import NOT_READ
from models.vocab import OutboxKind


class OutboxMessage(Base):
    """One thing to post, e.g. a saved update's announcement and receipt (see the module docstring)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_pending", "done_at", "next_attempt_at"),
        {"info": {NOT_READ: True}},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    kind: Mapped[OutboxKind] = mapped_column(StrEnumType(OutboxKind, 24))
    subject_id: Mapped[int | None] = mapped_column(Integer)  # the progress update (UPDATE_SAVED)
    recipient: Mapped[str | None] = mapped_column(String(32))  # the Slack user who made the change
    receipt: Mapped[bool] = mapped_column(Boolean, default=False)  # sent a receipt, not only told of problems
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(500))
