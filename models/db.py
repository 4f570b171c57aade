"""Engine, session factory and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets real transactions, foreign keys and WAL.

    pysqlite's legacy transaction handling defers BEGIN and so breaks savepoints and SERIALIZABLE-like
    behaviour; the connect/begin pair below is the fix from SQLAlchemy's SQLite dialect docs.
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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Sessions(sessionmaker[Session]):
    """`sessions()` for reading; `sessions.begin()` for a writing transaction, committed on exit."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._writer = sessionmaker(engine.execution_options(qib_write=True), expire_on_commit=False)

    def begin(self) -> Any:
        return self._writer.begin()


def make_sessionmaker(engine: Engine) -> Sessions:
    return Sessions(engine)


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to call on every start.

    Alembic speaks (at INFO) only when a migration runs: a bot starting, or `qib tick` under cron,
    on an up-to-date database says nothing about it.
    """
    import logging

    alembic_log = logging.getLogger("alembic")
    # Its plugin set-up chatter is never useful; the migrations it runs are, and stay at INFO.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    before = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        from alembic import command
        from alembic.script import ScriptDirectory

        cfg = alembic_config(engine)
        target = ScriptDirectory.from_config(cfg).get_current_head() if revision == "head" else revision
        if target is not None and current_revision(engine) == target:
            return
    finally:
        alembic_log.setLevel(before)
    command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("plan")
