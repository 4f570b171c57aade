"""The session factory: a reading session reads and nothing else; on PostgreSQL it costs one message to
the server per statement (no BEGIN, no ROLLBACK, no ping while the connection is busy), and a pooled
connection the server dropped while idle is replaced before anyone uses it."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from bot.services import read_model
from models import Area, Milestone
from models import db as models_db
from models.revision import ReadingSessionWrote

ON_POSTGRES = os.environ.get("QIB_TEST_DATABASE_URL", "").startswith("postgresql")
POSTGRES_ONLY = pytest.mark.skipif(
    not ON_POSTGRES, reason="SQLite is a file in this process: no messages to a server, no connection to drop"
)


def test_a_reading_session_refuses_to_write_and_nothing_lands(sessions, durham):
    with sessions() as db:
        before = db.scalar(select(Area.title).where(Area.plan_id == durham).order_by(Area.position))
    with pytest.raises(ReadingSessionWrote, match="sessions.begin"), sessions() as db:
        db.scalars(
            select(Area).where(Area.plan_id == durham).order_by(Area.position)
        ).first().title = "Changed"
        db.flush()
    with pytest.raises(ReadingSessionWrote), sessions() as db:
        db.execute(update(Milestone).where(Milestone.plan_id == durham).values(percent=99))
    with pytest.raises(ReadingSessionWrote), sessions() as db:
        db.execute(text("UPDATE area SET title = 'Changed' WHERE plan_id = :p"), {"p": durham})
    with sessions() as db:
        assert db.scalar(select(Area.title).where(Area.plan_id == durham).order_by(Area.position)) == before
        assert not db.scalar(select(Milestone.id).where(Milestone.percent == 99))


def test_a_writing_session_still_writes_in_one_transaction(sessions, durham):
    with pytest.raises(RuntimeError, match="rolled back"), sessions.begin() as db:
        db.execute(update(Milestone).where(Milestone.plan_id == durham).values(percent=99))
        raise RuntimeError("rolled back")
    with sessions() as db:
        assert not db.scalar(select(Milestone.id).where(Milestone.percent == 99))


def _messages_sent(engine, work) -> list[str]:
    """The frontend messages libpq sends to the server while `work` runs on the pool's one connection."""
    from psycopg import pq

    engine.pool.dispose()
    raw = engine.raw_connection()
    pgconn = raw.dbapi_connection.pgconn
    with tempfile.NamedTemporaryFile(mode="w+b") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        raw.close()  # back to the pool, the only connection in it
        try:
            work()
        finally:
            pgconn.untrace()
        lines = Path(trace.name).read_text(encoding="utf-8", errors="replace").splitlines()
    return [" ".join(line.split("\t")[2:4])[:120] for line in lines if line.startswith("F\t")]


@POSTGRES_ONLY
def test_a_read_on_postgresql_is_one_message_to_the_server(sessions, durham):
    def two_reads() -> None:
        for _ in range(2):
            with sessions() as db:
                assert durham in read_model.plan_ids(db)

    sent = _messages_sent(sessions.engine, two_reads)
    assert [m.split()[0] for m in sent] == ["Query", "Query"], sent
    assert all("SELECT plan.id" in m for m in sent), sent

    def one_write() -> None:
        with sessions.begin() as db:
            db.execute(update(Milestone).where(Milestone.plan_id == durham).values(percent=Milestone.percent))

    sent = _messages_sent(sessions.engine, one_write)  # the counting can see a transaction
    assert sent[0] == 'Query  "BEGIN"', sent
    # The revision bump and the COMMIT go as one message: the revision row is locked for no round trip.
    assert sent[-1].startswith('Query  "UPDATE plan_revision') and sent[-1].endswith('; COMMIT"'), sent
    assert not any(m == 'Query  "COMMIT"' for m in sent), sent


def _backend_pid(sessions) -> int:
    with sessions() as db:
        return int(db.scalar(text("SELECT pg_backend_pid()")))


def _drop(sessions, pid: int) -> None:
    """The server ends the connection, as a restart or an idle timeout would (from outside the pool)."""
    other = models_db.make_engine(sessions.engine.url.render_as_string(hide_password=False))
    try:
        with other.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        other.dispose()


def _dropped_while_idle(sessions, monkeypatch, ping_after: float) -> int:
    """The pid of the pool's one connection, which the server has ended while it sat idle 0.1 s."""
    sessions.engine.pool.dispose()
    monkeypatch.setattr(models_db, "PING_AFTER_IDLE_SECONDS", ping_after)
    dropped = _backend_pid(sessions)
    _drop(sessions, dropped)
    time.sleep(0.1)
    return dropped


@POSTGRES_ONLY
def test_a_connection_dropped_while_idle_is_replaced_before_use(sessions, durham, monkeypatch):
    dropped = _dropped_while_idle(sessions, monkeypatch, ping_after=0.05)
    assert _backend_pid(sessions) != dropped  # the ping found it dead; the pool opened another


@POSTGRES_ONLY
def test_without_the_ping_a_dropped_connection_fails_its_request(sessions, durham, monkeypatch):
    """The counterpart of the test above: what the ping saves a request from."""
    dropped = _dropped_while_idle(sessions, monkeypatch, ping_after=3600)
    with pytest.raises(DBAPIError):
        _backend_pid(sessions)
    assert _backend_pid(sessions) != dropped  # and the pool renews itself after the failure
