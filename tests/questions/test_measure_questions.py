"""Measure questions select what `/qib measures <words>` would: the interpreter's topic, fed to
select_measures over Durham's KPI-1..KPI-5 as seeded, picks the measure the question is about."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from bot.services.measures import MeasuresView, MeasureView, Rag, select_measures
from bot.services.questions import intents as q
from bot.services.questions import interpret
from tests.questions.test_corpus import SEED, TODAY, durham_terms


def _seeded_measures() -> MeasuresView:
    doc = yaml.safe_load(SEED.read_text())
    views = tuple(
        MeasureView(
            code=m["code"],
            title=m["title"],
            question=m.get("question"),
            question_text=m.get("question_text"),
            unit=m["unit"],
            direction=m["direction"],
            target=m["target"],
            amber_within=m["amber_within"],
            frequency=m["frequency"],
            owner_id=None,
            owner_name=None,
            areas=tuple(m.get("areas", ())),
            priorities=tuple(m.get("priorities", ())),
            points=(),
            rag=Rag.NONE,
            since_previous=None,
            since_board=None,
            sparkline="",
            last_period="2020-01",
            missing_last_period=True,
        )  # fmt: skip
        for m in doc["measures"]
    )
    return MeasuresView(today=date(2020, 2, 3), previous_meeting=None, measures=views)


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("how many foster carer reviews are out of timescale?", ["KPI-3"]),
        ("what's the latest on KPI-3", ["KPI-3"]),
        ("supervision in timescale figures", ["KPI-1"]),
        ("are supervisions within timescales", ["KPI-1"]),
        ("caseload figures", ["KPI-5"]),
        ("what are the figures for AFI-5", ["KPI-3"]),
        ("what are the measures for SP-2", ["KPI-1"]),
        ("how are our measures doing", ["KPI-1", "KPI-2", "KPI-3", "KPI-4", "KPI-5"]),
        ("show me the KPIs", ["KPI-1", "KPI-2", "KPI-3", "KPI-4", "KPI-5"]),
    ],
)
def test_a_measure_question_selects_the_measures_it_is_about(question, codes):
    intent = interpret(question, TODAY, durham_terms())
    assert isinstance(intent, q.Measure), intent
    assert [m.code for m in select_measures(_seeded_measures(), intent.topic)] == codes


def test_a_plan_without_measures_reads_measure_words_as_before():
    terms = durham_terms()
    bare = type(terms)(codes=terms.codes, people=terms.people, commands=terms.commands)
    assert not isinstance(interpret("how are our measures doing", TODAY, bare), q.Measure)
    assert interpret("KPI-3", TODAY, bare) != q.Measure("KPI-3")
