from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from models import Area, Base, Milestone, Plan, ProgressUpdate, ScheduledPost
from models.db import SCHEMA_HEAD, alembic_config, current_revision


def test_migrations_match_the_models(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_the_schema_head_the_start_compares_with_is_alembics_newest_migration(engine):
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config(engine)).get_current_head() == SCHEMA_HEAD
    with engine.connect() as conn:
        assert (
            current_revision(engine) == MigrationContext.configure(conn).get_current_revision() == SCHEMA_HEAD
        )


def test_migrations_reach_head_and_create_every_table(engine):
    assert current_revision(engine) is not None
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_rows_written_by_one_test_are_gone_in_the_next(sessions):
    # Runs twice (parametrised below) so the second run would see the first run's plan if cleanup failed.
    with sessions() as db:
        assert db.scalars(select(Plan)).all() == []
    with sessions.begin() as db:
        db.add(Plan(title="Leftover", authority="Nowhere"))


test_rows_written_by_one_test_are_gone_in_the_next_again = test_rows_written_by_one_test_are_gone_in_the_next


def _plan_with_area(db) -> tuple[Plan, Area]:
    plan = Plan(title="T", authority="A")
    db.add(plan)
    db.flush()
    area = Area(plan_id=plan.id, code="AFI-1", title="t", description="d")
    db.add(area)
    db.flush()
    return plan, area


def test_milestone_codes_are_unique_within_a_plan(sessions):
    with pytest.raises(IntegrityError), sessions.begin() as db:
        plan, area = _plan_with_area(db)
        db.add_all(
            [Milestone(plan_id=plan.id, code="M-01", area_id=area.id, title=f"x{i}") for i in range(2)]
        )
        db.flush()


def test_the_same_code_may_be_used_by_two_plans(sessions):
    with sessions.begin() as db:
        for _ in range(2):
            plan, area = _plan_with_area(db)
            db.add(Milestone(plan_id=plan.id, code="M-01", area_id=area.id, title="x"))
    with sessions() as db:
        assert len(db.scalars(select(Milestone)).all()) == 2


def test_datetimes_come_back_aware_and_in_utc(sessions):
    bst = timezone(timedelta(hours=1))
    with sessions.begin() as db:
        plan, area = _plan_with_area(db)
        m = Milestone(plan_id=plan.id, code="M-01", area_id=area.id, title="x", due=date(2020, 3, 31))
        db.add(m)
        db.flush()
        db.add(
            ProgressUpdate(
                plan_id=plan.id,
                milestone_id=m.id,
                at=datetime(2020, 6, 1, 10, 0, tzinfo=bst),
                status="on track",
                percent=10,
                source="console",
                idempotency_key="k1",
            )
        )
    with sessions() as db:
        at = db.scalar(select(ProgressUpdate.at))
    assert at == datetime(2020, 6, 1, 9, 0, tzinfo=UTC)
    assert at.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(sessions):
    with pytest.raises(Exception, match="naive datetime"), sessions.begin() as db:
        plan, area = _plan_with_area(db)
        m = Milestone(
            plan_id=plan.id, code="M-01", area_id=area.id, title="x", last_update_at=datetime(2020, 1, 1)
        )
        db.add(m)
        db.flush()


def test_one_scheduled_post_per_meeting_and_kind(sessions):
    now = datetime(2020, 1, 30, 9, tzinfo=UTC)
    with pytest.raises(IntegrityError), sessions.begin() as db:
        plan, _ = _plan_with_area(db)
        for who in ("a", "b"):
            db.add(
                ScheduledPost(
                    plan_id=plan.id,
                    meeting_on=date(2020, 2, 7),
                    kind="digest",
                    due_at=now,
                    claimed_at=now,
                    claimed_by=who,
                )
            )
            db.flush()


def test_an_older_database_is_upgraded_with_its_data_kept(tmp_path, database_url):
    """A database left at the first revision, with a plan in it, comes up to date by itself."""
    from sqlalchemy import text

    from bot.deps import open_database
    from bot.settings import Settings
    from models.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = make_engine(url)
    upgrade(old, "0001")
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO plan (title, authority, timezone, digest_working_days, reminder_working_days, "
                "digest_time, announce_updates) VALUES ('Old plan', 'Somewhere', 'Europe/London', 5, 3, "
                "'09:00:00', 1)"
            )
        )
    assert current_revision(old) == "0001"
    old.dispose()
    engine, sessions = open_database(Settings(_env_file=None, database_url=url))
    assert current_revision(engine) == current_revision(make_engine(database_url))
    with sessions() as db:
        assert db.scalar(select(Plan.title)) == "Old plan"
    assert "thread_ts" in {c["name"] for c in inspect(engine).get_columns("area")}
