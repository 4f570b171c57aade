"""The inspection in Slack, over signed HTTP against the Durham plan: /qib inspection, its history, the
digest's cover and the App Home header; Block Kit checked by the stand-in on every payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from qib_testing.people import IRO

AREAS = [
    "The quality and impact of management oversight, including that of child protection chairs.",
    "The timeliness of assessments and support for children who return home",
    "The quality of children's plans, so that they are timebound, and include clear actions and contingency plans",
    "The response to disabled children, children in private fostering arrangements, and children who are "
    "homeless aged 16 and 17",
    "The timeliness of foster carers’ reviews.",
    "The tracking and monitoring of children missing from education",
]
JUDGEMENTS = [
    "The impact of leaders on social work practice with children and families: Requires improvement to be good",
    "The experiences and progress of children who need help and protection: Requires improvement to be good",
    "The experiences and progress of children in care and care leavers: Good",
    "Overall effectiveness: Requires improvement to be good",
]


def blocks_text(blocks: list) -> str:
    return json.dumps(blocks, ensure_ascii=False).replace("&amp;", "&")


def test_inspection_shows_judgements_areas_in_report_order_publication_and_the_deadline(bot):
    bot.clock[0] = datetime(2020, 1, 20, 9, 0, tzinfo=UTC)  # Mon 20 Jan 2020, before the deadline
    [reply] = bot.command("inspection", user=IRO)
    shown = blocks_text(reply["blocks"])
    assert "Inspection: ILACS standard inspection" in shown
    assert (
        "Mon 9 Sep 2019 to Fri 20 Sep 2019 · published Mon 21 Oct 2019 · lead inspector Rachel Holden"
        in shown
    )
    for line in JUDGEMENTS:
        assert f"• {line}" in shown
    positions = [shown.index(f"{i}. AFI-{i} {text}") for i, text in enumerate(AREAS, 1)]
    assert positions == sorted(positions)
    deadline = "Action plan to Ofsted: due Thu 30 Jan 2020, 8 working days left"
    assert deadline in shown and deadline in reply["text"]
    assert "Overall effectiveness: Requires improvement to be good" in reply["text"]


def test_once_the_deadline_has_passed_it_says_so_until_recorded(bot):
    [reply] = bot.command("inspection")  # Mon 3 Feb 2020: Fri 31 Jan and Mon 3 Feb have passed
    expected = "was due Thu 30 Jan 2020, 2 working days ago, and is not recorded as sent"
    assert expected in blocks_text(reply["blocks"]) and expected in reply["text"]


def test_inspection_history_lists_earlier_visits_newest_first(bot):
    [reply] = bot.command("inspection history")
    shown = blocks_text(reply["blocks"])
    order = [
        shown.index(s) for s in ("January 2019: Focused visit", "July 2018: Joint targeted", "February 2016")
    ]
    assert order == sorted(order)
    assert "Areas for priority action: multi-agency working and strategy meetings." in shown
    assert reply["text"].startswith(
        "Earlier inspections and visits, newest first: January 2019: Focused visit"
    )


def test_the_digest_cover_shows_the_inspection_and_the_outstanding_action_plan(bot):
    [reply] = bot.command("digest preview")
    shown = blocks_text(reply["blocks"])
    for line in JUDGEMENTS:
        assert line in shown
    for i, text in enumerate(AREAS, 1):
        assert f"{i}. AFI-{i} {text}" in shown
    assert "published Mon 21 Oct 2019" in shown
    assert "Action plan to Ofsted: was due Thu 30 Jan 2020" in shown
    assert "Action plan to Ofsted: was due Thu 30 Jan 2020" in reply["text"]


def test_the_app_home_header_names_the_inspection_and_the_deadline(bot):
    bot.clock[0] = datetime(2020, 1, 20, 9, 0, tzinfo=UTC)
    view = bot.open_home(user=IRO)
    header = blocks_text(view["blocks"][:2])
    assert "ILACS standard inspection, published Mon 21 Oct 2019" in header
    assert "overall effectiveness: Requires improvement to be good" in header
    assert "Action plan to Ofsted: due Thu 30 Jan 2020, 8 working days left" in header


# ------------------------------------------------------------ the chair's reminder, through the scheduler

REMIND_AT = datetime(2020, 1, 16, 9, 0, tzinfo=UTC)  # Thu 16 Jan 2020 09:00 London: 10 working days before


def _action_plan_dms(slack) -> list[dict]:
    return [
        c.args
        for c in slack.calls_to("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == "qib_action_plan" and not c.failed
    ]


def test_the_chair_is_reminded_of_the_action_plan_once_10_working_days_before(
    engine, database_url, slack, durham
):
    from datetime import timedelta

    from qib_testing.people import CHAIR
    from tests.e2e.test_scheduler import scheduler

    sched = scheduler(engine, database_url, slack)
    sched.tick(REMIND_AT - timedelta(minutes=1))
    assert _action_plan_dms(slack) == []
    report = sched.tick(REMIND_AT)
    assert "action plan reminder 2020-01-30 (1)" in report.posted
    [dm] = _action_plan_dms(slack)
    assert dm["channel"] == CHAIR
    assert "due on Thu 30 Jan 2020, 10 working days from today" in dm["text"]
    for later in (timedelta(minutes=1), timedelta(days=1), timedelta(days=13)):
        sched.tick(REMIND_AT + later)
    second = scheduler(engine, database_url, slack, worker="w2")
    second.tick(REMIND_AT + timedelta(hours=2))
    assert len(_action_plan_dms(slack)) == 1


def test_no_reminder_once_the_plan_file_records_the_action_plan_as_sent(engine, database_url, slack, durham):
    from sqlalchemy import select

    from models import Inspection
    from models.db import make_sessionmaker
    from tests.e2e.test_scheduler import scheduler

    with make_sessionmaker(engine).begin() as db:
        db.scalar(select(Inspection).where(Inspection.plan_id == durham)).action_plan_sent = datetime(
            2020, 1, 10
        ).date()
    scheduler(engine, database_url, slack).tick(REMIND_AT)
    assert _action_plan_dms(slack) == []
