"""The plan file's measures section: a lossless round trip, and bad sections refused naming entry and field."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import yaml
from sqlalchemy import select

from bot.services.errors import PlanFileError
from bot.services.measures import record_value
from bot.services.planfile import dump_yaml, export_plan, import_plan, parse_plan_text, read_plan_file
from models import Measure, MeasureValue, Person
from seeds import DURHAM

NOW = datetime(2020, 2, 3, 9, 0, tzinfo=UTC)

KPI = {
    "code": "KPI-9",
    "title": "Foster carer reviews held within timescale",
    "question": 10,
    "question_text": "Are supervision taking place in a timely manner and are staff being effectively managed?",
    "areas": ["AFI-5"],
    "priorities": ["SP-1"],
    "owner": "iro-ops",
    "unit": "percent",
    "direction": "up",
    "target": 95,
    "amber_within": 5,
    "frequency": "monthly",
    "values": [
        {"period": "2019-10", "value": 71, "note": "Backlog after the summer"},
        {
            "period": "2019-11",
            "value": 84.5,
            "at": "2019-12-02T10:00:00+00:00",
            "author": "iro-ops-2",
            "source": "slack",
            "replaced": [
                {"value": 80, "at": "2019-12-01T09:00:00+00:00", "author": "iro-ops", "source": "slack"}
            ],
        },
    ],
}


def plan_with(*measures: dict) -> dict:
    data = yaml.safe_load(DURHAM.read_text(encoding="utf-8"))
    data["measures"] = [copy.deepcopy(m) for m in measures]
    return data


def problems_of(data: dict) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        parse_plan_text(yaml.safe_dump(data, allow_unicode=True), "plan.yaml")
    return caught.value.problems


def test_round_trip_of_measures_with_replaced_values_is_lossless(sessions):
    other = {k: v for k, v in KPI.items() if k not in ("areas", "question", "question_text")}
    data = plan_with(KPI, {**other, "code": "KPI-10", "direction": "down", "unit": "days", "target": 20,
                           "frequency": "quarterly", "priorities": ["SP-2"],
                           "values": [{"period": "2019-Q4", "value": 31}]})  # fmt: skip
    with sessions.begin() as db:
        report = import_plan(db, parse_plan_text(dump_yaml(data)), now=NOW)
        exported = export_plan(db, report.plan_id)
    assert exported["measures"] == data["measures"]
    # and the export, imported again, changes nothing and adds no value
    with sessions.begin() as db:
        again = import_plan(db, parse_plan_text(dump_yaml(exported)), now=NOW)
        assert again.changes == []
        assert len(db.scalars(select(MeasureValue)).all()) == 4  # 71, 80 then 84.5, 31


def test_a_value_recorded_in_slack_is_exported_with_the_one_it_replaced(sessions, durham):
    with sessions.begin() as db:
        iro = db.scalars(select(Person).where(Person.key == "iro-ops")).one()
        for value, replace in ((1, False), (2, True)):
            record_value(db=db, plan_id=durham, code="KPI-3", author_id=iro.id, value=value,
                         period_text="2019-12", note=None, now=NOW, source="slack", replace=replace)  # fmt: skip
        exported = export_plan(db, durham)
    [kpi3] = [m for m in exported["measures"] if m["code"] == "KPI-3"]
    assert kpi3["values"][0] == {
        "period": "2019-12",
        "value": 2,
        "at": NOW.isoformat(),
        "author": "iro-ops",
        "source": "slack",
        "replaced": [{"value": 1, "at": NOW.isoformat(), "author": "iro-ops", "source": "slack"}],
    }
    # the file, imported into an empty database, gives back the same history
    text = dump_yaml(exported)
    with sessions.begin() as db:
        for m in db.scalars(select(Measure)):
            db.delete(m)
    with sessions.begin() as db:
        import_plan(db, parse_plan_text(text), now=NOW)
        assert export_plan(db, durham)["measures"] == exported["measures"]


def test_the_durham_seed_measures_keep_the_papers_question_wording():
    doc = read_plan_file(DURHAM)
    questions = {m.code: (m.question, m.question_text) for m in doc.measures}
    assert questions["KPI-1"] == (
        10,
        "Are supervision taking place in a timely manner and are staff being effectively managed?",
    )
    [kpi3] = [m for m in doc.measures if m.code == "KPI-3"]
    assert (kpi3.areas, kpi3.direction, kpi3.target, [v.value for v in kpi3.values]) == (
        ["AFI-5"],
        "down",
        0,
        [0],
    )


def test_an_unknown_area_is_refused_naming_the_measure():
    assert 'measures[0] (KPI-9).areas: no area has the code "AFI-99"' in problems_of(
        plan_with({**KPI, "areas": ["AFI-99"]})
    )


def test_a_value_that_is_not_a_number_is_refused():
    bad = {**KPI, "values": [{"period": "2019-10", "value": "seventy"}]}
    assert problems_of(plan_with(bad)) == ['measures[0] (KPI-9).values[0].value: "seventy" is not a number']


def test_a_quoted_number_is_refused_rather_than_guessed():
    bad = {**KPI, "values": [{"period": "2019-10", "value": "71"}]}
    assert problems_of(plan_with(bad)) == ['measures[0] (KPI-9).values[0].value: "71" is not a number']


def test_a_percent_over_100_is_refused():
    bad = {**KPI, "values": [{"period": "2019-10", "value": 104}]}
    assert problems_of(plan_with(bad)) == [
        "measures[0] (KPI-9).values[0].value: 104 is over 100 (the unit is percent)"
    ]


def test_a_duplicate_period_is_refused():
    bad = {**KPI, "values": [{"period": "2019-10", "value": 70}, {"period": "2019-10", "value": 71}]}
    assert problems_of(plan_with(bad)) == [
        "measures[0] (KPI-9).values[1].period: 2019-10 has a value already (one per period)"
    ]


def test_a_quarter_given_to_a_monthly_measure_is_refused():
    bad = {**KPI, "values": [{"period": "2019-Q4", "value": 70}]}
    assert problems_of(plan_with(bad)) == [
        'measures[0] (KPI-9).values[0].period: "2019-Q4" is not a monthly period (e.g. 2019-10)'
    ]


def test_an_unknown_unit_is_refused_naming_the_field():
    assert problems_of(plan_with({**KPI, "unit": "percentage"})) == [
        "measures[0] (KPI-9).unit: Input should be 'percent', 'count', 'days' or 'rate'"
    ]


def test_a_period_beyond_the_current_one_refuses_the_whole_file(sessions):
    bad = {**KPI, "values": [{"period": "2019-10", "value": 70}, {"period": "2020-03", "value": 71}]}
    doc = parse_plan_text(dump_yaml(plan_with(bad)))
    with pytest.raises(PlanFileError) as caught, sessions.begin() as db:
        import_plan(db, doc, now=NOW)
    assert caught.value.problems == [
        "measures[0] (KPI-9).values[1].period: 2020-03 is in the future (the current period is 2020-02)"
    ]
    with sessions() as db:
        assert db.scalars(select(Measure)).all() == []
