"""The end-to-end bot of tests/e2e (the same Bot, over real HTTP), and a factory for bots with other
settings. Served with a short loop timeout, so each test's server stops in milliseconds, not a second."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.e2e.conftest import Bot, serve_bot, slack  # noqa: F401
from tests.slack_standin import FakeSlack

BotFactory = Callable[..., contextlib.AbstractContextManager[Bot]]


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
