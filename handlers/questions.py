"""Questions in plain words, from /qib, a DM, a mention or a button: interpret, run the query, render.

The interpreter (bot.services.questions) is Slack-free; this module only maps its intents onto the
queries and renderers the subcommands already use, and builds the honest fallback.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App

from bot.services import queries
from bot.services.plans import PlanChoiceNeeded
from bot.services.questions import intents as q
from bot.services.questions import interpret, normalise, typed_command
from bot.services.questions.interpret import as_typed
from bot.services.questions.terms import PlanWords, plan_words
from bot.services.search import search
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.commands.router import ROUTES, route
from handlers.context import Ask, ask_from
from handlers.plans import chooser_reply, serves_several
from handlers.status import render, status_found

ASK_BUTTON = "ask_question"


def register(app: App) -> None:
    app.action(re.compile(rf"^{ASK_BUTTON}:"))(on_ask_button)


PLANLESS = frozenset({"plan", "help"})  # answered before anyone has said which plan they mean


def answer(ask: Ask, text: str) -> Reply:
    """The reply to a question or a /qib command line, whichever surface it came from; the plan
    chooser when several plans could be meant."""
    try:
        return _answer(ask, text)
    except PlanChoiceNeeded as need:
        return chooser_reply(need)


def _answer(ask: Ask, text: str) -> Reply:
    commands = frozenset(ROUTES)
    direct = typed_command(text, ask.today(), commands)
    if isinstance(direct, q.Command) and direct.name == "plan" and direct.args and not serves_several(ask):
        commands -= {"plan"}  # one plan: "plan ..." is read as a question, as it always was
        direct = typed_command(text, ask.today(), commands)
    if isinstance(direct, q.Help):
        return route("help").run(ask, "")
    if isinstance(direct, q.Command) and direct.name in PLANLESS:
        return route(direct.name).run(ask, direct.args)
    if direct is not None:  # `/qib summary`, `/qib update M-05 ...`: no need to read the plan's words
        return run(ask, direct, None)
    with ask.deps.sessions() as db:
        words = plan_words(db, ask.plan_id, commands)
    intent = interpret(text, ask.today(), words.terms)
    if (
        isinstance(intent, q.Status)
        and intent.topic
        and normalise(text).removeprefix("/qib ") == intent.topic
    ):
        return _status(ask, intent.topic, words, bare=True, typed=text)
    return run(ask, intent, words, typed=text)


def run(  # noqa: C901 (one branch per intent)
    ask: Ask, intent: q.Intent, loaded: PlanWords | None, *, typed: str = ""
) -> Reply:
    """Answer an intent; ``loaded``: the plan's words if already read (read here only if needed);
    ``typed``: the text as the person wrote it, for quoting it back."""
    words = loaded or _LazyWords(ask)
    today, now, plan_id = ask.today(), ask.now, ask.plan_id
    match intent:
        case q.Command(name, args):
            return route(name).run(ask, args)
        case q.Help():
            return route("help").run(ask, "")
        case q.Greeting():
            return greeting_reply(words)
        case q.Summary():
            return route("summary").run(ask, "")
        case q.Status(topic):
            return route("status").run(ask, topic) if not topic else _status(ask, topic, words, typed=typed)
        case q.ByRating(ratings):
            with ask.deps.sessions() as db:
                return render.rated_reply(
                    queries.by_rating(db=db, plan_id=plan_id, today=today, ratings=ratings, now=now)
                )
        case q.Overdue():
            return route("overdue").run(ask, "")
        case q.Stale():
            return route("stale").run(ask, "")
        case q.Due(frm, until, reading):
            with ask.deps.sessions() as db:
                result = queries.due_soon(db=db, plan_id=plan_id, today=today, frm=frm, until=until, now=now)
            return render.due_reply(result, reading=reading)
        case q.Owned(who, mine):
            if mine:
                return route("mine").run(ask, "")
            return _owned(ask, who, words)
        case q.Decisions():
            with ask.deps.sessions() as db:
                summary = queries.chair_summary(db=db, plan_id=plan_id, today=today, now=now)
            return decisions_reply(summary)
        case q.History(topic):
            return route("history").run(ask, topic)
        case q.Changes(since, reading):
            with ask.deps.sessions() as db:
                calendar, changed = queries.changes(db=db, plan_id=plan_id, today=today, since=since, now=now)
            return changes_reply(calendar, changed, since=since)
        case q.Meetings():
            return route("meetings").run(ask, "")
        case q.Priorities(code):
            return route("priority").run(ask, code)
        case q.Measure(topic):
            return route("measures").run(ask, topic)
        case q.NotUnderstood(text, _):
            return fallback_reply(as_typed(text, typed), words)
    return fallback_reply("", words)  # pragma: no cover (every intent is matched above)


class _LazyWords:
    """The plan's words, read on first use: most typed subcommands never need them."""

    def __init__(self, ask: Ask) -> None:
        self._ask = ask
        self._words: PlanWords | None = None

    def first(self, kind: str) -> Any:
        if self._words is None:
            with self._ask.deps.sessions() as db:
                self._words = plan_words(db, self._ask.plan_id, frozenset(ROUTES))
        return self._words.first(kind)


