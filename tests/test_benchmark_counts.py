"""SQL statements per request stay the same on plans of 10, 100 and 2,000 milestones (benchmarks.counts).

Each request goes through the real Bolt app, signed, as Slack sends it; the plans are made by the
benchmark's generator and loaded through the real importer. A request whose statement count grows
with the plan (a query per milestone, a lazy load in a loop) fails here, in the ordinary suite.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks import counts
from benchmarks.sink import Sink
from bot.services import queries
from models import Milestone, Plan
from tests.conftest import empty_all_tables


@pytest.fixture(scope="module", autouse=True)
def _tables_of_our_own(engine) -> Iterator[None]:
    """The plans live for the whole module (building them is the slow part), and go at its end."""
    empty_all_tables(engine)
    yield
    empty_all_tables(engine)


@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    with Sink() as running:
        yield running


@pytest.fixture(scope="module")
def plans(engine, sink: Sink) -> list[counts.PlanUnderTest]:
    return counts.build_plans(engine, sink)


@pytest.fixture(scope="module")
def measured(plans) -> dict[str, dict[int, int]]:
    return counts.measure_plans(plans)


def test_every_request_is_counted_on_every_plan(measured):
    assert list(measured) == counts.NAMES
    for name, by_size in measured.items():
        assert sorted(by_size) == list(counts.SIZES), name
        assert all(n > 0 for n in by_size.values()), f"{name} ran no SQL: was it answered at all?"


@pytest.mark.parametrize("name", counts.NAMES)
def test_statements_per_request_do_not_grow_with_the_plan(measured, name):
    by_size = measured[name]
    assert counts.growth({name: by_size}) == [], f"{name}: {by_size}"


def test_the_digest_reads_the_milestones_once_and_gets_the_same_summary(plans):
    """chair_summary_and_rows (the digest's single read) agrees with chair_summary and milestone_rows."""
    for plan in plans:
        with plan.deps.sessions() as db:
            pid = plan.deps.plan_id()
            summary, rows = queries.chair_summary_and_rows(db=db, plan_id=pid, today=counts.TODAY)
            assert summary == queries.chair_summary(db=db, plan_id=pid, today=counts.TODAY)
            assert (summary.calendar, rows) == queries.milestone_rows(db=db, plan_id=pid, today=counts.TODAY)
        assert summary.exceptions and summary.changes, "the plans should have something to name"


@pytest.fixture(scope="module")
def cold_and_warm(plans) -> dict[str, dict[int, dict[str, int]]]:
    return counts.measure_cache(plans)


def test_a_warm_request_reads_the_revision_instead_of_the_queries(cold_and_warm):
    """Asked again with nothing written between, a read-only request runs fewer statements than cold,
    and neither count grows with the plan (benchmarks.counts.measure_cache: the figures make bench keeps)."""
    found = cold_and_warm
    assert list(found) == counts.CACHED
    for name, by_size in found.items():
        for size, figures in by_size.items():
            assert figures["warm"] < figures["cold"], f"{name} on {size} milestones: {figures}"
        assert counts.growth({name: {s: f["warm"] for s, f in by_size.items()}}) == [], by_size
        assert counts.growth({name: {s: f["cold"] for s, f in by_size.items()}}) == [], by_size


def test_a_warm_request_runs_one_statement_the_revision(cold_and_warm):
    """Warm, every request the read model answers runs one statement (transaction control aside): the
    plan revision, read once however many sessions the request opens."""
    found = cold_and_warm
    assert counts.WARM_STATEMENTS == 1
    over = {
        f"{name} on {size} milestones": figures
        for name, by_size in found.items()
        for size, figures in by_size.items()
        if figures["warm"] != counts.WARM_STATEMENTS
    }
    assert over == {}


def test_the_check_catches_a_query_per_milestone(engine, sink):
    """The same counter and check, on a deliberate N+1: one lazy load per milestone must be caught."""
    small, large = (counts.PlanUnderTest(engine, sink, n, seed=100 + n) for n in (10, 100))
    found = {
        plan.milestones: counts.count_calls(engine, lambda p=plan: _updates_one_by_one(engine, p))
        for plan in (small, large)
    }
    assert found[100] > found[10]
    assert counts.growth({"lazy": found}) == [
        f"lazy: {found[10]} statements on 10 milestones, {found[100]} on 100"
    ]


def _updates_one_by_one(engine, plan: counts.PlanUnderTest) -> int:
    with Session(engine) as db:
        milestones = db.scalars(
            select(Milestone).join(Plan, Plan.id == Milestone.plan_id).where(Plan.title == plan.roster.title)
        ).all()
        return sum(len(m.updates) for m in milestones)  # a lazy load per milestone


def test_growth_names_the_request_and_the_sizes():
    assert counts.growth({"summary": {10: 6, 100: 6, 2000: 6}}) == []
    assert counts.growth({"summary": {10: 6, 100: 7, 2000: 7}}) == [
        "summary: 6 statements on 10 milestones, 7 on 100"
    ]
