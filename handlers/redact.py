"""/qib redact U-1234 <reason>: admins and the privacy officer take an update's text out everywhere."""

from __future__ import annotations

from slack_bolt import App

from bot.redaction_runner import apply_redaction_edits
from bot.services.redaction import redact_update
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, actor_of


def redact(ask: Ask, args: str) -> Reply:
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        return Reply(
            text="Give the update's reference and the reason: `/qib redact U-1234 child's name in the note`. "
            "`/qib history M-07` shows the references."
        )
    actor = actor_of(ask)
    with ask.deps.sessions.begin() as db:
        done = redact_update(
            db=db,
            plan_id=ask.plan_id,
            reference=parts[0],
            reason=parts[1],
            actor_id=actor.person_id,
            requested_by=ask.user_id,
            now=ask.now,
            extra_admin_slack_ids=ask.settings.admin_ids,
        )
    edited, pending = apply_redaction_edits(ask.client, ask.deps.sessions, ask.plan_id, ask.deps.clock())
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
