"""Status queries and the chair's summary, pinned on the Durham plan and on generated plans of any size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import queries as q
from bot.services.errors import InvalidInput, NotFound
from bot.services.planfile import import_plan
from bot.services.search import search
from bot.services.status import Health
from models import Milestone, Person, ProgressUpdate
from models.vocab import Status
from qib_testing.plans import plan_doc

TODAY = date(2020, 2, 3)  # after the January board (16th), before February's (20th)
NOW = datetime(2020, 2, 1, 9, 0, tzinfo=UTC)


def codes(rows: Any) -> list[str]:
    return [r.code for r in rows]


def person_id(db: Session, plan_id: int, key: str) -> int:
    return db.scalars(select(Person.id).where(Person.plan_id == plan_id, Person.key == key)).one()


def add_update(
    sessions: sessionmaker[Session],
    plan_id: int,
    code: str,
    at: datetime,
    status: str,
    percent: int,
    *,
    note: str | None = None,
    blockers: str | None = None,
) -> None:
    """What the update service does: a new row in the history, and the milestone's current state."""
    with sessions.begin() as db:
        m = db.scalars(select(Milestone).where(Milestone.plan_id == plan_id, Milestone.code == code)).one()
        db.add(
            ProgressUpdate(
                plan_id=plan_id,
                milestone_id=m.id,
                author_id=m.owner_id,
                at=at,
                status=status,
                percent=percent,
                previous_status=m.status,
                previous_percent=m.percent,
                note=note,
                blockers=blockers,
                source="slack",
                idempotency_key=f"test-{code}-{at.isoformat()}",
            )
        )
        m.status, m.percent, m.last_update_at = status, percent, at


# ------------------------------------------------------------------ the board calendar


def test_previous_meeting_is_strictly_before_today_and_next_is_today_or_later(db, durham):
    calendar = q.board_calendar(db=db, plan_id=durham, today=TODAY)
    assert calendar.board_name == "Social Care Quality Improvement Board"
    assert (calendar.previous_on, calendar.next_on) == (date(2020, 1, 16), date(2020, 2, 20))
    on_the_day = q.board_calendar(db=db, plan_id=durham, today=date(2020, 2, 20))
    assert (on_the_day.previous_on, on_the_day.next_on) == (date(2020, 1, 16), date(2020, 2, 20))


def test_a_cancelled_meeting_is_neither_previous_nor_next(db, durham):
    summer = q.board_calendar(db=db, plan_id=durham, today=date(2020, 8, 3))
    assert (summer.previous_on, summer.next_on) == (date(2020, 7, 16), date(2020, 9, 17))


def test_unknown_plan_is_not_found(db):
    with pytest.raises(NotFound):
        q.plan_overview(db=db, plan_id=987654, today=TODAY)


# ------------------------------------------------------------------ overview


def test_durham_overview_counts_milestones_by_health(db, durham):
    o = q.plan_overview(db=db, plan_id=durham, today=TODAY)
    assert o.plan.title == "Children's Social Care Quality Improvement Plan"
    assert o.plan.authority == "Durham County Council"
    assert o.calendar.previous_on == date(2020, 1, 16) and o.calendar.next_on == date(2020, 2, 20)
    t = o.totals
    assert dict(t.counts) == {
        Health.OVERDUE: 0,
        Health.OFF_TRACK: 0,
        Health.AT_RISK: 0,
        Health.NOT_STARTED: 5,
        Health.ON_TRACK: 6,
        Health.COMPLETE: 11,
    }
    assert (t.milestones, t.complete, t.overdue, t.stale) == (22, 11, 0, 9)
    assert (t.percent_complete, t.share_complete) == (56.8, 50.0)
    assert t.next_due == date(2020, 3, 31)
    assert o.health is Health.ON_TRACK


