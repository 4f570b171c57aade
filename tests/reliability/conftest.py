"""Fixtures for the fault tests: a bot whose database can be cut off, a Slack that can be slow or hang,
and helpers to run `qib` as real processes and to compare what users were told with the database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, select

from bot.app import create_app, make_client
from bot.deps import Deps
from bot.http import QibWsgi, make_server, run_until_closed
from models import AuditEvent, Milestone, ProgressUpdate
from models.db import make_engine, make_sessionmaker
from qib_testing.bots import NOW, Bot, bot_settings
from qib_testing.people import SECRET
from qib_testing.slack_standin import SignedClient
from tests.reliability.flaky_slack import FlakySlack
from tests.reliability.tcp_proxy import TcpProxy

ON_POSTGRES = os.environ.get("QIB_TEST_DATABASE_URL", "").startswith("postgresql")
POSTGRES_ONLY = pytest.mark.skipif(
    not ON_POSTGRES,
    reason=(
        "SQLite has no server to lose: it is a file the bot process opens itself, and the pool keeps "
        "its open file handles, so there is no connection to cut and nothing to reconnect to. SQLite's "
        "outage is a lock held by another writer: see test_sqlite_*."
    ),
)
SQLITE_ONLY = pytest.mark.skipif(
    ON_POSTGRES, reason="a SQLite write lock; PostgreSQL's outage is cut through the TCP proxy instead"
)
ROOT = Path(__file__).resolve().parents[2]
SLACK_TIMEOUT = 2.0  # how long the in-process bot waits for Slack's answer (production: 10 s)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The soak runs for half an hour: only when asked for by name (`make soak`, i.e. `-m soak`)."""
    wanted = config.getoption("markexpr", "") or ""
    if "soak" in wanted and "not soak" not in wanted:
        return
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(pytest.mark.skip(reason="the soak runs with -m soak (make soak)"))


@pytest.fixture
def flaky() -> Iterator[FlakySlack]:
    with FlakySlack() as fake:
        yield fake
        fake.release_all()
        fake.assert_no_violations()


# ---------------------------------------------------------------------- the database, and losing it


class Outage:
    """Make the bot's database unavailable and bring it back, without touching the shared server."""

    url: str

    def cut(self) -> None:
        raise NotImplementedError

    def restore(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.restore()


# The end of the simple-query message that commits a write: the plan revision's bump and COMMIT go to the
# server together (models/revision.py).
PG_COMMIT = b"; COMMIT\x00"


class ProxyOutage(Outage):
    """PostgreSQL through a TcpProxy: cut resets every connection and refuses new ones."""

    def __init__(self, database_url: str) -> None:
        real = make_url(database_url)
        self.proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432).start()
        self.url = real.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)

    def cut(self) -> None:
        self.proxy.cut()

    def restore(self) -> None:
        self.proxy.restore()

    def close(self) -> None:
        self.proxy.close()


