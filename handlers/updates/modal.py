"""The update modal, pure: the same form from /qib update, buttons in App Home, reminders and /qib mine."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.services.updates import Choice, FormDefaults
from handlers import blocks as bk
from handlers.words import SYMBOL
from models.vocab import Status

CALLBACK = "qib_update"
PICK_ACTION = "update_pick_milestone"
MAX_OPTIONS = 100
FIELDS = (
    "milestone",
    "status",
    "percent",
    "note",
    "evidence_url",
    "next_steps",
    "blockers",
    "decision",
    "reopen_reason",
    "override_reason",
)


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=bk.clip(bk.plain(text), 75), emoji=True), value=value[:150])


def _milestone_select(choices: list[Choice], chosen: str | None) -> StaticSelectElement:
    shown = choices[:MAX_OPTIONS]
    if chosen and chosen not in {c.code for c in shown}:
        picked = [c for c in choices if c.code == chosen]
        shown = picked + shown[: MAX_OPTIONS - len(picked)]
    own = [c for c in shown if c.own]
    others = [c for c in shown if not c.own]
    options = {c.code: _option(f"{c.code} {c.title}", c.code) for c in shown}
    groups = [
        OptionGroup(label=PlainTextObject(text=label), options=[options[c.code] for c in group])
        for label, group in (("Your milestones", own), ("Other milestones", others))
        if group
    ]
    kwargs: dict[str, Any] = {
        "action_id": PICK_ACTION,
        "placeholder": PlainTextObject(text="Choose a milestone"),
    }
    if chosen in options:
        kwargs["initial_option"] = options[chosen]
    if len(groups) > 1:
        return StaticSelectElement(option_groups=groups, **kwargs)
    return StaticSelectElement(options=list(options.values()), **kwargs)


def _text_input(
    block_id: str,
    label: str,
    value: str | None,
    *,
    multiline: bool = False,
    optional: bool = True,
    max_length: int = 3000,
    hint: str | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element = PlainTextInputElement(
        action_id="value",
        multiline=multiline,
        max_length=max_length,
        initial_value=bk.clip(bk.plain(value), max_length) if value else None,
        placeholder=PlainTextObject(text=placeholder) if placeholder else None,
    )
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        element=element,
        optional=optional,
        hint=PlainTextObject(text=hint) if hint else None,
    ).to_dict()


def update_modal(
    choices: list[Choice],
    defaults: FormDefaults | None,
    *,
    typed: dict[str, Any] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The form, pre-filled from the latest update and then from anything the user already typed."""
    typed = typed or {}
    values = {
        "status": defaults.status if defaults else None,
        "percent": str(defaults.percent) if defaults else None,
        "note": defaults.note if defaults else None,
        "evidence_url": defaults.evidence_url if defaults else None,
        "next_steps": defaults.next_steps if defaults else None,
        "blockers": defaults.blockers if defaults else None,
        **{k: v for k, v in typed.items() if v not in (None, "")},
    }
    chosen = typed.get("milestone") or (defaults.code if defaults else None)
    statuses = {s.value: _option(f"{SYMBOL[s.value]} {s.value}", s.value) for s in Status}
    status_select = StaticSelectElement(
        action_id="value",
        options=list(statuses.values()),
        placeholder=PlainTextObject(text="Choose a status"),
    )
    if values["status"] in statuses:
        status_select.initial_option = statuses[values["status"]]
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(bk.section(notice))
    blocks += [
        InputBlock(
            block_id="milestone",
            label=PlainTextObject(text="Milestone"),
            element=_milestone_select(choices, chosen),
            dispatch_action=True,
        ).to_dict(),
        InputBlock(block_id="status", label=PlainTextObject(text="Status"), element=status_select).to_dict(),
        _text_input(
            "percent",
            "Percent complete",
            values["percent"],
            optional=False,
            max_length=4,
            placeholder="0 to 100",
        ),
        _text_input(
            "note",
            "Progress note",
            values["note"],
            multiline=True,
            hint="What changed, and its impact for children. Marking complete needs this or evidence. "
            "No names, dates of birth or case numbers.",
        ),
        _text_input(
            "evidence_url",
            "Evidence link",
            values["evidence_url"],
            max_length=2000,
            placeholder="https://...",
        ),
        _text_input("next_steps", "Next steps", values["next_steps"], multiline=True),
        _text_input("blockers", "Blockers or risks", values["blockers"], multiline=True),
        _text_input(
            "decision",
            "Decision needed from the board",
            typed.get("decision"),
            multiline=True,
            hint="Only if the board must decide something, e.g. fund an earlier slot or accept a later date.",
        ),
        _text_input(
            "reopen_reason", "Reason for reopening (only if it was complete)", typed.get("reopen_reason")
        ),
        InputBlock(
            block_id="confirm",
            label=PlainTextObject(text="Personal data check"),
            optional=True,
            element=CheckboxesElement(
                action_id="value",
                options=[_option("I have checked: the flagged text is not about a child", "not_personal")],
            ),
            hint=PlainTextObject(
                text="Only for a name, an age or a school the check flagged. An NHS number, a date of "
                "birth, an address, a phone number or a case reference can never be saved."
            ),
        ).to_dict(),
        _text_input(
            "override_reason",
            "If you ticked the box: why it is not about a child",
            typed.get("override_reason"),
            max_length=500,
            placeholder="e.g. Kerry Smith is our commissioning officer",
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK,
        title=PlainTextObject(text="Update a milestone"),
        submit=PlainTextObject(text="Save update"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"milestone": chosen} if chosen else {}),
        blocks=blocks,
    ).to_dict()
