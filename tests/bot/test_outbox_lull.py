"""The outbox worker thread lets the acks go first: it posts in a lull between requests, or once it
has waited its limit; and while a burst outlasts that limit, it takes a fifth of the time at most."""

from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine

from bot import outbox_worker
from bot.deps import Deps, OutboxBell
from bot.outbox_worker import Courier, Pacer
from bot.settings import Settings
from models.db import make_sessionmaker


def test_the_bell_is_quiet_only_once_no_request_has_been_served_for_the_lull():
    bell = OutboxBell()
    assert bell.quiet(0.05)
    with bell.serving():
        assert not bell.quiet(0.0)
    assert not bell.quiet(5.0)  # one just ended
    assert bell.quiet(0.0)


def courier() -> Courier:
    engine = create_engine("sqlite://")
    return Courier(Deps(engine=engine, sessions=make_sessionmaker(engine)), Settings(_env_file=None), None)  # type: ignore[arg-type]


def test_the_worker_waits_while_a_request_is_served_and_goes_in_the_lull_after_it():
    worker = courier()
    waited = threading.Event()
    serving = worker.deps.outbox.serving()
    serving.__enter__()
    pacer = Pacer(worker.deps.outbox)
    pacer.defer_until = time.monotonic() + 30
    thread = threading.Thread(target=lambda: (pacer.wait(), waited.set()))
    thread.start()
    assert not waited.wait(0.3)  # a request is being answered: the post waits
    serving.__exit__(None, None, None)
    assert waited.wait(2.0)  # the request is answered: the post follows the lull
    thread.join(1)


def test_the_worker_stops_waiting_at_its_limit_however_busy_the_process():
    worker = courier()
    pacer = Pacer(worker.deps.outbox)
    with worker.deps.outbox.serving():
        started = time.monotonic()
        pacer.defer_until = started + 0.2
        pacer.wait()
        assert 0.2 <= time.monotonic() - started < 1.0
    assert outbox_worker.MAX_DEFER_SECONDS <= 5  # an announcement is late by seconds, never by minutes


def post(pacer: Pacer, seconds: float) -> None:
    pacer.started()
    time.sleep(seconds)
    pacer.done()


def test_past_its_limit_a_busy_worker_rests_four_times_as_long_as_its_last_post_took():
    bell = OutboxBell()
    pacer = Pacer(bell)
    pacer.defer_until = 0.0  # the deferral is over
    with bell.serving():
        post(pacer, 0.05)
        started = time.monotonic()
        pacer.wait()
        rested = time.monotonic() - started
    assert 0.2 <= rested < 0.6, rested  # the acks had four fifths of the time


def test_in_a_lull_the_worker_posts_without_resting():
    bell = OutboxBell()
    pacer = Pacer(bell)
    post(pacer, 0.05)
    time.sleep(outbox_worker.LULL_SECONDS * 2)
    started = time.monotonic()
    pacer.wait()
    assert time.monotonic() - started < 0.05


def test_a_burst_after_a_lull_is_deferred_to_afresh_in_the_middle_of_a_drain():
    bell = OutboxBell()
    pacer = Pacer(bell)
    pacer.defer_until = 0.0  # a long drain: its first deferral is long over
    time.sleep(outbox_worker.LULL_SECONDS * 2)
    pacer.wait()  # a lull: posts at once, and remembers it
    post(pacer, 0.0)
    with bell.serving():  # a new burst begins
        started = time.monotonic()
        assert pacer.defer_until <= started
        waiter = threading.Thread(target=pacer.wait)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # deferred to again, not paced at a fifth of the time
        assert pacer.defer_until > started
    waiter.join(2.0)
    assert not waiter.is_alive()  # the burst is over: the post follows the lull
