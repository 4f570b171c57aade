"""The improvement plan as tables: one plan, its inspection, areas, priorities, people and milestones."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, StrEnumType, UTCDateTime
from models.defaults import DIGEST_TIME, DIGEST_WORKING_DAYS, REMINDER_WORKING_DAYS
from models.vocab import OverrideAction, PostKind, Source, Status


class Plan(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    authority: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    channel: Mapped[str | None] = mapped_column(String(80))
    digest_working_days: Mapped[int] = mapped_column(Integer, default=DIGEST_WORKING_DAYS)
    reminder_working_days: Mapped[int] = mapped_column(Integer, default=REMINDER_WORKING_DAYS)
    digest_time: Mapped[time] = mapped_column(Time, default=DIGEST_TIME)
    announce_updates: Mapped[bool] = mapped_column(Boolean, default=True)
    as_at: Mapped[date | None] = mapped_column(Date)  # the day the plan file's statuses describe

    inspection: Mapped[Inspection | None] = relationship(back_populates="plan", cascade="all, delete-orphan")
    areas: Mapped[list[Area]] = relationship(
        back_populates="plan", order_by="Area.position", cascade="all, delete-orphan"
    )
    priorities: Mapped[list[Priority]] = relationship(
        back_populates="plan", order_by="Priority.position", cascade="all, delete-orphan"
    )
    people: Mapped[list[Person]] = relationship(
        back_populates="plan", order_by="Person.position", cascade="all, delete-orphan"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="plan", order_by="Milestone.position", cascade="all, delete-orphan"
    )
    board: Mapped[Board | None] = relationship(back_populates="plan", cascade="all, delete-orphan")
    earlier_inspections: Mapped[list[EarlierInspection]] = relationship(
        back_populates="plan", order_by="EarlierInspection.position", cascade="all, delete-orphan"
    )


class Inspection(Base):
    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    published: Mapped[date | None] = mapped_column(Date)
    lead_inspector: Mapped[str | None] = mapped_column(String(200))
    # The day the council sent Ofsted its written action plan; until then the bot shows the deadline.
    action_plan_sent: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="inspection")
    judgements: Mapped[list[Judgement]] = relationship(
        back_populates="inspection", order_by="Judgement.position", cascade="all, delete-orphan"
    )


class Judgement(Base):
    __tablename__ = "judgement"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    area: Mapped[str] = mapped_column(String(300))
    grade: Mapped[str] = mapped_column(String(40))

    inspection: Mapped[Inspection] = relationship(back_populates="judgements")


class EarlierInspection(Base):
    """An inspection or visit before the one the plan answers: focused and monitoring visits, JTAIs, older
    graded inspections. Dated to the day when known, else to the month (`month`, "2018-07")."""

    __tablename__ = "earlier_inspection"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(32))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    month: Mapped[str | None] = mapped_column(String(7))
    published: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="earlier_inspections")


priority_area = Table(
    "priority_area",
    Base.metadata,
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)


class Area(Base):
    """An area for improvement, in the inspection's own words."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The board-channel thread that collects this area's update announcements.
    thread_channel: Mapped[str | None] = mapped_column(String(80))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    # The board cycle the thread belongs to: the meeting it opened after (None before the first one).
    thread_cycle: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="areas")
    milestones: Mapped[list[Milestone]] = relationship(back_populates="area", order_by="Milestone.position")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=priority_area, back_populates="areas", order_by="Priority.position"
    )


class Priority(Base):
    """A strategic priority the board set; it serves several areas."""

    __tablename__ = "priority"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    period: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="priorities")
    areas: Mapped[list[Area]] = relationship(
        secondary=priority_area, back_populates="priorities", order_by="Area.position"
    )


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("plan_id", "key"),
        UniqueConstraint("plan_id", "slack_user_id", name="uq_person_plan_slack_user"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    # Told when an owner saves an update over the personal-data screen; may redact updates.
    is_privacy_officer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    delegate_until: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="people")
    delegate: Mapped[Person | None] = relationship(remote_side=[id], foreign_keys=[delegate_id])


