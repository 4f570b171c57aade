"""Profile one kind of request on the large plan that `make bench` left in the qib_bench database.

    python -m benchmarks.profile summary            # cProfile, the 30 costliest functions
    python -m benchmarks.profile home --pyinstrument # a call tree (pip install pyinstrument)

The request goes through the real Bolt app in this process (signed, process_before_response, answers
to a local sink), as in benchmarks.counts; times are this thread's CPU time, so other work on the
machine does not inflate them. Kinds: status, area, words, question, summary, mine, update, home, digest,
submit. `--cold` forgets the kept answers before each request: what the first request after a write costs.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from slack_bolt.request import BoltRequest

from benchmarks.counts import SECRET, _signed
from benchmarks.load import form_metadata, update_state
from benchmarks.run import DEFAULT_SERVER
from benchmarks.sink import Sink

FORM = "application/x-www-form-urlencoded"


def requests(
    sink: Sink, users: Iterator[str], chair: str, own: str, area: str, plan_id: int
) -> dict[str, Callable[[], BoltRequest]]:
    """Each kind's next request; ``users`` says who asks each one (the owner of ``own`` submits)."""
    user = next(users)
    from qib_testing.slack_standin.signer import (
        event_body,
        interactive_body,
        slash_command_body,
        view_submission_payload,
    )

    n = iter(range(1, 10**9))

    def command(text: str, who: str | None = None) -> BoltRequest:
        i = next(n)
        body = slash_command_body(
            text,
            user_id=who or next(users),
            channel_id="CBENCHBOARD",
            team_id="T111",
            response_url=sink.response_url(f"p{i}"),
            trigger_id=f"profile.{i}.{time.time_ns()}",
        )
        return _signed(body, FORM)

    def home() -> BoltRequest:
        who = next(users)
        event = {
            "type": "app_home_opened",
            "user": who,
            "channel": f"D{who}",
            "tab": "home",
            "event_ts": "1.2",
        }
        return _signed(event_body(event, team_id="T111"), "application/json")

    def submit() -> BoltRequest:
        i = next(n)
        payload = view_submission_payload(
            "qib_update",
            update_state(own, i),
            user_id=user,
            team_id="T111",
            view_id=f"VPROF{time.time_ns()}",
            private_metadata=form_metadata(own, plan_id),
        )
        return _signed(interactive_body(payload), FORM)

    return {
        "status": lambda: command("status"),
        "area": lambda: command(f"status {area}"),
        "words": lambda: command("status foster carer reviews"),
        "question": lambda: command("what is off track?"),
        "summary": lambda: command("summary"),
        "mine": lambda: command("mine"),
        "update": lambda: command(f"update {own} on track 50% Profiling note"),
        "home": home,
        "digest": lambda: command("digest preview", chair),
        "submit": submit,
    }


