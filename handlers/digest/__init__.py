"""/qib digest preview (chair and admins) and /qib digest show [DATE]: the digest as it will be, or as it was."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.services.digest import Digest
from bot.services.errors import InvalidInput
from bot.services.text import mrkdwn_unescape
from bot.usecases import digest as usecase
from bot.usecases.digest import Posted, ShowRequest
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.digest.render import digest_front
from handlers.outcomes import ok
from handlers.words import local_moment

if TYPE_CHECKING:
    from slack_bolt import App

USAGE = "Use `/qib digest preview` (chair and admins) or `/qib digest show [YYYY-MM-DD]`."


def digest(ask: Ask, args: str) -> Reply:
    words = args.split()
    action = words[0].lower() if words else "show"
    if action == "preview":
        return preview(ask)
    if action == "show":
        return show(ask, words[1] if len(words) > 1 else None)
    raise InvalidInput(f"“{bk.clip(args, 40)}” is not a digest command. {USAGE}")


def preview(ask: Ask) -> Reply:
    return preview_reply(ok(usecase.preview(ask.deps.sessions, ask.asker(), ask.paper_builder())))


def preview_reply(digest: Digest) -> Reply:
    reply = digest_front(digest)
    blocks = [
        bk.context(":eyes: Preview: this is the digest as it would be posted now; only you can see it."),
        *reply.blocks,
    ]
    return Reply(text="Preview: " + reply.text, blocks=bk.fit(blocks))


def show(ask: Ask, when: str | None) -> Reply:
    meeting_on = None
    if when:
        try:
            meeting_on = date.fromisoformat(when)
        except ValueError:
            raise InvalidInput(f"“{bk.clip(when, 40)}” is not a date: write it like 2020-02-20.") from None
    return posted_reply(ok(usecase.show(ask.deps.sessions, ShowRequest(ask.asker(), meeting_on))))


def posted_reply(posted: Posted) -> Reply:
    frozen = posted.frozen
    blocks = [
        bk.context(
            f"As posted on {local_moment(frozen.posted_at, posted.timezone)}"
            + (" (late)" if frozen.late else "")
            + "."
        ),
        *frozen.message.get("blocks", []),
    ]
    # The stored fallback was escaped when it was posted; Reply escapes it again on the way out.
    text = mrkdwn_unescape(frozen.message.get("text") or "The digest")
    return Reply(text=text, blocks=bk.fit(blocks))


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add(
        "digest",
        "/qib digest preview | show [DATE]",
        "the next digest as it would be posted now, or a past one",
        digest,
        order=32,
    )
