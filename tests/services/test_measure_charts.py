"""Trend charts: built from the same read as the text, the same series for the same data, with alt text."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.measure_charts import alt_text, chart_data, chart_for, render_png, render_svg
from bot.services.measures import read_measures
from bot.services.planfile import dump_yaml, import_plan, parse_plan_text
from tests.services.test_measure_file import KPI, plan_with

NOW = datetime(2020, 2, 3, 9, 0, tzinfo=UTC)
VALUES = [("2019-10", 71), ("2019-11", 84), ("2019-12", 88), ("2020-01", 92)]


def _plan(sessions) -> int:
    measure = {**KPI, "values": [{"period": p, "value": v} for p, v in VALUES]}
    with sessions.begin() as db:
        return import_plan(db, parse_plan_text(dump_yaml(plan_with(measure))), now=NOW).plan_id


def test_the_chart_series_are_the_values_target_band_and_board_meetings(sessions):
    pid = _plan(sessions)
    with sessions() as db:
        data = chart_for(db=db, plan_id=pid, code="kpi-9", today=NOW.date())
    assert data.periods == ("2019-10", "2019-11", "2019-12", "2020-01")
    assert data.values == (71, 84, 88, 92)
    assert (data.target, data.amber, data.rag) == (95, (90, 95), "amber")
    # Durham's board: third Thursday, from November 2019; a meeting sits within its month's stretch of axis
    assert [d for _, d in data.meetings] == [date(2019, 11, 21), date(2019, 12, 19), date(2020, 1, 16)]
    assert [round(x, 2) for x, _ in data.meetings] == [0.7, 1.61, 2.52]


def test_the_chart_is_drawn_from_the_same_view_as_the_text(sessions):
    pid = _plan(sessions)
    with sessions() as db:
        [view] = [
            m for m in read_measures(db=db, plan_id=pid, today=NOW.date()).measures if m.code == "KPI-9"
        ]
        assert chart_data(view, [date(2019, 11, 21)]).values == tuple(p.value for p in view.points)
        assert chart_for(db=db, plan_id=pid, code="KPI-9", today=NOW.date()).rag == view.rag.value


def test_a_falling_measure_has_its_amber_band_above_the_target(sessions):
    down = {**KPI, "code": "KPI-8", "unit": "count", "direction": "down", "target": 0, "amber_within": 2,
            "values": [{"period": "2019-12", "value": 3}]}  # fmt: skip
    with sessions.begin() as db:
        pid = import_plan(db, parse_plan_text(dump_yaml(plan_with(down))), now=NOW).plan_id
    with sessions() as db:
        data = chart_for(db=db, plan_id=pid, code="KPI-8", today=NOW.date())
    assert (data.amber, data.rag) == ((0, 2), "red")
    assert "lower is better" in alt_text(data)


def test_png_and_svg_are_the_same_for_the_same_data_small_and_described(sessions):
    pid = _plan(sessions)
    with sessions() as db:
        data = chart_for(db=db, plan_id=pid, code="KPI-9", today=NOW.date())
    png = render_png(data)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 300_000
    assert render_png(data) == png
    svg = render_svg(data)
    assert render_svg(data) == svg
    assert alt_text(data) == (
        "Trend chart of KPI-9 Foster carer reviews held within timescale, target 95% (higher is better): "
        "4 value(s) from Oct 2019 (71%) to Jan 2020 (92%, amber); 3 board meeting(s) marked."
    )
    assert f"<title>{alt_text(data)}</title>" in svg
