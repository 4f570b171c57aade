"""Measures: RAG, change and sparkline by worked example (up and down), recording rules, and flat reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from benchmarks.counts import counting
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.measures import (
    Point,
    Rag,
    change_of,
    format_change,
    rag_of,
    read_measures,
    record_value,
    select_measures,
    sparkline,
)
from bot.services.periods import last_complete_period, parse_period
from bot.services.planfile import dump_yaml, import_plan, parse_plan_text
from bot.services.privacy import PersonalDataSuspected
from models import AuditEvent, MeasureValue, Person
from tests.services.test_measure_file import KPI, plan_with

NOW = datetime(2020, 2, 3, 9, 0, tzinfo=UTC)  # Durham's boards: 16 Jan 2020 was the last one
TODAY = NOW.date()


# ---------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("value", "expected"),
    [(96, Rag.GREEN), (95, Rag.GREEN), (92, Rag.AMBER), (90, Rag.AMBER), (89.9, Rag.RED), (None, Rag.NONE)],
)
def test_rag_when_higher_is_better(value, expected):
    # target 95%, amber within 5: 95 and above green, 90 to 95 amber, below 90 red
    assert rag_of(value, target=95, amber_within=5, direction="up") is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(0, Rag.GREEN), (10, Rag.GREEN), (12, Rag.AMBER), (13, Rag.AMBER), (14, Rag.RED)]
)
def test_rag_when_lower_is_better(value, expected):
    # days to complete: target 10, amber within 3: 10 or fewer green, 11 to 13 amber, 14 or more red
    assert rag_of(value, target=10, amber_within=3, direction="down") is expected


def test_a_rise_is_better_when_up_is_good_and_worse_when_down_is_good():
    before, after = Point("2019-11", 84, None, None), Point("2019-12", 88, None, None)
    up, down = change_of(after, before, "up"), change_of(after, before, "down")
    assert (up.delta, up.better, up.since) == (4, True, "2019-11")
    assert (down.delta, down.better) == (4, False)
    assert format_change(up, "percent") == "+4 pts (better) since Nov 2019"
    assert format_change(change_of(before, after, "down"), "days") == "−4 days (better) since Dec 2019"
    assert change_of(after, Point("2019-11", 88, None, None), "up").better is None


def test_sparkline_scales_between_the_lowest_and_highest_value():
    # 71..96 spans 25: 84 -> 13/25*7 = 3.6 -> 4, 88 -> 4.8 -> 5, 90 -> 5.3 -> 5, 96 -> 7
    assert sparkline([71, 84, 88, 90, 96]) == "▁▅▆▆█"
    # direction does not change the drawing: a falling count falls
    assert sparkline([14, 9, 4, 0]) == "█▅▃▁"
    assert sparkline([5, 5, 5]) == "▄▄▄"
    assert sparkline([]) == ""
    assert len(sparkline(range(30))) == 12


def test_periods_default_to_the_last_complete_one():
    assert last_complete_period("monthly", date(2020, 2, 3)) == "2020-01"
    assert last_complete_period("monthly", date(2020, 1, 31)) == "2019-12"
    assert last_complete_period("quarterly", date(2020, 5, 1)) == "2020-Q1"
    assert parse_period("jan 2020", "monthly") == "2020-01"
    assert parse_period("Q4 2019", "quarterly") == "2019-Q4"
    with pytest.raises(InvalidInput):
        parse_period("2020-01", "quarterly")


# ---------------------------------------------------------------- reading from the database


def _load(sessions, *measures: dict) -> int:
    with sessions.begin() as db:
        return import_plan(db, parse_plan_text(dump_yaml(plan_with(*measures))), now=NOW).plan_id


def test_reading_a_measure_where_higher_is_better(sessions):
    values = [{"period": p, "value": v} for p, v in [("2019-09", 60), ("2019-10", 71), ("2019-11", 84),
                                                     ("2019-12", 88), ("2020-01", 92)]]  # fmt: skip
    pid = _load(sessions, {**KPI, "values": values})
    with sessions() as db:
        view = read_measures(db=db, plan_id=pid, today=TODAY)
    [m] = [m for m in view.measures if m.code == "KPI-9"]
    assert view.previous_meeting == date(2020, 1, 16)
    assert m.rag is Rag.AMBER  # 92 is within 5 of 95
    assert (m.since_previous.delta, m.since_previous.better) == (4, True)
    # the board on 16 Jan could see December's figure at the latest (88): +4 since
    assert (m.since_board.since, m.since_board.delta) == ("2019-12", 4)
    assert m.sparkline == "▁▃▆▇█"  # 60..92: 71 -> 2.4, 84 -> 5.25, 88 -> 6.1
    assert m.missing_last_period is False


def test_reading_a_measure_where_lower_is_better(sessions):
    down = {**KPI, "code": "KPI-8", "unit": "count", "direction": "down", "target": 0, "amber_within": 2,
            "values": [{"period": "2019-11", "value": 7}, {"period": "2019-12", "value": 3}]}  # fmt: skip
    pid = _load(sessions, down)
    with sessions() as db:
        [m] = [m for m in read_measures(db=db, plan_id=pid, today=TODAY).measures if m.code == "KPI-8"]
    assert m.rag is Rag.RED  # 3 is more than 2 above a target of 0
    assert (m.since_previous.delta, m.since_previous.better) == (-4, True)  # fewer is better
    assert m.since_board is None  # November was the latest the board could see, and is the one before
    assert m.sparkline == "█▁"
    assert m.missing_last_period is True  # nothing for January yet


def test_measures_are_chosen_by_area_priority_code_or_words(sessions, durham):
    with sessions() as db:
        view = read_measures(db=db, plan_id=durham, today=TODAY)
    assert [m.code for m in select_measures(view, "afi-5")] == ["KPI-3"]
    assert [m.code for m in select_measures(view, "SP-2")] == ["KPI-1"]
    assert [m.code for m in select_measures(view, "kpi-4")] == ["KPI-4"]
    assert [m.code for m in select_measures(view, "caseloads")] == ["KPI-5"]
    assert len(select_measures(view, "")) == 5


def test_reading_measures_takes_the_same_statements_for_few_or_many(sessions, engine):
    def many(n: int, values: int) -> list[dict]:
        periods = [f"{2018 + i // 12}-{i % 12 + 1:02d}" for i in range(values)]
        return [
            {**KPI, "code": f"KPI-{i}", "values": [{"period": p, "value": 50} for p in periods]}
            for i in range(n)
        ]

    counted = []
    for n, values in ((1, 1), (30, 24)):
        pid = _load(sessions, *many(n, values))
        with sessions() as db, counting(engine) as counter:
            view = read_measures(db=db, plan_id=pid, today=TODAY)
            assert len(view.measures) == n
            counted.append(counter.n)
        from tests.conftest import empty_all_tables

        empty_all_tables(engine)
    assert counted[0] == counted[1] <= 7, counted  # six SELECTs (and BEGIN, on SQLite)


# ---------------------------------------------------------------- recording


def _person(sessions, key: str) -> int:
    with sessions() as db:
        return db.scalars(select(Person.id).where(Person.key == key)).one()


def _record(sessions, plan_id: int, key: str, value: float, **kw):
    with sessions.begin() as db:
        args = {"period_text": None, "note": None, "now": NOW, "source": "slack"} | kw
        return record_value(
            db=db, plan_id=plan_id, code="KPI-3", author_id=_person(sessions, key), value=value, **args
        )


def _values(sessions) -> list[tuple[str, float]]:
    with sessions() as db:
        return [
            tuple(r)
            for r in db.execute(select(MeasureValue.period, MeasureValue.value).order_by(MeasureValue.id))
        ]


def test_owner_records_the_last_complete_month_by_default(sessions, durham):
    result = _record(sessions, durham, "iro-ops", 1, period_text="2019-12", note="One review slipped")
    assert result.saved and result.period == "2019-12"
    assert _values(sessions) == [("2020-01", 0), ("2019-12", 1)]
    with sessions() as db:
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "record_value")).one()
    assert (audit.entity_code, audit.after["value"]) == ("KPI-3", 1)


def test_someone_who_does_not_own_the_measure_is_refused(sessions, durham):
    with pytest.raises(NotAllowed, match="Only the owner of KPI-3"):
        _record(sessions, durham, "practice-lead", 1, period_text="2019-12")
    assert _values(sessions) == [("2020-01", 0)]


def test_the_owners_delegate_and_an_admin_may_record(sessions, durham):
    assert _record(sessions, durham, "iro-ops-2", 1, period_text="2019-11").saved
    assert _record(sessions, durham, "head-csc", 2, period_text="2019-12").saved


def test_a_second_value_for_a_period_waits_for_confirmation_and_keeps_both(sessions, durham):
    first = _record(sessions, durham, "iro-ops", 2)  # January has 0 from the seed
    assert not first.saved and first.replaced.value == 0
    assert _values(sessions) == [("2020-01", 0)]
    again = _record(sessions, durham, "iro-ops", 2, replace=True)
    assert again.saved
    assert _values(sessions) == [("2020-01", 0), ("2020-01", 2)]
    with sessions() as db:
        [m] = [m for m in read_measures(db=db, plan_id=durham, today=TODAY).measures if m.code == "KPI-3"]
    assert m.latest.value == 2 and m.rag is Rag.AMBER


def test_a_future_period_and_an_impossible_percent_are_refused(sessions, durham):
    with pytest.raises(InvalidInput, match="has not begun"):
        _record(sessions, durham, "iro-ops", 1, period_text="2020-03")
    with pytest.raises(InvalidInput, match="not a possible value"):
        _record(sessions, durham, "iro-ops", -1, period_text="2019-12")


def test_a_note_with_personal_data_is_screened_like_an_update(sessions, durham):
    with pytest.raises(PersonalDataSuspected):
        _record(sessions, durham, "iro-ops", 1, period_text="2019-12", note="Review for NHS 943 476 5919")
    assert _values(sessions) == [("2020-01", 0)]
    _record(sessions, durham, "iro-ops", 1, period_text="2019-12", note="NHS 943 476 5919",
            confirm_not_personal=True)  # fmt: skip
    with sessions() as db:
        override = db.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data_override")).one()
        assert override.after["kinds"] == ["nhs_number"]
        assert db.scalar(select(func.count()).select_from(MeasureValue)) == 2