def test_durham_areas_come_in_plan_order_with_their_rolled_up_health(db, durham):
    o = q.plan_overview(db=db, plan_id=durham, today=TODAY)
    assert [(a.code, a.health, a.figures.milestones, a.figures.stale) for a in o.areas] == [
        ("AFI-1", Health.ON_TRACK, 7, 5),
        ("AFI-2", Health.ON_TRACK, 2, 1),
        ("AFI-3", Health.ON_TRACK, 3, 1),
        ("AFI-4", Health.ON_TRACK, 7, 2),
        ("AFI-5", Health.COMPLETE, 2, 0),
        ("AFI-6", Health.COMPLETE, 1, 0),
    ]
    afi5 = o.areas[4]
    assert afi5.title == "Foster carer reviews"
    assert afi5.description == "The timeliness of foster carers’ reviews."
    assert (afi5.figures.percent_complete, afi5.figures.share_complete, afi5.figures.next_due) == (
        100.0,
        100.0,
        None,
    )


def test_area_with_one_overdue_milestone_rolls_up_overdue(db, durham):
    o = q.plan_overview(db=db, plan_id=durham, today=date(2020, 4, 1))
    health = {a.code: a.health for a in o.areas}
    assert health["AFI-3"] is Health.OVERDUE  # M-03 was due 31 March and has not started
    assert health["AFI-1"] is Health.OVERDUE and health["AFI-4"] is Health.OVERDUE
    assert health["AFI-2"] is Health.ON_TRACK
    assert o.totals.overdue == 3 and o.health is Health.OVERDUE


def test_overview_figures_agree_with_each_area_in_detail(sessions, db, durham):
    # The overview counts in SQL (GROUP BY); the detail counts its rows in Python: they must agree.
    add_update(sessions, durham, "M-07", datetime(2020, 3, 2, tzinfo=UTC), "at risk", 30)
    for today in (date(2019, 11, 1), TODAY, date(2020, 4, 1), date(2020, 7, 20)):
        o = q.plan_overview(db=db, plan_id=durham, today=today)
        for area in o.areas:
            detail = q.area_detail(db=db, plan_id=durham, today=today, code=area.code)
            assert detail.area == area, (today, area.code)


# ------------------------------------------------------------------ areas and milestones


def test_area_detail_lists_its_milestones_and_the_priorities_serving_it(db, durham):
    d = q.area_detail(db=db, plan_id=durham, today=TODAY, code="AFI-1")
    assert codes(d.milestones) == ["M-04", "M-05", "M-06", "M-07", "M-08", "M-09", "M-10"]
    assert [p.code for p in d.priorities] == ["SP-1", "SP-2"]
    assert d.area.health is Health.ON_TRACK
    assert codes(q.area_detail(db=db, plan_id=durham, today=TODAY, code="AFI-5").milestones) == [
        "M-16",
        "M-17",
    ]
    assert q.area_detail(db=db, plan_id=durham, today=TODAY, code="AFI-5").priorities == []


def test_area_code_is_read_in_any_case_and_spacing(db, durham):
    for typed in ("afi-5", "AFI5", "afi 05"):
        assert q.area_detail(db=db, plan_id=durham, today=TODAY, code=typed).area.code == "AFI-5"


def test_unknown_area_is_not_found_with_the_codes_there_are(db, durham):
    with pytest.raises(NotFound) as caught:
        q.area_detail(db=db, plan_id=durham, today=TODAY, code="AFI-9")
    assert caught.value.message == (
        "There is no area AFI-9 in this plan. It has: AFI-1, AFI-2, AFI-3, AFI-4, AFI-5, AFI-6."
    )


def test_milestone_row_carries_owner_last_update_and_its_reason(db, durham):
    row = q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-12").row
    assert (row.code, row.area_code, row.area_title, row.priority_code) == (
        "M-12",
        "AFI-4",
        "Disabled, privately fostered and homeless 16-17s",
        None,
    )
    assert (row.owner_key, row.owner_name, row.owner_role) == (
        "yps-manager",
        "Rowan Price",
        "Young People's Service Manager",
    )
    assert (row.status, row.health, row.percent, row.due) == (
        Status.ON_TRACK,
        Health.ON_TRACK,
        50,
        date(2020, 3, 31),
    )
    assert row.last_update_at == datetime(2020, 1, 29, 10, 0, tzinfo=UTC)
    assert (row.last_update_age_days, row.stale, row.overdue_days) == (5, False, 0)
    assert row.reason == (
        "Amended protocol being implemented alongside the increased capacity of the Young People's Service."
    )


