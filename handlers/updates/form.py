"""Reading the submitted update modal: Slack's view.state.values into fields and per-field errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from bot.usecases.updates import UpdateInput


class UpdateForm(BaseModel):
    milestone: str | None = None
    status: str | None = None
    percent: int | None = None
    note: str | None = None
    evidence_url: str | None = None
    next_steps: str | None = None
    blockers: str | None = None
    decision: str | None = None
    reopen_reason: str | None = None
    confirm_not_personal: bool = False
    override_reason: str | None = None
    due: str | None = None  # a revised due date asked for (YYYY-MM-DD, from the date picker)
    due_reason: str | None = None


def _value(state: dict[str, Any], block: str) -> Any:
    """A block's value: stripped text, a select's value, or a checkbox list; None when absent.

    The state is read defensively: an element of another type than expected, or a malformed entry,
    counts as not filled in rather than failing the whole submission.
    """
    actions = state.get(block) if isinstance(state, dict) else None
    entry = next(iter(actions.values()), None) if isinstance(actions, dict) else None
    if not isinstance(entry, dict):
        return None
    if entry.get("type") in ("static_select", "external_select"):
        option = entry.get("selected_option")
        return _text(option.get("value") if isinstance(option, dict) else None)
    if entry.get("type") == "datepicker":
        return _text(entry.get("selected_date"))
    if entry.get("type") == "checkboxes":
        options = entry.get("selected_options")
        return [o.get("value") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    return _text(entry.get("value"))


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _field(state: dict[str, Any], block: str) -> str | None:
    value = _value(state, block)
    return value if isinstance(value, str) else None


def _checked(state: dict[str, Any], block: str) -> list[Any]:
    value = _value(state, block)
    return value if isinstance(value, list) else []


def fields_of(state: Any) -> dict[str, Any]:
    """The state keyed by field: a block id's "~..." tail (see modal.PERCENT_SET) is dropped."""
    if not isinstance(state, dict):
        return {}
    return {str(k).split("~", 1)[0]: v for k, v in state.items()}


def withdrawing(state: dict[str, Any]) -> bool:
    """The correction form's "withdraw it instead" box is ticked."""
    return "withdraw" in _checked(fields_of(state), "withdraw")


def read_form(state: dict[str, Any]) -> tuple[UpdateForm, dict[str, str]]:
    """The typed values, and errors keyed by field for `response_action: errors`."""
    state = fields_of(state)
    errors: dict[str, str] = {}
    raw_percent = _field(state, "percent")
    percent: int | None = None
    if raw_percent is not None:
        digits = raw_percent.rstrip("% ")
        # isdecimal, not isdigit: "²" is a digit that int() refuses; the input takes 4 characters.
        if digits.isdecimal() and len(digits) <= 4 and 0 <= int(digits) <= 100:
            percent = int(digits)
        else:
            errors["percent"] = "Give a whole number from 0 to 100."
    milestone = _field(state, "milestone")
    if milestone is None:
        errors["milestone"] = "Choose the milestone this update is for."
    status = _field(state, "status")
    if percent == 100 and status is not None and status != "complete" and "percent" not in errors:
        errors["status"] = (
            "100% suggests complete: choose complete (with its impact or evidence), or lower the percent."
        )
    form = UpdateForm(
        milestone=milestone,
        status=status,
        percent=percent,
        note=_field(state, "note"),
        evidence_url=_field(state, "evidence_url"),
        next_steps=_field(state, "next_steps"),
        blockers=_field(state, "blockers"),
        decision=_field(state, "decision"),
        reopen_reason=_field(state, "reopen_reason"),
        confirm_not_personal="not_personal" in (_checked(state, "confirm")),
        override_reason=_field(state, "override_reason"),
        due=_field(state, "due"),
        due_reason=_field(state, "due_reason"),
    )
    return form, errors


def typed_values(state: dict[str, Any]) -> dict[str, Any]:
    """What the user has typed so far, to carry into a refreshed form."""
    fields = fields_of(state)
    return {block: _value(fields, block) for block in fields}


def update_input(form: UpdateForm) -> tuple[UpdateInput, dict[str, str]]:
    """The form as the use case takes it; a revised due date that is not a date is an error on it."""
    due: date | None = None
    errors: dict[str, str] = {}
    if form.due is not None:
        try:
            due = date.fromisoformat(form.due)
        except ValueError:
            errors["due"] = "Choose the date from the calendar."
    given = UpdateInput(
        code=form.milestone or "",
        status=form.status,
        percent=form.percent,
        note=form.note,
        evidence_url=form.evidence_url,
        next_steps=form.next_steps,
        blockers=form.blockers,
        decision=form.decision,
        reopen_reason=form.reopen_reason,
        confirm_not_personal=form.confirm_not_personal,
        override_reason=form.override_reason,
        due=due,
        due_reason=form.due_reason,
    )
    return given, errors
