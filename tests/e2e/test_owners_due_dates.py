"""Revised due dates: the owner asks, the chair approves or declines by DM, the baseline is kept."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from bot.services.planfile import dump_yaml, export_plan, import_plan, parse_plan_text
from models import AuditEvent, Milestone, Plan
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.conftest import SEED_TIME, empty_all_tables
from tests.e2e.test_updates import history, open_modal, state


def milestone(bot, code: str) -> Milestone:
    with bot.deps.sessions() as db:
        row = db.scalars(select(Milestone).where(Milestone.code == code)).one()
        db.expunge(row)
        return row


def request_dm(bot) -> dict:
    [dm] = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == CHAIR)
    return dm.args


def click_in_dm(bot, dm: dict, action_id: str, *, user: str = CHAIR) -> int:
    actions = next(b for b in dm["blocks"] if b["type"] == "actions")
    value = next(e["value"] for e in actions["elements"] if e["action_id"] == action_id)
    status, _ = bot.click(action_id, value, user=user, channel_id=CHAIR, message_ts="1580700000.000100")
    return status


def test_a_revised_date_is_asked_for_approved_by_the_chair_and_keeps_the_baseline(bot):
    [reply] = bot.command("update M-05 due 30 Sep because the IRO post is filled in July", user=IRO)
    assert "Asked the chair" in reply["text"] and "stays due Tue 30 Jun 2020" in reply["text"]
    before = milestone(bot, "M-05")
    assert (before.due, before.due_requested) == (date(2020, 6, 30), date(2020, 9, 30))
    [history] = bot.command("history M-05", user=IRO)
    assert "revised date requested" in history["text"]

    dm = request_dm(bot)
    assert "Revised due date requested" in dm["text"] and "IRO post is filled in July" in dm["text"]
    bot.slack.reset()
    assert click_in_dm(bot, dm, "due_date_approve") == 200
    [edited] = bot.slack.wait_for("chat.update")
    assert "approved by" in edited.args["text"]
    told = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == IRO)
    assert "revised to Wed 30 Sep 2020" in told[0].args["text"]

    after = milestone(bot, "M-05")
    assert (after.baseline_due, after.due, after.due_requested) == (
        date(2020, 6, 30),
        date(2020, 9, 30),
        None,
    )
    [history] = bot.command("history M-05", user=IRO)
    assert "due Tue 30 Jun, revised to Wed 30 Sep, approved by" in history["text"]
    assert "approved the revised due date" in history["text"]
    with bot.deps.sessions() as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_code == "M-05")).all()
    assert {"due_date_requested", "due_date_approved"} <= set(actions)


def test_a_declined_date_leaves_the_due_date_and_only_the_chair_or_an_admin_decides(bot):
    bot.command("update M-05 due 2020-09-30 because of a vacancy", user=IRO)
    dm = request_dm(bot)
    bot.slack.reset()
    click_in_dm(bot, dm, "due_date_approve", user=PRACTICE_LEAD)
    refused = bot.slack.wait_for("chat.postMessage", predicate=lambda c: c.args["channel"] == PRACTICE_LEAD)
    assert "Only the board's chair or a plan admin" in refused[0].args["text"]
    assert milestone(bot, "M-05").due == date(2020, 6, 30)
    click_in_dm(bot, dm, "due_date_decline")
    after = milestone(bot, "M-05")
    assert (after.due, after.baseline_due, after.due_requested) == (date(2020, 6, 30), None, None)


def test_a_due_date_without_a_reason_is_not_saved_as_a_note(bot):
    [reply] = bot.command("update M-05 due 2020-09-30", user=IRO)
    assert "Say why M-05's date should move" in reply["text"]
    assert milestone(bot, "M-05").due_requested is None
    assert milestone(bot, "M-05").last_update_at is None


def test_an_approved_date_is_in_the_digest_with_its_baseline_and_survives_an_export_round_trip(bot, engine):
    bot.command("update M-05 due 2020-02-28 because the audit moved", user=IRO)
    click_in_dm(bot, request_dm(bot), "due_date_approve")
    [preview] = bot.command("digest preview", user=CHAIR)
    shown = json.dumps(preview.get("blocks")) + preview["text"]
    assert "(revised from Tue 30 Jun)" in shown  # due before the meeting: both dates

    with bot.deps.sessions() as db:
        text = dump_yaml(export_plan(db, db.scalars(select(Plan.id)).one()))
    empty_all_tables(engine)
    with bot.deps.sessions.begin() as db:
        import_plan(db, parse_plan_text(text, "export.yaml"), now=SEED_TIME)
    again = milestone(bot, "M-05")
    assert (again.due, again.baseline_due, again.due_revised_on) == (
        date(2020, 2, 28),
        date(2020, 6, 30),
        date(2020, 2, 3),
    )
    assert again.due_revised_by


def due_state(code: str, when: str | None, reason: str | None) -> dict:
    values = state(code, "not started", "0", None)
    values["due"] = {"value": {"type": "datepicker", "selected_date": when}}
    values["due_reason"] = {"value": reason}
    return values


def test_the_form_asks_for_a_revised_date_without_saving_an_empty_update(bot):
    view = open_modal(bot, "update M-05", user=IRO)
    assert "due" in {b.get("block_id") for b in view["blocks"]}
    _, text = bot.submit(view, due_state("M-05", "2020-09-30", None), user=IRO, view_id="VDUE1")
    assert "Say why M-05's date should move" in json.loads(text)["errors"]["due_reason"]
    assert milestone(bot, "M-05").due_requested is None
    assert bot.submit(
        view, due_state("M-05", "2020-09-30", "Vacancy until July"), user=IRO, view_id="VDUE2"
    ) == (
        200,
        "",
    )
    assert milestone(bot, "M-05").due_requested == date(2020, 9, 30)
    assert "Revised due date requested" in request_dm(bot)["text"]
    assert history(bot, "M-05") == []  # no empty progress update


def test_the_chair_is_asked_once_even_when_slack_is_down_at_first(bot):
    bot.slack.fail("chat.postMessage", status=503, times=None)
    [reply] = bot.command("update M-05 due 30 Sep because the IRO post is filled in July", user=IRO)
    assert "Asked the chair" in reply["text"]  # the request is saved: the DM waits in the outbox
    assert not [
        c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR and not c.failed
    ]
    bot.slack.clear_failures()
    bot.clock[0] += timedelta(minutes=1)  # past the outbox's backoff
    bot.deps.outbox.ring()
    bot.deps.outbox.ring()  # a second drain finds nothing left to send
    asked = [c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == CHAIR and not c.failed]
    assert len(asked) == 1 and "Revised due date requested" in asked[0].args["text"]