class SqliteLock(Outage):
    """SQLite held by another writer (a backup, a migration, a stuck process): BEGIN IMMEDIATE."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.path = make_url(database_url).database or ""
        self._conn: sqlite3.Connection | None = None

    def cut(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        conn.execute("BEGIN IMMEDIATE")
        self._conn = conn

    def restore(self) -> None:
        if self._conn is not None:
            self._conn.execute("ROLLBACK")
            self._conn.close()
            self._conn = None


@pytest.fixture
def outage(database_url: str) -> Iterator[Outage]:
    o: Outage = ProxyOutage(database_url) if ON_POSTGRES else SqliteLock(database_url)
    yield o
    o.close()


def bot_engine(url: str, *, fail_fast: bool = True) -> Engine:
    """The bot's engine as production makes it; on SQLite, with `fail_fast`, a short busy timeout so a
    lock fails fast (production waits 30 s, which would only make the outage tests slow)."""
    if url.startswith("sqlite") and fail_fast:
        return make_engine(url, connect_args={"timeout": 0.5})
    return make_engine(url)


def ticking(start: list[datetime]) -> Any:
    """A clock that moves, as a real one does (from `start[0]`, which a test may move on), so replays
    are not made identical by it."""
    began = time.monotonic()
    return lambda: start[0] + timedelta(seconds=time.monotonic() - began)


@dataclass
class RunningBot(Bot):
    """The e2e Bot, plus its /healthz and the engine it talks through."""

    engine: Engine | None = None
    base_url: str = ""
    _stop: list[Any] = field(default_factory=list)

    def healthz(self, timeout: float = 15) -> int:
        return get_status(self.base_url + "/healthz", timeout=timeout)


def get_status(url: str, timeout: float = 15) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def start_bot(
    url: str,
    slack: FlakySlack,
    *,
    client_timeout: float | None = None,
    fail_fast: bool = True,
    **settings_extra: Any,
) -> RunningBot:
    settings = bot_settings(url, slack, **settings_extra)
    engine = bot_engine(url, fail_fast=fail_fast)
    clock = [NOW]
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), clock=ticking(clock))
    client = make_client(settings)
    if client_timeout is not None:
        client.timeout = client_timeout  # production waits 10 s for Slack; the tests need not
    app = create_app(settings, deps, client=client, process_before_response=True)
    server = make_server(QibWsgi(app, deps, signing_secret=SECRET), host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    bot = RunningBot(
        slack=slack,
        http=SignedClient(base, SECRET, timeout=30),
        deps=deps,
        clock=clock,
        engine=engine,
        base_url=base,
    )
    bot._stop.extend([server.close, lambda: thread.join(5), engine.dispose])
    return bot


def stop_bot(bot: RunningBot) -> None:
    for step in bot._stop:
        step()


@pytest.fixture
def outage_bot(outage: Outage, engine: Engine, flaky: FlakySlack, durham: int) -> Iterator[RunningBot]:
    """The bot over real HTTP, its database reached through `outage` (a proxy, or a lockable file)."""
    running = start_bot(outage.url, flaky, client_timeout=SLACK_TIMEOUT)
    try:
        yield running
    finally:
        outage.restore()
        stop_bot(running)


@pytest.fixture
def busy_bot(engine: Engine, database_url: str, flaky: FlakySlack, durham: int) -> Iterator[RunningBot]:
    """The bot over real HTTP with production's lock wait: for tests of many writers at once, where a
    lock is contention to wait out, not an outage to report."""
    running = start_bot(database_url, flaky, client_timeout=SLACK_TIMEOUT, fail_fast=False)
    try:
        yield running
    finally:
        stop_bot(running)


# ---------------------------------------------------------------------- what users were told


@dataclass
class Ledger:
    """Every update a test sent, by idempotency key, with what its sender was told."""

    outcomes: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, key: str, outcome: str) -> None:
        with self.lock:
            self.outcomes[key] = outcome

    def keys(self, outcome: str) -> set[str]:
        return {k for k, v in self.outcomes.items() if v == outcome}


def recorded_keys(engine: Engine) -> set[str]:
    """The keys of updates given in Slack (the seed's imported history is not the tests' doing)."""
    with make_sessionmaker(engine)() as db:
        return set(db.scalars(select(ProgressUpdate.idempotency_key).where(ProgressUpdate.source == "slack")))


def assert_told_matches_database(ledger: Ledger, engine: Engine) -> None:
    recorded = recorded_keys(engine)
    confirmed_but_missing = ledger.keys("saved") - recorded
    failed_but_recorded = ledger.keys("failed") & recorded
    assert not confirmed_but_missing, (
        f"users were told these were saved, but they are not: {confirmed_but_missing}"
    )
    assert not failed_but_recorded, (
        f"users were told these failed, but they were saved: {failed_but_recorded}"
    )


def assert_updates_are_whole(engine: Engine) -> None:
    """Every update is all there (history row, milestone status, audit event) or not at all."""
    with make_sessionmaker(engine)() as db:
        updates = list(
            db.scalars(
                select(ProgressUpdate).where(ProgressUpdate.source == "slack").order_by(ProgressUpdate.id)
            )
        )
        audited = {
            (e.after or {}).get("update_id")
            for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "update"))
        }
        latest: dict[int, ProgressUpdate] = {}
        for u in updates:
            latest[u.milestone_id] = u
            assert u.id in audited, f"update {u.idempotency_key} has no audit event"
        for milestone_id, u in latest.items():
            m = db.get(Milestone, milestone_id)
            assert m is not None
            assert (m.status, m.percent) == (u.status, u.percent), (
                f"{m.code} says {m.status} {m.percent}% but its latest update says {u.status} {u.percent}%"
            )
        assert len(audited - {None}) == len(updates), "an audit event points at an update that is not there"


# ---------------------------------------------------------------------- real processes


def process_env(database_url: str, slack: FlakySlack, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_"))}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-reliability",
        SLACK_API_URL=slack.base_url,
        SLACK_SIGNING_SECRET=SECRET,
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


@dataclass
class BotProcess:
    proc: subprocess.Popen[bytes]
    log: Path
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http(self) -> SignedClient:
        return SignedClient(self.base_url, SECRET, timeout=30)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_process(
    args: list[str], env: dict[str, str], cwd: Path, log: Path, *, wait_listening: bool = True
) -> BotProcess:
    """`python -m bot ARGS`, its stderr to a file (a pipe would fill up and block a long run)."""
    out = log.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
    )
    out.close()
    bp = BotProcess(proc, log)
    if wait_listening:
        bp.port = int(wait_for_log(bp, r"listening on http://127\.0\.0\.1:(\d+)/slack/events").group(1))
    return bp


def wait_for_log(bp: BotProcess, pattern: str, timeout: float = 60) -> Any:
    import re

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, bp.log_text())
        if found:
            return found
        if not bp.alive():
            break
        time.sleep(0.05)
    raise AssertionError(f"no log line matching {pattern!r}; log was:\n{bp.log_text()[-4000:]}")


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bp in started:
        if bp.alive():
            bp.proc.kill()
            bp.proc.wait(10)


def poll(check: Any, timeout: float = 10, interval: float = 0.05) -> Any:
    """Wait until check() returns something truthy; return it (or fail)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
