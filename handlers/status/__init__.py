"""Where are we? /qib status, summary, mine, overdue, due, stale, priority and history."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.services import queries
from bot.services.errors import InvalidInput, NotFound
from bot.services.measures import read_measures, select_measures
from bot.services.search import SearchResult, search
from bot.usecases.updates import Caller, editable, may_update
from handlers.blocks import Reply
from handlers.commands.router import subcommand
from handlers.context import Ask, actor_of, ask_from
from handlers.measures.render import with_measures
from handlers.status import render


def register(app: App) -> None:
    app.action(render.SHARE_BUTTON)(on_share_summary)


@subcommand(
    "status", "/qib status [area, milestone or words]", "the whole plan, or one area or milestone", order=1
)
def status(ask: Ask, args: str) -> Reply:
    if not args.strip():
        with ask.deps.sessions() as db:
            return render.overview_reply(
                queries.plan_overview(db=db, plan_id=ask.plan_id, today=ask.today(), now=ask.now)
            )
    with ask.deps.sessions() as db:
        return status_found(ask, db, search(db, ask.plan_id, args))


def status_found(ask: Ask, db: Session, found: SearchResult) -> Reply:
    """The answer for what a search found (in the same session): the area, priority or milestone,
    or the choices."""
    if found.match is None:
        return render.choices_reply(found)
    hit, today = found.match, ask.today()
    if hit.kind == "area":
        return with_measures(
            render.area_reply(queries.area_detail(db=db, plan_id=ask.plan_id, today=today, code=hit.code)),
            select_measures(read_measures(db=db, plan_id=ask.plan_id, today=today), hit.code),
        )
    if hit.kind == "priority":
        return render.priority_reply(
            queries.by_priority(db=db, plan_id=ask.plan_id, today=today, code=hit.code)
        )
    detail = queries.milestone_detail(db=db, plan_id=ask.plan_id, today=today, code=hit.code)
    return render.milestone_reply(detail, can_update=_may_update(ask, detail))


def _may_update(ask: Ask, detail: queries.MilestoneDetail) -> bool:
    """The plan's one rule (owner, their cover, an admin), asked of the update use case."""
    return may_update(ask.deps.sessions, _caller(ask), detail.row.code)


def _caller(ask: Ask) -> Caller:
    return Caller(
        user_id=ask.user_id,
        plan_id=ask.plan_id,
        now=ask.now,
        today=ask.today(),
        admins=ask.settings.admin_ids,
    )


@subcommand(
    "summary",
    "/qib summary [share]",
    "the board paper in brief: headline, decisions, exceptions, completions, measures, the month ahead",
    order=2,
)
def summary(ask: Ask, args: str) -> Reply:
    from bot.scheduler import Scheduler
    from handlers.digest.render import summary_message

    shared = args.strip().lower() in {"share", "post", "channel"}
    try:
        paper = Scheduler(ask.deps, ask.settings, ask.client).preview(ask.now)
    except NotFound:  # no board (or none in the next year): the plan's view without a paper to follow
        with ask.deps.sessions() as db:
            result = queries.chair_summary(db=db, plan_id=ask.plan_id, today=ask.today(), now=ask.now)
        return render.summary_reply(result, shared=shared)
    with ask.deps.sessions() as db:
        calendar = queries.board_calendar(db=db, plan_id=ask.plan_id, today=ask.today(), now=ask.now)
    return summary_message(paper, shared=shared, meetings=render.meetings_line(calendar))


@subcommand("mine", "/qib mine", "your milestones (and those you cover), with Update buttons", order=3)
def mine(ask: Ask, args: str) -> Reply:
    actor = actor_of(ask)
    with ask.deps.sessions() as db:
        result = queries.milestones_for(
            db=db, plan_id=ask.plan_id, today=ask.today(), person_id=actor.person_id
        )
    return render.mine_reply(result)


@subcommand("overdue", "/qib overdue", "milestones past their due date and not complete", order=4)
def overdue(ask: Ask, args: str) -> Reply:
    with ask.deps.sessions() as db:
        return render.overdue_reply(queries.overdue(db=db, plan_id=ask.plan_id, today=ask.today()))


@subcommand("due", "/qib due [N days]", "what falls due in N days, or before the next board", order=5)
def due(ask: Ask, args: str) -> Reply:
    words = args.lower().replace("days", " ").replace("day", " ").split()
    days = None
    if words:
        # ASCII digits, and few of them: int() refuses "²" and numbers of over 4,300 digits.
        if not (words[0].isascii() and words[0].isdigit() and len(words[0]) <= 4) or int(words[0]) > 3650:
            raise InvalidInput(f"“{args.strip()}” is not a number of days: try `/qib due 14`.")
        days = int(words[0])
    with ask.deps.sessions() as db:
        return render.due_reply(
            queries.due_soon(db=db, plan_id=ask.plan_id, today=ask.today(), days=days, now=ask.now)
        )


@subcommand("stale", "/qib stale", "open milestones with no update since the last board", order=6)
def stale(ask: Ask, args: str) -> Reply:
    with ask.deps.sessions() as db:
        return render.stale_reply(queries.stale(db=db, plan_id=ask.plan_id, today=ask.today()))


@subcommand(
    "priority", "/qib priority [code]", "the strategic priorities, or one with its milestones", order=7
)
def priority(ask: Ask, args: str) -> Reply:
    with ask.deps.sessions() as db:
        report = queries.by_priority(db=db, plan_id=ask.plan_id, today=ask.today(), code=args.strip() or None)
    return render.priority_reply(report)


@subcommand("history", "/qib history CODE", "every update of a milestone, who and when", order=8)
def history(ask: Ask, args: str) -> Reply:
    if not args.strip():
        raise InvalidInput("Which milestone? Give its code: `/qib history` and the code.")
    with ask.deps.sessions() as db:
        code = args.strip().split()[0]
        found = search(db, ask.plan_id, code)
        if found.match is not None and found.match.kind == "milestone":
            code = found.match.code
        detail = queries.milestone_detail(db=db, plan_id=ask.plan_id, today=ask.today(), code=code)
    return render.history_reply(detail, editable=editable(ask.deps.sessions, _caller(ask), detail.row.code))


def on_share_summary(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    ack()
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    reply = summary(ask, "share")
    respond(**reply.payload(), response_type="in_channel", replace_original=False)
