"""`python -m benchmarks.questions`: what interpreting one question costs, on this machine.

Interpretation is pure (text, the plan's codes and names, today -> an intent), so it is timed on its
own: every question of the corpus (tests/questions/corpus.py) against the Durham plan and against the
large synthetic plan (2,000 milestones, its whole roster), each question's terms built afresh as a
request builds them. The budget is 20 ms per question; the run fails (exit 1) above it.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from benchmarks.generate import LARGE, plan_dict
from bot.services.questions import PlanTerms, interpret
from bot.services.questions.interpret import _code_index

BUDGET_MS = 20.0
ROUNDS = 5
TODAY = date(2020, 2, 3)
SEED = Path(__file__).resolve().parents[1] / "seeds" / "durham_ilacs_2019.yaml"
COMMANDS = frozenset(
    [
        "help",
        "status",
        "summary",
        "mine",
        "overdue",
        "due",
        "stale",
        "priority",
        "history",
        "update",
        "owner",
        "delegate",
        "meetings",
        "meeting",
        "digest",
    ]
)


def _terms(doc: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    codes = tuple(e["code"] for kind in ("areas", "priorities", "milestones") for e in doc.get(kind) or [])
    return codes, tuple(p["name"] for p in doc["people"])


def time_questions(
    questions: list[str], codes: tuple[str, ...], people: tuple[str, ...], *, cold: bool
) -> list[float]:
    """Milliseconds per question, the best of ROUNDS for each (the machine is shared). ``cold``: the
    plan's code index is built afresh each time, as for the first question after a plan changes."""
    timings = []
    for text in questions:
        best = float("inf")
        for _ in range(ROUNDS):
            if cold:
                _code_index.cache_clear()
            started = time.perf_counter()
            interpret(text, TODAY, PlanTerms(codes=codes, people=people, commands=COMMANDS))
            best = min(best, time.perf_counter() - started)
        timings.append(best * 1000)
    return timings


def main() -> int:
    from qib_testing.corpus import DURHAM, NORTHSHIRE, WESTVALE

    questions = [text for text, _ in DURHAM + NORTHSHIRE + WESTVALE]
    plans = {
        "durham (22 milestones)": _terms(yaml.safe_load(SEED.read_text())),
        f"synthetic ({LARGE.milestones} milestones)": _terms(plan_dict(size=LARGE, today=TODAY)),
    }
    worst = 0.0
    for (name, (codes, people)), cold in [(p, c) for p in plans.items() for c in (False, True)]:
        ms = time_questions(questions, codes, people, cold=cold)
        worst = max(worst, max(ms))
        print(
            f"{name}, {'cold' if cold else 'warm'}: {len(ms)} questions, mean {statistics.mean(ms):.3f} ms, "
            f"p95 {sorted(ms)[int(len(ms) * 0.95) - 1]:.3f} ms, max {max(ms):.3f} ms (budget {BUDGET_MS:.0f} ms)"
        )
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