def main(argv: list[str] | None = None) -> int:
    from sqlalchemy import make_url, select

    from bot.app import create_app, make_client
    from bot.deps import Deps
    from bot.settings import Settings
    from models import Area, Milestone, Person, Plan
    from models.db import make_engine, make_sessionmaker

    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n")[0])
    parser.add_argument("kind")
    parser.add_argument("-n", type=int, default=30, help="requests to profile (after 3 to warm up)")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime or cumulative")
    parser.add_argument(
        "--database",
        default="qib_bench",
        help="the database on QIB_BENCH_DATABASE_URL's server holding the plan",
    )
    parser.add_argument(
        "--cold", action="store_true", help="forget the kept answers before each request (after a write)"
    )
    parser.add_argument("--quiet", action="store_true", help="the figures only, without the profile")
    parser.add_argument(
        "--everyone",
        action="store_true",
        help="each request from the next person who owns an open milestone, as `make bench` sends them "
        "(a person's first ask in a process is drawn afresh); else all from one person",
    )
    parser.add_argument("--sql", action="store_true", help="print the statements of one more request")
    parser.add_argument(
        "--ack-only",
        action="store_true",
        help="leave the outbox undrained: what the request itself costs, as under `qib run`",
    )
    args = parser.parse_args(argv)
    server = os.environ.get("QIB_BENCH_DATABASE_URL", DEFAULT_SERVER)
    url = make_url(server).set(database=args.database).render_as_string(hide_password=False)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as db:
        user, own = db.execute(
            select(Person.slack_user_id, Milestone.code)
            .join(Milestone, Milestone.owner_id == Person.id)
            .where(Milestone.status != "complete", Milestone.code < "M-1000")
            .order_by(Person.position)
            .limit(1)
        ).one()
        chair = db.scalar(select(Person.slack_user_id).where(Person.is_chair))
        area = db.scalar(select(Area.code).order_by(Area.position).limit(1))
        owners = db.scalars(
            select(Person.slack_user_id)
            .where(Person.id.in_(select(Milestone.owner_id).where(Milestone.status != "complete")))
            .order_by(Person.position)
        ).all()
        plan_id = db.scalar(select(Plan.id).limit(1))
    with Sink() as sink:
        settings = Settings(
            _env_file=None,
            database_url=url,
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=sink.base_url,
        )
        deps = Deps(engine=engine, sessions=sessions)
        app = create_app(settings, deps, client=make_client(settings), process_before_response=True)
        if args.ack_only:  # as in a long-running process, whose worker thread posts (bot.outbox_worker)
            deps.outbox.answer_with(lambda: None)
        assert user and chair and own and area and plan_id, "the benchmark plan has no owner, chair or area"
        users = (
            itertools.cycle([user, *(o for o in owners if o and o != user)])
            if args.everyone
            else itertools.repeat(user)
        )
        make = requests(sink, users, chair, own, area, plan_id)[args.kind]
        if args.cold:
            from bot.services.read_model import answers

            warm = make

            def make() -> BoltRequest:
                answers.clear()
                return warm()

        for _ in range(3):
            app.dispatch(make())
        if args.sql:
            _print_statements(engine, lambda: app.dispatch(make()))
        if args.quiet:
            _time_only(args.kind, args.n, lambda: app.dispatch(make()), engine)
        else:
            _profiled(args, make, app)
    engine.dispose()
    return 0


def _profiled(args: argparse.Namespace, make: Callable[[], BoltRequest], app: Any) -> None:
    cpu: list[float] = []
    profiler: Any
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    else:
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
    for _ in range(args.n):
        request = make()
        start = time.thread_time()
        app.dispatch(request)
        cpu.append((time.thread_time() - start) * 1000)
    if args.pyinstrument:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False))
    else:
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)
    print(
        f"{args.kind}: CPU per request (profiled) median {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms"
    )


def _print_statements(engine: Any, send: Callable[[], object]) -> None:
    """The first line of each statement one request runs, in order."""
    from sqlalchemy import event

    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split())[:160])

    event.listen(engine, "before_cursor_execute", note)
    try:
        send()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    for i, line in enumerate(seen, 1):
        print(f"{i:3} {line}")


def _time_only(kind: str, n: int, send: Callable[[], object], engine: Any) -> None:
    """Unprofiled: this thread's CPU time, the wall time and the SQL statements of each request."""
    from benchmarks.counts import counting

    cpu: list[float] = []
    wall: list[float] = []
    statements: list[int] = []
    for _ in range(n):
        with counting(engine) as counter:
            start, start_cpu = time.perf_counter(), time.thread_time()
            send()
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
        statements.append(counter.n)
    wall.sort()
    print(
        f"{kind}: CPU median {statistics.median(cpu):.1f} ms; wall median {statistics.median(wall):.1f} ms, "
        f"max {wall[-1]:.1f} ms; statements per request {statistics.median(statements):g}"
    )


if __name__ == "__main__":
    sys.exit(main())
