"""HTTP mode on several worker processes sharing one port (QIB_HTTP_WORKERS, `qib run --workers N`).

One Python process answers on one core at a time (the GIL), so a burst of submissions queues behind
the one core however many threads serve it. The parent binds the port, forks the workers (after the
app is built and the start-up heap frozen, so they share those pages) and waits: each worker accepts
from the same listening socket, whichever is free first, and runs its own outbox worker thread; the
first also runs the scheduler. What they share is the database: claims keep the outbox and the
scheduled posts to one poster each, and the plan revision keeps every worker's kept answers fresh, as
with replicas (docs/operations.md).

SIGTERM or SIGINT to the parent stops the workers (each finishes what it is answering) and then the
parent. A worker that dies is replaced; one that dies within seconds of starting, three times in a
row, stops the whole (its cause would not go away by itself: read the log).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from types import FrameType

from bot.logs import log_unexpected

log = logging.getLogger("qib.workers")

QUICK_DEATH_SECONDS = 10.0
QUICK_DEATHS_ALLOWED = 3


def bind(host: str, port: int) -> socket.socket:
    """The listening socket the workers share (port 0: any free port, as for one process)."""
    sock = socket.create_server((host, port), backlog=1024)
    sock.setblocking(False)
    return sock


class Workers:
    def __init__(self, count: int, serve: Callable[[int], int]) -> None:
        self.count = count
        self.serve = serve  # runs in a worker: its index in, its exit code out
        self.children: dict[int, tuple[int, float]] = {}  # pid -> (index, started at)
        self.stopping = False
        self.quick_deaths = 0

    def run(self) -> int:
        """Start the workers and keep them running until told to stop; the exit code."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for index in range(self.count):
            self._start(index)
        code = 0
        while self.children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            gone = self.children.pop(pid, None)
            if gone is None or self.stopping:
                continue
            code = self._replace(gone[0], pid, status, gone[1])
        return code

    def _replace(self, index: int, pid: int, status: int, started: float) -> int:
        quick = time.monotonic() - started < QUICK_DEATH_SECONDS
        self.quick_deaths = self.quick_deaths + 1 if quick else 0
        how = f"exit code {os.waitstatus_to_exitcode(status)}"
        if self.quick_deaths >= QUICK_DEATHS_ALLOWED:
            log.error(
                "worker %s (pid %s) stopped (%s), %s in a row on start: stopping",
                index,
                pid,
                how,
                self.quick_deaths,
            )
            self._stop(signal.SIGTERM, None)
            return 1
        log.warning("worker %s (pid %s) stopped (%s): starting another", index, pid, how)
        self._start(index)
        return 0

    def _start(self, index: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker: its own signal handlers are set by the server it runs
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                code = self.serve(index)
            except BaseException as exc:  # noqa: BLE001 - a worker never returns into the parent's loop
                log_unexpected(log, f"worker {index} failed", exc)
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = (index, time.monotonic())

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True
        log.info("signal %s: stopping %s workers", signum, len(self.children))
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.kill(pid, signal.SIGTERM)