def test_milestone_detail_gives_history_newest_first_with_previous_values(db, durham):
    d = q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-16")
    assert [(u.at.date(), u.previous_status, u.status, u.previous_percent, u.percent) for u in d.history] == [
        (date(2020, 1, 22), Status.ON_TRACK, Status.COMPLETE, 70, 100),
        (date(2019, 12, 12), None, Status.ON_TRACK, None, 70),
    ]
    assert {u.author_name for u in d.history} == {"Alex Morgan"}
    assert d.history[0].next_steps == "Performance monitoring keeps reviews in timescale (M-17)."
    assert d.history[0].source == "import"
    assert (d.area.code, d.priority) == ("AFI-5", None)
    assert d.owner is not None and d.owner.key == "iro-ops"
    assert d.delegate is not None and d.delegate.key == "iro-ops-2"


def test_milestone_code_is_read_in_its_short_forms(db, durham):
    for typed in ("M-07", "m-07", "m7", "M07"):
        assert q.milestone_detail(db=db, plan_id=durham, today=TODAY, code=typed).row.code == "M-07"
    with pytest.raises(NotFound, match="There is no milestone M-99 in this plan"):
        q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-99")


def test_milestone_with_a_priority_names_it(db, durham):
    d = q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-21")
    assert d.priority is not None and d.priority.code == "SP-1"
    assert d.row.priority_code == "SP-1"


def test_reason_puts_blockers_first_and_is_trimmed(sessions, db, durham):
    add_update(
        sessions,
        durham,
        "M-07",
        datetime(2020, 2, 2, 12, tzinfo=UTC),
        "off track",
        25,
        note="word " * 200,
        blockers="  The working group has\nnot met.  ",
    )
    row = q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-07").row
    assert row.reason is not None
    assert row.reason.startswith("Blockers: The working group has not met. — word word")
    assert row.reason.endswith("…") and len(row.reason) <= q.REASON_MAX_CHARS


# ------------------------------------------------------------------ people


def test_owner_sees_their_own_milestones_soonest_due_first(db, durham):
    mine = q.milestones_for(db=db, plan_id=durham, today=TODAY, person_id=person_id(db, durham, "iro-ops"))
    assert mine.person.name == "Alex Morgan"
    assert [(i.row.code, i.covered) for i in mine.items] == [("M-16", False), ("M-05", False)]
    assert mine.covering_for == []


def test_delegate_sees_what_they_cover_for_flagged_with_whom(db, durham):
    # Jordan Ellis (the second IRO Operations Manager post) covers for Alex Morgan (iro-ops).
    theirs = q.milestones_for(
        db=db, plan_id=durham, today=TODAY, person_id=person_id(db, durham, "iro-ops-2")
    )
    assert [(i.row.code, i.covered_for.name if i.covered_for else None) for i in theirs.items] == [
        ("M-16", "Alex Morgan"),
        ("M-05", "Alex Morgan"),
    ]
    assert [p.key for p in theirs.covering_for] == ["iro-ops"]


def test_own_milestones_come_before_those_covered(sessions, db, durham):
    with sessions.begin() as s:
        s.execute(
            Milestone.__table__.update()
            .where(Milestone.plan_id == durham, Milestone.code == "M-22")
            .values(owner_id=person_id(s, durham, "iro-ops-2"))
        )
    theirs = q.milestones_for(
        db=db, plan_id=durham, today=TODAY, person_id=person_id(db, durham, "iro-ops-2")
    )
    assert [(i.row.code, i.covered) for i in theirs.items] == [
        ("M-22", False),
        ("M-16", True),
        ("M-05", True),
    ]


def test_cover_ends_after_delegate_until(sessions, db, durham):
    with sessions.begin() as s:
        s.execute(
            Person.__table__.update()
            .where(Person.plan_id == durham, Person.key == "iro-ops")
            .values(delegate_until=date(2020, 1, 31))
        )
    delegate = person_id(db, durham, "iro-ops-2")
    last_day = q.milestones_for(db=db, plan_id=durham, today=date(2020, 1, 31), person_id=delegate)
    after = q.milestones_for(db=db, plan_id=durham, today=TODAY, person_id=delegate)
    assert codes(i.row for i in last_day.items) == ["M-16", "M-05"]
    assert after.items == [] and after.covering_for == []
    assert q.milestone_detail(db=db, plan_id=durham, today=TODAY, code="M-16").delegate is None


