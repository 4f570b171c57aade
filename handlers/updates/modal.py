"""The update modal, pure: the same form from /qib update, buttons in App Home, reminders and /qib mine."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.services.updates import Choice, FormDefaults
from bot.services.wording import full_day
from bot.usecases.form_fields import TEXT_INPUTS
from handlers import blocks as bk
from handlers.words import SYMBOL
from models.codes import normal_code
from models.vocab import Status

CALLBACK = "qib_update"
CORRECT_CALLBACK = "qib_correct"  # the same form, correcting an update (U-12) rather than adding one
PICK_ACTION = "update_pick_milestone"
STATUS_ACTION = "update_pick_status"
#: The percent input's block id once choosing complete has set it to 100: Slack keeps what was typed in
#: an input whose block id is unchanged, so a new id is the only way a views.update can change it.
PERCENT_SET = "percent~100"
MAX_OPTIONS = 100
FIELDS = TEXT_INPUTS  # the block ids read back from a submission, the box aside


def _option(text: str, value: str) -> Option:
    return Option(text=PlainTextObject(text=bk.clip(bk.plain(text), 75), emoji=True), value=value[:150])


def milestone_options(choices: list[Choice], typed: str) -> dict[str, Any]:
    """The options an external select shows for what has been typed (a code in any spelling, or words
    of the title), at most MAX_OPTIONS, the person's own first."""
    wanted = typed.strip().casefold()
    key = normal_code(typed)
    words = wanted.split()

    def rank(c: Choice) -> int | None:
        if not wanted:
            return 2
        if key and normal_code(c.code) == key:
            return 0
        if c.code.casefold().startswith(wanted) or (key and normal_code(c.code).startswith(key)):
            return 1
        title = c.title.casefold()
        return 2 if all(w in title for w in words) else None

    ranked = sorted(
        ((r, i, c) for i, c in enumerate(choices) if (r := rank(c)) is not None), key=lambda t: (t[0], t[1])
    )
    picked = [c for _, _, c in ranked[:MAX_OPTIONS]]
    groups = [
        {
            "label": {"type": "plain_text", "text": label},
            "options": [_option(f"{c.code} {c.title}", c.code).to_dict() for c in group],
        }
        for label, group in (
            ("Your milestones", [c for c in picked if c.own]),
            ("Other milestones", [c for c in picked if not c.own]),
        )
        if group
    ]
    return {"option_groups": groups} if groups else {"options": []}


def _milestone_select(
    choices: list[Choice], chosen: str | None
) -> StaticSelectElement | ExternalDataSelectElement:
    if len(choices) > MAX_OPTIONS:
        # Slack shows at most 100 options: past that, they load as the person types (milestone_options).
        current = next((c for c in choices if c.code == chosen), None)
        return ExternalDataSelectElement(
            action_id=PICK_ACTION,
            placeholder=PlainTextObject(text="Type a code or words of the title"),
            min_query_length=0,
            initial_option=_option(f"{current.code} {current.title}", current.code) if current else None,
        )
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


def base_block(block_id: str) -> str:
    """The field a block holds: "percent~100" is still the percent."""
    return block_id.split("~", 1)[0]


def _latest(defaults: FormDefaults) -> list[dict[str, Any]]:
    """The latest update, read-only, so that the new one says what has changed since."""
    if defaults.latest_on is None:
        return [bk.context(f"No update of {bk.esc(defaults.code)} yet.")]
    who = f" by {bk.esc(defaults.latest_by)}" if defaults.latest_by else ""
    lines = [
        f"*Latest update* ({full_day(defaults.latest_on)}{who}): "
        f"{bk.esc(defaults.latest_status)}, {defaults.latest_percent}%"
    ]
    for label, text in (
        ("Note", defaults.note),
        ("Next steps", defaults.next_steps),
        ("Blockers", defaults.blockers),
    ):
        if text:
            lines.append(f"{label}: {bk.esc(bk.clip(text, 400))}")
    return [bk.context("\n".join(lines)[:2900])]


