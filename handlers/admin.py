"""Plan admins' commands: give a milestone a new owner, and set or clear who covers for whom."""

from __future__ import annotations

import logging
import re
from datetime import date

from bot.services.errors import DomainError, InvalidInput, NotFound
from bot.services.queries import PersonInfo, find_person
from bot.services.updates import OwnerChange, set_delegate
from bot.usecases.ownership import change_owner
from bot.usecases.results import Refused
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import subcommand
from handlers.context import Ask, actor_of
from handlers.updates.caller import caller_of
from handlers.words import day

log = logging.getLogger("qib.admin")

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
NOBODY = {"none", "nobody", "clear", "-"}


def _person(ask: Ask, text: str) -> PersonInfo:
    with ask.deps.sessions() as db:
        found = find_person(db, ask.plan_id, text)
    if found is None:
        raise NotFound(
            f"Nobody in the plan matches “{bk.clip(text, 60)}”: use their @name, key or full name."
        )
    return found


def _people(text: str) -> list[str]:
    """The people named in command text: @mentions as Slack sends them, else whitespace-separated keys."""
    mentions = _MENTION.findall(text)
    rest = _MENTION.sub(" ", text).split()
    return mentions + rest if mentions else rest


@subcommand("owner", "/qib owner CODE @person", "admins: give a milestone a new owner", order=40)
def owner(ask: Ask, args: str) -> Reply:
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        raise InvalidInput("Say which milestone and who: `/qib owner M-07 @jo.bloggs`.")
    change = change_owner(ask.deps.sessions, caller_of(ask), parts[0], parts[1])
    if isinstance(change, Refused):
        raise DomainError(change.reason)
    text = (
        f"{change.milestone_code} {change.milestone_title} is now owned by {change.after_owner}"
        f" (was {change.before_owner or 'nobody'})."
        if change.changed
        else f"{change.milestone_code} is already owned by {change.after_owner}."
    )
    if change.changed:
        _tell_owners(ask, change)
    return Reply(text=text, blocks=[bk.section(bk.esc(text))])


def _tell_owners(ask: Ask, change: OwnerChange) -> None:
    """A DM to the new and the former owner; never raises (the change is saved, and /qib history has it)."""
    item = f"*{bk.esc(change.milestone_code)}* {bk.esc(change.milestone_title)}"
    by = bk.esc(change.changed_by or "an admin")
    notes = {
        change.after_slack_id: f":wave: {item} is now yours (until now: {bk.esc(change.before_owner or 'nobody')}), "
        f"from {by}. `/qib update {bk.esc(change.milestone_code)}` gives its first update from you.",
        change.before_slack_id: f":arrow_right: {item} is now owned by {bk.esc(change.after_owner or 'nobody')}, "
        f"from {by}: you no longer need to update it.",
    }
    for user, text in notes.items():
        if not user or user == ask.user_id:
            continue
        try:
            ask.client.chat_postMessage(channel=user, text=text)
        except Exception as exc:
            log.warning("could not tell an owner of a change: %s", type(exc).__name__)


@subcommand(
    "delegate",
    "/qib delegate @from @to [until YYYY-MM-DD]",
    "admins: who covers for someone (for leave), or `none` to clear",
    order=41,
)
def delegate(ask: Ask, args: str) -> Reply:
    text, _, until_text = args.partition(" until ")
    until = None
    if until_text.strip():
        try:
            until = date.fromisoformat(until_text.strip())
        except ValueError:
            raise InvalidInput(
                f"“{bk.clip(until_text.strip(), 30)}” is not a date: write it like 2020-03-31."
            ) from None
    names = _people(text)
    if len(names) != 2:
        raise InvalidInput(
            "Name two people: `/qib delegate @alex @jordan until 2020-03-31`, or "
            "`/qib delegate @alex none` to end the cover."
        )
    actor = actor_of(ask)
    person = _person(ask, names[0])
    cover = None if names[1].lower() in NOBODY else _person(ask, names[1])
    with ask.deps.sessions.begin() as db:
        change = set_delegate(
            db=db,
            plan_id=ask.plan_id,
            person_id=person.id,
            delegate_id=cover.id if cover else None,
            until=until,
            actor_id=actor.person_id,
            now=ask.now,
            extra_admin_slack_ids=ask.settings.admin_ids,
        )
    if change.after_delegate is None:
        reply = f"Nobody covers for {change.person_name} now."
    else:
        reply = f"{change.after_delegate} now covers for {change.person_name}" + (
            f" until {day(change.after_until)} {change.after_until.year}." if change.after_until else "."
        )
    return Reply(text=reply, blocks=[bk.section(bk.esc(reply))])
