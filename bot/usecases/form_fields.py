"""The update form's fields: the block ids of its inputs, and what a refusal names to put its error
beside. One list for the use case that refuses and the modal that shows."""

from __future__ import annotations

from enum import StrEnum


class FormField(StrEnum):
    MILESTONE = "milestone"
    STATUS = "status"
    PERCENT = "percent"
    NOTE = "note"
    EVIDENCE_URL = "evidence_url"
    NEXT_STEPS = "next_steps"
    BLOCKERS = "blockers"
    DECISION = "decision"
    REOPEN_REASON = "reopen_reason"
    CONFIRM = "confirm"  # the personal-data box: checkboxes, not a text input
    OVERRIDE_REASON = "override_reason"
    DUE = "due"
    DUE_REASON = "due_reason"


FORM_FIELDS: tuple[FormField, ...] = tuple(FormField)
TEXT_INPUTS: tuple[FormField, ...] = tuple(f for f in FormField if f is not FormField.CONFIRM)
