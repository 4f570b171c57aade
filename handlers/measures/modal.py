"""The record-a-value modal, pure: from `/qib measure KPI-3` and the App Home's Record buttons."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.services.measures import MeasureView, format_value
from bot.services.periods import period_label
from handlers import blocks as bk

CALLBACK = "qib_record_measure"
FIELDS = ("value", "period", "note", "options")


def _input(block_id: str, label: str, *, initial: str | None = None, optional: bool = False,
           multiline: bool = False, hint: str | None = None) -> InputBlock:  # fmt: skip
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        optional=optional,
        hint=PlainTextObject(text=hint) if hint else None,
        element=PlainTextInputElement(
            action_id="value",
            initial_value=initial,
            multiline=multiline,
            max_length=3000 if multiline else 40,
        ),
    )


def record_modal(m: MeasureView, *, notice: str | None = None, plan_id: int | None = None) -> dict[str, Any]:
    better = "higher" if m.direction == "up" else "lower"
    latest = (
        f"Latest: {format_value(m.latest.value, m.unit)} in {period_label(m.latest.period)} ({m.rag.value})"
        if m.latest
        else "No value yet"
    )
    blocks: list[Any] = [
        bk.section(
            f"*{bk.esc(m.code)}* {bk.esc(m.title)}\n"
            f"Target {format_value(m.target, m.unit)} ({better} is better) · {latest}"
        )
    ]
    if notice:
        blocks.append(bk.context(notice))
    blocks += [
        _input("value", f"Value ({m.unit})", hint="A number, e.g. 88"),
        _input("period", "Period", initial=m.last_period, hint="2020-01 for a month, 2020-Q1 for a quarter"),
        _input(
            "note",
            "Note",
            optional=True,
            multiline=True,
            hint="No child's details: Slack is not a case record.",
        ),
        InputBlock(
            block_id="options",
            label=PlainTextObject(text="Confirm"),
            optional=True,
            element=CheckboxesElement(
                action_id="value",
                options=[
                    Option(
                        text=PlainTextObject(text="Replace the period's value if it has one"), value="replace"
                    ),
                    Option(
                        text=PlainTextObject(text="The note holds no child's personal data"),
                        value="not_personal",
                    ),
                ],
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK,
        # The measure's code; with several plans, JSON also naming the plan the form was opened for.
        private_metadata=m.code if plan_id is None else json.dumps({"code": m.code, "plan": plan_id}),
        title=PlainTextObject(text="Record a value"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[b if isinstance(b, dict) else b.to_dict() for b in blocks],
    ).to_dict()


def read_record_form(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed values, and errors keyed by block id for `response_action: errors`."""

    def text(block: str) -> str | None:
        value = ((state.get(block) or {}).get("value") or {}).get("value")
        return value.strip() or None if isinstance(value, str) else None

    checked = {
        o.get("value")
        for o in ((state.get("options") or {}).get("value") or {}).get("selected_options") or []
    }
    errors: dict[str, str] = {}
    raw = (text("value") or "").rstrip("% ").replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        value = None
        errors["value"] = "Give the value as a number, e.g. 88."
    form = {
        "value": value,
        "period_text": text("period"),
        "note": text("note"),
        "replace": "replace" in checked,
        "confirm_not_personal": "not_personal" in checked,
    }
    return form, errors


def measure_code(private_metadata: str) -> str:
    """The code a record form was opened for (see record_modal)."""
    if private_metadata.startswith("{"):
        try:
            return str(json.loads(private_metadata).get("code") or "")
        except (ValueError, AttributeError):
            return ""
    return private_metadata
