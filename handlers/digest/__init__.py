"""/qib digest preview (chair and admins) and /qib digest show [DATE]: the digest as it will be, or as it was."""

from __future__ import annotations

from bot.services.digest import frozen_digest
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.people import can_preview_digest
from bot.services.text import mrkdwn_unescape
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import subcommand
from handlers.context import Ask, actor_of
from handlers.digest.render import digest_message
from handlers.words import local_moment

USAGE = "Use `/qib digest preview` (chair and admins) or `/qib digest show [YYYY-MM-DD]`."


@subcommand(
    "digest",
    "/qib digest preview | show [DATE]",
    "the next digest as it would be posted now, or a past one",
    order=32,
)
def digest(ask: Ask, args: str) -> Reply:
    words = args.split()
    action = words[0].lower() if words else "show"
    if action == "preview":
        return preview(ask)
    if action == "show":
        return show(ask, words[1] if len(words) > 1 else None)
    raise InvalidInput(f"“{bk.clip(args, 40)}” is not a digest command. {USAGE}")


def preview(ask: Ask) -> Reply:
    from bot.scheduler import Scheduler

    if not can_preview_digest(actor_of(ask)):
        raise NotAllowed(
            "Only the board's chair and plan admins can preview the digest; `/qib summary` shows "
            "everyone where the plan stands."
        )
    digest = Scheduler(ask.plan_deps, ask.settings, ask.client).preview(ask.now)
    reply = digest_message(digest)
    blocks = [
        bk.context(":eyes: Preview: this is the digest as it would be posted now; only you can see it."),
        *reply.blocks,
    ]
    return Reply(text="Preview: " + reply.text, blocks=bk.fit(blocks))


def show(ask: Ask, when: str | None) -> Reply:
    from datetime import date

    meeting_on = None
    if when:
        try:
            meeting_on = date.fromisoformat(when)
        except ValueError:
            raise InvalidInput(f"“{bk.clip(when, 40)}” is not a date: write it like 2020-02-20.") from None
    with ask.deps.sessions() as db:
        frozen = frozen_digest(db=db, plan_id=ask.plan_id, meeting_on=meeting_on)
    posted = local_moment(frozen.posted_at, frozen.digest.timezone or ask.plan_deps.timezone())
    blocks = [
        bk.context(f"As posted on {posted}" + (" (late)" if frozen.late else "") + "."),
        *frozen.message.get("blocks", []),
    ]
    # The stored fallback was escaped when it was posted; Reply escapes it again on the way out.
    text = mrkdwn_unescape(frozen.message.get("text") or "The digest")
    return Reply(text=text, blocks=bk.fit(blocks))