def test_unknown_person_is_not_found(db, durham):
    with pytest.raises(NotFound):
        q.milestones_for(db=db, plan_id=durham, today=TODAY, person_id=987654)


def test_person_by_slack_id(sessions, db, durham):
    with sessions.begin() as s:
        s.execute(
            Person.__table__.update()
            .where(Person.plan_id == durham, Person.key == "iro-ops")
            .values(slack_user_id="U0TESTIRO")
        )
    found = q.person_by_slack_id(db, durham, "U0TESTIRO")
    assert found is not None and (found.key, found.name, found.role) == (
        "iro-ops",
        "Alex Morgan",
        "IRO Operations Manager",
    )
    assert found.delegate is not None and found.delegate.key == "iro-ops-2"
    assert q.person_by_slack_id(db, durham, "U0NOBODY") is None


def test_find_person_by_key_name_slack_id_or_a_unique_part(sessions, db, durham):
    with sessions.begin() as s:
        s.execute(
            Person.__table__.update()
            .where(Person.plan_id == durham, Person.key == "iro-ops-2")
            .values(slack_user_id="U0TESTJE")
        )

    def key_of(text: str) -> str | None:
        found = q.find_person(db, durham, text)
        return found.key if found else None

    assert key_of("iro-ops") == "iro-ops"
    assert key_of("alex morgan") == "iro-ops"
    assert key_of("U0TESTJE") == "iro-ops-2"
    assert key_of("<@U0TESTJE|jordan>") == "iro-ops-2"
    assert key_of("Jordan") == "iro-ops-2"
    assert key_of("performance manager") == "perf-manager"
    assert key_of("nobody at all") is None
    head = q.find_person(db, durham, "head-csc")
    assert head is not None and head.is_chair and head.is_admin


def test_find_person_refuses_to_guess_between_several(db, durham):
    with pytest.raises(InvalidInput, match="could be several people"):
        q.find_person(db, durham, "strategic manager")


# ------------------------------------------------------------------ lists


def test_nothing_is_overdue_in_durham_in_february(db, durham):
    assert q.overdue(db=db, plan_id=durham, today=TODAY).rows == []


def test_overdue_lists_unfinished_milestones_past_due_oldest_first(db, durham):
    result = q.overdue(db=db, plan_id=durham, today=date(2020, 4, 1))
    assert codes(result.rows) == ["M-03", "M-06", "M-12"]
    assert {(r.health, r.overdue_days) for r in result.rows} == {(Health.OVERDUE, 1)}


def test_due_soon_defaults_to_before_the_next_meeting(db, durham):
    result = q.due_soon(db=db, plan_id=durham, today=date(2020, 3, 20), days=None)
    assert (result.basis, result.frm, result.until) == ("next meeting", date(2020, 3, 20), date(2020, 4, 15))
    assert codes(result.rows) == ["M-03", "M-06", "M-12"]
    assert q.due_soon(db=db, plan_id=durham, today=TODAY).rows == []


def test_due_soon_within_n_days_counts_the_last_day(db, durham):
    assert codes(q.due_soon(db=db, plan_id=durham, today=date(2020, 3, 24), days=7).rows) == [
        "M-03",
        "M-06",
        "M-12",
    ]
    assert q.due_soon(db=db, plan_id=durham, today=date(2020, 3, 24), days=6).rows == []
    with pytest.raises(InvalidInput):
        q.due_soon(db=db, plan_id=durham, today=TODAY, days=-1)


def test_durham_stale_milestones_are_unfinished_ones_not_updated_since_january_board(db, durham):
    result = q.stale(db=db, plan_id=durham, today=TODAY)
    # None has ever been updated: by due date. M-18 (updated the day before the board) is complete.
    assert codes(result.rows) == ["M-03", "M-07", "M-10", "M-20", "M-08", "M-05", "M-09", "M-15", "M-22"]
    assert all(r.stale and r.last_update_at is None for r in result.rows)


