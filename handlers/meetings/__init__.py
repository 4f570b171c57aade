"""Board meetings: /qib meetings (the next three) and /qib meeting move|cancel|add (chair and admins)."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING

from bot.deps import post_times
from bot.services.errors import InvalidInput
from bot.services.meetings import MeetingChange
from bot.usecases import meetings as usecase
from bot.usecases.meetings import Verb
from bot.usecases.results import Refused
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask
from handlers.meetings import render
from handlers.outcomes import ok

if TYPE_CHECKING:
    from slack_bolt import App

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


class UsageError(InvalidInput):
    """The command was not written as it should be: answered with the usage under the problem."""

    def __init__(self, problem: str = "", example: date | None = None, at: time | None = None) -> None:
        super().__init__((problem + "\n\n" if problem else "") + render.usage(example, at))
        self.problem = problem


def usage_error(problem: str = "") -> UsageError:
    return UsageError(problem)


def parse_verb(args: str) -> tuple[Verb, list[str]]:
    """The first word as move, cancel or add; InvalidInput with the usage otherwise."""
    words = args.split()
    if not words:
        raise usage_error()
    verb = _VERBS.get(words[0].lower())
    if verb is None:
        raise usage_error(f"I don't know how to “{words[0]}” a meeting.")
    return verb, words[1:]


def meetings_command(ask: Ask, args: str) -> Reply:
    listing = usecase.list_meetings(ask.deps.sessions, ask.asker(), post_times(ask.settings))
    return render.upcoming_reply(listing.upcoming, chair=listing.may_change)


def meeting_command(ask: Ask, args: str) -> Reply:
    try:
        verb, words = parse_verb(args)
        request = usecase.ChangeRequest(ask.asker(), verb, tuple(words), post_times(ask.settings))
        return render.change_reply(ok(with_usage(usecase.change_meeting(ask.deps.sessions, request))))
    except UsageError as wrong:  # the examples are the plan's own next meeting, not a date it never had
        listing = usecase.list_meetings(ask.deps.sessions, ask.asker(), post_times(ask.settings))
        ahead = listing.upcoming.meetings[:1]
        if not ahead:
            raise
        raise UsageError(wrong.problem, ahead[0].on, ahead[0].start_time) from None


def with_usage(result: MeetingChange | Refused) -> MeetingChange | Refused:
    """A date the command could not read is answered with the command's usage under the problem."""
    if isinstance(result, Refused) and result.field == usecase.USAGE_FIELD:
        raise usage_error(result.reason)
    return result


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
