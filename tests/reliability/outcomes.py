"""What a person concludes from the bot's answer, and the update modal's submitted values. Light enough
for the soak's load process to import (nothing here starts an app or opens a database)."""

from __future__ import annotations

import json
from typing import Any

from handlers.errors import DATABASE_DOWN

SAVED_PREFIXES = ("Saved:", "That update was already saved")


def told(text: str | None) -> str:
    """saved / failed / unknown: what the person was told about their update."""
    if text is None:
        return "unknown"
    if text.startswith(SAVED_PREFIXES):
        return "saved"
    if text.startswith(DATABASE_DOWN):
        return "failed"
    return "unknown"


def modal_state(
    milestone: str | None,
    status: str | None = "on track",
    percent: str | None = None,
    note: str | None = None,
    confirm: bool = False,
    next_steps: str | None = None,
) -> dict[str, Any]:
    """view.state.values of the update modal, as Slack sends them on submit (at risk and off track
    with a recovery action unless one is given: the form requires it)."""
    if status in ("at risk", "off track") and next_steps is None:
        next_steps = "Recovery plan agreed."

    def select(value: str | None) -> dict[str, Any]:
        return {
            "type": "static_select",
            "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}
            if value
            else None,
        }

    return {
        "milestone": {"update_pick_milestone": select(milestone)},
        "status": {"value": select(status)},
        "percent": {"value": percent},
        "note": {"value": note},
        "evidence_url": {"value": None},
        "next_steps": {"value": next_steps},
        "blockers": {"value": None},
        "reopen_reason": {"value": None},
        "confirm": {
            "value": {
                "type": "checkboxes",
                "selected_options": [{"value": "not_personal"}] if confirm else [],
            }
        },
    }


def modal_outcome(status: int, text: str) -> str:
    """A modal that closes (200, empty body) is the person's confirmation; errors keep it open."""
    if status != 200:
        return "unknown"
    if text == "":
        return "saved"
    try:
        answer = json.loads(text)
    except ValueError:
        return "unknown"
    errors = answer.get("errors") or {}
    return told(errors.get("milestone"))
