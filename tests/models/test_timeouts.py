"""A database host that silently drops packets costs seconds, not a hung request: connections time out,
and /healthz says 503 promptly."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from models.db import CONNECT_TIMEOUT_SECONDS, make_engine
from qib_testing.bots import serve_bot
from qib_testing.slack_standin import FakeSlack

PROMPTLY = CONNECT_TIMEOUT_SECONDS * 3  # seconds: far below TCP's minutes, generous on a busy machine


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word, like a host behind a dropping firewall."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def test_a_connection_to_a_silent_postgresql_host_fails_within_seconds():
    with silent_server() as port:
        engine = make_engine(f"postgresql+psycopg://qib@127.0.0.1:{port}/qib")
        started = time.monotonic()
        with pytest.raises(OperationalError), engine.connect():
            pass
        assert time.monotonic() - started < PROMPTLY
        engine.dispose()


def test_healthz_answers_503_promptly_when_the_database_host_is_silent(database_url, slack: FakeSlack):
    with silent_server() as port:
        engine = make_engine(f"postgresql+psycopg://qib@127.0.0.1:{port}/qib")
        with serve_bot(database_url, engine, slack) as bot:
            started = time.monotonic()
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(bot.http.base_url + "/healthz", timeout=120)  # noqa: S310
            assert answer.value.code == 503
            assert time.monotonic() - started < PROMPTLY
        engine.dispose()


def test_the_web_path_bounds_each_statement_and_sqlite_takes_the_same_settings(database_url):
    engine = make_engine(database_url, statement_timeout_ms=15_000)
    with engine.connect() as conn:
        if database_url.startswith("postgresql"):
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "15s"
        else:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()
