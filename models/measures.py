"""Performance measures: a figure with a target and a value per month (or quarter).

A measure answers one of the council's Key Performance Questions ("is it working for children?"),
where a milestone answers "is the action done?". Values are append-only like progress updates: a
second value for the same period is a new row, and the period's value is its latest row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.plan import Area, Person, Priority

measure_area = Table(
    "measure_area",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)

measure_priority = Table(
    "measure_priority",
    Base.metadata,
    Column("measure_id", ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("priority.id", ondelete="CASCADE"), primary_key=True),
)


class Measure(Base):
    """A performance measure: what is counted, which way is better, the target and how near is amber."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    question: Mapped[int | None] = mapped_column(Integer)
    question_text: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    target: Mapped[float] = mapped_column(Float)
    amber_within: Mapped[float] = mapped_column(Float, default=0)
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    position: Mapped[int] = mapped_column(Integer, default=0)

    owner: Mapped[Person | None] = relationship()
    areas: Mapped[list[Area]] = relationship(secondary=measure_area, order_by="Area.position")
    priorities: Mapped[list[Priority]] = relationship(
        secondary=measure_priority, order_by="Priority.position"
    )


class MeasureValue(Base):
    """One recorded figure for one period; never overwritten (a correction is a later row)."""

    __tablename__ = "measure_value"
    __table_args__ = (Index("ix_measure_value_plan_measure_period", "plan_id", "measure_id", "period", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    # "2019-10" for a month, "2019-Q4" for a quarter: sorts as text in time order within a frequency.
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="import")
