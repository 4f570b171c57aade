"""Plan admins' commands: give a milestone a new owner, and set or clear who covers for whom."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.services.errors import InvalidInput
from bot.services.outbox import Claimed
from bot.services.updates import DelegateChange, OwnerChange
from bot.usecases import admin
from bot.usecases.base import Asker
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.direct_messages import dm_each_once
from handlers.outcomes import ok
from handlers.words import day

if TYPE_CHECKING:
    from slack_bolt import App

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
NOBODY = {"none", "nobody", "clear", "-"}


def _people(text: str) -> list[str]:
    """The people named in command text: @mentions as Slack sends them, else whitespace-separated keys."""
    mentions = _MENTION.findall(text)
    rest = _MENTION.sub(" ", text).split()
    return mentions + rest if mentions else rest


def owner(ask: Ask, args: str) -> Reply:
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        raise InvalidInput("Say which milestone and who: `/qib owner CODE @jo.bloggs`.")
    change = ok(admin.change_owner(ask.deps.sessions, admin.OwnerRequest(ask.asker(), parts[0], parts[1])))
    if change.changed:
        ask.deps.outbox.ring()  # the outbox DMs both owners
    return owner_reply(change)


def owner_reply(change: OwnerChange) -> Reply:
    text = (
        f"{change.milestone_code} {change.milestone_title} is now owned by {change.after_owner}"
        f" (was {change.before_owner or 'nobody'})."
        if change.changed
        else f"{change.milestone_code} is already owned by {change.after_owner}."
    )
    return Reply(text=text, blocks=[bk.section(bk.esc(text))])


def deliver_owner_change(ask: Ask, held: Claimed, record: Callable[[dict[str, Any]], None]) -> None:
    """The outbox's part of an owner change: a DM to the new and the former owner, each once, never to
    the admin who made it (`/qib history` keeps the change either way)."""
    progress = dict(held.progress)
    change = OwnerChange(**progress["change"])
    item = f"*{bk.esc(change.milestone_code)}* {bk.esc(change.milestone_title)}"
    by = bk.esc(change.changed_by or "an admin")
    notes = {
        change.after_slack_id: f":wave: {item} is now yours (until now: {bk.esc(change.before_owner or 'nobody')}), "
        f"from {by}. `/qib update {bk.esc(change.milestone_code)}` gives its first update from you.",
        change.before_slack_id: f":arrow_right: {item} is now owned by {bk.esc(change.after_owner or 'nobody')}, "
        f"from {by}: you no longer need to update it.",
    }
    recipients = [user for user in notes if user and user != progress.get("by")]

    def send(user: str) -> None:
        ask.client.chat_postMessage(channel=user, text=notes[user])

    told = progress.setdefault("told", [])
    dm_each_once(recipients, told, send, lambda: record(progress), what="tell an owner of a change")


def delegate(ask: Ask, args: str) -> Reply:
    change = ok(admin.change_delegate(ask.deps.sessions, parse_delegate(ask.asker(), args)))
    return delegate_reply(change)


def parse_delegate(who: Asker, args: str) -> admin.DelegateRequest:
    """`@from @to [until YYYY-MM-DD]`, or `@from none` to end the cover."""
    text, _, until_text = args.partition(" until ")
    until = None
    example = f"{who.today + timedelta(weeks=4):%Y-%m-%d}"  # a date ahead, in the form it is read
    if until_text.strip():
        try:
            until = date.fromisoformat(until_text.strip())
        except ValueError:
            raise InvalidInput(
                f"“{bk.clip(until_text.strip(), 30)}” is not a date: write it like {example}."
            ) from None
    names = _people(text)
    if len(names) != 2:
        raise InvalidInput(
            f"Name two people: `/qib delegate @alex @jordan until {example}`, or "
            "`/qib delegate @alex none` to end the cover."
        )
    cover = None if names[1].lower() in NOBODY else names[1]
    return admin.DelegateRequest(who, names[0], cover, until)


def delegate_reply(change: DelegateChange) -> Reply:
    if change.after_delegate is None:
        reply = f"Nobody covers for {change.person_name} now."
    else:
        reply = f"{change.after_delegate} now covers for {change.person_name}" + (
            f" until {day(change.after_until)} {change.after_until.year}." if change.after_until else "."
        )
    return Reply(text=reply, blocks=[bk.section(bk.esc(reply))])


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add("owner", "/qib owner CODE @person", "admins: give a milestone a new owner", owner, order=40)
    router.add(
        "delegate",
        "/qib delegate @from @to [until YYYY-MM-DD]",
        "admins: who covers for someone (for leave), or `none` to clear",
        delegate,
        order=41,
    )
