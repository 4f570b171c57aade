"""Engine, session factory and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

import copy
from pathlib import Path
from time import monotonic
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
# A server that silently drops packets must fail a connection in seconds, not hang a request (or
# /healthz) for the minutes TCP takes to give up.
CONNECT_TIMEOUT_SECONDS = 5
# Sent data unacknowledged this long kills an established connection (Linux TCP_USER_TIMEOUT).
TCP_USER_TIMEOUT_MS = 10_000
# A pooled connection idle this long is pinged before it is used; one in use a moment ago is not.
PING_AFTER_IDLE_SECONDS = 1.0


class DatabaseUnavailable(Exception):
    """The database in DATABASE_URL cannot be opened; the message is one line that says why."""


def make_engine(url: str, *, statement_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets real transactions, foreign keys and WAL.

    pysqlite's legacy transaction handling defers BEGIN and so breaks savepoints and SERIALIZABLE-like
    behaviour; the connect/begin pair below is the fix from SQLAlchemy's SQLite dialect docs.
    PostgreSQL connections time out while connecting; `statement_timeout_ms` (the web path) also
    bounds each statement on the server. SQLite has neither: its file is local.
    """
    # Errors must not carry parameters into logs: they can hold the text of a progress note.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url != "sqlite://":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Writers take the write lock up front (so concurrent writers queue instead of failing on a
            # stale snapshot); readers begin deferred, so they never wait for a writer in WAL mode.
            conn.exec_driver_sql(
                "BEGIN IMMEDIATE" if conn.get_execution_options().get("qib_write") else "BEGIN"
            )

        return engine
    if url.startswith("postgresql"):
        args = kwargs.setdefault("connect_args", {})
        args.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
        args.setdefault("tcp_user_timeout", TCP_USER_TIMEOUT_MS)
        args.setdefault("keepalives", 1)
        args.setdefault("keepalives_idle", 30)
        args.setdefault("keepalives_interval", 5)
        args.setdefault("keepalives_count", 3)
    engine = create_engine(url, **kwargs)
    if statement_timeout_ms is not None and url.startswith("postgresql"):
        # A SET on each new connection rather than a startup `options`, which PgBouncer refuses.
        @event.listens_for(engine, "connect")
        def _bound_statements(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
            cursor.close()
            dbapi_connection.autocommit = autocommit

    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it has been idle: a connection the server dropped
    (a restart, a failover, an idle timeout) is replaced before a request meets it, and a busy bot does
    not pay a round trip per request for it, as `pool_pre_ping` would. A connection that died within the
    last second fails its request with the database-down message, and the pool is then renewed."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["qib_returned_at"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("qib_returned_at")
        if returned is None or monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool replaces the connection and tries again
            raise DisconnectionError(f"a pooled connection failed its ping: {type(exc).__name__}") from exc


def check_connection(engine: Engine) -> None:
    """Open one connection now, so a wrong DATABASE_URL is one clear line rather than a traceback later."""
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        raise DatabaseUnavailable(describe_connect_error(engine.url.render_as_string(), exc)) from None


def describe_connect_error(url: str, exc: BaseException) -> str:
    """`cannot open the database postgresql://qib@db/qib: database "qib" does not exist`, password hidden."""
    try:
        parsed = make_url(url)
        shown = parsed.render_as_string(hide_password=True)
    except ArgumentError:
        return "cannot open the database in DATABASE_URL: it is not a database URL"
    if parsed.get_backend_name() == "sqlite":
        file = Path(parsed.database or "")
        if parsed.database and not file.parent.exists():
            return f"cannot open the SQLite database {file}: the folder {file.parent} does not exist"
        if file.is_dir():
            return f"cannot open the SQLite database {file}: it is a folder"
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    # psycopg: 'connection failed: connection to server at "h", port 5432 failed: FATAL:  database ...'
    reason = (lines[0] if lines else type(orig).__name__).removeprefix("connection failed: ")
    reason = reason.replace("FATAL:  ", "")
    if "failed: " in reason and "connection to server" in reason:
        where, _, why = reason.partition(" failed: ")
        reason = f"{why} ({where.removeprefix('connection to server ')})"
    return f"cannot open the database {shown}: {reason}"


class Sessions(sessionmaker[Session]):
    """`sessions()` for reading; `sessions.begin()` for a writing transaction, committed on exit.

    A reading session cannot write (models.revision refuses its flushes and write statements). On
    PostgreSQL it reads in autocommit: no BEGIN and ROLLBACK around a request's one statement, two round
    trips of three saved. Nothing is lost by it: at READ COMMITTED each statement has its own snapshot,
    in a transaction or not. SQLite keeps its read transaction (a snapshot; BEGIN costs no round trip).
    """

    def __init__(self, engine: Engine, *, read_model: bool = True) -> None:
        from models.revision import READ_MODEL, READER, install

        install()  # every write bumps the plan revision; `read_model`: reads may use kept answers
        reader = engine
        if engine.dialect.name == "postgresql":
            reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        info: dict[str, Any] = {READER: True}
        if read_model:
            info[READ_MODEL] = True
        super().__init__(reader, expire_on_commit=False, info=info)
        self.engine = engine
        self._writer = sessionmaker(engine.execution_options(qib_write=True), expire_on_commit=False)

    def begin(self) -> Any:
        return self._writer.begin()

    def for_request(self) -> Sessions:
        """The same factory for one request: its sessions share one memo of the plan revisions they read
        (bot.services.read_model.current_revision), so a request that opens several sessions reads a
        plan's revision once. Made per request and dropped with it; writing sessions are unaffected."""
        from models.revision import REQUEST

        scoped = copy.copy(self)
        scoped.kw = {**self.kw, "info": {**(self.kw.get("info") or {}), REQUEST: {}}}
        return scoped


def make_sessionmaker(engine: Engine, *, read_model: bool = True) -> Sessions:
    return Sessions(engine, read_model=read_model)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


# The newest migration in models/migrations/versions (tests/models/test_schema.py holds the two together):
# a start on an up-to-date database compares it with the database's own, without loading Alembic's
# scripts, which every `qib` command (a cron tick, say) would pay a fifth of a second for.
SCHEMA_HEAD = "0014"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call on every start.

    Alembic speaks (at INFO) only when a migration runs: a bot starting, or `qib tick` under cron,
    on an up-to-date database says nothing about it.
    """
    target = SCHEMA_HEAD if revision == "head" else revision
    if current_revision(engine) == target:
        return
    import logging

    from alembic import command

    # Its plugin set-up chatter is never useful; the migrations it runs are, and stay at INFO.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision (Alembic's version table), None before the first migration."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("plan")
