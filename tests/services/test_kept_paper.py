"""The board paper (what /qib summary and /qib digest preview show) is kept in the read model: asked again
with nothing written, it runs no plan query; a write in between is in the next paper; and a request
reads the plan revision once per session, not once per kept answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from bot.services import queries as q
from bot.services import read_model
from bot.services.read_model import FrozenList
from bot.settings import Settings
from bot.usecases import board_paper
from models import Milestone
from models.db import Sessions
from tests.services.conftest import counting

NOW = datetime(2020, 2, 3, 10, 0, tzinfo=UTC)  # after the January board (16th), before February's (20th)
TODAY = NOW.date()
SETTINGS = Settings(_env_file=None)


def paper(kept: Sessions, plan_id: int, now: datetime = NOW) -> Any:
    with kept() as db:
        return board_paper.preview_in(db, plan_id, SETTINGS, now)


def retitle_first_milestone(kept: Sessions, plan_id: int, title: str) -> str:
    with kept.begin() as db:
        milestone = db.scalars(
            select(Milestone).where(Milestone.plan_id == plan_id).order_by(Milestone.position)
        ).first()
        assert milestone is not None
        milestone.title = title
        return milestone.code


def titles(digest: Any) -> dict[str, str]:
    return {r.code: r.title for a in digest.areas for r in a.rows}


# ------------------------------------------------------------------ the kept paper


def test_the_paper_asked_again_runs_no_plan_query(engine, kept, durham):
    first = paper(kept, durham)
    with counting(engine) as seen:
        again = paper(kept, durham)
    assert len(seen) == 1 and "plan_revision" in seen[0], seen
    assert again == first


def test_the_kept_paper_is_the_paper_the_queries_build(kept, durham, sessions):
    with sessions() as db:  # no kept answers: every query runs
        fresh = board_paper.preview_in(db, durham, SETTINGS, NOW)
    paper(kept, durham)
    assert paper(kept, durham) == fresh


def test_a_write_in_between_is_in_the_next_paper(kept, durham):
    before = paper(kept, durham)
    code = retitle_first_milestone(kept, durham, "Retitled since the last paper")
    after = paper(kept, durham)
    assert titles(before)[code] != "Retitled since the last paper"
    assert titles(after)[code] == "Retitled since the last paper"


def test_the_kept_paper_carries_the_moment_it_was_asked_for(engine, kept, durham):
    paper(kept, durham)
    later = NOW + timedelta(minutes=7)
    with counting(engine) as seen:
        again = paper(kept, durham, later)
    assert len(seen) == 1, seen
    assert again.generated_at == later
    assert paper(kept, durham).generated_at == NOW


def test_another_day_is_another_paper(kept, durham):
    paper(kept, durham)
    builds = read_model.answers.builds
    paper(kept, durham, NOW + timedelta(days=1))
    assert read_model.answers.builds > builds


def test_the_kept_paper_cannot_be_changed(kept, durham):
    paper(kept, durham)
    kept_one = paper(kept, durham)
    assert isinstance(kept_one.areas, FrozenList)
    with pytest.raises(TypeError):
        kept_one.areas.append(kept_one.areas[0])
    with pytest.raises(TypeError):
        kept_one.areas[0].rows.clear()
    with pytest.raises(ValidationError):
        kept_one.plan_title = "Changed"
    with pytest.raises(TypeError):
        kept_one.headline.counts.clear()
    assert kept_one.model_dump(mode="json")["areas"][0]["rows"], "a kept paper still serialises"


def test_a_mutable_pydantic_model_is_refused_by_the_read_model():
    from pydantic import BaseModel

    class Loose(BaseModel):
        items: list[int]

    with pytest.raises(TypeError, match="frozen=True"):
        read_model.freeze(Loose(items=[1]))


def test_the_paper_kept_for_one_meeting_is_not_given_for_another(kept, durham):
    with kept() as db:
        rule, meeting = board_paper.upcoming_in(db, durham, SETTINGS, NOW)
        following = rule.meetings(meeting.on + timedelta(days=1), meeting.on + timedelta(days=60))[0]
        this_one = board_paper.build_in(db, durham, rule, meeting, NOW)
        next_one = board_paper.build_in(db, durham, rule, following, NOW)
    assert this_one.meeting_on == meeting.on and next_one.meeting_on == following.on


# ------------------------------------------------------------------ the revision, once per session


def test_a_session_reads_the_revision_once_for_all_its_kept_answers(engine, kept, durham):
    with kept() as db:
        q.plan_overview(db=db, plan_id=durham, today=TODAY)
        q.overdue(db=db, plan_id=durham, today=TODAY)
        board_paper.preview_in(db, durham, SETTINGS, NOW)
    with counting(engine) as seen, kept() as db:
        q.plan_overview(db=db, plan_id=durham, today=TODAY)
        q.overdue(db=db, plan_id=durham, today=TODAY)
        board_paper.preview_in(db, durham, SETTINGS, NOW)
    assert len(seen) == 1 and "plan_revision" in seen[0], seen


def test_a_write_committed_here_is_seen_by_a_session_opened_before_it(engine, kept, durham):
    """A request that reads, writes in another session, then reads again in the first, sees its write
    (on PostgreSQL: SQLite's read transaction keeps its snapshot, so there it never would, kept or not)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a SQLite read transaction sees its snapshot only")
    with kept() as reading:
        first = board_paper.preview_in(reading, durham, SETTINGS, NOW)
        code = retitle_first_milestone(kept, durham, "Written in the middle")
        again = board_paper.preview_in(reading, durham, SETTINGS, NOW)
    assert titles(first)[code] != "Written in the middle"
    assert titles(again)[code] == "Written in the middle"
