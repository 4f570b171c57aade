"""The read model: every write bumps the plan revision in its own transaction, and kept answers are used
only while the revision stands, in this process or after a write made by another one."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update

from bot.services import queries as q
from bot.services import read_model
from bot.services.audit import AuditAction, audit
from bot.services.planfile import import_plan, parse_plan_text
from bot.services.read_model import FrozenList, current_revision
from models import Area, Milestone
from models.db import Sessions, make_engine, make_sessionmaker
from models.revision import READ_MODEL, bump_all
from seeds import DURHAM
from tests.conftest import ROOT
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)  # after the January board (16th), before February's (20th)


def revision(kept: Sessions, plan_id: int) -> int:
    with kept() as db:
        found = current_revision(db, plan_id)
    assert found is not None
    return found[1]


def first_area(kept: Sessions, plan_id: int) -> str:
    with kept() as db:
        return q.plan_overview(db=db, plan_id=plan_id, today=TODAY).areas[0].title


def rename_first_area(sessions: Any, plan_id: int, title: str) -> None:
    with sessions.begin() as db:
        area = db.scalars(select(Area).where(Area.plan_id == plan_id).order_by(Area.position)).first()
        area.title = title


# ------------------------------------------------------------------ the revision


def test_a_plan_made_through_the_importer_has_a_revision(kept, durham):
    with kept() as db:
        found = current_revision(db, durham)
    assert found is not None and len(found[0]) == 32


def test_a_write_bumps_the_revision_when_it_commits_and_a_rollback_leaves_it(kept, durham):
    before = revision(kept, durham)
    with kept.begin() as db:
        db.get(
            Milestone, db.scalar(select(Milestone.id).where(Milestone.plan_id == durham))
        ).title = "Renamed"
        db.flush()
        assert revision(kept, durham) == before, "another session sees the bump only with the write"
    assert revision(kept, durham) == before + 1

    with pytest.raises(RuntimeError), kept.begin() as db:
        rename = select(Area).where(Area.plan_id == durham)
        db.scalars(rename).first().title = "Never saved"
        db.flush()
        raise RuntimeError("rolled back")
    assert revision(kept, durham) == before + 1


def test_the_bump_is_in_the_writing_transaction_itself(engine, kept, durham):
    with counting(engine) as seen, kept.begin() as db:
        db.scalars(select(Area).where(Area.plan_id == durham)).first().title = "Changed"
    bump = [i for i, s in enumerate(seen) if s.lstrip().upper().startswith("UPDATE PLAN_REVISION")]
    assert len(bump) == 1 and bump[0] == len(seen) - 1, seen


def test_core_and_text_writes_bump_too(kept, durham):
    before = revision(kept, durham)
    with kept.begin() as db:
        db.execute(update(Milestone).where(Milestone.plan_id == durham).values(percent=Milestone.percent))
    assert revision(kept, durham) == before + 1
    with kept.begin() as db:
        db.execute(text("UPDATE area SET title = title WHERE plan_id = :p"), {"p": durham})
    assert revision(kept, durham) == before + 2
    with kept() as db:
        db.execute(select(Milestone.id)).all()
        db.commit()
    assert revision(kept, durham) == before + 2, "a read is not a write"


def test_an_audit_row_moves_its_own_plans_revision_and_no_other(kept, durham):
    """The audit row is a Core INSERT that names its plan (models.revision.PLAN_WRITTEN)."""
    other_plan = DURHAM.read_text(encoding="utf-8").replace("title: ", "title: Other ", 1)
    with kept.begin() as db:
        other = import_plan(db, parse_plan_text(other_plan), now=datetime(2020, 2, 1, tzinfo=UTC)).plan_id
    before = revision(kept, durham), revision(kept, other)
    with kept.begin() as db:
        audit(
            db, plan_id=durham, at=datetime.now(UTC), actor="A tester", action=AuditAction.UPDATE, entity="x"
        )
    assert (revision(kept, durham), revision(kept, other)) == (before[0] + 1, before[1])


def test_a_write_outside_a_rolled_back_savepoint_still_bumps(kept, durham):
    before = revision(kept, durham)
    with kept.begin() as db:
        db.scalars(select(Area).where(Area.plan_id == durham)).first().title = "Kept"
        db.flush()
        nested = db.begin_nested()
        db.execute(text("UPDATE area SET title = title"))
        nested.rollback()
    assert revision(kept, durham) == before + 1


def test_a_migration_bumps_every_plan(engine, kept, durham):
    before = revision(kept, durham)
    with engine.begin() as conn:
        bump_all(conn)
    assert revision(kept, durham) == before + 1


# ------------------------------------------------------------------ kept answers


def test_a_warm_answer_costs_one_statement_the_revision(engine, kept, durham):
    first_area(kept, durham)
    with counting(engine) as seen, kept() as db:
        again = q.plan_overview(db=db, plan_id=durham, today=TODAY)
    assert len(seen) == 1 and "plan_revision" in seen[0], seen
    with kept() as db:
        assert again == q.plan_overview.uncached(db=db, plan_id=durham, today=TODAY)  # type: ignore[attr-defined]


def test_kept_answers_are_the_same_as_the_queries_and_cannot_be_changed(kept, durham):
    with kept() as db:
        code = q.plan_overview(db=db, plan_id=durham, today=TODAY).areas[0].code
        calls = {
            "overview": lambda: q.plan_overview(db=db, plan_id=durham, today=TODAY),
            "area": lambda: q.area_detail(db=db, plan_id=durham, today=TODAY, code=code),
            "summary": lambda: q.chair_summary(db=db, plan_id=durham, today=TODAY),
            "priorities": lambda: q.by_priority(db=db, plan_id=durham, today=TODAY),
            "digest": lambda: q.chair_summary_and_rows(db=db, plan_id=durham, today=TODAY),
        }
        for name, call in calls.items():
            first, second = call(), call()
            assert first is second, name
        overview = calls["overview"]()
        assert overview == q.plan_overview.uncached(db=db, plan_id=durham, today=TODAY)  # type: ignore[attr-defined]
    assert isinstance(overview.areas, FrozenList) and overview.areas == list(overview.areas)
    with pytest.raises(TypeError):
        overview.areas.append(overview.areas[0])
    with pytest.raises(TypeError):
        overview.areas.sort(key=lambda a: a.code)
    with pytest.raises(TypeError):
        overview.totals.counts.clear()  # type: ignore[attr-defined]


def test_a_write_is_seen_by_the_next_read(kept, durham):
    assert first_area(kept, durham) != "Renamed here"
    rename_first_area(kept, durham, "Renamed here")
    assert first_area(kept, durham) == "Renamed here"


def test_a_session_that_wrote_neither_uses_nor_fills_the_kept_answers(kept, durham):
    old = first_area(kept, durham)
    with pytest.raises(RuntimeError), kept.begin() as db:
        db.scalars(select(Area).where(Area.plan_id == durham).order_by(Area.position)).first().title = "Draft"
        db.flush()
        db.info[READ_MODEL] = True  # a writing session that may read kept answers
        assert q.plan_overview(db=db, plan_id=durham, today=TODAY).areas[0].title == "Draft"
        raise RuntimeError("rolled back")
    assert first_area(kept, durham) == old


def test_a_write_in_another_process_is_seen_by_the_next_read_here(kept, durham, database_url):
    old = first_area(kept, durham)
    first_area(kept, durham)
    script = (
        "import sys\n"
        "from models.db import make_engine, make_sessionmaker\n"
        "from models import Area\n"
        "from sqlalchemy import select\n"
        "sessions = make_sessionmaker(make_engine(sys.argv[1]))\n"
        "with sessions.begin() as db:\n"
        "    area = db.scalars(select(Area).where(Area.plan_id == int(sys.argv[2]))"
        ".order_by(Area.position)).first()\n"
        "    area.title = 'Renamed by the other replica'\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, database_url, str(durham)], check=True, cwd=ROOT, timeout=120
    )
    assert old != "Renamed by the other replica"
    assert first_area(kept, durham) == "Renamed by the other replica"


def test_a_write_through_another_engine_is_seen_by_the_next_read_here(kept, durham, database_url):
    first_area(kept, durham)
    other = make_engine(database_url)
    try:
        rename_first_area(make_sessionmaker(other), durham, "Renamed by replica two")
    finally:
        other.dispose()
    assert first_area(kept, durham) == "Renamed by replica two"


def test_concurrent_first_reads_build_the_answer_once(engine, kept, durham):
    real = q.plan_overview.uncached  # type: ignore[attr-defined]
    started = threading.Barrier(8)
    builds: list[int] = []

    def slow(**kwargs: Any) -> Any:
        builds.append(1)
        return real(**kwargs)

    wrapped = read_model.cached(slow)
    got: list[Any] = []

    def ask() -> None:
        with kept() as db:
            started.wait(timeout=30)
            got.append(wrapped(db=db, plan_id=durham, today=TODAY))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(got) == 8 and all(g is got[0] for g in got)
    assert len(builds) == 1


def test_an_answer_that_depends_on_now_holds_until_the_next_meeting_starts(kept, durham):
    with kept() as db:
        calendar = q.board_calendar.uncached(db=db, plan_id=durham, today=TODAY)  # type: ignore[attr-defined]
    meeting = calendar.next.starts_at
    day = meeting.astimezone(UTC).date()  # the Durham board meets in the morning, the same day in UTC
    moments = [
        meeting - timedelta(hours=1),
        meeting - timedelta(seconds=1),
        meeting,
        meeting + timedelta(hours=2),
    ]
    for now in moments:
        with kept() as db:
            got = q.chair_summary(db=db, plan_id=durham, today=day, now=now)
            want = q.chair_summary.uncached(db=db, plan_id=durham, today=day, now=now)  # type: ignore[attr-defined]
        assert got == want, now
    with kept() as db:
        before = q.board_calendar(db=db, plan_id=durham, today=day, now=moments[0])
        after = q.board_calendar(db=db, plan_id=durham, today=day, now=moments[2])
    assert before.next is not None and before.next.starts_at == meeting
    assert after.next is None or after.next.starts_at > meeting


def test_uncached_sessions_run_the_queries(engine, sessions, durham):
    with sessions() as db:
        q.plan_overview(db=db, plan_id=durham, today=TODAY)
    with counting(engine) as seen, sessions() as db:
        q.plan_overview(db=db, plan_id=durham, today=TODAY)
    assert len(seen) == 4 and not any("plan_revision" in s for s in seen)


def test_a_plan_without_a_revision_row_is_never_kept(engine, kept, durham):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM plan_revision"))
    assert first_area(kept, durham)
    rename_first_area(kept, durham, "No row, still fresh")
    assert first_area(kept, durham) == "No row, still fresh"


def test_the_kept_answers_are_bounded(kept, durham):
    size = read_model.answers.size
    read_model.answers.size = 3
    try:
        with kept() as db:
            for days in range(6):
                q.plan_overview(db=db, plan_id=durham, today=TODAY + timedelta(days=days))
        assert len(read_model.answers) == 3
    finally:
        read_model.answers.size = size


def test_ratings_asked_in_any_form_are_answered_alike(kept, durham):
    with kept() as db:
        want = q.by_rating.uncached(db=db, plan_id=durham, today=TODAY, ratings=["off track", "at risk"])  # type: ignore[attr-defined]
        for ratings in (
            ["off track", "at risk"],
            ("off track", "at risk"),
            iter(["off track", "at risk"]),
            ["off track", "at risk"],
        ):
            assert q.by_rating(db=db, plan_id=durham, today=TODAY, ratings=ratings) == want
