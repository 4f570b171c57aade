"""The fixed words of the domain: statuses, grades, inspection types, roles."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not started"
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"
    COMPLETE = "complete"


class Grade(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires improvement to be good"
    INADEQUATE = "inadequate"


class InspectionType(StrEnum):
    ILACS_STANDARD = "ilacs_standard"
    ILACS_SHORT = "ilacs_short"
    FOCUSED_VISIT = "focused_visit"
    MONITORING_VISIT = "monitoring_visit"
    JTAI = "jtai"
    SIF = "sif"  # the single inspection framework, before ILACS (2013 to 2017)


class OverrideAction(StrEnum):
    MOVED = "moved"
    CANCELLED = "cancelled"
    EXTRA = "extra"


class Source(StrEnum):
    SLACK = "slack"
    CONSOLE = "console"
    IMPORT = "import"


class PostKind(StrEnum):
    DIGEST = "digest"
    REMINDERS = "reminders"
    NUDGE = "nudge"  # the second reminder, a working day before the digest, to those still silent
    ACTION_PLAN = "action_plan"  # the chair's reminder of Ofsted's action-plan deadline; keyed by that date


class OutboxKind(StrEnum):
    """What an outbox row asks the worker to post."""

    UPDATE_SAVED = "update_saved"  # the area-thread line, the privacy officer's notice, the author's receipt
    DUE_REQUESTED = "due_requested"  # a revised due date asked for: the chair's and admins' Approve / Decline
    OWNER_CHANGED = "owner_changed"  # a milestone's new owner: DMs to the new and the former owner


GRADE_SYNONYMS = {"requires improvement": Grade.REQUIRES_IMPROVEMENT}

STATUS_SYNONYMS: dict[str, Status] = {
    "not started": Status.NOT_STARTED,
    "not-started": Status.NOT_STARTED,
    "notstarted": Status.NOT_STARTED,
    "grey": Status.NOT_STARTED,
    "gray": Status.NOT_STARTED,
    "on track": Status.ON_TRACK,
    "on-track": Status.ON_TRACK,
    "ontrack": Status.ON_TRACK,
    "green": Status.ON_TRACK,
    "at risk": Status.AT_RISK,
    "at-risk": Status.AT_RISK,
    "atrisk": Status.AT_RISK,
    "amber": Status.AT_RISK,
    "off track": Status.OFF_TRACK,
    "off-track": Status.OFF_TRACK,
    "offtrack": Status.OFF_TRACK,
    "red": Status.OFF_TRACK,
    "late": Status.OFF_TRACK,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "blue": Status.COMPLETE,
    "finished": Status.COMPLETE,
}


def parse_status(word: str) -> Status:
    """Read a status the way people write it (green, amber, done...)."""
    key = " ".join(word.strip().lower().replace("_", " ").split())
    try:
        return STATUS_SYNONYMS[key]
    except KeyError:
        allowed = ", ".join(s.value for s in Status)
        raise ValueError(f'"{word}" is not a status (use one of: {allowed})') from None


def parse_grade(word: str) -> Grade:
    key = " ".join(word.strip().lower().split())
    if key in GRADE_SYNONYMS:
        return GRADE_SYNONYMS[key]
    try:
        return Grade(key)
    except ValueError:
        allowed = ", ".join(g.value for g in Grade)
        raise ValueError(f'"{word}" is not an Ofsted grade (use one of: {allowed})') from None


class AuditAction(StrEnum):
    """What an audit event records; stored as these words in ``audit_event.action``."""

    IMPORT = "import"
    UPDATE = "update"
    PERSONAL_DATA_OVERRIDE = "personal_data_override"
    PERSONAL_DATA_MESSAGE = "personal_data_message"
    REASSIGN_OWNER = "reassign_owner"
    SET_DELEGATE = "set_delegate"
    REDACT = "redact"
    CORRECT_UPDATE = "correct_update"
    WITHDRAW_UPDATE = "withdraw_update"
    DUE_DATE_REQUESTED = "due_date_requested"
    DUE_DATE_APPROVED = "due_date_approved"
    DUE_DATE_DECLINED = "due_date_declined"
    RECORD_VALUE = "record_value"
    REPLACE_VALUE = "replace_value"
    MEETING_MOVE = "meeting_move"
    MEETING_CANCEL = "meeting_cancel"
    MEETING_ADD = "meeting_add"
