"""FakeSlack with slow answers, hangs and lost requests, for the faults FakeSlack.fail() cannot make.

- `slow(method, seconds)`: the next call waits before answering (the client may time out first; with
  deliver=True Slack still acts on it, as the real one does when only the answer is late).
- `hang(method, predicate)`: the next matching call blocks until released, so a test can kill the bot
  while it waits; `release(deliver=True)` then lets Slack act on it (the post lands in the channel)
  or, with deliver=False, drops it unanswered (Slack never got it).
method is a Web API method such as "chat.postMessage", or "response_url".
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from qib_testing.slack_standin import FakeSlack
from qib_testing.slack_standin.web_api import _Handler

Predicate = Callable[[dict[str, Any]], bool]


class _Drop(Exception):
    """Close the connection without an answer."""


@dataclass
class Hang:
    method: str
    predicate: Predicate | None
    reached: threading.Event = field(default_factory=threading.Event)
    _go: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)  # Slack has acted on it, or dropped it
    deliver: bool = True
    args: dict[str, Any] | None = None

    def release(self, *, deliver: bool = True) -> None:
        self.deliver = deliver
        self._go.set()

    def wait_reached(self, timeout: float = 30) -> dict[str, Any]:
        if not self.reached.wait(timeout):
            raise AssertionError(f"no call to {self.method} reached the hang within {timeout}s")
        assert self.args is not None
        return self.args

    def wait_answered(self, timeout: float = 30) -> None:
        """After release: Slack has finished acting on the call (recorded it, or dropped it)."""
        if not self.answered.wait(timeout):
            raise AssertionError(
                f"the call to {self.method} held by the hang was not answered within {timeout}s"
            )


@dataclass
class Slow:
    method: str
    seconds: float
    remaining: int
    deliver: bool
    predicate: Predicate | None
    answered: threading.Event = field(default_factory=threading.Event)  # its last call acted on, or dropped

    def wait_answered(self, timeout: float = 30) -> None:
        """Slack has finished acting on the last call this rule made late (recorded it, or dropped it)."""
        if not self.answered.wait(timeout):
            raise AssertionError(f"the late call to {self.method} was not answered within {timeout}s")


class FlakySlack(FakeSlack):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rules_lock = threading.Lock()
        self._slow: list[Slow] = []
        self._hangs: list[Hang] = []
        self.dropped: list[tuple[str, dict[str, Any]]] = []

    # ------------------------------------------------------------------ arranging

    def slow(
        self,
        method: str,
        seconds: float,
        *,
        times: int = 1,
        deliver: bool = True,
        predicate: Predicate | None = None,
    ) -> Slow:
        slow = Slow(method, seconds, times, deliver, predicate)
        with self._rules_lock:
            self._slow.append(slow)
        return slow

    def hang(self, method: str, predicate: Predicate | None = None) -> Hang:
        hang = Hang(method, predicate)
        with self._rules_lock:
            self._hangs.append(hang)
        return hang

    def release_all(self) -> None:
        with self._rules_lock:
            hangs, self._hangs = self._hangs, []
        for h in hangs:
            h.release(deliver=False)

    def stop(self) -> None:
        self.release_all()
        super().stop()

    # ------------------------------------------------------------------ behaviour

    def _delay(self, method: str, args: dict[str, Any]) -> Hang | Slow | None:
        """Wait as arranged; raise _Drop when the call must go unanswered. The rule that held the call
        is returned, to be told when Slack has acted on it."""
        rule: Slow | Hang | None = None
        with self._rules_lock:
            for hang in self._hangs:
                if hang.method == method and (hang.predicate is None or hang.predicate(args)):
                    self._hangs.remove(hang)
                    rule = hang
                    break
            else:
                for slow in self._slow:
                    if slow.method == method and (slow.predicate is None or slow.predicate(args)):
                        slow.remaining -= 1
                        if slow.remaining <= 0:
                            self._slow.remove(slow)
                        rule = slow
                        break
        if rule is None:
            return None
        if isinstance(rule, Hang):
            rule.args = args
            rule.reached.set()
            rule._go.wait(120)
            deliver = rule.deliver
        else:
            time.sleep(rule.seconds)
            deliver = rule.deliver
        if not deliver:
            self.dropped.append((method, args))
            _answered(rule)
            raise _Drop
        return rule

    def handle_api(
        self, method: str, args: dict[str, Any], headers: dict[str, str], decode_problems: list[str]
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        rule = self._delay(method, args)
        try:
            return super().handle_api(method, args, headers, decode_problems)
        finally:
            _answered(rule)

    def handle_response_url(
        self, name: str, args: dict[str, Any], headers: dict[str, str], path: str
    ) -> tuple[int, dict[str, Any]]:
        rule = self._delay("response_url", args)
        try:
            return super().handle_response_url(name, args, headers, path)
        finally:
            _answered(rule)

    def start(self) -> FlakySlack:
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            owner = fake

            def _dispatch(self, raw: bytes) -> None:
                try:
                    super()._dispatch(raw)
                except _Drop:
                    self.close_connection = True
                except OSError:  # the client gave up (timed out, or was killed) before the answer
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="FlakySlack", daemon=True
        )
        self._thread.start()
        return self

    def posts(self, channel: str, *, top_level: bool = True) -> list[dict[str, Any]]:
        """Messages in a channel's history (what people see), top-level only by default."""
        return [m for m in self.messages(channel) if not top_level or m.get("thread_ts") in (None, m["ts"])]


def _answered(rule: Hang | Slow | None) -> None:
    """Slack has acted on (or dropped) a call a rule held: a hang's only call, or a slow rule's last."""
    if isinstance(rule, Hang) or (isinstance(rule, Slow) and rule.remaining <= 0):
        rule.answered.set()


def quietly(fn: Callable[[], Any]) -> None:
    with contextlib.suppress(Exception):
        fn()
