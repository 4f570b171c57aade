"""What redaction needs: where an update's text was posted in Slack, and the edits still to make."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.revision import NOT_READ


class PostedMessage(Base):
    """A Slack message the bot posted that carries an update's text, with the payload as posted, so
    that a redaction can edit it (chat.update) without the text ever being posted again."""

    __tablename__ = "posted_message"
    # No query of the plan reads it: recording an announcement must not throw the read model away.
    __table_args__ = (Index("ix_posted_message_update", "update_id"), {"info": {NOT_READ: True}})
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))  # announcement | receipt
    channel: Mapped[str] = mapped_column(String(80))
    ts: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class RedactionEdit(Base):
    """One Slack message a redaction must edit; retried by the scheduler until done."""

    __tablename__ = "redaction_edit"
    __table_args__ = (Index("ix_redaction_edit_pending", "plan_id", "done_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id", ondelete="CASCADE"))
    requested_by: Mapped[str | None] = mapped_column(String(32))  # Slack user id, told of the outcome
    channel: Mapped[str] = mapped_column(String(80))
    ts: Mapped[str | None] = mapped_column(String(32))
    # A digest's area reply has no stored ts: it is found in the thread of `thread_ts` by its text.
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    find_text: Mapped[str | None] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    reported: Mapped[bool] = mapped_column(default=False)
