"""The inspection in Ofsted's words, the 70-working-day action-plan deadline (hand-counted), and history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.services.calendar import working_days_after, working_days_between
from bot.services.inspection import (
    action_plan_due,
    chair_reminder_day,
    grade_words,
    inspection_history,
    inspection_view,
    outstanding_action_plan,
)
from models import Inspection


# Each case counted by hand on a calendar, the day after publication being day 1.
@pytest.mark.parametrize(
    ("published", "due", "why"),
    [
        # Durham: Oct 22-31 = 8, Nov = 21 (29), Dec = 22 less 25 and 26 Dec (49), Jan: 1 Jan skipped, 2-30 = 21.
        (date(2019, 10, 21), date(2020, 1, 30), "Christmas, Boxing Day and New Year's Day skipped"),
        # VE day moved to Fri 8 May 2020 and Mon 25 May skipped: May 18, June 22 (40), July 23 (63), Aug 3-11.
        (date(2020, 5, 1), date(2020, 8, 11), "the 2020 VE day holiday and the spring bank holiday"),
        # Substitute days Mon 27 and Tue 28 Dec 2021 and Mon 3 Jan 2022 skipped.
        (date(2021, 12, 1), date(2022, 3, 14), "substitute Christmas and New Year holidays"),
        # Published on a Saturday: Monday is day 1; Good Friday and Easter Monday 2020 skipped.
        (date(2020, 1, 4), date(2020, 4, 14), "a weekend publication and Easter"),
    ],
)
def test_the_action_plan_is_due_70_working_days_after_publication(published, due, why):
    assert action_plan_due(published) == due, why


def test_durham_published_monday_21_october_2019_owes_its_action_plan_by_thursday_30_january_2020():
    due = action_plan_due(date(2019, 10, 21))
    assert (due, f"{due:%a}") == (date(2020, 1, 30), "Thu")
    assert working_days_between(date(2019, 10, 21), due) == 70


@pytest.mark.parametrize(
    ("due", "remind"),
    [
        (date(2020, 1, 30), date(2020, 1, 16)),  # 29, 28, 27, 24, 23, 22, 21, 20, 17, 16 Jan
        (date(2020, 8, 11), date(2020, 7, 28)),  # 10, 7, 6, 5, 4, 3 Aug, 31, 30, 29, 28 Jul
        (date(2022, 3, 14), date(2022, 2, 28)),  # 11, 10, 9, 8, 7, 4, 3, 2, 1 Mar, 28 Feb
    ],
)
def test_the_chair_is_reminded_10_working_days_before_the_deadline(due, remind):
    assert chair_reminder_day(due) == remind


def test_working_days_after_counts_from_the_next_day_and_refuses_zero():
    assert working_days_after(date(2020, 12, 24), 1) == date(2020, 12, 29)  # 25 Dec, 28 Dec substitute
    with pytest.raises(ValueError):
        working_days_after(date(2020, 1, 1), 0)


def test_grades_read_as_ofsted_prints_them():
    assert grade_words("requires improvement to be good") == "Requires improvement to be good"
    assert grade_words("good") == "Good"


def test_durham_inspection_has_four_judgements_six_areas_in_report_order_and_its_deadline(sessions, durham):
    with sessions() as db:
        view = inspection_view(db=db, plan_id=durham, today=date(2020, 1, 20))
    assert view is not None and view.type_name == "ILACS standard inspection"
    assert view.published == date(2019, 10, 21) and view.lead_inspector == "Rachel Holden"
    assert [j.grade_words for j in view.judgements] == [
        "Requires improvement to be good",
        "Requires improvement to be good",
        "Good",
        "Requires improvement to be good",
    ]
    assert [a.code for a in view.areas] == [f"AFI-{n}" for n in range(1, 7)]
    assert view.areas[4].description == "The timeliness of foster carers’ reviews."
    plan = view.action_plan
    assert plan is not None and plan.due == date(2020, 1, 30) and plan.remind_on == date(2020, 1, 16)
    assert plan.outstanding and plan.working_days_left == 8  # 21-24 and 27-30 January


def test_a_recorded_action_plan_is_no_longer_outstanding(sessions, durham):
    with sessions() as db:
        assert outstanding_action_plan(db=db, plan_id=durham, today=date(2020, 1, 20)) is not None
    with sessions.begin() as db:
        db.scalar(select(Inspection).where(Inspection.plan_id == durham)).action_plan_sent = date(2020, 1, 28)
    with sessions() as db:
        assert outstanding_action_plan(db=db, plan_id=durham, today=date(2020, 1, 20)) is None
        view = inspection_view(db=db, plan_id=durham, today=date(2020, 1, 20))
        assert view.action_plan.sent == date(2020, 1, 28)


def test_a_focused_visit_owes_no_70_day_action_plan(sessions, durham):
    with sessions.begin() as db:
        db.scalar(select(Inspection).where(Inspection.plan_id == durham)).type = "focused_visit"
    with sessions() as db:
        assert inspection_view(db=db, plan_id=durham, today=date(2020, 1, 20)).action_plan is None


def test_history_lists_earlier_inspections_newest_first(sessions, durham):
    with sessions() as db:
        history = inspection_history(db=db, plan_id=durham)
    assert [(h.type, h.month) for h in history] == [
        ("focused_visit", "2019-01"),
        ("jtai", "2018-07"),
        ("sif", "2016-02"),
    ]


def test_history_is_newest_first_whatever_the_file_order(sessions):
    import yaml

    from bot.services.planfile import import_plan, parse_plan_text
    from seeds import DURHAM
    from tests.conftest import SEED_TIME

    data = yaml.safe_load(DURHAM.read_text(encoding="utf-8"))
    data["earlier_inspections"] = [
        {"type": "sif", "month": "2016-02"},
        {"type": "monitoring_visit", "start": "2019-01-20", "outcome": "later in January"},
        {"type": "focused_visit", "month": "2019-01"},
        {"type": "jtai", "start": "2018-07-02", "end": "2018-07-06"},
    ]
    with sessions.begin() as db:
        pid = import_plan(
            db, parse_plan_text(yaml.safe_dump(data, allow_unicode=True)), now=SEED_TIME
        ).plan_id
    with sessions() as db:
        history = inspection_history(db=db, plan_id=pid)
    assert [h.type for h in history] == ["monitoring_visit", "focused_visit", "jtai", "sif"]
