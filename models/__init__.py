"""The plan database: typed ORM models, the engine and session factory, and migrations."""

from models.base import Base, UTCDateTime
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
from models.privacy import PostedMessage, RedactionEdit

__all__ = [
    "Area",
    "AuditEvent",
    "Base",
    "Board",
    "EarlierInspection",
    "Inspection",
    "Judgement",
    "MeetingOverride",
    "Milestone",
    "Person",
    "Plan",
    "PostedMessage",
    "Priority",
    "ProgressUpdate",
    "RedactionEdit",
    "ScheduledPost",
    "UTCDateTime",
    "priority_area",
]