def test_an_update_on_the_meeting_day_in_local_time_is_not_stale(sessions, db, durham):
    # The July board is on the 16th; 23:30 UTC on the 15th is already the 16th in London (BST).
    add_update(sessions, durham, "M-07", datetime(2020, 7, 15, 23, 30, tzinfo=UTC), "on track", 60)
    add_update(sessions, durham, "M-10", datetime(2020, 7, 15, 22, 30, tzinfo=UTC), "on track", 40)
    stale = codes(q.stale(db=db, plan_id=durham, today=date(2020, 7, 20)).rows)
    assert "M-07" not in stale and "M-10" in stale
    row = q.milestone_detail(db=db, plan_id=durham, today=date(2020, 7, 20), code="M-07").row
    assert (row.stale, row.last_update_age_days) == (False, 4)


def test_before_the_first_board_nothing_is_stale(db, durham):
    assert q.stale(db=db, plan_id=durham, today=date(2019, 11, 1)).rows == []


def test_by_priority_counts_milestones_through_the_areas_served_as_well_as_direct_links(db, durham):
    report = q.by_priority(db=db, plan_id=durham, today=TODAY, code=None)
    first_ten = [f"M-{n:02d}" for n in range(1, 11)]  # AFI-3 (M-01..03) and AFI-1 (M-04..10)
    assert [(p.code, [a.code for a in p.areas], sorted(codes(p.milestones))) for p in report.priorities] == [
        ("SP-1", ["AFI-1", "AFI-2", "AFI-3"], [*first_ten, "M-21", "M-22"]),
        # M-01..M-05 are linked to SP-1, but SP-2 serves their areas too.
        ("SP-2", ["AFI-1", "AFI-3"], first_ten),
    ]
    assert [p.health for p in report.priorities] == [Health.ON_TRACK, Health.ON_TRACK]
    one = q.by_priority(db=db, plan_id=durham, today=TODAY, code="sp2").priorities
    assert [p.code for p in one] == ["SP-2"] and one[0].figures.milestones == 10
    with pytest.raises(NotFound, match="no strategic priority SP-7"):
        q.by_priority(db=db, plan_id=durham, today=TODAY, code="SP-7")


# ------------------------------------------------------------------ the chair's summary


def test_durham_chair_summary_in_february(db, durham):
    s = q.chair_summary(db=db, plan_id=durham, today=TODAY)
    assert (s.totals.milestones, s.totals.complete, s.totals.percent_complete) == (22, 11, 56.8)
    assert [a.health for a in s.areas] == [Health.ON_TRACK] * 4 + [Health.COMPLETE] * 2
    # Nothing is off track, at risk or overdue: no exceptions, however long since an update.
    assert s.exceptions == []
    assert sorted(s.awaiting_update) == [
        "M-03",
        "M-05",
        "M-07",
        "M-08",
        "M-09",
        "M-10",
        "M-15",
        "M-20",
        "M-22",
    ]
    # Since the January board, most recent first.
    assert [(c.code, c.from_status, c.to_status) for c in s.changes] == [
        ("M-02", Status.ON_TRACK, Status.COMPLETE),
        ("M-12", Status.ON_TRACK, Status.ON_TRACK),
        ("M-04", None, Status.COMPLETE),
        ("M-21", None, Status.COMPLETE),
        ("M-16", Status.ON_TRACK, Status.COMPLETE),
        ("M-06", None, Status.ON_TRACK),
    ]
    assert codes(s.completions) == ["M-02", "M-04", "M-21", "M-16"]
    assert "M-12" not in codes(s.status_moves)
    m12 = next(c for c in s.changes if c.code == "M-12")
    assert (m12.from_percent, m12.to_percent, m12.updates, m12.author_name) == (25, 50, 1, "Rowan Price")
    assert s.due_before_next == []


