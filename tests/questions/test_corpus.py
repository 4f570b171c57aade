"""The question corpus: at least 95% of questions read as the expected intent, misses printed.

Interpretation is pure, so the corpus runs against each plan's codes and names and a fixed clock
(Monday 3 February 2020); the handler tests check that the intents get the right answers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.services.questions import PlanTerms, interpret
from bot.services.questions import intents as q
from bot.services.search import _content_words, normalise_code
from qib_testing.corpus import DURHAM, NORTHSHIRE, PLANS, WESTVALE
from qib_testing.routes import subcommands

TODAY = date(2020, 2, 3)
SEED = Path(__file__).resolve().parents[2] / "seeds" / "durham_ilacs_2019.yaml"
COMMANDS = subcommands().names()


def durham_terms() -> PlanTerms:
    doc = yaml.safe_load(SEED.read_text())
    codes = tuple(e["code"] for kind in ("areas", "priorities", "milestones") for e in doc[kind])
    return PlanTerms(
        codes=codes,
        people=tuple(p["name"] for p in doc["people"]),
        commands=COMMANDS,
        measures=tuple(m["code"] for m in doc["measures"]),
    )


def invented_terms(name: str) -> PlanTerms:
    plan = PLANS[name]
    return PlanTerms(codes=plan["codes"], people=plan["people"], commands=COMMANDS)


def _day(text: str) -> date:
    return date.fromisoformat(text)


def matches(intent: q.Intent, spec: str) -> bool:
    """Whether the intent is what the spec (see qib_testing.corpus) says."""
    kind, _, arg = spec.partition(":")
    if "~" in kind:
        kind, _, words = kind.partition("~")
        topic = getattr(intent, "topic", None)
        expected = {"status": q.Status, "history": q.History, "measure": q.Measure}[kind]
        return isinstance(intent, expected) and _content_words(topic or "") == _content_words(words)
    simple: dict[str, q.Intent] = {
        "help": q.Help(),
        "greeting": q.Greeting(),
        "summary": q.Summary(),
        "overdue": q.Overdue(),
        "stale": q.Stale(),
        "meetings": q.Meetings(),
        "decisions": q.Decisions(),
        "mine": q.Owned(mine=True),
        "due": q.Due(),
        "changes": q.Changes(),
        "priorities": q.Priorities(),
        "status": q.Status(),
        "measure": q.Measure(),
    }
    if not arg:
        return intent == simple[kind]
    match kind:
        case "status":
            return intent == q.Status(arg)
        case "history":  # a code in any spelling: the history subcommand finds it
            return isinstance(intent, q.History) and normalise_code(intent.topic) == normalise_code(arg)
        case "priorities":
            return intent == q.Priorities(arg)
        case "measure":
            return intent == q.Measure(arg)
        case "rating":
            return intent == q.ByRating(frozenset(arg.split(",")))  # type: ignore[arg-type]
        case "owned":
            return intent == q.Owned(who=arg)
        case "command":
            return isinstance(intent, q.Command) and intent.name == arg
        case "due":
            frm, until = arg.split("..")
            return isinstance(intent, q.Due) and (intent.frm, intent.until) == (_day(frm), _day(until))
        case "changes":
            return isinstance(intent, q.Changes) and intent.since == _day(arg)
    raise AssertionError(f"unknown spec {spec!r}")


def _cases() -> list[tuple[str, str, str]]:
    return (
        [("durham", text, spec) for text, spec in DURHAM]
        + [("northshire", text, spec) for text, spec in NORTHSHIRE]
        + [("westvale", text, spec) for text, spec in WESTVALE]
    )


def test_the_corpus_is_large_and_spans_three_plans():
    cases = _cases()
    assert len(cases) >= 150
    assert len({plan for plan, _, _ in cases}) == 3


def test_at_least_95_percent_of_questions_are_read_as_expected():
    terms = {
        "durham": durham_terms(),
        "northshire": invented_terms("northshire"),
        "westvale": invented_terms("westvale"),
    }
    misses = []
    cases = _cases()
    for plan, text, spec in cases:
        intent = interpret(text, TODAY, terms[plan])
        if not matches(intent, spec):
            misses.append(f"{plan}: {text!r} -> {intent} (expected {spec})")
    print(f"\n{len(cases) - len(misses)} of {len(cases)} right; misses:\n" + "\n".join(misses))
    assert len(misses) <= len(cases) * 0.05, "\n".join(misses)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        c
        for c in DURHAM
        if c[0]
        in {
            "what's at risk?",
            "who hasn't updated",
            "what is stale?",
            "what is due in March",
            "show me red and amber actions",
            "what decisions does the board need to make",
            "status at risk",
            "status red",
            "what is due in the next 60 days",
            "history of M-07",
            "hello",
        }
    ],
)
def test_every_question_quoted_in_the_report_is_read_right(text, spec):
    assert matches(interpret(text, TODAY, durham_terms()), spec)
