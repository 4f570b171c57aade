"""`qib run` prepares the answers most requests draw on before it serves (bot.usecases.warm_up): the
first status, area, search, mine, Home tab and summary then read nothing but the plan's revision."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.deps import Deps
from bot.services import read_model
from bot.settings import Settings
from bot.usecases import board_paper, home, status
from bot.usecases.base import Asker
from bot.usecases.warm_up import warm_up
from models.db import make_sessionmaker
from tests.services.conftest import counting
from tests.usecases.support import CHAIR, IRO, NOW, Who


def _first_requests(sessions, who: Who, settings: Settings) -> list[Callable[[], object]]:
    iro: Asker = who(IRO)
    build = lambda db, now: board_paper.preview_in(db, iro.plan_id, settings, now)  # noqa: E731
    return [
        lambda: status.overview(sessions, iro),
        lambda: status.look_up(sessions, iro, "AFI-2"),
        lambda: status.look_up(sessions, iro, "foster carer reviews"),
        lambda: status.mine(sessions, iro),
        lambda: home.home_tab(sessions, iro),
        lambda: status.summary(sessions, who(CHAIR), build),
    ]


@pytest.fixture
def kept(engine):  # noqa: ANN001, ANN201
    """Sessions that keep answers, as the bot's do (none kept yet)."""
    read_model.answers.clear()
    return make_sessionmaker(engine)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, scheduler=False)


def test_after_warming_up_the_first_requests_read_only_the_revision(engine, kept, durham, who, settings):
    took = warm_up(Deps(engine=engine, sessions=kept), settings, NOW)
    requests = _first_requests(kept, who, settings)
    with counting(engine) as seen:
        for request in requests:
            request()
    assert took > 0
    assert len(seen) == len(requests), seen  # one revision read per request's session
    assert all("plan_revision" in statement for statement in seen), seen


def test_without_warming_up_the_first_requests_read_the_plan(engine, kept, durham, who, settings):
    requests = _first_requests(kept, who, settings)
    with counting(engine) as seen:
        for request in requests:
            request()
    assert len(seen) > 3 * len(requests)


def test_a_write_after_warming_up_is_seen(engine, sessions, kept, durham, who, settings):
    from sqlalchemy import update

    from models import Milestone

    warm_up(Deps(engine=engine, sessions=kept), settings, NOW)
    with kept.begin() as db:
        db.execute(update(Milestone).where(Milestone.code == "M-05").values(title="Retitled after warm-up"))
    found = status.look_up(kept, who(IRO), "M-05")
    assert isinstance(found, status.MilestoneFound)
    assert found.detail.row.title == "Retitled after warm-up"
    assert read_model.answers.builds > 0