class Milestone(Base):
    """An action with an owner and a due date; its status is the latest update's, kept here for queries."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        Index("ix_milestone_plan_owner", "plan_id", "owner_id"),
        Index("ix_milestone_plan_due", "plan_id", "due"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priority.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    due: Mapped[date | None] = mapped_column(Date)  # the approved due date: overdue is measured against it
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 16), default=Status.NOT_STARTED)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A revised due date: the plan's original date (kept once a revision is approved), who approved the
    # latest revision and on which day; and a revision asked for, awaiting the chair.
    baseline_due: Mapped[date | None] = mapped_column(Date)
    due_revised_by: Mapped[str | None] = mapped_column(String(200))
    due_revised_on: Mapped[date | None] = mapped_column(Date)
    due_requested: Mapped[date | None] = mapped_column(Date)
    due_request_reason: Mapped[str | None] = mapped_column(Text)
    due_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship(back_populates="milestones")
    area: Mapped[Area] = relationship(back_populates="milestones")
    priority: Mapped[Priority | None] = relationship()
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="milestone", order_by="ProgressUpdate.id", cascade="all, delete-orphan"
    )


class ProgressUpdate(Base):
    """Append-only: a new update is a new row, history is never overwritten."""

    __tablename__ = "progress_update"
    __table_args__ = (
        UniqueConstraint("plan_id", "idempotency_key", name="uq_progress_update_plan_key"),
        # A milestone's latest update (ORDER BY at DESC, id DESC LIMIT 1) is one step back from the end.
        Index("ix_progress_update_milestone_at_id", "milestone_id", "at", "id"),
        # The updates of a period (what changed since the last board meeting) without reading the rest.
        Index("ix_progress_update_plan_at", "plan_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[Status] = mapped_column(StrEnumType(Status, 16))
    percent: Mapped[int] = mapped_column(Integer)
    previous_status: Mapped[Status | None] = mapped_column(StrEnumType(Status, 16))
    previous_percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    next_steps: Mapped[str | None] = mapped_column(Text)
    blockers: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)  # a decision the owner needs from the board
    reopen_reason: Mapped[str | None] = mapped_column(Text)  # why a complete milestone was reopened
    source: Mapped[Source] = mapped_column(StrEnumType(Source, 16))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    # Set when the update's text was redacted (its text fields then hold the redaction marker).
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # sha256 of (author, milestone, content): a key matches only a replay of the same request.
    request_digest: Mapped[str | None] = mapped_column(String(64))
    # A correction or a withdrawal sets superseded_at: the update then drops out of every view (its text
    # stays in the audit trail); a correction is a new row naming the one it replaces.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_update.id", ondelete="SET NULL", name="fk_progress_update_corrects")
    )

    milestone: Mapped[Milestone] = relationship(back_populates="updates")
    author: Mapped[Person | None] = relationship()

    @classmethod
    def shown(cls) -> Any:
        """The updates every view shows: not corrected (the correction is shown) and not withdrawn."""
        return cls.superseded_at.is_(None)


class Board(Base):
    __tablename__ = "board"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    rrule: Mapped[str] = mapped_column(String(500))
    start: Mapped[date] = mapped_column(Date)
    time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))

    plan: Mapped[Plan] = relationship(back_populates="board")
    chair: Mapped[Person | None] = relationship()
    overrides: Mapped[list[MeetingOverride]] = relationship(
        back_populates="board", order_by="MeetingOverride.on", cascade="all, delete-orphan"
    )


class MeetingOverride(Base):
    """One meeting moved, cancelled or added, against the board's rule."""

    __tablename__ = "meeting_override"
    __table_args__ = (UniqueConstraint("board_id", "on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    on: Mapped[date] = mapped_column(Date)
    action: Mapped[OverrideAction] = mapped_column(StrEnumType(OverrideAction, 16))
    to: Mapped[date | None] = mapped_column(Date)
    at: Mapped[time | None] = mapped_column(Time)

    board: Mapped[Board] = relationship(back_populates="overrides")


class ScheduledPost(Base):
    """The claim that makes a digest or a round of reminders happen exactly once per meeting."""

    __tablename__ = "scheduled_post"
    __table_args__ = (
        UniqueConstraint("plan_id", "meeting_on", "kind", name="uq_scheduled_post_meeting_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    meeting_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[PostKind] = mapped_column(StrEnumType(PostKind, 16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str | None] = mapped_column(String(80))
    ts: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))


class AuditEvent(Base):
    """Who changed what in the plan, with the before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_plan_at", "plan_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_code: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
