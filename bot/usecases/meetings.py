"""Board meetings: the next few (anyone), and moving, cancelling or adding one (chair and admins)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Literal

from bot.services import meetings
from bot.services.errors import InvalidInput
from bot.services.meetings import MeetingChange, Upcoming
from bot.services.people import actor_for, can_manage_meetings
from bot.services.schedule import PostTimes
from bot.usecases.base import Asker, Sessions, refusing, require_actor

Verb = Literal["move", "cancel", "add"]
USAGE_FIELD = "usage"  # a Refused about this field is shown with the command's usage under it


@dataclass(frozen=True)
class Listing:
    """The next meetings, and whether the person asking may change them (they are offered how)."""

    upcoming: Upcoming
    may_change: bool


@dataclass(frozen=True)
class ChangeRequest:
    who: Asker
    verb: Verb
    words: tuple[str, ...]  # what follows the verb: `DATE [to] NEWDATE [at HH:MM]`, `DATE`, `DATE [HH:MM]`
    posts: PostTimes


@dataclass(frozen=True)
class MeetingDates:
    verb: Verb
    on: date
    to: date | None = None
    at: time | None = None


def usage_problem(problem: str = "") -> InvalidInput:
    return InvalidInput(problem, field=USAGE_FIELD)


def read_dates(verb: Verb, words: list[str], *, today: date) -> MeetingDates:
    """`DATE NEWDATE [HH:MM]`, `DATE` or `DATE [HH:MM]` after the verb; "to" and "at" may be written.

    Pure: dates are read by meetings.take_date (ISO, 4/5/2020, 4 May 2020, 4 May), times by parse_time.
    """
    if not words:
        raise usage_problem("Which meeting? Give its date.")  # the usage below gives examples
    on, rest = meetings.take_date(words, today=today)
    to = at = None
    if verb == "move":
        if rest and rest[0].lower() == "to":
            rest = rest[1:]
        if not rest:
            raise usage_problem("Move it to which date?")
        to, rest = meetings.take_date(rest, today=today)
    if verb in ("move", "add") and rest:
        if rest[0].lower() == "at" and len(rest) > 1:
            rest = rest[1:]
        at, rest = meetings.parse_time(rest[0]), rest[1:]
    if rest:
        raise usage_problem(f"I didn't understand “{' '.join(rest)}” at the end.")
    return MeetingDates(verb=verb, on=on, to=to, at=at)


def list_meetings(sessions: Sessions, who: Asker, posts: PostTimes) -> Listing:
    with sessions() as db:
        result = meetings.upcoming(db=db, plan_id=who.plan_id, now=who.now, posts=posts)
        actor = actor_for(db, who.plan_id, who.user_id, who.admin_ids)
    return Listing(result, may_change=can_manage_meetings(actor))


@refusing
def change_meeting(sessions: Sessions, req: ChangeRequest) -> MeetingChange:
    """Move, cancel or add one meeting. Someone who may not is refused before their dates are read."""
    who = req.who
    with sessions.begin() as db:
        actor = require_actor(db, who)
        meetings.ensure_can_manage(db=db, plan_id=who.plan_id, actor=actor)
        dates = read_dates(req.verb, list(req.words), today=who.today)
        plan_id, now, posts = who.plan_id, who.now, req.posts
        if dates.verb == "move":
            assert dates.to is not None
            return meetings.move_meeting(
                db=db,
                plan_id=plan_id,
                actor=actor,
                on=dates.on,
                to=dates.to,
                at=dates.at,
                now=now,
                posts=posts,
            )
        if dates.verb == "cancel":
            return meetings.cancel_meeting(
                db=db, plan_id=plan_id, actor=actor, on=dates.on, now=now, posts=posts
            )
        return meetings.add_meeting(
            db=db, plan_id=plan_id, actor=actor, on=dates.on, at=dates.at, now=now, posts=posts
        )
