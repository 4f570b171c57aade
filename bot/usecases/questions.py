"""Questions in plain words: what a question asks for, and the answers that are not a subcommand's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.services import queries
from bot.services.questions import intents as q
from bot.services.questions import interpret, normalise, typed_command
from bot.services.questions.intents import Rating
from bot.services.questions.terms import PlanWords, plan_words
from bot.services.search import search
from bot.usecases.base import Asker, Sessions
from bot.usecases.status import Found, found_in


@dataclass(frozen=True)
class Understood:
    """What was asked. `words`: the plan's words, when they had to be read (a subcommand typed as such
    needs none); `direct`: typed as a subcommand; `bare_topic`: the text was nothing but words that
    may name something in the plan (`/qib frobnicate the plan`), not a question."""

    intent: q.Intent
    words: PlanWords | None
    direct: bool = False
    bare_topic: bool = False


def understand(sessions: Sessions, who: Asker, text: str, commands: frozenset[str]) -> Understood:
    direct = typed_command(text, who.today, commands)
    if direct is not None:  # `/qib summary`, `/qib update M-05 ...`: no need to read the plan's words
        return Understood(direct, None, direct=True)
    words = words_of(sessions, who, commands)
    intent = interpret(text, who.today, words.terms)
    bare = (
        isinstance(intent, q.Status)
        and bool(intent.topic)
        and normalise(text).removeprefix("/qib ") == intent.topic
    )
    return Understood(intent, words, bare_topic=bare)


def words_of(sessions: Sessions, who: Asker, commands: frozenset[str]) -> PlanWords:
    """The plan's codes, titles and people's names, to read questions by (and suggest some)."""
    with sessions() as db:
        return plan_words(db, who.plan_id, commands)


def about(sessions: Sessions, who: Asker, topic: str) -> Found | None:
    """What the topic names (or the choices), None when nothing in the plan matches it at all."""
    with sessions() as db:
        found = search(db, who.plan_id, topic)
        return found_in(db, who, found) if found.kind != "none" else None


def owned_by(sessions: Sessions, who: Asker, name: str) -> queries.PersonMilestones | None:
    """Someone's milestones, by their name as typed; None when nobody in the plan matches."""
    with sessions() as db:
        person = queries.find_person(db, who.plan_id, name)
        if person is None:
            return None
        return queries.milestones_for(db=db, plan_id=who.plan_id, today=who.today, person_id=person.id)


def rated(sessions: Sessions, who: Asker, ratings: frozenset[Rating]) -> queries.RatedList:
    with sessions() as db:
        return queries.by_rating(db=db, plan_id=who.plan_id, today=who.today, ratings=ratings, now=who.now)


def due_between(sessions: Sessions, who: Asker, frm: date | None, until: date | None) -> queries.DueSoon:
    with sessions() as db:
        return queries.due_soon(
            db=db, plan_id=who.plan_id, today=who.today, frm=frm, until=until, now=who.now
        )


def for_decision(sessions: Sessions, who: Asker) -> queries.ChairSummary:
    """The chair's summary, whose exceptions are what the board is asked to weigh up."""
    with sessions() as db:
        return queries.chair_summary(db=db, plan_id=who.plan_id, today=who.today, now=who.now)


def changes(
    sessions: Sessions, who: Asker, since: date | None
) -> tuple[queries.BoardCalendar, list[queries.Change]]:
    """Milestones updated since a day, or since the last board."""
    with sessions() as db:
        return queries.changes(db=db, plan_id=who.plan_id, today=who.today, since=since, now=who.now)
