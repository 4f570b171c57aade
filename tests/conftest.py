"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when QIB_TEST_DATABASE_URL says so),
emptied after every test, and the Durham plan loaded through the real importer."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.services.planfile import import_plan, read_plan_file
from models import Base
from models.db import describe_connect_error, make_engine, make_sessionmaker, upgrade
from seeds import DURHAM

# `make test` runs the property tests derandomized (HYPOTHESIS_PROFILE=ci): the same examples every run,
# so a red build is the code, not the dice. `make fuzz` explores with fresh random examples, and more.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("fuzz", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "slack-fixtures"
SEED_TIME = datetime(2020, 2, 1, 9, 0, tzinfo=UTC)


def _database_url(tmp: Path) -> str:
    return os.environ.get("QIB_TEST_DATABASE_URL") or f"sqlite:///{tmp / 'qib-test.sqlite3'}"


class RunDatabaseUnavailable(Exception):
    """The PostgreSQL server for the tests cannot be used; the message is one line that says why."""


def server_engine(url: str) -> Engine:
    """An AUTOCOMMIT engine on the server of `url`, for CREATE and DROP DATABASE. When the database the
    URL names does not exist yet (a fresh server has no `test`), the `postgres` maintenance database."""
    server = make_url(url)
    for candidate in (server, server.set(database="postgres")):
        admin = create_engine(candidate, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        try:
            with admin.connect():
                return admin
        except OperationalError as exc:
            admin.dispose()
            reason = describe_connect_error(candidate.render_as_string(hide_password=False), exc)
            if "does not exist" not in reason or candidate.database == "postgres":
                raise RunDatabaseUnavailable(f"QIB_TEST_DATABASE_URL: {reason}") from None
    raise AssertionError("unreachable")


@contextlib.contextmanager
def run_database(url: str) -> Iterator[str]:
    """A fresh database of this run's own on the server of `url` (so runs can overlap), dropped after."""
    server = make_url(url)
    name = f"qib_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = server_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary file, or a fresh PostgreSQL database of this run's own (so runs can overlap)."""
    url = _database_url(tmp_path_factory.mktemp("db"))
    if not url.startswith("postgresql"):
        yield url
        return
    try:
        created = run_database(url)
        fresh = created.__enter__()
    except RunDatabaseUnavailable as exc:
        pytest.exit(str(exc), returncode=2)
    try:
        yield fresh
    finally:
        created.__exit__(None, None, None)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """One database per test run, migrated with the real Alembic migrations."""
    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the real database; every row a test wrote is gone after it."""
    yield make_sessionmaker(engine)
    empty_all_tables(engine)


@pytest.fixture
def durham(sessions: sessionmaker[Session]) -> int:
    """The Durham plan, imported through the real importer; returns its plan id."""
    with sessions.begin() as db:
        return import_plan(db, read_plan_file(DURHAM), now=SEED_TIME).plan_id


@pytest.fixture
def tmp_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


@pytest.fixture
def who(durham: int):  # noqa: ANN201 (tests.usecases.support.Who)
    """`who(user_id)`: a use case's Asker for that person and the Durham plan (tests/usecases/support.py)."""
    from tests.usecases.support import asker_for

    return asker_for(durham)
