"""What the update use cases' results look like in Slack: form errors, receipts, corrected announcements."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.corrections import Corrected, Withdrawn
from bot.services.wording import full_day
from bot.usecases.results import Refused
from bot.usecases.updates import PersonalData, Unavailable, Unconfirmed
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.errors import friendly_message
from handlers.updates.announce import announcement

KEPT = "What you typed is kept: submit the form again."
PRIVACY_BOX = {
    "confirm": "Tick this only if the flagged text is not about a child.",
    "override_reason": "Then say why; the plan's privacy officer is told.",
}


def base_block(block_id: str) -> str:
    """The field a block holds: "percent~100" is still the percent."""
    return block_id.split("~", 1)[0]


def on_blocks(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the blocks the view really has ("percent" may be "percent~100"); an error for a
    field the view does not show goes on the status, the nearest field that can put it right."""
    ids = {base_block(b["block_id"]): b["block_id"] for b in view.get("blocks", []) if b.get("block_id")}
    out: dict[str, str] = {}
    for field, message in errors.items():
        key = ids.get(field) or (ids.get("status", "milestone") if ids else field)
        out[key] = (out[key] + " " + message)[:300] if key in out else message[:300]
    return out


def form_errors(
    view: dict[str, Any], outcome: Refused | Unconfirmed | Unavailable, *, unavailable: str = ""
) -> dict[str, str]:
    """The inline errors a refused form shows; the form stays open with what was typed.

    `unavailable` is the app's wording of a database outage (bot.app.friendly_message)."""
    if isinstance(outcome, Unconfirmed):
        # Resubmitting this same view is safe: its id is the update's key, so it is saved once.
        return {"milestone": f"The plan database stopped answering while this was being saved. {KEPT}"}
    if isinstance(outcome, Unavailable):
        return {"milestone": f"{unavailable} {KEPT}"[:300]}
    if isinstance(outcome, PersonalData):
        return on_blocks(view, dict(outcome.also)) | (PRIVACY_BOX if outcome.overridable else {})
    if outcome.field in (None, "milestone"):
        return {"milestone": outcome.reason[:300]}
    return on_blocks(view, dict(outcome.also) or {outcome.field: outcome.reason})


def unavailable_text(outcome: object) -> str:
    """The app's wording of a database outage."""
    if not isinstance(outcome, Unavailable):
        return ""
    return friendly_message(outcome.error)[0]


def joined(*replies: Reply) -> Reply:
    """Several replies as one message (an update saved and a new date asked for, say)."""
    shown = [r for r in replies if r.text]
    return Reply(text="\n".join(r.text for r in shown), blocks=[b for r in shown for b in r.blocks])


def corrected_line(result: Corrected) -> str:
    """The announcement, as the correction has it, marked so readers know it changed."""
    return announcement(result.update) + " _(corrected)_"


def corrected_blocks(result: Corrected) -> list[dict[str, Any]]:
    blocks = [bk.section(corrected_line(result))]
    if result.update.note:
        blocks.append(bk.context(bk.esc(bk.clip(result.update.note, 500))))
    return blocks


def withdrawn_line(result: Withdrawn) -> str:
    """What the announcement says once the update is withdrawn: none of its text remains."""
    who = f" by {bk.esc(result.author_name)}" if result.author_name else ""
    return f"*{bk.esc(result.code)}* {bk.esc(result.title)}: an update{who} was withdrawn _(corrected)_"


def correction_receipt(result: Corrected, *, problem: str | None = None) -> Reply:
    u = result.update
    verb = "was already corrected" if result.duplicate else "is corrected"
    text = f"{result.reference} {verb}: {u.summary}"
    lines = [
        f":pencil2: {bk.esc(text)}",
        f"{bk.esc(u.milestone_code)} {bk.esc(u.milestone_title)} is now {u.after_status}, {u.after_percent}%.",
    ]
    if problem:
        lines.append(f":warning: {bk.esc(problem)}")
    return Reply(text=text, blocks=[bk.section("\n".join(lines))])


def withdrawal_receipt(result: Withdrawn, *, problem: str | None = None) -> Reply:
    text = (
        f"{result.reference} is withdrawn: {result.code} is now {result.now_status}, {result.now_percent}%."
    )
    lines = [f":wastebasket: {bk.esc(text)}"]
    if problem:
        lines.append(f":warning: {bk.esc(problem)}")
    return Reply(text=text, blocks=[bk.section("\n".join(lines))])


def correcting_notice(reference: str, on: date) -> str:
    return (
        f"*Correcting {bk.esc(reference)}* of {full_day(on)}: change what was wrong and save. "
        f"The correction replaces it everywhere; to take it out instead, `/qib withdraw {bk.esc(reference)}`."
    )