def test_chair_summary_leads_with_exceptions_by_severity_then_due_date(sessions, db, durham):
    add_update(
        sessions,
        durham,
        "M-07",
        datetime(2020, 3, 25, 10, tzinfo=UTC),
        "off track",
        25,
        note="Working group paused.",
        blockers="Two members on leave.",
    )
    add_update(
        sessions, durham, "M-09", datetime(2020, 3, 26, 10, tzinfo=UTC), "at risk", 15, note="Slipping."
    )
    s = q.chair_summary(db=db, plan_id=durham, today=date(2020, 4, 1))  # boards: 19 March, 16 April
    assert [(e.kind, e.row.code) for e in s.exceptions] == [
        ("overdue", "M-03"),
        ("overdue", "M-06"),
        ("overdue", "M-12"),
        ("off track", "M-07"),
        ("at risk", "M-09"),
    ]
    assert {"M-10", "M-20", "M-08", "M-05", "M-15", "M-22"} <= set(s.awaiting_update)
    off = s.exceptions[3].row
    assert (off.owner_name, off.reason) == (
        "Riley Bennett",
        "Blockers: Two members on leave. — Working group paused.",
    )
    assert s.exceptions[0].row.stale  # overdue and also not updated: listed once, as overdue
    assert [(c.code, c.from_status, c.to_status) for c in s.changes] == [
        ("M-09", Status.ON_TRACK, Status.AT_RISK),
        ("M-07", Status.ON_TRACK, Status.OFF_TRACK),
    ]
    assert s.completions == [] and s.health is Health.OVERDUE
    assert s.due_before_next == []


def test_a_revised_date_awaiting_the_chair_is_an_exception_unless_something_worse_is(sessions, db, durham):
    """M-05 is on track and updated since the board (so not named for staleness); M-07 is off track."""
    at = datetime(2020, 1, 20, 10, tzinfo=UTC)
    add_update(sessions, durham, "M-05", at, "on track", 20, note="Going well.")
    add_update(sessions, durham, "M-07", at, "off track", 25, note="Paused.", blockers="Leave.")
    with sessions.begin() as s:
        for code, when, why in (
            ("M-05", date(2020, 9, 30), "IRO post filled in July"),
            ("M-07", date(2020, 10, 31), "Leave"),
        ):
            m = s.scalars(select(Milestone).where(Milestone.plan_id == durham, Milestone.code == code)).one()
            m.due_requested, m.due_request_reason = when, why
    summary = q.chair_summary(db=db, plan_id=durham, today=TODAY)
    from_rows, _rows = q.chair_summary_and_rows(db=db, plan_id=durham, today=TODAY)
    for s_ in (summary, from_rows):
        kinds = {e.row.code: e.kind for e in s_.exceptions}
        assert kinds["M-05"] is q.ExceptionKind.REVISED_DATE
        assert kinds["M-07"] is q.ExceptionKind.OFF_TRACK
        assert s_.exceptions[-1].row.code == "M-05"  # a decision to take, after the ratings
        m05 = next(e.row for e in s_.exceptions if e.row.code == "M-05")
        assert (m05.due_requested, m05.due_request_reason) == (date(2020, 9, 30), "IRO post filled in July")
        m07 = next(e.row for e in s_.exceptions if e.row.code == "M-07")
        assert m07.due_requested == date(2020, 10, 31)


def test_chair_summary_lists_what_falls_due_before_the_next_meeting(db, durham):
    s = q.chair_summary(db=db, plan_id=durham, today=date(2020, 3, 20))
    assert codes(s.due_before_next) == ["M-03", "M-06", "M-12"]


def test_changes_count_every_update_since_the_meeting_and_net_the_move(sessions, db, durham):
    add_update(sessions, durham, "M-08", datetime(2020, 1, 20, 10, tzinfo=UTC), "on track", 10)
    add_update(sessions, durham, "M-08", datetime(2020, 1, 27, 10, tzinfo=UTC), "at risk", 10)
    add_update(sessions, durham, "M-08", datetime(2020, 2, 4, 10, tzinfo=UTC), "off track", 10)  # after today
    change = next(c for c in q.chair_summary(db=db, plan_id=durham, today=TODAY).changes if c.code == "M-08")
    assert (change.from_status, change.to_status, change.updates) == (Status.NOT_STARTED, Status.AT_RISK, 2)
    assert change.moved and not change.completed


