"""Questions in plain words, from /qib, a DM, a mention or a button: interpret, run the query, render.

The interpreter (bot.services.questions) is Slack-free; this module only maps its intents onto the
queries and renderers the subcommands already use, and builds the honest fallback.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.services import queries
from bot.services.plans import PlanChoiceNeeded
from bot.services.questions import intents as q
from bot.services.questions import typed_command
from bot.services.questions.interpret import as_typed
from bot.services.questions.terms import PlanWords
from bot.usecases import questions
from handlers import blocks as bk
from handlers import status as status_handlers
from handlers.blocks import Reply
from handlers.commands.router import Router
from handlers.context import Ask, ask_from
from handlers.plan_chooser import chooser_reply, serves_several
from handlers.status import render

if TYPE_CHECKING:
    from slack_bolt import Ack, App

ASK_BUTTON = "ask_question"


def register(app: App, router: Router) -> None:
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
    commands = ask.router.names()
    direct = typed_command(text, ask.today(), commands)
    if isinstance(direct, q.Command) and direct.name == "plan" and direct.args and not serves_several(ask):
        commands -= {"plan"}  # one plan: "plan ..." is read as a question, as it always was
    elif isinstance(direct, q.Help):
        return ask.router.route("help").run(ask, "")
    elif isinstance(direct, q.Command) and direct.name in PLANLESS:
        return ask.router.route(direct.name).run(ask, direct.args)
    asked = questions.understand(ask.deps.sessions, ask.asker(), text, commands)
    if asked.bare_topic and isinstance(asked.intent, q.Status) and asked.words is not None:
        return _status(ask, asked.intent.topic, asked.words, bare=True, typed=text)
    return run(ask, asked.intent, asked.words, typed="" if asked.direct else text)


def run(ask: Ask, intent: q.Intent, loaded: PlanWords | None, *, typed: str = "") -> Reply:
    """Answer an intent; ``loaded``: the plan's words if already read (read here only if needed);
    ``typed``: the text as the person wrote it, for quoting it back."""
    words = loaded or _LazyWords(ask)
    routed = routed_to(intent)
    if routed is not None:
        return ask.router.route(routed[0]).run(ask, routed[1])
    match intent:
        case q.Greeting():
            return greeting_reply(words)
        case q.Status(topic):
            return _status(ask, topic, words, typed=typed)
        case q.Owned(who, _):
            return _owned(ask, who, words)
        case q.NotUnderstood(text, _):
            return fallback_reply(as_typed(text, typed), words)
    return _query_reply(ask, intent) or fallback_reply("", words)


def routed_to(intent: q.Intent) -> tuple[str, str] | None:  # noqa: C901 (one branch per intent)
    """The subcommand (and its arguments) that answers an intent, when one does."""
    match intent:
        case q.Command(name, args):
            return name, args
        case q.Status(topic) if not topic:
            return "status", topic
        case q.Owned(_, mine) if mine:
            return "mine", ""
        case q.History(topic):
            return "history", topic
        case q.Priorities(code):
            return "priority", code
        case q.Measure(topic):
            return "measures", topic
    simple = {
        q.Help: "help",
        q.Summary: "summary",
        q.Overdue: "overdue",
        q.Stale: "stale",
        q.Meetings: "meetings",
    }
    plain = simple.get(type(intent))
    return (plain, "") if plain else None


def _query_reply(ask: Ask, intent: q.Intent) -> Reply | None:
    """The questions no subcommand answers as such: by rating, due between dates, decisions, changes."""
    sessions, who = ask.deps.sessions, ask.asker()
    match intent:
        case q.ByRating(ratings):
            return render.rated_reply(questions.rated(sessions, who, ratings))
        case q.Due(frm, until, reading):
            return render.due_reply(questions.due_between(sessions, who, frm, until), reading=reading)
        case q.Decisions():
            return decisions_reply(questions.for_decision(sessions, who))
        case q.Changes(since, _):
            calendar, changed = questions.changes(sessions, who, since)
            return changes_reply(calendar, changed, since=since)
    return None


class _LazyWords:
    """The plan's words, read on first use: most typed subcommands never need them."""

    def __init__(self, ask: Ask) -> None:
        self._ask = ask
        self._words: PlanWords | None = None

    def first(self, kind: str) -> Any:
        if self._words is None:
            self._words = questions.words_of(
                self._ask.deps.sessions, self._ask.asker(), self._ask.router.names()
            )
        return self._words.first(kind)


Words = PlanWords | _LazyWords


def _status(ask: Ask, topic: str, words: Words, *, bare: bool = False, typed: str = "") -> Reply:
    """``bare``: the words were all there was (`/qib frobnicate the plan`, `/qib import`), not a
    question: when nothing matches they may be a subcommand we do not have, so the help comes first."""
    found = questions.about(ask.deps.sessions, ask.asker(), topic)
    if found is not None:
        return status_handlers.found_reply(ask, found)
    fallback = fallback_reply(as_typed(topic, typed), words)
    if not bare:
        return fallback
    help_reply = ask.router.route("help").run(ask, "")
    return Reply(text=help_reply.text + "\n\n" + fallback.text, blocks=help_reply.blocks + fallback.blocks)


def _owned(ask: Ask, who: str, words: Words) -> Reply:
    result = questions.owned_by(ask.deps.sessions, ask.asker(), who)
    return render.mine_reply(result) if result is not None else fallback_reply(who, words)


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
    text = render.fallback_text(
        f"{title}: {len(changed)} milestone(s) updated", *(line.replace("*", "") for line in lines)
    )
    return Reply(text=text, blocks=bk.fit(blocks))


def on_ask_button(ack: Ack, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
    ack()
    question = ((body.get("actions") or [{}])[0]).get("value") or ""
    ask = ask_from(context, client, user_id=context.user_id, channel_id=None, surface="action")
    reply = answer(ask, question)
    if reply.visibility != "none":
        respond(**reply.payload(), response_type="ephemeral", replace_original=False)
