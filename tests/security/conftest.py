"""The end-to-end bot of tests/e2e (the same Bot, over real HTTP), and a factory for bots with other
settings. Served with a short loop timeout, so each test's server stops in milliseconds, not a second."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from waitress import create_server

from bot.app import create_app, make_client
from bot.deps import Deps
from bot.http import QibWsgi, run_until_closed
from models.db import make_sessionmaker
from tests.e2e.conftest import NOW, SECRET, Bot, bot_settings, slack  # noqa: F401
from tests.slack_standin import FakeSlack, SignedClient

BotFactory = Callable[..., contextlib.AbstractContextManager[Bot]]


@contextlib.contextmanager
def serve_bot(
    database_url: str, engine: Engine, fake: FakeSlack, *, plan: str | None = None, **settings: Any
) -> Iterator[Bot]:
    config = bot_settings(database_url, fake, **settings)
    clock = [NOW]
    deps = Deps(engine=engine, sessions=make_sessionmaker(engine), clock=lambda: clock[0], plan_selector=plan)
    app = create_app(config, deps, client=make_client(config), process_before_response=True)
    server = create_server(
        QibWsgi(app, deps), host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05
    )
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield Bot(
            slack=fake,
            http=SignedClient(f"http://127.0.0.1:{server.effective_port}", SECRET),
            deps=deps,
            clock=clock,
        )
    finally:
        server.close()
        thread.join(5)


@pytest.fixture
def bot(database_url: str, engine: Engine, slack: FakeSlack, durham: int) -> Iterator[Bot]:  # noqa: F811
    with serve_bot(database_url, engine, slack) as running:
        yield running


@pytest.fixture
def make_bot(database_url: str, engine: Engine, slack: FakeSlack, durham: int) -> BotFactory:  # noqa: F811
    """`with make_bot(slack_team_id="T111") as other:` a bot with other settings (`plan=` selects a plan,
    as QIB_PLAN does) on the same database and Slack stand-in."""

    def start(**settings: Any) -> contextlib.AbstractContextManager[Bot]:
        return serve_bot(database_url, engine, slack, **settings)

    return start