# ------------------------------------------------------------------ statements do not grow with the plan


QUERIES: dict[str, Callable[[Session, int, int], Any]] = {
    "board_calendar": lambda db, pid, person: q.board_calendar(db=db, plan_id=pid, today=TODAY),
    "plan_overview": lambda db, pid, person: q.plan_overview(db=db, plan_id=pid, today=TODAY),
    "area_detail": lambda db, pid, person: q.area_detail(db=db, plan_id=pid, today=TODAY, code="AFI-1"),
    "milestone_detail": lambda db, pid, person: q.milestone_detail(
        db=db, plan_id=pid, today=TODAY, code="M-0002"
    ),
    "milestone_detail_short_code": lambda db, pid, person: q.milestone_detail(
        db=db, plan_id=pid, today=TODAY, code="m2"
    ),
    "milestones_for": lambda db, pid, person: q.milestones_for(
        db=db, plan_id=pid, today=TODAY, person_id=person
    ),
    "person_by_slack_id": lambda db, pid, person: q.person_by_slack_id(db, pid, "U0GEN00001"),
    "find_person": lambda db, pid, person: q.find_person(db, pid, "Person 1"),
    "overdue": lambda db, pid, person: q.overdue(db=db, plan_id=pid, today=TODAY),
    "due_soon_days": lambda db, pid, person: q.due_soon(db=db, plan_id=pid, today=TODAY, days=30),
    "due_soon_meeting": lambda db, pid, person: q.due_soon(db=db, plan_id=pid, today=TODAY),
    "by_priority_all": lambda db, pid, person: q.by_priority(db=db, plan_id=pid, today=TODAY),
    "by_priority_one": lambda db, pid, person: q.by_priority(db=db, plan_id=pid, today=TODAY, code="SP-2"),
    "stale": lambda db, pid, person: q.stale(db=db, plan_id=pid, today=TODAY),
    "chair_summary": lambda db, pid, person: q.chair_summary(db=db, plan_id=pid, today=TODAY),
    "search_words": lambda db, pid, person: search(db, pid, "foster carer reviews"),
    "search_code": lambda db, pid, person: search(db, pid, "m2"),
}

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements_per_query(engine: Engine, sessions: sessionmaker[Session], plan_id: int) -> dict[str, int]:
    with sessions() as db:
        person = person_id(db, plan_id, "p1")  # owns milestones and covers for p0
    counts: dict[str, int] = {}
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for name, run in QUERIES.items():
            with sessions() as db:
                seen.clear()
                result = run(db, plan_id, person)
                assert result is not None, name
                counts[name] = len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def test_each_query_runs_the_same_few_statements_for_10_or_1000_milestones(engine, sessions):
    with sessions.begin() as db:
        small = import_plan(db, plan_doc(10, "Small plan"), now=NOW).plan_id
        large = import_plan(db, plan_doc(1000, "Large plan"), now=NOW).plan_id
    with sessions() as db:
        assert db.scalar(select(ProgressUpdate.id).where(ProgressUpdate.plan_id == large).limit(1))
        covered = q.milestones_for(db=db, plan_id=large, today=TODAY, person_id=person_id(db, large, "p1"))
        assert any(i.covered for i in covered.items) and any(not i.covered for i in covered.items)
        summary = q.chair_summary(db=db, plan_id=large, today=TODAY)
        assert summary.exceptions and summary.changes and summary.totals.milestones == 1000
        overview = q.plan_overview(db=db, plan_id=large, today=TODAY)
        assert overview.totals == summary.totals and overview.areas == summary.areas
        for area in overview.areas[:3]:
            assert q.area_detail(db=db, plan_id=large, today=TODAY, code=area.code).area == area

    small_counts = statements_per_query(engine, sessions, small)
    large_counts = statements_per_query(engine, sessions, large)
    assert small_counts == large_counts
    assert max(large_counts.values()) <= 8, large_counts
    assert large_counts["plan_overview"] == 4 and large_counts["chair_summary"] == 6


