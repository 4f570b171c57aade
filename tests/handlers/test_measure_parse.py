"""Reading `/qib measure ...`: code, value, the named period and the note."""

from __future__ import annotations

import pytest

from handlers.measures.parse import MeasureText, parse_measure_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KPI-3 88%", MeasureText("KPI-3", 88, None, None)),
        (
            "kpi-3 88.5 Two carers' reviews moved",
            MeasureText("KPI-3", 88.5, None, "Two carers' reviews moved"),
        ),
        ("KPI-3 4 for 2020-01 after the audit", MeasureText("KPI-3", 4, "2020-01", "after the audit")),
        ("KPI-3 4 for jan 2020", MeasureText("KPI-3", 4, "jan 2020", None)),
        ("KPI-5 97% for Q4 2019 all teams", MeasureText("KPI-5", 97, "Q4 2019", "all teams")),
        ("KPI-3 1,200", MeasureText("KPI-3", 1200, None, None)),
        ("KPI-3", MeasureText("KPI-3", None, None, None)),
    ],
)
def test_a_measure_line_is_read_into_its_parts(text, expected):
    assert parse_measure_text(text) == expected


def test_a_value_that_is_not_a_number_is_a_problem_not_a_note():
    parsed = parse_measure_text("KPI-3 lots")
    assert parsed.value is None and parsed.problem == "“lots” is not a number: write the value like 88%."


def test_a_line_that_does_not_start_with_a_code_is_a_problem():
    parsed = parse_measure_text("88% KPI-3")
    assert (parsed.code, parsed.problem) == (None, "“88%” is not a measure code such as KPI-3.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5 40", MeasureText("2.5", 40, None, None)),
        ("PI.1 85% for 2026-Q2 after the audit", MeasureText("PI.1", 85, "2026-Q2", "after the audit")),
        ("m1.2 12", MeasureText("M1.2", 12, None, None)),
    ],
)
def test_a_measure_coded_as_another_council_codes_is_read_by_its_code(text, expected):
    assert parse_measure_text(text) == expected
