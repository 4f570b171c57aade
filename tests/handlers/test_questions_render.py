"""Question replies: the dispatch from intents to subcommands, and the replies of their own."""

from __future__ import annotations

from datetime import date

from bot.services.questions import intents as q
from bot.usecases import questions
from handlers.questions import changes_reply, decisions_reply, fallback_reply, greeting_reply, routed_to
from tests.handlers.blockcheck import valid_reply
from tests.usecases.support import IRO, Who

COMMANDS = frozenset({"status", "help"})


def test_intents_a_subcommand_answers_are_routed_to_it() -> None:
    assert routed_to(q.Command("owner", "M-05 @jo")) == ("owner", "M-05 @jo")
    assert routed_to(q.Status()) == ("status", "")
    assert routed_to(q.Owned(mine=True)) == ("mine", "")
    assert routed_to(q.History("M-16")) == ("history", "M-16")
    assert routed_to(q.Priorities("SP-1")) == ("priority", "SP-1")
    assert routed_to(q.Measure("KPI-3")) == ("measures", "KPI-3")
    assert routed_to(q.Overdue()) == ("overdue", "")
    assert routed_to(q.Meetings()) == ("meetings", "")
    for own in (q.Status("fostering"), q.Owned("Alex"), q.Greeting(), q.Decisions(), q.Due(), q.Changes()):
        assert routed_to(own) is None, own


def test_the_fallback_and_greeting_offer_this_plans_questions(sessions, who: Who) -> None:
    words = questions.words_of(sessions, who(IRO), COMMANDS)
    fallback = valid_reply(fallback_reply("xylophone <quantum>", words))
    assert "“xylophone <quantum>”, but nothing in this plan matches it" in fallback.text
    assert "&lt;quantum&gt;" in fallback.blocks[0]["text"]["text"]
    assert valid_reply(greeting_reply(words)).text.startswith("Hello!")


def test_decisions_and_changes(sessions, who: Who) -> None:
    assert valid_reply(decisions_reply(questions.for_decision(sessions, who(IRO)))).text
    calendar, changed = questions.changes(sessions, who(IRO), date(2019, 1, 1))
    reply = valid_reply(changes_reply(calendar, changed, since=date(2019, 1, 1)))
    assert reply.text.startswith("Changes since ")
