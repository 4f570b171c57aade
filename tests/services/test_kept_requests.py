"""One request, one revision read: the sessions a request opens (models.db.Sessions.for_request, which
bot.app gives every request through its Deps) share what they read of the plan revision, and the plan
list of a bot that serves whatever plans the database holds carries every plan's revision. A write
committed in this process is seen by the request's next session; a write anywhere by the next request."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from bot.deps import Deps
from bot.services import queries as q
from bot.services import read_model
from models import Area, Plan
from models.db import Sessions, make_engine, make_sessionmaker
from models.revision import PlanRevision
from tests.services.conftest import counting

TODAY = date(2020, 2, 3)


def overview_title(sessions: Sessions, plan_id: int) -> str:
    with sessions() as db:
        return q.plan_overview(db=db, plan_id=plan_id, today=TODAY).areas[0].title


def overdue_count(sessions: Sessions, plan_id: int) -> int:
    with sessions() as db:
        return len(q.overdue(db=db, plan_id=plan_id, today=TODAY).rows)


def rename_first_area(sessions: Sessions, plan_id: int, title: str) -> None:
    with sessions.begin() as db:
        area = db.scalars(select(Area).where(Area.plan_id == plan_id).order_by(Area.position)).first()
        assert area is not None
        area.title = title


def test_the_sessions_of_one_request_read_the_revision_once(engine, kept, durham):
    overview_title(kept, durham), overdue_count(kept, durham)  # kept
    request = kept.for_request()
    with counting(engine) as seen:
        overview_title(request, durham)
        overdue_count(request, durham)
        overview_title(request, durham)
    assert len(seen) == 1 and "plan_revision" in seen[0], seen
    with counting(engine) as unscoped:
        overview_title(kept, durham)
        overdue_count(kept, durham)
    assert len(unscoped) == 2, "without a request, each session reads the revision"


def test_a_write_committed_here_is_seen_by_the_requests_next_session(kept, durham):
    request = kept.for_request()
    before = overview_title(request, durham)
    rename_first_area(request, durham, "Renamed within the request")
    assert before != "Renamed within the request"
    assert overview_title(request, durham) == "Renamed within the request"


def test_a_write_by_another_replica_is_seen_by_the_next_request(kept, durham, database_url):
    overview_title(kept.for_request(), durham)
    other = make_engine(database_url)
    try:
        rename_first_area(make_sessionmaker(other), durham, "Renamed by replica two")
    finally:
        other.dispose()
    assert overview_title(kept.for_request(), durham) == "Renamed by replica two"


def test_requests_do_not_share_their_memo(kept, durham):
    one, two = kept.for_request(), kept.for_request()
    with one() as a, two() as b:
        assert a.info[_request_key()] is not b.info[_request_key()]
    with kept() as c:
        assert _request_key() not in c.info


def _request_key() -> str:
    from models.revision import REQUEST

    return REQUEST


def unpinned(engine, kept: Sessions) -> Deps:
    return Deps(engine=engine, sessions=kept)


def test_the_plan_list_carries_every_plans_revision(engine, kept, durham):
    """A bot with no QIB_PLAN reads the plan list on every request: that one statement also reads each
    plan's revision, so the kept answers that follow in the request's other sessions cost nothing."""
    deps = unpinned(engine, kept)
    overview_title(kept, durham), overdue_count(kept, durham)  # kept
    request = deps.for_request()
    with counting(engine) as seen:
        assert request.plan_ids() == [durham]
        overview_title(request.sessions, durham)
        overdue_count(request.sessions, durham)
        assert request.plan_ids() == [durham]
    assert len(seen) == 1 and "JOIN plan_revision" in seen[0], seen
    with request.sessions() as db:
        assert read_model.current_revision(db, durham) == _revision(kept, durham)


def _revision(kept: Sessions, plan_id: int) -> tuple[str, int]:
    with kept() as db:
        row = db.execute(
            select(PlanRevision.token, PlanRevision.revision).where(PlanRevision.plan_id == plan_id)
        ).one()
    return (row[0], row[1])


def test_a_plan_added_during_a_request_is_in_its_next_plan_list(engine, kept, durham):
    request = unpinned(engine, kept).for_request()
    assert request.plan_ids() == [durham]
    with request.sessions.begin() as db:
        added = Plan(title="Another plan", authority="Another council")
        db.add(added)
        db.flush()
        added_id = added.id
    try:
        assert request.plan_ids() == [durham, added_id]
        with request.sessions() as db:
            assert read_model.current_revision(db, added_id) is not None
    finally:
        with kept.begin() as db:
            db.execute(delete(Plan).where(Plan.id == added_id))


def test_a_plan_without_a_revision_row_is_listed_and_never_kept(engine, kept, durham):
    with kept.begin() as db:
        db.execute(delete(PlanRevision).where(PlanRevision.plan_id == durham))
    request = unpinned(engine, kept).for_request()
    assert request.plan_ids() == [durham]
    built = read_model.answers.builds
    overview_title(request.sessions, durham)
    overview_title(request.sessions, durham)
    assert read_model.answers.builds == built, "no answer is kept for a plan without a revision"