Words = PlanWords | _LazyWords


def _status(ask: Ask, topic: str, words: Words, *, bare: bool = False, typed: str = "") -> Reply:
    """``bare``: the words were all there was (`/qib frobnicate the plan`, `/qib import`), not a
    question: when nothing matches they may be a subcommand we do not have, so the help comes first."""
    with ask.deps.sessions() as db:
        found = search(db, ask.plan_id, topic)
        if found.kind != "none":
            return status_found(ask, db, found)
    fallback = fallback_reply(as_typed(topic, typed), words)
    if not bare:
        return fallback
    help_reply = route("help").run(ask, "")
    return Reply(text=help_reply.text + "\n\n" + fallback.text, blocks=help_reply.blocks + fallback.blocks)


def _owned(ask: Ask, who: str, words: Words) -> Reply:
    with ask.deps.sessions() as db:
        person = queries.find_person(db, ask.plan_id, who)
        if person is None:
            return fallback_reply(who, words)
        result = queries.milestones_for(db=db, plan_id=ask.plan_id, today=ask.today(), person_id=person.id)
    return render.mine_reply(result)


# ---------------------------------------------------------------- replies of their own


def _buttons(offered: list[tuple[str, str]]) -> dict[str, Any]:
    """One button per question; action ids differ (Slack refuses repeats) and share a prefix."""
    return bk.actions(
        *(
            bk.button(bk.clip(label, 75), f"{ASK_BUTTON}:{i}", question)
            for i, (label, question) in enumerate(offered)
        )
    )


def suggestions(words: Words) -> list[tuple[str, str]]:
    """Two or three questions this plan can answer, from its own codes and titles: (label, question)."""
    found: list[tuple[str, str]] = []
    area = words.first("area")
    if area is not None:
        found.append((f"How is {area.code} {area.title} doing?", f"status {area.code}"))
    found.append(("What's overdue?", "overdue"))
    found.append(("What's due before the next board?", "due"))
    return found[:3]


def fallback_reply(text: str, words: Words) -> Reply:
    """Say what was understood, and offer a few questions that do work here, as buttons."""
    understood = (
        f"I read that as a question about “{text}”, but nothing in this plan matches it."
        if text.strip()
        else "I couldn't tell what you were asking."
    )
    offered = suggestions(words)
    blocks = [
        bk.section(bk.esc(understood) + " You could ask:"),
        _buttons(offered),
        bk.context("Or `/qib help` for everything I can answer."),
    ]
    fallback = understood + " You could ask: " + "; ".join(label for label, _ in offered)
    return Reply(text=fallback, blocks=blocks)


def greeting_reply(words: Words) -> Reply:
    """A short hello and what to ask, not the whole summary."""
    offered = suggestions(words)
    text = "Hello! Ask me about the improvement plan in your own words, or try one of these."
    blocks = [
        bk.section(text),
        _buttons(offered),
        bk.context("`/qib help` lists everything I can answer."),
    ]
    return Reply(text=text + " " + "; ".join(label for label, _ in offered), blocks=blocks)


def decisions_reply(s: queries.ChairSummary) -> Reply:
    """The plan records no decisions as such: what the board is asked to weigh up are its exceptions."""
    today = s.calendar.today
    shown = [e for e in s.exceptions if e.kind != "stale"]
    return render.list_reply(
        "For the board's decision: red, amber and overdue milestones",
        "Nothing is red, amber or overdue, so nothing needs a decision from the board.",
        [e.row for e in shown],
        today,
        note="The plan does not record decisions; these are the exceptions the board is asked to consider.",
    )


def changes_reply(
    calendar: queries.BoardCalendar, changed: list[queries.Change], *, since: date | None
) -> Reply:
    today = calendar.today
    if since is not None:
        title = f"Changes since {render.day_in(since, today)}"
    elif calendar.previous_on is not None:
        title = f"Changes since the last board ({render.day_in(calendar.previous_on, today)})"
    else:
        title = "Changes (the board has not met yet)"
    lines = [
        f"*{bk.esc(c.code)}* {bk.esc(c.title)}: "
        + (
            f"{c.from_status.value if c.from_status else 'new'} → {c.to_status.value}"
            if c.moved
            else c.to_status.value
        )
        + f", {c.to_percent}% ({c.updates} update{'s' if c.updates != 1 else ''})"
        for c in changed
    ]
    blocks = [bk.header(title)]
    blocks += render.packed(lines) if lines else [bk.section("No updates since then.")]
    text = render._text(
        f"{title}: {len(changed)} milestone(s) updated", *(line.replace("*", "") for line in lines)
    )
    return Reply(text=text, blocks=bk.fit(blocks))


def on_ask_button(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    ack()
    question = ((body.get("actions") or [{}])[0]).get("value") or ""
    ask = ask_from(context, client, user_id=body["user"]["id"], channel_id=None, surface="action")
    reply = answer(ask, question)
    if reply.visibility != "none":
        respond(**reply.payload(), response_type="ephemeral", replace_original=False)
