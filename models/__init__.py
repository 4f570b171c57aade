"""The plan database: typed ORM models, the engine and session factory, and migrations."""

from models.base import Base, UTCDateTime
from models.measures import Measure, MeasureValue, measure_area, measure_priority
from models.outbox import OutboxMessage
from models.plan import (
    Area,
    AuditEvent,
    Board,
    EarlierInspection,
    Inspection,
    Judgement,
    MeetingOverride,
    Milestone,
    Person,
    Plan,
    Priority,
    ProgressUpdate,
    ScheduledPost,
    priority_area,
)
from models.plan_choice import PlanChoice
from models.privacy import PostedMessage, RedactionEdit
from models.revision import PlanRevision

__all__ = [
    "Area",
    "AuditEvent",
    "Base",
    "Board",
    "EarlierInspection",
    "Inspection",
    "Judgement",
    "Measure",
    "MeasureValue",
    "MeetingOverride",
    "Milestone",
    "OutboxMessage",
    "Person",
    "Plan",
    "PlanRevision",
    "PlanChoice",
    "PostedMessage",
    "Priority",
    "ProgressUpdate",
    "RedactionEdit",
    "ScheduledPost",
    "UTCDateTime",
    "measure_area",
    "measure_priority",
    "priority_area",
]
