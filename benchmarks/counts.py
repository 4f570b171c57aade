"""SQL statements per request, on plans of 10, 100 and 2,000 milestones: none may grow with the plan.

Each request goes through the real Bolt app in this process (signed, dispatched, process_before_response
so the listener has finished when dispatch returns), with a SQLAlchemy ``before_cursor_execute``
listener counting what reaches the database. Every request is sent once to warm up (the plan id and
time zone are looked up once per process, the first update in an area opens its board thread) and then
counted on its second sending.

Used by tests/test_benchmark_counts.py (the ordinary test suite) and by ``make bench``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt.request import BoltRequest
from sqlalchemy import Engine, event

from benchmarks.generate import Size, plan_dict, roster
from benchmarks.sink import Sink
from qib_testing.people import TEAM

SIZES = (10, 100, 2000)
TODAY = date(2025, 1, 15)  # a Wednesday: the plans are built around it and the bot's clock is fixed on it
NOW = datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
SECRET = "bench-signing-secret"
UPDATES_PER_MILESTONE = 3

# What is counted: (name, kind, text). Kinds: command (/qib TEXT), home (app_home_opened), submit
# (the update modal). {area}, {area_words}, {code} and {own} are filled in from each plan.
REQUESTS: list[tuple[str, str, str]] = [
    ("status", "command", "status"),
    ("status area", "command", "status {area}"),
    ("status area words", "command", "status {area_words}"),
    ("status milestone", "command", "status {code}"),
    ("summary", "command", "summary"),
    ("mine", "command", "mine"),
    ("overdue", "command", "overdue"),
    ("due", "command", "due"),
    ("stale", "command", "stale"),
    ("priority", "command", "priority"),
    ("history", "command", "history {code}"),
    # {n} numbers the sending: an update identical to the latest one is refused as "no change".
    ("quick update", "command", "update {own} on track 40% Benchmark note {n}"),
    ("update form", "command", "update"),
    ("digest preview", "command", "digest preview"),
    ("home", "home", ""),
    ("update submission", "submit", "{own}"),
    # Questions in plain words: interpreted, then the same queries as the subcommands.
    ("question: ratings", "command", "show me red and amber actions"),
    ("question: due in a month", "command", "what is due in March"),
    ("question: stale", "command", "who hasn't updated"),
    ("question: changes", "command", "changes since the last board"),
    ("question: decisions", "command", "decisions for the board"),
    ("question: about words", "command", "how are we doing on {area_words}"),
    ("question: not understood", "command", "tell me about xylophone quantum"),
]
NAMES = [name for name, _, _ in REQUESTS]
ERRORS = ("Something went wrong", "The plan database is unavailable")
# How the answer starts, by the first word of the command (or the kind): a count is only worth having
# for the path meant (a quick update that saved, not one sent to the form). "" is any answer at all.
EXPECTED = {
    "status": "",
    "summary": "Board summary",
    "mine": "",
    "overdue": "Overdue",
    "due": "Due",
    "stale": "Milestones with no update",
    "priority": "Strategic priorities",
    "history": "History of",
    "update": "Saved:",
    "digest": "Preview:",
    "home": "home",
    "show": "Milestones",
    "what": "Due March",
    "who": "Milestones with no update",
    "changes": "Changes since",
    "decisions": "For the board's decision",
    "how": "",
    "tell": "I read that as a question",
}


def size_for(milestones: int) -> Size:
    """Plans that grow together: people and updates scale with the milestones, areas and priorities fixed."""
    return Size(
        areas=30,
        priorities=12,
        milestones=milestones,
        people=max(10, min(400, milestones // 5)),
        updates=milestones * UPDATES_PER_MILESTONE,
        months=36,
        meetings=36,
    )


# Transaction control: SQLite's BEGIN goes through the cursor (models.db), PostgreSQL's does not.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Counter:
    n: int = 0  # every statement that reached the database
    control: int = 0  # of which transaction control

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.n += 1
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.control += 1

    @property
    def statements(self) -> int:
        """The statements that do something: the same figure on SQLite and PostgreSQL."""
        return self.n - self.control


@contextmanager
def counting(engine: Engine) -> Iterator[Counter]:
    counter = Counter()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def _signed(body: str, content_type: str) -> BoltRequest:
    from qib_testing.slack_standin.signer import sign

    headers: dict[str, str | Sequence[str]] = {
        "content-type": content_type,
        **{k.lower(): v for k, v in sign(body, SECRET).items()},
    }
    return BoltRequest(body=body, headers=headers)


class PlanUnderTest:
    """One generated plan in the database and a Bolt app serving it, as `qib run` would."""

    def __init__(self, engine: Engine, sink: Sink, milestones: int, seed: int) -> None:
        from benchmarks.generate import load
        from bot.app import create_app, make_client
        from bot.deps import Deps
        from bot.settings import Settings
        from models.db import make_sessionmaker

        data = plan_dict(seed, size_for(milestones), today=TODAY)
        self.roster = roster(data)
        sessions = make_sessionmaker(engine)
        load(sessions, data, now=NOW)
        settings = Settings(
            _env_file=None,
            database_url=str(engine.url),
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=sink.base_url,
        )
        deps = Deps(engine=engine, sessions=sessions, clock=lambda: NOW, plan_selector=self.roster.title)
        self.deps = deps
        self.app = create_app(settings, deps, client=make_client(settings), process_before_response=True)
        self.sink = sink
        self.engine = engine
        self.milestones = milestones
        # Someone with an open milestone whose code the quick syntax reads (up to three digits).
        owner, own = next(
            (u, c)
            for u in self.roster.people
            for c in self.roster.open_owned.get(u, [])
            if int(c.rsplit("-", 1)[-1]) < 1000
        )
        self.owner = owner
        self.own = own
        area_code, area_title = self.roster.areas[1]
        self.fill = {
            "area": area_code,
            "area_words": area_title.lower(),
            "code": self.roster.open_owned[owner][-1],
            "own": self.own,
        }
        self._n = 0

    def request(self, kind: str, text: str) -> BoltRequest:
        from benchmarks.load import update_state
        from qib_testing.slack_standin.signer import (
            event_body,
            interactive_body,
            slash_command_body,
            view_submission_payload,
        )

        self._n += 1
        user = self.owner
        filled = text.format(**self.fill, n=self._n)
        if kind == "command":
            if filled.startswith("digest"):
                user = self.roster.chair
            body = slash_command_body(
                filled,
                user_id=user,
                channel_id="CBENCHBOARD",
                team_id=TEAM,
                response_url=self.sink.response_url(f"count{self._n}"),
                trigger_id=f"count.{self.milestones}.{self._n}.{time.time_ns()}",
            )
            return _signed(body, "application/x-www-form-urlencoded")
        if kind == "home":
            home = {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
            return _signed(
                event_body({**home, "event_ts": "1736935800.000100"}, team_id=TEAM), "application/json"
            )
        payload = view_submission_payload(
            "qib_update",
            update_state(filled, self._n),
            user_id=user,
            team_id=TEAM,
            view_id=f"VCOUNT{self.milestones}x{self._n}",
        )
        return _signed(interactive_body(payload), "application/x-www-form-urlencoded")

    def count(self, kind: str, text: str) -> int:
        """Send once to warm up, then count the statements of the second sending."""
        self._dispatch(kind, text)
        with counting(self.engine) as counter:
            self._dispatch(kind, text)
        return counter.n

    def _dispatch(self, kind: str, text: str) -> None:
        """Send one request and check it was answered as intended (so the count is of the real path)."""
        request = self.request(kind, text)
        expected = (
            None if text == "update" else EXPECTED.get(text.split(" ")[0] if kind == "command" else kind)
        )
        key = f"response:count{self._n}" if kind == "command" else f"views.publish:{self.owner}"
        waiter = self.sink.expect(key) if expected is not None else None
        response = self.app.dispatch(request)
        where = f"{kind} {text!r} on {self.milestones} milestones"
        if response.status != 200 or "response_action" in (response.body or ""):
            raise AssertionError(f"{where}: {response.status} {response.body}")
        if waiter is not None:
            if not waiter.event.wait(10) or waiter.arrival is None:
                raise AssertionError(f"{where}: no answer")
            payload = waiter.arrival.payload
            answer = str(payload.get("text") or (payload.get("view") or {}).get("type") or "")
            if not answer.startswith(expected or "") or answer.startswith(ERRORS):
                raise AssertionError(f"{where}: answered {answer[:120]!r}, expected {expected!r}...")


def build_plans(
    engine: Engine, sink: Sink, sizes: tuple[int, ...] = SIZES, *, seed: int = 7
) -> list[PlanUnderTest]:
    return [PlanUnderTest(engine, sink, n, seed + i) for i, n in enumerate(sizes)]


def measure(
    engine: Engine, sink: Sink, sizes: tuple[int, ...] = SIZES, *, seed: int = 7
) -> dict[str, dict[int, int]]:
    """{request name: {milestones: statements}} for every request in REQUESTS."""
    return measure_plans(build_plans(engine, sink, sizes, seed=seed))


def measure_plans(plans: list[PlanUnderTest]) -> dict[str, dict[int, int]]:
    counts: dict[str, dict[int, int]] = {}
    for name, kind, text in REQUESTS:
        counts[name] = {plan.milestones: plan.count(kind, text) for plan in plans}
    return counts


# The read-only requests whose queries are answered from kept answers (bot.services.read_model), counted
# cold (no answer kept: every query runs) and warm (the same request again, nothing written between:
# the queries, the board paper and the lookups of the person asking, searches, measures, inspection,
# a milestone's owner and updates are kept). Warm, each runs one statement, the plan revision: the
# sessions of one request share what they read of it (bot.deps.Deps.for_request), so it is read once
# however many sessions the request opens (a question reads the plan's words in one and answers in
# another). Transaction control is left out of both figures (SQLite sends BEGIN as a statement).
CACHED = [
    "status",
    "status area",
    "status area words",
    "status milestone",
    "summary",
    "mine",
    "overdue",
    "due",
    "stale",
    "priority",
    "history",
    "digest preview",
    "home",
    "question: ratings",
    "question: changes",
    "question: decisions",
    "question: about words",
]
WARM_STATEMENTS = 1  # the target: the plan revision, and nothing else


def measure_cache(plans: list[PlanUnderTest]) -> dict[str, dict[int, dict[str, int]]]:
    """{request name: {milestones: {"cold": statements, "warm": statements}}} for the CACHED requests,
    transaction control left out."""
    from bot.services import read_model

    wanted = {name: (kind, text) for name, kind, text in REQUESTS}
    found: dict[str, dict[int, dict[str, int]]] = {}
    for name in CACHED:
        kind, text = wanted[name]
        found[name] = {}
        for plan in plans:
            plan._dispatch(kind, text)  # the per-process lookups (plan id, time zone) are warm
            read_model.answers.clear()
            cold = count_statements(plan.engine, functools.partial(plan._dispatch, kind, text))
            warm = count_statements(plan.engine, functools.partial(plan._dispatch, kind, text))
            found[name][plan.milestones] = {"cold": cold, "warm": warm}
    return found


def growth(counts: dict[str, dict[int, int]]) -> list[str]:
    """Every request whose count is higher on a larger plan than on a smaller one."""
    problems = []
    for name, by_size in counts.items():
        sizes = sorted(by_size)
        for small, large in zip(sizes, sizes[1:], strict=False):
            if by_size[large] > by_size[small]:
                problems.append(
                    f"{name}: {by_size[small]} statements on {small} milestones, {by_size[large]} on {large}"
                )
                break
    return problems


def count_calls(engine: Engine, fn: Callable[[], Any]) -> int:
    with counting(engine) as counter:
        fn()
    return counter.n


def count_statements(engine: Engine, fn: Callable[[], Any]) -> int:
    """count_calls without transaction control."""
    with counting(engine) as counter:
        fn()
    return counter.statements