# ------------------------------------------------------------------ questions: board days, windows, ratings

BOARD_DAY = date(2020, 2, 20)  # the February board, 10:00 Europe/London (10:00 UTC in winter)


def _set_due(sessions: sessionmaker[Session], plan_id: int, code: str, due: date) -> None:
    with sessions.begin() as db:
        m = db.scalars(select(Milestone).where(Milestone.plan_id == plan_id, Milestone.code == code)).one()
        m.due = due


def test_on_a_board_day_the_meeting_is_next_until_it_starts(db, durham):
    before = q.board_calendar(
        db=db, plan_id=durham, today=BOARD_DAY, now=datetime(2020, 2, 20, 9, 59, tzinfo=UTC)
    )
    after = q.board_calendar(
        db=db, plan_id=durham, today=BOARD_DAY, now=datetime(2020, 2, 20, 10, 0, tzinfo=UTC)
    )
    assert before.next_on == BOARD_DAY
    assert after.next_on == date(2020, 3, 19)


def test_due_on_a_board_day_includes_what_is_due_that_day(db, sessions, durham):
    _set_due(sessions, durham, "M-05", BOARD_DAY)
    morning = q.due_soon(db=db, plan_id=durham, today=BOARD_DAY, now=datetime(2020, 2, 20, 8, 0, tzinfo=UTC))
    assert (morning.frm, morning.until) == (BOARD_DAY, BOARD_DAY)
    assert codes(morning.rows) == ["M-05"]
    evening = q.due_soon(db=db, plan_id=durham, today=BOARD_DAY, now=datetime(2020, 2, 20, 18, 0, tzinfo=UTC))
    assert (evening.frm, evening.until) == (BOARD_DAY, date(2020, 3, 18))
    assert "M-05" in codes(evening.rows)


def test_due_in_a_window_asked_for_in_words(db, durham):
    march = q.due_soon(db=db, plan_id=durham, today=TODAY, frm=date(2020, 3, 1), until=date(2020, 3, 31))
    assert (march.basis, codes(march.rows)) == ("dates", ["M-03", "M-06", "M-12"])


def test_by_rating_reads_red_as_off_track_and_overdue_worst_first(db, sessions, durham):
    add_update(sessions, durham, "M-07", datetime(2020, 2, 2, tzinfo=UTC), "at risk", 40)
    add_update(sessions, durham, "M-06", datetime(2020, 2, 2, tzinfo=UTC), "off track", 30)
    _set_due(sessions, durham, "M-10", date(2020, 1, 31))  # on track, but late: overdue
    red = q.by_rating(db=db, plan_id=durham, today=TODAY, ratings={"off track", "overdue"})
    assert codes(red.rows) == ["M-10", "M-06"]
    amber = q.by_rating(db=db, plan_id=durham, today=TODAY, ratings={"at risk"})
    assert codes(amber.rows) == ["M-07"]


def test_changes_since_a_day_count_only_updates_from_that_day(db, sessions, durham):
    add_update(sessions, durham, "M-07", datetime(2020, 2, 2, 12, tzinfo=UTC), "at risk", 40)
    _, changed = q.changes(db=db, plan_id=durham, today=TODAY, since=date(2020, 2, 2))
    assert codes(changed) == ["M-07"]


def test_without_a_board_the_summary_lists_what_falls_due_in_the_days_qib_due_looks_ahead(sessions, db):
    """No meeting in view: "due before the next board" would always be empty (and say nothing falls
    due); the summary lists, as `/qib due` does, what falls due in the next DEFAULT_DUE_SOON_DAYS."""
    with sessions.begin() as s:
        pid = import_plan(
            s, plan_doc(40, "No board plan", board=None), now=datetime(2019, 12, 1, tzinfo=UTC)
        ).plan_id
    today = date(2019, 12, 10)
    until = date(2020, 1, 7)  # 28 days on, inclusive
    summary = q.chair_summary(db=db, plan_id=pid, today=today)
    expected = q.due_soon(db=db, plan_id=pid, today=today).rows
    assert codes(summary.due_before_next) == codes(expected) != []
    assert all(today <= r.due <= until for r in summary.due_before_next)
