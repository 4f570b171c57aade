"""The outbox worker: posts what writes queued (bot.services.outbox), off the request path.

A long-running process runs one in a thread, woken at once by the bell a request rings after its
commit (and every few seconds anyway, for retries and for rows a dead process left); where nothing may
outlive the request (process_before_response, the console) the request runs it itself after the ack.
The scheduler's tick drains it too. Composition: it binds the handlers' deliveries to the rules.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from time import monotonic, sleep
from typing import Any

from slack_sdk import WebClient

from bot import metrics
from bot.deps import Deps, OutboxBell
from bot.logs import log_unexpected
from bot.services import outbox
from bot.services.outbox import Claimed
from bot.settings import Settings
from handlers.commands.router import Router
from handlers.context import Ask
from models.vocab import OutboxKind

log = logging.getLogger("qib.outbox")

Delivery = Callable[[Ask, Claimed, Callable[[dict[str, Any]], None]], None]


@cache
def deliveries() -> dict[OutboxKind, Delivery]:
    """What posts each kind of row: the handlers' deliveries, imported when a row is first delivered, so
    that a tick with nothing queued does not load the update and admin features they belong to."""
    from handlers.admin import deliver_owner_change
    from handlers.updates.announce import deliver_update
    from handlers.updates.due import deliver_due_request

    return {
        OutboxKind.UPDATE_SAVED: deliver_update,
        OutboxKind.DUE_REQUESTED: deliver_due_request,
        OutboxKind.OWNER_CHANGED: deliver_owner_change,
    }


IDLE_SECONDS = 5.0  # how often an idle worker looks anyway (retries due, rows a dead process left)
LULL_SECONDS = 0.03  # the worker thread posts once no request has been answered for this long...
MAX_DEFER_SECONDS = 2.5  # ...or once it has waited this long in one drain, however busy the process,
BUSY_SHARE = 0.2  # ...and then, while still busy, takes about this share of the time, the acks the rest


class Pacer:
    """When the worker thread may post next. In a lull, at once. While the process is answering
    requests, after MAX_DEFER_SECONDS at first, and then after a rest four times as long as the last post
    took: a burst that outlasts the deferral still has the CPU (and the GIL) four parts in five, and the
    posts still go out, slower. A post's cost is its wall time, which grows as the process gets busier.
    A burst that begins after a lull is deferred to afresh, even in the middle of a long drain: the
    200 saves of a board deadline are acknowledged first, whatever the worker had queued before them."""

    def __init__(self, bell: OutboxBell) -> None:
        self.bell = bell
        self.defer_until = monotonic() + MAX_DEFER_SECONDS
        self._not_before = 0.0
        self._started = 0.0
        self._lull_seen = False

    def wait(self) -> None:
        if self.bell.quiet(LULL_SECONDS):
            self._lull_seen = True  # the next burst gets a deferral of its own
            return
        if self._lull_seen:
            self._lull_seen = False
            self.defer_until = monotonic() + MAX_DEFER_SECONDS
        until = max(self.defer_until, self._not_before)
        while not self.bell.quiet(LULL_SECONDS) and monotonic() < until:
            sleep(LULL_SECONDS / 3)

    def started(self) -> None:
        self._started = monotonic()

    def done(self) -> None:
        now = monotonic()
        self._not_before = now + (now - self._started) * (1 / BUSY_SHARE - 1)


class Courier:
    """Claims what is due and posts it; one drain at a time in this process (claims keep replicas apart)."""

    def __init__(
        self, deps: Deps, settings: Settings, client: WebClient, *, owner: str | None = None
    ) -> None:
        self.deps = deps
        self.settings = settings
        self.client = client
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stale = timedelta(seconds=settings.outbox_stale_seconds)
        self._draining = threading.Lock()
        self._bell = threading.Event()
        self._router = Router()  # a delivery runs no subcommand

    def drain(self, now: datetime | None = None, *, patient: bool = False) -> int:
        """Post everything due now, including what is queued while this runs; the number posted.
        `patient` (the worker thread): before each post, wait for a lull in the requests this process
        is answering, paced by a Pacer, so that a burst of updates is acknowledged first."""
        posted = 0
        pacer = Pacer(self.deps.outbox)
        with self._draining:
            while True:
                if patient:
                    pacer.wait()
                when = now or self.deps.clock()
                with self.deps.sessions.begin() as db:
                    batch = outbox.claim(db, now=when, owner=self.owner, stale=self.stale)
                if not batch:
                    break
                for held in batch:
                    if patient and posted:
                        pacer.wait()
                    pacer.started()
                    posted += self._deliver(held, when)
                    pacer.done()
                if now is not None and len(batch) < outbox.BATCH:
                    break  # a fixed clock: what is due is done
            with self.deps.sessions() as db:
                metrics.OUTBOX_BACKLOG.set(outbox.backlog(db))
        return posted

    def forget_done(self, now: datetime | None = None) -> None:
        with self.deps.sessions.begin() as db:
            outbox.forget_done(db, now=now or self.deps.clock())

    def ring(self) -> None:
        self._bell.set()

    def run(self, stop: threading.Event) -> None:
        """Drain when rung, and every IDLE_SECONDS, until `stop`; a failure is logged, never fatal."""
        while not stop.is_set():
            try:
                self.drain(patient=True)
            except Exception as exc:  # the database gone away: the next round tries again
                log_unexpected(log, "the outbox worker could not drain", exc)
            self._bell.wait(IDLE_SECONDS)
            self._bell.clear()

    def _deliver(self, held: Claimed, now: datetime) -> bool:
        ask = Ask(
            user_id=held.recipient or "",
            channel_id=None,
            deps=self.deps,
            settings=self.settings,
            now=now,
            router=self._router,
            client=self.client,
            surface="outbox",
            _plan_id=held.plan_id,
        )

        def record(progress: dict[str, Any]) -> None:
            with self.deps.sessions.begin() as db:
                outbox.record_step(db, held, progress)

        try:
            deliveries()[held.kind](ask, held, record)
        except Exception as exc:
            with self.deps.sessions.begin() as db:
                again = outbox.retry_later(db, held, now=self.deps.clock(), error=type(exc).__name__)
            metrics.OUTBOX.labels("retried" if again else "given_up").inc()
            log.warning(
                "outbox %s (%s, attempt %s): %s; %s",
                held.id,
                held.kind.value,
                held.attempt,
                type(exc).__name__,
                "will try again" if again else "given up",
            )
            return False
        with self.deps.sessions.begin() as db:
            outbox.finish(db, held, now=self.deps.clock())
        metrics.OUTBOX.labels("posted").inc()
        return True


def start_courier(courier: Courier, stop: threading.Event) -> threading.Thread:
    """The worker thread of a long-running process; the bell wakes it."""
    courier.deps.outbox.answer_with(courier.ring)
    thread = threading.Thread(target=courier.run, args=(stop,), name="qib-outbox", daemon=True)
    thread.start()
    return thread


def run_inline(courier: Courier) -> None:
    """Where nothing may outlive the request: the bell drains in the ringing thread."""
    courier.deps.outbox.answer_with(lambda: drain_quietly(courier))


def drain_quietly(courier: Courier, now: datetime | None = None, *, tidy: bool = False) -> None:
    """What was queued is saved and acknowledged: a failure to post it now is logged, and the rows
    wait for the next drain (the worker's, or the tick's). `tidy`: forget rows done long ago too."""
    try:
        courier.drain(now)
        if tidy:
            courier.forget_done(now)
    except Exception as exc:
        log_unexpected(log, "the outbox could not be drained", exc)
