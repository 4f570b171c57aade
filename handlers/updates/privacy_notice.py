"""A direct message to the plan's privacy officer when an owner saves over the personal-data check."""

from __future__ import annotations

import logging

from bot.services.privacy import WHAT
from bot.services.privacy_plan import privacy_officers
from bot.services.updates import UpdateResult
from handlers import blocks as bk
from handlers.context import Ask

log = logging.getLogger("qib.privacy")


def override_notice(result: UpdateResult) -> str:
    """Names the milestone, the author and the kinds found: never the text itself."""
    kinds = ", ".join(WHAT.get(k, k.replace("_", " ")) for k in result.override_kinds)
    who = bk.esc(result.author_name or "someone")
    return (
        f":lock: *Personal data check overridden* on *{bk.esc(result.milestone_code)}* "
        f"{bk.esc(result.milestone_title)}: {who} confirmed that what the check flagged ({kinds}) is not "
        f"about a child, and gave a reason (in the audit log). If it is, ask an admin to redact the update."
    )


def tell_privacy_officer(ask: Ask, result: UpdateResult) -> None:
    """Never raises: the update is saved; a lost notice is logged (without any text) and not retried."""
    try:
        with ask.deps.sessions() as db:
            officers = [p.slack_user_id for p in privacy_officers(db, ask.plan_id) if p.slack_user_id]
        text = override_notice(result)
        for user in officers:
            ask.client.chat_postMessage(channel=user, text=text, blocks=[bk.section(text)])
        if not officers:
            log.warning("a personal data override has no privacy officer or chair with a Slack id to tell")
    except Exception as exc:
        log.warning("could not tell the privacy officer of an override: %s", type(exc).__name__)
