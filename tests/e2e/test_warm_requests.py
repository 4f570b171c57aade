"""Asked again with nothing written, a request runs one SQL statement, the plan revision, whatever the
deployment: with no QIB_PLAN (the plan list read on every request carries the revision) or with one,
and however many sessions the request opens. A write by another replica is seen by the next request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks.counts import count_statements
from models import Area
from models.db import make_engine, make_sessionmaker
from qib_testing.bots import Bot
from qib_testing.people import CHAIR, IRO

REQUESTS: dict[str, Callable[[Bot], Any]] = {
    "status": lambda bot: bot.command("status", user=IRO),
    "status milestone": lambda bot: bot.command("status M-05", user=IRO),
    "history": lambda bot: bot.command("history M-05", user=IRO),
    "mine": lambda bot: bot.command("mine", user=IRO),
    "summary": lambda bot: bot.command("summary", user=CHAIR),
    "a question": lambda bot: bot.command("what is off track?", user=IRO),
    "a question about words": lambda bot: bot.command("how are we doing on foster carer reviews", user=IRO),
    "home": lambda bot: bot.open_home(user=IRO),
}


def warm_statements(bot: Bot, engine: Any, name: str) -> int:
    send = REQUESTS[name]
    send(bot)
    return count_statements(engine, lambda: send(bot))


@pytest.mark.parametrize("name", REQUESTS)
def test_a_warm_request_with_no_plan_pinned_runs_one_statement(bot, engine, name):
    assert warm_statements(bot, engine, name) == 1


def test_a_warm_request_with_the_plan_pinned_runs_one_statement(make_bot, engine):
    with make_bot(plan="Children's Social Care Quality Improvement Plan") as pinned:
        found = {name: warm_statements(pinned, engine, name) for name in REQUESTS}
    assert found == dict.fromkeys(REQUESTS, 1)


def test_a_write_by_another_replica_is_in_the_next_answer(bot, database_url, durham):
    [before] = bot.command("status", user=IRO)
    bot.command("status", user=IRO)
    other = make_engine(database_url)
    try:
        with make_sessionmaker(other).begin() as db:
            area = db.scalars(select(Area).where(Area.plan_id == durham).order_by(Area.position)).first()
            assert area is not None
            area.title = "Renamed by replica two"
    finally:
        other.dispose()
    [after] = bot.command("status", user=IRO)
    assert "Renamed by replica two" not in json.dumps(before)
    assert "Renamed by replica two" in json.dumps(after)


def test_a_form_of_a_plan_the_process_knows_is_saved_without_reading_the_plan_list(bot, engine):
    from sqlalchemy import event

    from tests.e2e.test_updates import open_modal, state

    view = open_modal(bot, "update M-05", user=IRO)  # this request read the plan list
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert bot.submit(view, state("M-05", "on track", "20", "Audit started"), user=IRO) == (200, "")
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert any("INSERT INTO progress_update" in s for s in seen)
    assert not [s for s in seen if "LEFT OUTER JOIN plan_revision" in s]  # the plan list, with revisions
