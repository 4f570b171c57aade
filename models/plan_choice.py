"""Which plan a person last chose to talk about, for a deployment that serves several plans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class PlanChoice(Base):
    """One row per Slack user: the plan their DMs and App Home answer about until they switch.

    Keyed by the Slack user id, not a person: the same person is a different row in each plan."""

    __tablename__ = "plan_choice"
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)
