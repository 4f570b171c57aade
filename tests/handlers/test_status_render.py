"""Status replies from the use cases' results: what was found, the summary with and without a board."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.services.digest import Digest
from bot.services.errors import InvalidInput, NotFound
from bot.usecases import status
from bot.usecases.results import Refused
from handlers.status import milestone, parse_days, render, summary_reply
from models import Milestone
from tests.handlers.blockcheck import valid_reply
from tests.services.test_digest_export import digest
from tests.usecases.support import IRO, Who


def test_the_overview_names_the_plan_and_the_next_board(sessions, who: Who) -> None:
    reply = valid_reply(render.overview_reply(status.overview(sessions, who(IRO))))
    assert reply.text.startswith("Children's Social Care Quality Improvement Plan: ")


def test_an_area_and_a_milestone_found_are_shown(sessions, who: Who) -> None:
    area = status.look_up(sessions, who(IRO), "foster carer reviews")
    assert isinstance(area, status.AreaFound)
    assert valid_reply(render.area_reply(area.detail)).text.startswith("AFI-5 Foster carer reviews")
    found = status.look_up(sessions, who(IRO), "M-05")
    assert isinstance(found, status.MilestoneFound)
    own = valid_reply(milestone.milestone_reply(found.detail, can_update=True))
    other = valid_reply(milestone.milestone_reply(found.detail, can_update=False))
    assert own.text.startswith("M-05 IROs increase scrutiny")
    assert "update_milestone" in json.dumps(own.blocks) and "update_milestone" not in json.dumps(other.blocks)


def test_choices_reply_for_nothing_found(sessions, who: Who) -> None:
    found = status.look_up(sessions, who(IRO), "xylophone quantum")
    assert isinstance(found, status.Choices)
    assert valid_reply(render.choices_reply(found.found)).text


def test_the_summary_is_the_paper_or_the_plans_own_view(sessions, who: Who) -> None:
    def no_board(db: object, now: object) -> Digest:
        raise NotFound("no board")

    paper = status.summary(sessions, who(IRO), lambda db, now: digest())
    assert valid_reply(summary_reply(paper, shared=False)).text
    shared = valid_reply(summary_reply(status.summary(sessions, who(IRO), no_board), shared=True))
    assert shared.text.startswith("Board summary")


def test_lists_render(sessions, who: Who) -> None:
    assert "Nothing is overdue" in valid_reply(render.overdue_reply(status.overdue(sessions, who(IRO)))).text
    due = valid_reply(render.due_reply(status.due(sessions, who(IRO), 60)))
    assert [line.split()[0] for line in due.text.splitlines()[1:]] == ["M-03", "M-06", "M-12"]
    valid_reply(render.stale_reply(status.stale(sessions, who(IRO))))
    history = status.history(sessions, who(IRO), "M-16")
    assert not isinstance(history, Refused)
    lines = valid_reply(milestone.history_reply(history)).text.splitlines()
    assert lines[0] == "History of M-16 Timeliness of Foster Carer reviews addressed: 2 update(s)."


@pytest.mark.parametrize(("text", "days"), [("", None), ("14", 14), ("14 days", 14), ("1 day", 1)])
def test_days_are_read(text: str, days: int | None) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["soonish", "²", "9999", "99999"])
def test_nonsense_days_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a number of days"):
        parse_days(text)


def test_a_milestone_shows_its_revised_date_and_one_awaiting_the_chair(sessions, who: Who) -> None:
    """Whoever asks about a milestone (the chair deciding, the owner who asked) sees beside its due date
    the plan's own date once a revision was approved, and a revised date waiting for approval."""
    with sessions.begin() as db:
        m = db.scalars(select(Milestone).where(Milestone.code == "M-05")).one()
        m.baseline_due, m.due = m.due, date(2020, 7, 31)
        m.due_requested, m.due_request_reason = date(2020, 9, 30), "IRO post filled in July"
    found = status.look_up(sessions, who(IRO), "M-05")
    assert isinstance(found, status.MilestoneFound)
    shown = json.dumps(valid_reply(milestone.milestone_reply(found.detail)).blocks)
    assert "revised from Tue 30 Jun 2020" in shown
    assert "Revised date awaiting approval: Wed 30 Sep 2020 because IRO post filled in July" in shown


def test_without_a_board_the_summary_heads_its_list_with_the_days_it_looks_ahead(sessions) -> None:
    from datetime import UTC, datetime

    from bot.services import queries as q
    from bot.services.planfile import import_plan
    from qib_testing.plans import plan_doc

    with sessions.begin() as db:
        doc = plan_doc(40, "No board plan", board=None)
        pid = import_plan(db, doc, now=datetime(2019, 12, 1, tzinfo=UTC)).plan_id
    with sessions() as db:
        summary = q.chair_summary(db=db, plan_id=pid, today=date(2019, 12, 10))
    reply = valid_reply(render.summary_reply(summary))
    assert f"*Due in the next 28 days* ({len(summary.due_before_next)})" in json.dumps(reply.blocks)
    assert "before the next board" not in reply.text
