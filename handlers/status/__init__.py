"""Where are we? /qib status, summary, mine, overdue, due, stale, priority and history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services.errors import InvalidInput
from bot.usecases import status as usecase
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, ask_from
from handlers.measures.render import with_measures
from handlers.outcomes import ok
from handlers.status import milestone, render

if TYPE_CHECKING:
    from slack_bolt import Ack, App


def register(app: App, router: Router) -> None:
    router.add(
        "status",
        "/qib status [area, milestone or words]",
        "the whole plan, or one area or milestone",
        status,
        order=1,
    )
    router.add(
        "summary",
        "/qib summary [share]",
        "the board paper in brief: headline, decisions, exceptions, completions, measures, the month ahead",
        summary,
        order=2,
    )
    router.add(
        "mine", "/qib mine", "your milestones (and those you cover), with Update buttons", mine, order=3
    )
    router.add("overdue", "/qib overdue", "milestones past their due date and not complete", overdue, order=4)
    router.add("due", "/qib due [N days]", "what falls due in N days, or before the next board", due, order=5)
    router.add("stale", "/qib stale", "open milestones with no update since the last board", stale, order=6)
    router.add(
        "priority",
        "/qib priority [code]",
        "the strategic priorities, or one with its milestones",
        priority,
        order=7,
    )
    router.add("history", "/qib history CODE", "every update of a milestone, who and when", history, order=8)
    app.action(render.SHARE_BUTTON)(on_share_summary)


def status(ask: Ask, args: str) -> Reply:
    if not args.strip():
        return render.overview_reply(usecase.overview(ask.deps.sessions, ask.asker()))
    return found_reply(ask, usecase.look_up(ask.deps.sessions, ask.asker(), args))


def found_reply(ask: Ask, found: usecase.Found) -> Reply:
    """The answer for what a search found: the area, priority or milestone, or the choices."""
    match found:
        case usecase.Choices(result):
            return render.choices_reply(result)
        case usecase.AreaFound(detail, measures):
            return with_measures(render.area_reply(detail), measures)
        case usecase.PriorityFound(report):
            return render.priority_reply(report)
        case usecase.MilestoneFound(detail, can_update):
            return milestone.milestone_reply(detail, can_update=can_update)
    raise AssertionError(found)  # pragma: no cover (every kind is matched above)


def summary(ask: Ask, args: str) -> Reply:
    shared = args.strip().lower() in {"share", "post", "channel"}
    return summary_reply(usecase.summary(ask.deps.sessions, ask.asker(), ask.paper_builder()), shared=shared)


def summary_reply(result: usecase.Paper | usecase.NoPaper, *, shared: bool) -> Reply:
    # Imported here: handlers.digest.render draws milestone lines with handlers.status.render, so a
    # process that starts from the renderer (the tick) runs this package's import half-way through its own.
    from handlers.digest.render import summary_message

    if isinstance(result, usecase.NoPaper):
        return render.summary_reply(result.summary, shared=shared)
    return summary_message(result.digest, shared=shared, meetings=render.meetings_line(result.calendar))


def mine(ask: Ask, args: str) -> Reply:
    return render.mine_reply(ok(usecase.mine(ask.deps.sessions, ask.asker())))


def overdue(ask: Ask, args: str) -> Reply:
    return render.overdue_reply(usecase.overdue(ask.deps.sessions, ask.asker()))


def due(ask: Ask, args: str) -> Reply:
    return render.due_reply(usecase.due(ask.deps.sessions, ask.asker(), parse_days(args)))


def parse_days(args: str) -> int | None:
    """`14`, `14 days`; None when nothing was typed (before the next board)."""
    words = args.lower().replace("days", " ").replace("day", " ").split()
    if not words:
        return None
    # ASCII digits, and few of them: int() refuses "²" and numbers of over 4,300 digits.
    if not (words[0].isascii() and words[0].isdigit() and len(words[0]) <= 4) or int(words[0]) > 3650:
        raise InvalidInput(f"“{args.strip()}” is not a number of days: try `/qib due 14`.")
    return int(words[0])


def stale(ask: Ask, args: str) -> Reply:
    return render.stale_reply(usecase.stale(ask.deps.sessions, ask.asker()))


def priority(ask: Ask, args: str) -> Reply:
    return render.priority_reply(ok(usecase.priorities(ask.deps.sessions, ask.asker(), args.strip() or None)))


def history(ask: Ask, args: str) -> Reply:
    if not args.strip():
        raise InvalidInput("Which milestone? Give its code: `/qib history` and the code.")
    found = ok(usecase.history_to_edit(ask.deps.sessions, ask.asker(), args))
    return milestone.history_reply(found.detail, editable=found.editable)


def on_share_summary(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    ack()
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    reply = summary(ask, "share")
    respond(**reply.payload(), response_type="in_channel", replace_original=False)
