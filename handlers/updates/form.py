"""Reading the submitted update modal: Slack's view.state.values into fields and per-field errors."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class UpdateForm(BaseModel):
    milestone: str | None = None
    status: str | None = None
    percent: int | None = None
    note: str | None = None
    evidence_url: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    reopen_reason: str | None = None
    confirm_not_personal: bool = False


def _value(state: dict[str, Any], block: str) -> Any:
    entry = next(iter((state.get(block) or {}).values()), None) or {}
    if entry.get("type") == "static_select":
        return (entry.get("selected_option") or {}).get("value")
    if entry.get("type") == "checkboxes":
        return [o.get("value") for o in entry.get("selected_options") or []]
    value = entry.get("value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_form(state: dict[str, Any]) -> tuple[UpdateForm, dict[str, str]]:
    """The typed values, and errors keyed by block id for `response_action: errors`."""
    errors: dict[str, str] = {}
    raw_percent = _value(state, "percent")
    percent: int | None = None
    if raw_percent is not None:
        digits = str(raw_percent).rstrip("% ")
        if digits.isdigit() and 0 <= int(digits) <= 100:
            percent = int(digits)
        else:
            errors["percent"] = "Give a whole number from 0 to 100."
    milestone = _value(state, "milestone")
    if milestone is None:
        errors["milestone"] = "Choose the milestone this update is for."
    form = UpdateForm(
        milestone=milestone,
        status=_value(state, "status"),
        percent=percent,
        note=_value(state, "note"),
        evidence_url=_value(state, "evidence_url"),
        next_steps=_value(state, "next_steps"),
        blockers=_value(state, "blockers"),
        reopen_reason=_value(state, "reopen_reason"),
        confirm_not_personal="not_personal" in (_value(state, "confirm") or []),
    )
    return form, errors


def typed_values(state: dict[str, Any]) -> dict[str, Any]:
    """What the user has typed so far, to carry into a refreshed form."""
    return {block: _value(state, block) for block in state}
