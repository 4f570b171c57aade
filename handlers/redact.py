"""/qib redact U-1234 <reason>: admins and the privacy officer take an update's text out everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.redaction_runner import apply_redaction_edits
from bot.services.redaction import Redacted
from bot.usecases import redaction
from bot.usecases.redaction import RedactRequest
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.outcomes import ok

if TYPE_CHECKING:
    from slack_bolt import App


def redact(ask: Ask, args: str) -> Reply:
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        return Reply(
            text="Give the update's reference and the reason: `/qib redact U-1234 child's name in the note`. "
            "`/qib history CODE` shows the references."
        )
    done = ok(redaction.redact(ask.deps.sessions, RedactRequest(ask.asker(), parts[0], parts[1])))
    edited, pending = apply_redaction_edits(ask.client, ask.deps.sessions, ask.plan_id, ask.deps.clock())
    return redacted_reply(done, edited, pending)


def redacted_reply(done: Redacted, edited: int, pending: int) -> Reply:
    """What was redacted, and how many of the Slack messages that carried it are edited so far."""
    lines = [
        f":wastebasket: {bk.esc(done.reference)} ({bk.esc(done.milestone_code)}) is redacted: its text now "
        f"reads {bk.esc(done.marker)}."
    ]
    if done.edits:
        lines.append(f"Slack messages edited: {edited} of {done.edits}.")
    if pending:
        lines.append(f":warning: {pending} could not be edited yet; I'll keep trying and tell you.")
    if done.digests:
        lines.append(f"Posted digests changed: {done.digests} (the board paper records the redaction).")
    return Reply(text="\n".join(lines), blocks=[bk.section("\n".join(lines))])


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add(
        "redact",
        "/qib redact U-1234 reason",
        "admins, privacy officer: remove an update's text everywhere it was posted",
        redact,
        order=45,
    )
