"""Board meetings: /qib meetings (the next three) and /qib meeting move|cancel|add (chair and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from slack_bolt import App

from bot.deps import post_times
from bot.services import meetings
from bot.services.errors import InvalidInput
from bot.services.people import actor_for, can_manage_meetings
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, actor_of
from handlers.meetings import render

Verb = Literal["move", "cancel", "add"]
_VERBS: dict[str, Verb] = {
    "move": "move",
    "mv": "move",
    "reschedule": "move",
    "cancel": "cancel",
    "delete": "cancel",
    "remove": "cancel",
    "add": "add",
    "new": "add",
    "extra": "add",
}


@dataclass(frozen=True)
class MeetingRequest:
    verb: Verb
    on: date
    to: date | None = None
    at: time | None = None


def usage_error(problem: str = "") -> InvalidInput:
    return InvalidInput((problem + "\n\n" if problem else "") + render.USAGE)


def parse_verb(args: str) -> tuple[Verb, list[str]]:
    """The first word as move, cancel or add; InvalidInput with the usage otherwise."""
    words = args.split()
    if not words:
        raise usage_error()
    verb = _VERBS.get(words[0].lower())
    if verb is None:
        raise usage_error(f"I don't know how to “{words[0]}” a meeting.")
    return verb, words[1:]


def parse_request(verb: Verb, words: list[str], *, today: date) -> MeetingRequest:
    """`DATE NEWDATE [HH:MM]`, `DATE` or `DATE [HH:MM]` after the verb; "to" and "at" may be written.

    Pure: dates are read by meetings.take_date (ISO, 4/5/2020, 4 May 2020, 4 May), times by parse_time.
    """
    if not words:
        raise usage_error(f"Which meeting? Give its date, e.g. `/qib meeting {verb} 2020-02-20`.")
    on, rest = meetings.take_date(words, today=today)
    to = at = None
    if verb == "move":
        if rest and rest[0].lower() == "to":
            rest = rest[1:]
        if not rest:
            raise usage_error("Move it to which date? e.g. `/qib meeting move 2020-02-20 2020-02-27`.")
        to, rest = meetings.take_date(rest, today=today)
    if verb in ("move", "add") and rest:
        if rest[0].lower() == "at" and len(rest) > 1:
            rest = rest[1:]
        at, rest = meetings.parse_time(rest[0]), rest[1:]
    if rest:
        raise usage_error(f"I didn't understand “{' '.join(rest)}” at the end.")
    return MeetingRequest(verb=verb, on=on, to=to, at=at)


def meetings_command(ask: Ask, args: str) -> Reply:
    with ask.deps.sessions() as db:
        result = meetings.upcoming(db=db, plan_id=ask.plan_id, now=ask.now, posts=post_times(ask.settings))
        actor = actor_for(db, ask.plan_id, ask.user_id, ask.settings.admin_ids)
    return render.upcoming_reply(result, chair=can_manage_meetings(actor))


def meeting_command(ask: Ask, args: str) -> Reply:
    verb, words = parse_verb(args)
    actor = actor_of(ask)
    with ask.deps.sessions() as db:  # refuse before complaining about the dates of someone who can't
        meetings.ensure_can_manage(db=db, plan_id=ask.plan_id, actor=actor)
    request = parse_request(verb, words, today=ask.today())
    posts = post_times(ask.settings)
    with ask.deps.sessions.begin() as db:
        if request.verb == "move":
            assert request.to is not None
            change = meetings.move_meeting(
                db=db,
                plan_id=ask.plan_id,
                actor=actor,
                on=request.on,
                to=request.to,
                at=request.at,
                now=ask.now,
                posts=posts,
            )
        elif request.verb == "cancel":
            change = meetings.cancel_meeting(
                db=db, plan_id=ask.plan_id, actor=actor, on=request.on, now=ask.now, posts=posts
            )
        else:
            change = meetings.add_meeting(
                db=db,
                plan_id=ask.plan_id,
                actor=actor,
                on=request.on,
                at=request.at,
                now=ask.now,
                posts=posts,
            )
    return render.change_reply(change)


def register(app: App, router: Router) -> None:
    """This feature's /qib subcommands."""
    router.add(
        "meetings",
        "/qib meetings",
        "the next three board meetings, with digest and reminder dates",
        meetings_command,
        order=30,
    )
    router.add(
        "meeting",
        "/qib meeting move|cancel|add DATE [NEWDATE]",
        "chair and admins: move, cancel or add a board meeting",
        meeting_command,
        order=31,
    )
