"""Corrections: the author (or an admin) corrects or withdraws an update within 7 days; the correction
replaces it in every view, the old text stays only in the audit trail, and the announcement is edited."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.services.planfile import dump_yaml, export_plan
from models import AuditEvent, Milestone, Plan, ProgressUpdate
from qib_testing.bots import NOW
from qib_testing.people import CHAIR, IRO, PRACTICE_LEAD
from tests.e2e.test_updates import open_modal, state

OLD = "Scrutiny checklist agred with IROs"
NEW = "Scrutiny checklist agreed with IROs and team managers"


def shown_ids(bot, code: str) -> list[int]:
    with bot.deps.sessions() as db:
        return list(
            db.scalars(
                select(ProgressUpdate.id)
                .join(Milestone, Milestone.id == ProgressUpdate.milestone_id)
                .where(Milestone.code == code, ProgressUpdate.shown())
                .order_by(ProgressUpdate.id)
            )
        )


def milestone(bot, code: str) -> tuple[str, int]:
    with bot.deps.sessions() as db:
        m = db.scalars(select(Milestone).where(Milestone.code == code)).one()
        return m.status, m.percent


def announced(bot) -> tuple[str, str]:
    """Save a quick update of M-05 as its owner; the announcement's channel and ts."""
    [reply] = bot.command(f"update M-05 on track 20% {OLD}", user=IRO)
    assert reply["text"].startswith("Saved:")
    _parent, line = bot.slack.wait_for("chat.postMessage", count=2)
    bot.slack.reset()
    return line.response["channel"], line.response["ts"]


def test_history_offers_edit_to_the_author_and_the_correction_replaces_the_update_everywhere(bot):
    channel, ts = announced(bot)
    [ref_id] = shown_ids(bot, "M-05")
    ref = f"U-{ref_id}"
    [shown] = bot.command("history M-05", user=IRO)
    buttons = [b["accessory"] for b in shown["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("correct_update", str(ref_id))]
    [others] = bot.command("history M-05", user=PRACTICE_LEAD)  # not their update, not an admin
    assert not [b for b in others["blocks"] if "accessory" in b]

    view = open_modal(bot, f"correct {ref}", user=IRO)
    assert view["callback_id"] == "qib_correct" and json.loads(view["private_metadata"])["correct"] == ref
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["note"]["element"]["initial_value"] == OLD  # correcting: the update is prefilled
    assert "due" not in blocks
    assert bot.submit(view, state("M-05", "on track", "25", NEW), user=IRO, view_id="VCORR") == (200, "")

    [edit] = bot.slack.wait_for("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == (channel, ts)
    assert "(corrected)" in edit.args["text"] and "25%" in edit.args["text"]
    assert milestone(bot, "M-05") == ("on track", 25)
    [new_id] = shown_ids(bot, "M-05")
    assert new_id != ref_id
    [history] = bot.command("history M-05", user=CHAIR)
    assert NEW.split(" and")[0] in history["text"] or "25%" in history["text"]
    assert "agred" not in json.dumps(history)  # the old text is not in Slack views
    with bot.deps.sessions() as db:
        export = dump_yaml(export_plan(db, db.scalars(select(Plan.id)).one()))
        audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "correct_update")).one()
    assert "agred" not in export and "team managers" in export
    assert audit.before["note"] == OLD and audit.actor == "Alex Morgan"


def test_withdrawing_the_latest_update_makes_the_previous_one_latest_again(bot):
    bot.command("update M-05 on track 20% Checklist agreed", user=IRO)
    bot.clock[0] = NOW + timedelta(hours=2)
    bot.command("update M-05 on track 40% Audit done", user=IRO)
    first, second = shown_ids(bot, "M-05")
    assert milestone(bot, "M-05") == ("on track", 40)
    bot.slack.reset()
    [reply] = bot.command(f"withdraw U-{second}", user=IRO)
    assert f"U-{second} is withdrawn" in reply["text"]
    assert shown_ids(bot, "M-05") == [first]
    assert milestone(bot, "M-05") == ("on track", 20)
    [edit] = bot.slack.wait_for("chat.update")
    assert "withdrawn" in edit.args["text"] and "Audit done" not in edit.args["text"]
    [history] = bot.command("history M-05", user=CHAIR)
    assert "Audit done" not in json.dumps(history)


def test_someone_elses_update_or_one_over_7_days_old_is_refused_kindly(bot):
    announced(bot)
    [ref_id] = shown_ids(bot, "M-05")
    [reply] = bot.command(f"correct U-{ref_id}", user=PRACTICE_LEAD)
    assert "Only the author" in reply["text"]
    assert not bot.slack.calls_to("views.open")
    bot.clock[0] = NOW + timedelta(days=8)
    [late] = bot.command(f"correct U-{ref_id}", user=IRO)
    assert "can be corrected for 7 days" in late["text"] and "/qib update M-05" in late["text"]
    [late] = bot.command(f"withdraw U-{ref_id}", user=IRO)
    assert "can be corrected for 7 days" in late["text"]
    assert shown_ids(bot, "M-05") == [ref_id]


def test_an_admin_corrects_an_owners_update_from_the_history_edit_button(bot):
    announced(bot)
    [ref_id] = shown_ids(bot, "M-05")
    code, _ = bot.click("correct_update", str(ref_id), user=CHAIR, trigger_id="trig.edit")
    assert code == 200
    [opened] = bot.slack.wait_for("views.open")
    view = opened.args["view"]
    bot.slack.reset()
    assert bot.submit(view, state("M-05", "on track", "20", NEW), user=CHAIR, view_id="VADM") == (200, "")
    [new_id] = shown_ids(bot, "M-05")
    with bot.deps.sessions() as db:
        row = db.get(ProgressUpdate, new_id)
        assert row.note == NEW and row.corrects_id == ref_id and row.author.name == "Alex Morgan"


def test_the_correction_form_can_withdraw_the_update_instead(bot):
    channel, ts = announced(bot)
    [ref_id] = shown_ids(bot, "M-05")
    view = open_modal(bot, f"correct U-{ref_id}", user=IRO)
    values = state("M-05", "on track", "20", OLD)
    values["withdraw"] = {"value": {"type": "checkboxes", "selected_options": [{"value": "withdraw"}]}}
    assert bot.submit(view, values, user=IRO, view_id="VWD") == (200, "")
    assert shown_ids(bot, "M-05") == []
    assert milestone(bot, "M-05") == ("not started", 0)
    [edit] = bot.slack.wait_for("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == (channel, ts) and "withdrawn" in edit.args["text"]
    assert OLD not in edit.args["text"]
