"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when QIB_TEST_DATABASE_URL says so),
emptied after every test, the Durham plan loaded through the real importer, and the bot over HTTP with
the Slack stand-in (`slack`, `bot`, `make_bot`). Each fixture name has one meaning in the whole suite."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from _pytest.nodeid import coerce_node_id
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.services.planfile import import_plan, read_plan_file
from models.db import describe_connect_error, make_engine, make_sessionmaker, upgrade
from qib_testing.bots import Bot, serve_bot
from qib_testing.slack_standin import FakeSlack
from seeds import DURHAM
from tests.snapshot import RowSnapshot, empty_all_tables

# `make test` runs the property tests derandomized (HYPOTHESIS_PROFILE=ci): the same examples every run,
# so a red build is the code, not the dice. `make fuzz` explores with fresh random examples, and more.
# No deadline in CI: a loaded 2-core machine (two suites side by side) makes an example slow, not wrong.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
hypothesis_settings.register_profile("fuzz", derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# The collector runs a tenth as often in the test processes: their heaps hold far more than a bot's (the
# suite's modules, plans of 10,000 milestones, 5 MB plan files), and full collections walking them took
# a fifth of the CPU of tests/security. Nothing here counts on when cyclic garbage goes; the `qib`
# processes the tests start keep Python's defaults, as production does.
gc.set_threshold(7000, 10, 10)

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


def _worker_tag() -> str:
    """`gw0_` under pytest-xdist (`make test` runs the suite on several workers, each with a database of
    its own, so one worker's emptying of tables never meets another's rows), else nothing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{worker}_" if worker.isidentifier() else ""


@contextlib.contextmanager
def run_database(url: str) -> Iterator[str]:
    """A fresh database of this run's own on the server of `url` (so runs can overlap), dropped after."""
    server = make_url(url)
    name = f"qib_test_{_worker_tag()}{os.getpid()}_{uuid.uuid4().hex[:6]}"
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


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """A session factory on the real database; every row a test wrote is gone after it. Its reads run
    the queries themselves (no kept answers), so what a test counts is what the query does."""
    yield make_sessionmaker(engine, read_model=False)
    empty_all_tables(engine)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session on the test database, for tests that only read (or commit themselves)."""
    with sessions() as session:
        yield session


@pytest.fixture(scope="session")
def durham_import() -> dict[str, Any]:
    """The first `durham` of a worker's session imports the plan and keeps the rows written here."""
    return {}


@pytest.fixture
def durham(engine: Engine, sessions: sessionmaker[Session], durham_import: dict[str, Any]) -> int:
    """The Durham plan, imported through the real importer; returns its plan id. The import runs once
    per worker; later tests get the very rows it wrote, inserted again (ten times faster)."""
    if "rows" in durham_import:
        durham_import["rows"].restore(engine)
        return int(durham_import["plan_id"])
    with sessions.begin() as db:
        plan_id = import_plan(db, read_plan_file(DURHAM), now=SEED_TIME).plan_id
    durham_import.update(rows=RowSnapshot.take(engine), plan_id=plan_id)
    return plan_id


@pytest.fixture
def tmp_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


# ---------------------------------------------------------------------- the bot over HTTP


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The Slack stand-in; every payload the bot sent is checked against Block Kit's rules at the end."""
    with FakeSlack() as fake:
        yield fake
        fake.assert_no_violations()


@pytest.fixture
def bot(database_url: str, engine: Engine, slack: FakeSlack, durham: int) -> Iterator[Bot]:
    """The bot serving the Durham plan over real HTTP, reached the way Slack reaches it."""
    with serve_bot(database_url, engine, slack) as running:
        yield running


BotFactory = Callable[..., contextlib.AbstractContextManager[Bot]]


@pytest.fixture
def make_bot(database_url: str, engine: Engine, slack: FakeSlack, durham: int) -> BotFactory:
    """`with make_bot(slack_team_id="T111") as other:` a bot with other settings (`plan=` selects a plan,
    as QIB_PLAN does) on the same database and Slack stand-in."""

    def start(**settings: Any) -> contextlib.AbstractContextManager[Bot]:
        return serve_bot(database_url, engine, slack, **settings)

    return start


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`--dist loadgroup`), the tests of a module that share a module-scoped fixture
    (plans built once, a server started once) run on one worker, so that fixture is built once. First,
    in `make test`'s PostgreSQL half, the tests that never reach the database are deselected."""
    _keep_only_database_tests(config, items)
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = any(
            defs[-1].scope in ("module", "package", "class")
            for defs in info.name2fixturedefs.values()
            if defs
        )
        if shared:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


def _uses_the_test_database(item: pytest.Item) -> bool:
    """The test reaches the database QIB_TEST_DATABASE_URL names: through the fixtures (every one that
    does asks for `database_url`), or its module reads the variable itself."""
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    path = getattr(getattr(item, "module", None), "__file__", None)
    return path is not None and _reads_the_variable(path)


@functools.cache
def _reads_the_variable(path: str) -> bool:
    return "QIB_TEST_DATABASE_URL" in Path(path).read_text(encoding="utf-8")


def _keep_only_database_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs the suite on SQLite and on PostgreSQL side by side; a test that never reaches the
    test database does the same on both, so the PostgreSQL half (QIB_TEST_ONLY_DATABASE=1) runs only the
    tests that reach it, and reports the others as deselected. `make test-postgres` runs them all."""
    if os.environ.get("QIB_TEST_ONLY_DATABASE") != "1":
        return
    kept = [item for item in items if _uses_the_test_database(item)]
    if len(kept) < len(items):
        kept_ids = {id(item) for item in kept}
        config.hook.pytest_deselected(items=[item for item in items if id(item) not in kept_ids])
        items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """On an xdist worker, before it reports what it collected: the group in each grouped test's id
    (`path::test@group`), which is what `--dist loadgroup` schedules by. xdist 3.8 writes it into
    `item._nodeid`, which pytest 9 no longer reads, so without this every module's tests were spread
    over all the workers and each worker built the module's fixtures again."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    for item in session.items:
        groups = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args})
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)  # type: ignore[attr-defined]


@pytest.fixture
def who(durham: int):  # noqa: ANN201 (tests.usecases.support.Who)
    """`who(user_id)`: a use case's Asker for that person and the Durham plan (tests/usecases/support.py)."""
    from tests.usecases.support import asker_for

    return asker_for(durham)