def update_modal(
    choices: list[Choice],
    defaults: FormDefaults | None,
    *,
    typed: dict[str, Any] | None = None,
    notice: str | None = None,
    percent_set: bool = False,
    plan_id: int | None = None,
    correcting: str | None = None,
) -> dict[str, Any]:
    """The form (`plan_id`: the plan it is opened for, kept in its metadata for the submission): the milestone's status and percent as they stand, its latest update shown as context
    (never copied into the new note), then anything the user already typed.

    The reason for reopening is asked only when a complete milestone is given another status;
    `percent_set` is true once choosing complete has set the percent to 100 (see PERCENT_SET).
    """
    typed = {base_block(k): v for k, v in (typed or {}).items()}
    values = _start_values(defaults, typed, percent_set)
    chosen = typed.get("milestone") or (defaults.code if defaults else None)
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(bk.section(notice))
    blocks.append(
        InputBlock(
            block_id="milestone",
            label=PlainTextObject(text="Milestone"),
            element=_milestone_select(choices, chosen),
            dispatch_action=True,
        ).to_dict()
    )
    if defaults:
        blocks += _latest(defaults)
    blocks += _field_blocks(values, percent_set)
    blocks += [] if correcting else _due_blocks(values)
    blocks += _reopen_blocks(defaults, values)
    blocks += _privacy_blocks(values)
    if correcting:
        blocks.append(_withdraw_block())
    metadata = _metadata(chosen, correcting, plan_id)
    return View(
        type="modal",
        callback_id=CORRECT_CALLBACK if correcting else CALLBACK,
        title=PlainTextObject(text="Correct an update" if correcting else "Update a milestone"),
        submit=PlainTextObject(text="Save correction" if correcting else "Save update"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()


def _status_block(values: dict[str, Any]) -> dict[str, Any]:
    """The status select, starting at the status the form shows."""
    statuses = {s.value: _option(f"{SYMBOL[s.value]} {s.value}", s.value) for s in Status}
    status_select = StaticSelectElement(
        action_id=STATUS_ACTION,
        options=list(statuses.values()),
        placeholder=PlainTextObject(text="Choose a status"),
    )
    if values["status"] in statuses:
        status_select.initial_option = statuses[values["status"]]
    return InputBlock(
        block_id="status",
        label=PlainTextObject(text="Status"),
        element=status_select,
        dispatch_action=True,
        hint=PlainTextObject(text="At risk or off track: say why, and the recovery action."),
    ).to_dict()


def _field_blocks(values: dict[str, Any], percent_set: bool) -> list[dict[str, Any]]:
    """Status, percent, note, evidence, next steps, blockers and decision, as the form shows them."""
    return [
        _status_block(values),
        _text_input(
            PERCENT_SET if percent_set else "percent",
            "Percent complete",
            values["percent"],
            optional=False,
            max_length=4,
            placeholder="0 to 100",
        ),
        _text_input(
            "note",
            "What changed, and its impact",
            values.get("note"),
            multiline=True,
            hint="What is new since the latest update, and what it means for children. Marking complete "
            "needs this or evidence. No names, dates of birth or case numbers.",
        ),
        _text_input(
            "evidence_url",
            "Evidence link",
            values.get("evidence_url"),
            max_length=2000,
            placeholder="https://...",
        ),
        _text_input(
            "next_steps",
            "Next steps (the recovery action, if at risk or off track)",
            values.get("next_steps"),
            multiline=True,
        ),
        _text_input(
            "blockers",
            "Blockers or risks (why, if at risk or off track)",
            values.get("blockers"),
            multiline=True,
        ),
        _text_input(
            "decision",
            "Decision needed from the board",
            values.get("decision"),
            multiline=True,
            hint="Only if the board must decide something, e.g. fund an earlier slot or accept a later date.",
        ),
    ]


def _reopen_blocks(defaults: FormDefaults | None, values: dict[str, Any]) -> list[dict[str, Any]]:
    """The reason for reopening, asked only when a complete milestone is given another status."""
    if not (defaults and defaults.status == Status.COMPLETE and values["status"] != Status.COMPLETE):
        return []
    return [
        _text_input(
            "reopen_reason",
            "Reason for reopening",
            values.get("reopen_reason"),
            optional=False,
            hint="It was marked complete: say what has changed (for example, what the latest audit found).",
        )
    ]


def _metadata(chosen: str | None, correcting: str | None, plan_id: int | None) -> dict[str, Any]:
    """What the submission needs back: the milestone, the update being corrected, the plan."""
    return (
        ({"milestone": chosen} if chosen else {})
        | ({"correct": correcting} if correcting else {})
        | ({"plan": plan_id} if plan_id is not None else {})
    )


def _start_values(defaults: FormDefaults | None, typed: dict[str, Any], percent_set: bool) -> dict[str, Any]:
    """What the form shows: the milestone as it stands, then what was typed; 100% suggests complete."""
    values = {
        "status": defaults.status if defaults else None,
        "percent": str(defaults.percent) if defaults else None,
        **{k: v for k, v in typed.items() if v not in (None, "")},
    }
    if percent_set:
        values["percent"] = "100"
    elif (
        "status" not in typed
        and values.get("percent") == "100"
        and (defaults is None or defaults.percent != 100)
    ):
        values["status"] = "complete"  # 100% suggests complete
    return values


def _due_blocks(values: dict[str, Any]) -> list[dict[str, Any]]:
    """A revised due date and its reason (not when correcting an update)."""
    return [
        InputBlock(
            block_id="due",
            label=PlainTextObject(text="Revised due date (the chair approves it)"),
            optional=True,
            element=DatePickerElement(action_id="value", initial_date=values.get("due")),
            hint=PlainTextObject(
                text="Only to move the due date; it stays as it is until the chair approves."
            ),
        ).to_dict(),
        _text_input("due_reason", "Why the due date should move", values.get("due_reason"), max_length=1000),
    ]


def _privacy_blocks(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The personal-data box and the reason for ticking it."""
    return [
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
            values.get("override_reason"),
            max_length=500,
            placeholder="e.g. Kerry Smith is our commissioning officer",
        ),
    ]


def _withdraw_block() -> dict[str, Any]:
    """Correcting: the box that takes the update out of every view instead."""
    return InputBlock(
        block_id="withdraw",
        label=PlainTextObject(text="Withdraw it instead"),
        optional=True,
        element=CheckboxesElement(
            action_id="value",
            options=[_option("Withdraw this update: take it out of every view", "withdraw")],
        ),
        hint=PlainTextObject(text="The update before it becomes the latest again. It cannot be undone."),
    ).to_dict()
